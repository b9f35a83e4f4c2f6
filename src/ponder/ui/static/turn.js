// One turn of the chat as the page draws it: the person's message, the work (reasoning blocks,
// tool calls and their results), the answer, a strategy's candidates, and the usage line.
// It is filled from a Responses event stream as it arrives, or from a stored response whole.

import { renderMarkdown, renderText } from "./render.js";

const el = (tag, cls, text) => {
  const element = document.createElement(tag);
  if (cls) element.className = cls;
  if (text !== undefined) element.textContent = text;
  return element;
};

const DRAW_MS = 100;

export class TurnView {
  constructor(container, userText) {
    this.element = el("article", "turn");
    this.element.dataset.state = "running";
    this.user = el("div", "user");
    renderText(this.user, userText);
    this.work = el("div", "work");
    this.answer = el("div", "answer");
    this.extra = el("div", "extra");
    this.usage = el("p", "usage muted small");
    this.element.append(this.user, this.work, this.answer, this.extra, this.usage);
    container.append(this.element);
    this.answerText = "";
    this.drawnAnswer = "";
    this.block = null; // the reasoning block being written
    this.drawTimer = null;
  }

  set id(value) {
    this.element.dataset.responseId = value;
  }

  // a reasoning block: "thinking…" while it runs, "thought for N tokens · S s" once known
  openReasoning() {
    const details = el("details", "reasoning");
    const summary = el("summary", "", "thinking…");
    const text = el("div", "reasoning-text");
    details.append(summary, text);
    this.work.append(details);
    this.block = { details, summary, text, started: performance.now(), seconds: null, body: "" };
    return this.block;
  }

  reasoningDelta(delta) {
    const block = this.block || this.openReasoning();
    block.body += delta;
    this.scheduleDraw();
  }

  // Deltas are drawn at most every DRAW_MS, not once a token: redrawing the whole text per
  // token costs the browser more CPU than the server spends making the token, and on a machine
  // that runs both that would slow the server down (bench/page.py measures it).
  scheduleDraw() {
    if (this.drawTimer === null) this.drawTimer = setTimeout(() => this.draw(), DRAW_MS);
  }

  draw() {
    clearTimeout(this.drawTimer);
    this.drawTimer = null;
    if (this.block && this.block.text.textContent.length !== this.block.body.length) {
      renderText(this.block.text, this.block.body);
    }
    if (this.answerText !== this.drawnAnswer) {
      renderMarkdown(this.answer, this.answerText);
      this.drawnAnswer = this.answerText;
    }
  }

  closeReasoning(item) {
    this.draw();
    const block = this.block || this.openReasoning();
    block.seconds = (performance.now() - block.started) / 1000;
    const full = item && item.content && item.content[0] ? item.content[0].text : null;
    const summary = item && item.summary && item.summary[0] ? item.summary[0].text : null;
    if (full !== null) renderText(block.text, full);
    else if (summary) renderText(block.text, `summary: ${summary}`);
    else if (!block.body) renderText(block.text, "(the server keeps its reasoning hidden: start it with --expose-reasoning)");
    block.summary.textContent = `thought · ${block.seconds.toFixed(1)} s`;
    this.block = null;
    return block;
  }

  call(item) {
    const step = el("div", "step call");
    step.append(el("span", "step-kind", "tool call"), el("code", "", `${item.name}(${item.arguments})`));
    this.work.append(step);
  }

  result(item) {
    const step = el("div", "step result");
    step.append(el("span", "step-kind", "tool result"), el("code", "", String(item.output ?? "")));
    this.work.append(step);
  }

  answerDelta(delta) {
    this.answerText += delta;
    this.scheduleDraw();
  }

  // the final body: answer text, reasoning headers with their token counts, candidates, usage
  finish(body, reasoningSeconds) {
    this.id = body.id;
    this.element.dataset.state = body.status;
    const message = (body.output || []).find((item) => item.type === "message");
    if (message && message.content[0]) this.answerText = message.content[0].text;
    this.draw();
    const reasoning = body.usage ? body.usage.output_tokens_details.reasoning_tokens : null;
    const blocks = this.work.querySelectorAll("details.reasoning > summary");
    const last = blocks[blocks.length - 1];
    if (last && reasoning !== null) { // a stopped turn has no usage: its header keeps the seconds
      const seconds = reasoningSeconds != null ? ` · ${reasoningSeconds.toFixed(1)} s` : "";
      last.textContent = `thought for ${reasoning} tokens${seconds}`;
      last.parentElement.dataset.tokens = String(reasoning);
    }
    if (body.strategy) this.extra.replaceChildren(candidates(body.strategy));
    this.usage.textContent = usageLine(body);
    if (body.error) this.fail(body.status === "cancelled" ? "stopped" : body.error.message);
    else if (body.status === "cancelled") this.fail("stopped");
  }

  fail(text) {
    this.element.dataset.state = this.element.dataset.state === "running" ? "failed" : this.element.dataset.state;
    const shown = [...this.extra.querySelectorAll("p.error")].some((p) => p.textContent === text);
    if (!shown) this.extra.append(el("p", "error small", text)); // the error event, then the body's error
  }
}

export function usageLine(body) {
  const u = body.usage;
  if (!u) return body.status === "cancelled" ? "stopped" : "";
  const reasoning = u.output_tokens_details.reasoning_tokens;
  const parts = [`input ${u.input_tokens}`, `cached ${u.input_tokens_details.cached_tokens}`,
    `reasoning ${reasoning}`, `output ${u.output_tokens - reasoning}`];
  if (body.strategy) parts.push(`${body.strategy.name} · ${body.strategy.sequences} sequences`);
  if (body.status === "incomplete") parts.push("stopped: token limit");
  return parts.join(" · ");
}

// what a strategy did: each candidate's answer, its votes or score, the chosen one
function candidates(report) {
  const details = el("details", "candidates");
  const votes = report.votes ? Object.entries(report.votes).map(([a, n]) => `${a} ×${n}`).join(", ") : "";
  details.append(el("summary", "", `${report.name}: ${(report.candidates || []).length} candidates` +
    (votes ? ` · votes ${votes}` : "") + (report.answer != null ? ` → ${report.answer}` : "")));
  const list = el("ol", "candidate-list");
  (report.candidates || []).forEach((candidate, index) => {
    const item = el("li", index === report.chosen ? "candidate chosen" : "candidate");
    const facts = [`answer ${candidate.answer ?? "—"}`, `${candidate.reasoning_tokens} reasoning tokens`];
    if (candidate.score != null) facts.push(`score ${candidate.score}`);
    if (candidate.mean_logprob != null) facts.push(`mean log-prob ${candidate.mean_logprob}`);
    if (report.votes && candidate.answer != null) {
      const voted = !report.voters || report.voters.includes(index);  // /surest, /consistent: some only
      const why = (report.contradicted || []).includes(index) ? "contradicts itself" : "less sure";
      facts.push(voted ? `${report.votes[candidate.answer] || 0} votes` : `${why}: no vote`);
    }
    if (index === report.chosen) facts.push("chosen");
    const text = el("div", "candidate-text");
    renderMarkdown(text, candidate.content || "");
    item.append(el("div", "muted small", facts.join(" · ")), text);
    list.append(item);
  });
  details.append(list);
  return details;
}
