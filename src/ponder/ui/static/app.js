// The page's wiring: the conversation on screen, sending and stopping turns, the lists of
// conversations and tasks, the API key prompt, the keyboard. Every turn is a stored background
// response streamed as it runs, so Stop cancels it on the server, and a cut connection (or a
// reload) picks the stream up where it broke instead of losing the turn.

import * as api from "./api.js";
import { TurnView } from "./turn.js";
import * as timeline from "./timeline.js";
import { renderText } from "./render.js";

const $ = (id) => document.getElementById(id);
const state = {
  model: null,
  conversation: null, // the first response's id
  latest: null, // the response the next message continues
  turns: [], // for the timeline: {id, context, user, pending}
  running: null, // {id, view, controller, stopping}
};

// ---- sending and following a turn

function request(text, task) {
  const body = {
    model: state.model, input: text, stream: !task, background: true, store: true,
    reasoning: { effort: $("effort").value, summary: "auto" }, metadata: { ponder_page: task ? "task" : "chat" },
  };
  if (!task && state.latest) body.previous_response_id = state.latest;
  if ($("strategy").value) body.strategy = $("strategy").value;
  const max = parseInt($("max-tokens").value, 10);
  if (max > 0) body.max_output_tokens = max;
  return body;
}

async function send(task = false) {
  const text = $("input").value;
  if (!text.trim() || state.running) return;
  $("input").value = "";
  if (task) return delegate(text);
  const view = new TurnView($("turns"), text);
  const row = { id: null, context: null, user: true, pending: true };
  state.turns.push(row);
  drawTimeline();
  await run(view, row, (signal) => api.create(request(text, false), signal));
}

async function delegate(text) {
  try {
    const queued = await api.call("POST", "/v1/responses", request(text, true));
    status(`delegated as ${queued.id}`);
    await refreshLists();
  } catch (error) {
    status(error.message, true);
  }
}

// runs a turn's stream into its view; a broken connection resumes after the last event seen
async function run(view, row, open) {
  const controller = new AbortController();
  state.running = { id: null, view, controller, stopping: false };
  setRunning(true);
  let last = -1, body = null, seconds = null, attempts = 0;
  let events = open(controller.signal);
  while (body === null) {
    try {
      for await (const event of events) {
        last = event.sequence_number ?? last;
        const outcome = handle(view, row, event);
        if (outcome.seconds != null) seconds = outcome.seconds;
        if (outcome.body) body = outcome.body;
      }
      if (body === null && state.running.id) body = await settled(state.running.id);
      break;
    } catch (error) {
      if (state.running.stopping || !state.running.id || ++attempts > 3) {
        if (!state.running.stopping) view.fail(error.message);
        break;
      }
      events = api.follow(state.running.id, last, controller.signal); // the job goes on: pick it up
    }
  }
  if (state.running.abandoned) return ended(); // its conversation was deleted: nothing to draw
  if (state.running.stopping && state.running.id) body = await api.cancel(state.running.id).catch(() => body);
  if (body) finishTurn(view, row, body, seconds);
  else if (!row.id && state.turns.includes(row)) state.turns.splice(state.turns.indexOf(row), 1); // refused: no row
  else row.pending = false;
  ended();
}

function ended() {
  state.running = null;
  setRunning(false);
  drawTimeline();
  refreshLists();
}

// one event of the stream: what it changes in the view
function handle(view, row, event) {
  switch (event.type) {
    case "response.created":
      view.id = event.response.id;
      row.id = event.response.id;
      state.running.id = event.response.id;
      if (!state.conversation) state.conversation = event.response.id;
      return {};
    case "response.output_item.added":
      if (event.item.type === "reasoning") view.openReasoning();
      return {};
    case "response.reasoning_text.delta":
      view.reasoningDelta(event.delta);
      return {};
    case "response.output_item.done":
      if (event.item.type === "reasoning") return { seconds: view.closeReasoning(event.item).seconds };
      if (event.item.type === "function_call") view.call(event.item);
      return {};
    case "response.output_text.delta":
      view.answerDelta(event.delta);
      return {};
    case "response.completed":
    case "response.incomplete":
    case "response.failed":
      return { body: event.response };
    case "error":
      if (!state.running.stopping) view.fail(event.message); // a stop's own "cancelled" is no error
      return {};
    default:
      return {};
  }
}

async function settled(id) {
  return api.call("GET", `/v1/responses/${encodeURIComponent(id)}`).catch(() => null);
}

function finishTurn(view, row, body, seconds) {
  view.finish(body, seconds);
  row.id = body.id;
  row.context = body.context || null;
  row.pending = false;
  if (body.status === "completed" || body.status === "incomplete") state.latest = body.id;
}

