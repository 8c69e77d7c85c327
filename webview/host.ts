/**
 * The page's side of the conversation with the extension host: posting, the ready -> model
 * handshake, and requests (explanations, unit values) asked one at a time. Everything the host sends arrives through
 * `onMessage`; nothing here interprets it.
 */
import type { ExplanationView, HostMessage, PageRequests, UnitView, WebviewMessage } from '../src/protocol';
import { Requests } from '../src/rpc';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function getState(): unknown {
  return api.getState();
}

export function setState(state: unknown): void {
  api.setState(state);
}

/**
 * The page's requests to the host, on a channel of its own: a re-created page gets a new one, so a
 * reply meant for its predecessor never settles one of its requests. Each is answered, with its
 * value or an error (the one request/reply helper, src/rpc.ts).
 */
const requests = new Requests<PageRequests>((m) => post(m));

/** Asks the host for one parameter's explanation (large networks do not send them all). */
export function requestExplanation(parameter: string): Promise<ExplanationView | null> {
  return requests.request('explain', { parameter });
}

/** Asks the host for one unit's x and y for every sample (large networks do not send them all). */
export function requestUnit(layer: number, unit: number): Promise<UnitView | null> {
  return requests.request('unit', { layer, unit });
}

/** Large messages being put together from their parts (see BulkLane), by id. */
const partial = new Map<number, string[]>();

/**
 * Routes each host message to `handle`, settling requests on the way and putting large messages
 * together from their parts (each part acknowledged, so the host sends the next).
 */
export function onMessage(handle: (message: Exclude<HostMessage, { type: 'reply' | 'bulk' }>) => void): void {
  window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
    const message = event.data;
    if (message.type === 'reply') { requests.settle(message); return; }
    if (message.type === 'bulk') {
      post({ type: 'got', id: message.id, part: message.part });
      const parts = partial.get(message.id) ?? [];
      parts[message.part] = message.data;
      partial.set(message.id, parts);
      if (message.part !== message.parts - 1) {
        // A message the host gave up on (a newer one of its kind came) is dropped with the next.
        for (const id of partial.keys()) if (id < message.id) partial.delete(id);
        return;
      }
      partial.delete(message.id);
      handle(JSON.parse(parts.join('')) as Exclude<HostMessage, { type: 'reply' | 'bulk' }>);
      return;
    }
    handle(message);
  });
}

/**
 * The ready -> model handshake. A webview that is re-created as its tab is shown asks again; and
 * until the host answers, the page repeats the question, since a message posted while the host
 * side is still being wired up can be dropped. The host answers a repeated `ready` with what it
 * shows, never by reloading.
 */
export function sayReady(): void {
  let answered = false;
  window.addEventListener('message', () => { answered = true; }, { once: true });
  const say = (attempt: number): void => {
    if (answered) return;
    post({ type: 'ready' });
    if (attempt < 40) setTimeout(() => say(attempt + 1), Math.min(2000, 100 * 2 ** attempt));
  };
  say(0);
}
