// The context timeline: one row per turn, each a bar of the window drawn to scale from the
// server's own numbers (the response's `context`: tokens per part). Reasoning is solid in its
// own turn; in every later row that it no longer reaches (a user message came after it) it is
// drawn hatched, below the bar, outside the window. Cached prompt tokens are a band over the
// prompt's start; turns that truncation dropped are marked at the bar's left end.

const PARTS = [
  ["system", "system prompt"],
  ["carried", "carried over: earlier inputs and answers"],
  ["input", "this turn's input"],
  ["reasoning", "this turn's reasoning"],
  ["answer", "this turn's answer"],
  ["reserve", "reserve left for reasoning and answer"],
];

export function legend(element) {
  element.replaceChildren(...PARTS.map(([part, name]) => swatch(`seg-${part}`, name)),
    swatch("seg-discarded", "reasoning discarded from later turns"), swatch("cached-key", "cached (not recomputed)"));
}

function swatch(cls, name) {
  const item = document.createElement("span");
  const box = document.createElement("i");
  box.className = cls;
  item.append(box, name);
  return item;
}

// turns: [{id, context, user}] oldest first; user: the turn began with a person's message.
// zoom: draw the used part of the window (the largest row's) across the width, not all of it
export function draw(element, turns, zoom = false) {
  const widest = Math.max(1, ...turns.map((t) => (t.context ? filled(t.context) : 0)));
  element.classList.toggle("zoomed", zoom);
  element.replaceChildren(...turns.map((turn, index) => row(turns, index, zoom ? widest : null)));
}

const filled = (c) => c.system + c.carried + c.input + c.reasoning + c.answer + c.reserve;

function row(turns, index, span) {
  const turn = turns[index];
  const element = document.createElement("div");
  element.className = "row";
  element.dataset.responseId = turn.id;
  element.dataset.turn = String(index + 1);
  const context = turn.context;
  if (!context) {
    element.append(head(`Turn ${index + 1}`, turn.pending ? "running…" : "no layout (it did not finish)"));
    return element;
  }
  const scale = Math.min(span || context.window, context.window); // tokens across the bar's width
  element.append(head(`Turn ${index + 1}`, summary(context)), bar(context, scale),
    discardedLane(turns, index, scale));
  return element;
}

function head(title, text) {
  const element = document.createElement("div");
  element.className = "row-head";
  const strong = document.createElement("strong");
  strong.textContent = title;
  element.append(strong, ` ${text}`);
  return element;
}

function summary(c) {
  const used = c.system + c.carried + c.input + c.reasoning + c.answer;
  const dropped = c.dropped_turns ? ` · ✂ ${c.dropped_turns} oldest turn${c.dropped_turns > 1 ? "s" : ""} dropped` : "";
  return `${used}/${c.window} tokens${dropped}`;
}

function bar(c, scale) {
  const element = document.createElement("div");
  element.className = scale < c.window ? "ctx-bar cut" : "ctx-bar";
  element.dataset.window = String(c.window);
  element.dataset.scale = String(scale);
  if (c.dropped_turns) {
    const cut = segment("dropped", 0, `${c.dropped_turns} oldest turn(s) dropped by truncation`, scale);
    cut.dataset.turns = String(c.dropped_turns);
    element.append(cut);
  }
  for (const [part, name] of PARTS) {
    if (c[part] > 0) element.append(segment(part, c[part], name, scale));
  }
  if (c.cached > 0) {
    const band = document.createElement("span");
    band.className = "cached";
    band.style.width = pct(c.cached, scale);
    band.dataset.tokens = String(c.cached);
    band.dataset.label = `cached prompt tokens: ${c.cached} (reused, not computed; ${c.system + c.carried + c.input - c.cached} computed)`;
    band.tabIndex = 0;
    element.append(band);
  }
  return element;
}

function segment(part, tokens, name, scale) {
  const element = document.createElement("span");
  element.className = `seg seg-${part}`;
  element.style.width = pct(tokens, scale);
  element.dataset.part = part;
  element.dataset.tokens = String(tokens);
  element.dataset.label = tokens ? `${name}: ${tokens} tokens` : name;
  element.setAttribute("aria-label", element.dataset.label);
  element.tabIndex = 0;
  return element;
}

// the reasoning of earlier turns that this row's turn no longer sees, to the bar's scale
function discardedLane(turns, index, scale) {
  const lane = document.createElement("div");
  lane.className = "discarded";
  for (let k = 0; k < index; k++) {
    const earlier = turns[k].context;
    if (!earlier || !earlier.reasoning || !userBetween(turns, k, index)) continue;
    const block = segment("discarded", earlier.reasoning, `turn ${k + 1}'s reasoning, discarded`, scale);
    block.dataset.turn = String(k + 1);
    lane.append(block);
  }
  return lane;
}

// a person spoke after turn k, up to turn j: turn k's reasoning was dropped (a tool loop keeps it)
function userBetween(turns, k, j) {
  for (let m = k + 1; m <= j; m++) if (turns[m].user) return true;
  return false;
}

const pct = (tokens, scale) => `${Math.max(0, (100 * tokens) / scale).toFixed(3)}%`;

// the tooltip: hovering or focusing a segment names it and its token count
export function tooltips(container, tip) {
  const show = (event) => {
    const target = event.target.closest("[data-label]");
    if (!target || !container.contains(target)) return;
    tip.textContent = target.dataset.label;
    tip.hidden = false;
    const box = target.getBoundingClientRect();
    const host = container.getBoundingClientRect();
    tip.style.left = `${Math.max(0, Math.min(box.left - host.left, host.width - 220))}px`;
    tip.style.top = `${box.bottom - host.top + container.scrollTop + 4}px`;
  };
  const hide = () => { tip.hidden = true; };
  container.addEventListener("pointerover", show);
  container.addEventListener("focusin", show);
  container.addEventListener("pointerleave", hide);
  container.addEventListener("focusout", hide);
}