async function stop() {
  const running = state.running;
  if (!running || running.stopping || !running.id) return;
  running.stopping = true;
  status("stopping…");
  const body = await api.cancel(running.id).catch((error) => status(error.message, true));
  running.controller.abort();
  if (body) status(`stopped ${body.id}`);
}

function setRunning(on) {
  $("stop").disabled = !on;
  $("send").disabled = on;
  $("turns").setAttribute("aria-busy", on ? "true" : "false");
}

function status(text, error = false) {
  renderText($("status"), text);
  $("status").classList.toggle("error", error);
}

function drawTimeline() {
  timeline.draw($("timeline"), state.turns, $("zoom").getAttribute("aria-pressed") === "true");
}

function zoom() {
  const on = $("zoom").getAttribute("aria-pressed") !== "true";
  $("zoom").setAttribute("aria-pressed", String(on));
  $("zoom").textContent = on ? "show the whole window" : "zoom to the used part";
  drawTimeline();
}

// ---- conversations and tasks

function newConversation() {
  if (!state.running) clearConversation();
}

function clearConversation() {
  Object.assign(state, { conversation: null, latest: null, turns: [] });
  $("turns").replaceChildren();
  drawTimeline();
  status("");
  closeSide();
  $("input").focus();
}

// Opens may overlap (a double click, a click while the last one loads): only the newest draws,
// and none while a turn runs, so two streams never share the screen.
let opens = 0;
async function open(id) {
  if (state.running) return;
  const mine = ++opens;
  const found = await api.conversation(id).catch((error) => status(error.message, true));
  if (!found || mine !== opens || state.running) return;
  clearConversation();
  state.conversation = found.id;
  let view = null;
  for (const [index, turn] of found.turns.entries()) {
    const said = userText(turn.input);
    if (said !== null || !view) view = new TurnView($("turns"), said ?? "");
    for (const item of turn.input) if (item.type === "function_call_output") view.result(item);
    const row = { id: turn.response.id, context: turn.response.context || null, user: said !== null, pending: false };
    state.turns.push(row);
    const body = turn.response;
    if (index === found.turns.length - 1 && (body.status === "queued" || body.status === "in_progress")) {
      view.element.remove(); // its whole stream is replayed into a fresh view
      row.pending = true;
      drawTimeline();
      closeSide();
      return run(new TurnView($("turns"), said ?? ""), row, (signal) => api.follow(body.id, -1, signal));
    }
    stored(view, body);
    finishTurn(view, row, body, null);
  }
  drawTimeline();
  closeSide();
}

function userText(items) {
  const said = items.filter((item) => item.type === "message" && item.role === "user");
  if (!said.length) return null;
  return said.map((item) => (typeof item.content === "string" ? item.content
    : item.content.map((part) => part.text || "").join(""))).join("\n");
}

// a stored response's work items, drawn as the stream would have drawn them
function stored(view, body) {
  for (const item of body.output || []) {
    if (item.type === "reasoning") {
      view.openReasoning();
      view.closeReasoning(item);
    } else if (item.type === "function_call") {
      view.call(item);
    }
  }
}

// Refreshes may overlap (a delegation's, the timer's, a finished turn's): only the newest
// request's answer is drawn, so a slow, stale listing never puts an old status back.
let refreshes = 0;
async function refreshLists() {
  const mine = ++refreshes;
  const listing = await api.conversations().catch((error) => status(`the lists: ${error.message}`, true));
  if (mine !== refreshes) return;
  if (!listing) return scheduleRefresh(true); // try again: a running task's status must not freeze
  const tasks = listing.data.filter((c) => c.metadata.ponder_page === "task");
  const chats = listing.data.filter((c) => c.metadata.ponder_page !== "task");
  reconcile($("tasks"), tasks, taskItem);
  $("no-tasks").hidden = tasks.length > 0;
  reconcile($("conversations"), chats, conversationItem);
  scheduleRefresh(tasks.some(isRunning));
}

// The lists refresh every 2 s while a task runs, so an entry keeps its element for as long as
// it is listed, keyed by id, and is updated in place: the focus or the click it holds survives
// (rebuilt, a click on Cancel could land on a detached button). Reordering moves elements,
// which blurs the one that had focus: it gets it back.
function reconcile(list, entries, make) {
  const existing = new Map([...list.children].map((element) => [element.dataset.id, element]));
  const wanted = entries.map((c) => {
    const item = existing.get(c.id) || make();
    item.update(c);
    return item;
  });
  if (wanted.length === list.children.length && wanted.every((element, i) => list.children[i] === element)) return;
  const focused = document.activeElement;
  list.replaceChildren(...wanted);
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus();
}

let refreshTimer = null;
function scheduleRefresh(anyRunning) {
  clearTimeout(refreshTimer);
  if (anyRunning) refreshTimer = setTimeout(refreshLists, 2000); // elapsed times and statuses move
}

