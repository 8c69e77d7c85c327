/**
 * One request/reply helper for every boundary that has requests: the network editor's page asking
 * the host, and the host asking the training worker (vscode-hexeditor's message handler is the
 * model). A request carries its asker's channel (a fresh one for every page and every worker
 * started) and a number; its reply carries both back, so a slow reply meant for a page that has
 * since been re-created never settles the new page's request with the same number. Every request
 * is answered: with its value, or with an error the asker sees. When the other side goes away (a
 * page re-initialises, a worker dies) everything pending fails at once rather than waiting for ever.
 *
 * Pure and free of imports: the webview bundles it as it is.
 */

/** Requests by kind: what each takes and what its reply holds. */
export type RequestMap = { [kind: string]: { params: unknown; reply: unknown } };

export interface RequestMessage<M extends RequestMap = RequestMap, K extends keyof M & string = keyof M & string> {
  type: 'request';
  channel: string;
  id: number;
  kind: K;
  params: M[K]['params'];
}

/** Any one request of the map, discriminated by its kind. */
export type AnyRequest<M extends RequestMap> = { [K in keyof M & string]: RequestMessage<M, K> }[keyof M & string];

export type ReplyMessage =
  | { type: 'reply'; channel: string; id: number; ok: true; value: unknown }
  | { type: 'reply'; channel: string; id: number; ok: false; error: string };

/** A request the other side could not answer: it failed there, or the other side went away. */
export class RequestError extends Error {}

let channels = 0;

/** A channel no other asker has: random, so a re-created page never reuses its predecessor's. */
export function newChannel(): string {
  const random = globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2);
  return `${random}-${++channels}`;
}

/** The asking side: sends requests, settles each with its reply. */
export class Requests<M extends RequestMap> {
  private next = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(private readonly send: (request: AnyRequest<M>) => void, readonly channel: string = newChannel()) {}

  request<K extends keyof M & string>(kind: K, params: M[K]['params']): Promise<M[K]['reply']> {
    const id = this.next++;
    return new Promise<M[K]['reply']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.send({ type: 'request', channel: this.channel, id, kind, params } as RequestMessage<M, K> as AnyRequest<M>);
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new RequestError(String(e)));
      }
    });
  }

  /** Settles the request `reply` answers; false when it is not one of this asker's (another channel, or already settled). */
  settle(reply: ReplyMessage): boolean {
    if (reply.channel !== this.channel) return false;
    const p = this.pending.get(reply.id);
    if (!p) return false;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new RequestError(reply.error));
    return true;
  }

  /** Fails everything pending: the other side went away. */
  failAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }

  /** How many requests wait for their reply. */
  get size(): number {
    return this.pending.size;
  }
}

/** The reply to `request`: `handle`'s value, or the error it threw (its message, never a silence). */
export function replyTo(request: { channel: string; id: number }, handle: () => unknown): ReplyMessage {
  try {
    return { type: 'reply', channel: request.channel, id: request.id, ok: true, value: handle() };
  } catch (e) {
    return errorReply(request, e);
  }
}

/** replyTo for a handler that answers later. */
export async function replyLater(request: { channel: string; id: number }, handle: () => Promise<unknown>): Promise<ReplyMessage> {
  try {
    return { type: 'reply', channel: request.channel, id: request.id, ok: true, value: await handle() };
  } catch (e) {
    return errorReply(request, e);
  }
}

function errorReply(request: { channel: string; id: number }, e: unknown): ReplyMessage {
  const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { type: 'reply', channel: request.channel, id: request.id, ok: false, error };
}
