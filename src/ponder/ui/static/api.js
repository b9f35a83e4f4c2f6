// The server's public API, as the page uses it: JSON calls, the API key, and Responses' event
// streams read from fetch (EventSource can neither POST nor send a key).
// It knows nothing of the page's layout.

const KEY = "ponder.apiKey";
let askForKey = null; // set by the page: () => Promise<string>, resolved once a key is entered

export function onKeyNeeded(ask) {
  askForKey = ask;
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code;
  }
}

function headers(extra = {}) {
  const key = sessionStorage.getItem(KEY);
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

// fetch, asking for the key (and retrying) while the server answers 401
async function send(path, init = {}) {
  for (;;) {
    const response = await fetch(path, { ...init, headers: headers(init.headers) });
    if (response.status !== 401 || !askForKey) return response;
    const wrong = sessionStorage.getItem(KEY) !== null;
    sessionStorage.setItem(KEY, await askForKey(wrong));
  }
}

export async function call(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await send(path, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Yields each event of a Responses stream as the parsed JSON of its data line.
export async function* events(path, init, signal) {
  const response = await send(path, { ...init, signal });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      if (data && data !== "[DONE]") yield JSON.parse(data);
    }
  }
}

export function create(request, signal) {
  const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) };
  return events("/v1/responses", init, signal);
}

// a background response's events after sequence number `after` (-1: from the start)
export function follow(id, after, signal) {
  return events(`/v1/responses/${encodeURIComponent(id)}?stream=true&starting_after=${after}`, {}, signal);
}

export const cancel = (id) => call("POST", `/v1/responses/${encodeURIComponent(id)}/cancel`);
export const conversations = () => call("GET", "/v1/ponder/conversations");
export const conversation = (id) => call("GET", `/v1/ponder/conversations/${encodeURIComponent(id)}`);
export const rename = (id, title) => call("POST", `/v1/ponder/conversations/${encodeURIComponent(id)}`, { title });
export const remove = (id) => call("DELETE", `/v1/ponder/conversations/${encodeURIComponent(id)}`);
export const models = () => call("GET", "/v1/models");