const isRunning = (c) => c.status === "queued" || c.status === "in_progress";
const conversationFacts = (c) => `${c.turns} turn${c.turns === 1 ? "" : "s"}`;

function taskFacts(c) {
  const end = isRunning(c) ? Date.now() / 1000 : c.completed_at;
  if (end == null) return c.status; // failed by a restart: when it stopped is not known
  return `${c.status} · ${Math.max(0, Math.round(end - c.updated_at))} s`;
}

// A list entry: its open button, facts line and actions, all reading the entry's latest
// listing (item.entry), so that a kept element acts on what it shows now.
function conversationItem() {
  return listItem(conversationFacts, [
    button("rename", (item) => renameConversation(item.entry)),
    button("delete", (item) => deleteConversation(item.entry)),
  ]);
}

function taskItem() {
  const cancel = button("cancel", (item) => api.cancel(item.entry.latest_response_id)
    .catch((error) => status(error.message, true)).then(refreshLists));
  const remove = button("delete", (item) => deleteConversation(item.entry));
  const item = listItem(taskFacts, [cancel, remove], (c) => {
    item.dataset.status = c.status;
    if (isRunning(c) && !cancel.isConnected) item.insertBefore(cancel, remove);
    if (!isRunning(c)) cancel.remove(); // a finished task has nothing to cancel
  });
  return item;
}

function listItem(facts, actions, more = () => {}) {
  const item = document.createElement("li");
  const link = document.createElement("button");
  link.type = "button";
  link.className = "open";
  link.addEventListener("click", () => open(item.entry.id));
  const title = document.createElement("span");
  const small = document.createElement("span");
  small.className = "muted small facts";
  link.append(title, small);
  item.append(link);
  for (const action of actions) {
    action.addEventListener("click", () => action.act(item));
    item.append(action);
  }
  item.update = (c) => {
    item.entry = c;
    item.dataset.id = c.id;
    title.textContent = c.title || "(untitled)";
    small.textContent = facts(c);
    for (const action of actions) action.setAttribute("aria-label", `${action.textContent} ${title.textContent}`);
    more(c);
  };
  return item;
}

function button(name, act) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `small ${name}`;
  element.textContent = name;
  element.act = act;
  return element;
}

async function renameConversation(c) {
  const title = window.prompt("Name this conversation", c.title);
  if (title && title.trim()) await api.rename(c.id, title).catch((error) => status(error.message, true));
  refreshLists();
}

async function deleteConversation(c) {
  if (!window.confirm(`Delete “${c.title}”?`)) return;
  const deleted = await api.remove(c.id).then(() => true, (error) => status(error.message, true));
  if (deleted && state.conversation === c.id) {
    const running = state.running;
    if (running) { // the server cancelled its turn: stop following it, and draw nothing of it
      Object.assign(running, { abandoned: true, stopping: true });
      running.controller.abort();
    }
    clearConversation();
  }
  refreshLists();
}

// ---- the API key, the keyboard, the narrow layout

function askForKey(wrong) {
  const dialog = $("key-dialog");
  dialog.oncancel = (event) => event.preventDefault(); // Esc: the requests waiting on a key would hang
  $("key-error").textContent = wrong ? "That key was refused: try again." : "";
  $("key").value = "";
  if (!dialog.open) dialog.showModal();
  return new Promise((resolve) => {
    $("key-form").addEventListener("submit", () => resolve($("key").value), { once: true });
  });
}

function keyboard() {
  $("input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(event.ctrlKey || event.metaKey); // Ctrl+Enter delegates
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.running) {
      event.preventDefault();
      stop();
    }
  });
}

function closeSide() {
  $("side").classList.remove("open");
  $("toggle-side").setAttribute("aria-expanded", "false");
}

function toggles() {
  for (const [button, panel] of [["toggle-side", "side"], ["toggle-context", "context"]]) {
    $(button).addEventListener("click", () => {
      const open = $(panel).classList.toggle("open");
      $(button).setAttribute("aria-expanded", String(open));
    });
  }
}

async function start() {
  api.onKeyNeeded(askForKey);
  timeline.legend($("legend"));
  timeline.tooltips($("context"), $("tip"));
  keyboard();
  toggles();
  $("composer").addEventListener("submit", (event) => { event.preventDefault(); send(false); });
  $("delegate").addEventListener("click", () => send(true));
  $("stop").addEventListener("click", stop);
  $("new-chat").addEventListener("click", newConversation);
  $("zoom").addEventListener("click", zoom);
  const models = await api.models();
  state.model = models.data[0].id;
  $("model").textContent = `${state.model} · window ${models.data[0].context_window} tokens`;
  document.body.dataset.ready = "true";
  await refreshLists();
}

start().catch((error) => status(error.message, true));
