/**
 * The lane for what is large and can wait (the charts, a stop's explanations) on its way to a page,
 * beside the frames. VS Code's channel to a webview carries one message after another, so a chart
 * of 150 KB posted just before the stop of a Pause delays that stop by its whole transfer. Here a
 * large message goes in parts of at most PART_CHARS, one part in flight at a time (the page says it
 * has each), so whatever a person's control brings waits behind one part at most; nothing goes for
 * GRACE_MS after a stop (a person who steps again at once has the channel to themselves); and a
 * newer message of a kind replaces an older one not yet through (the charts of step 200 are not
 * worth finishing once those of step 250 are here). No vscode import: the unit tests drive it.
 */

/** The largest part of a message (characters of its JSON). */
export const PART_CHARS = 16 * 1024;
/** After a stop, how long the lane stays quiet (ms). */
export const GRACE_MS = 150;
/** A part the page has not acknowledged after this long is taken as lost (the page went away): the lane goes on (ms). */
export const PART_LIMIT_MS = 2000;

/** A part of a large message, as the page receives it. */
export interface BulkPart {
  type: 'bulk';
  id: number;
  part: number;
  parts: number;
  data: string;
}

interface Item {
  id: number;
  kind: string;
  parts: string[];
  next: number;
}

export class BulkLane {
  private readonly queue = new Map<string, Item>();
  private inFlight: { id: number; part: number; at: number } | null = null;
  private quietUntil = 0;
  private nextId = 1;
  private timer: { cancel(): void } | undefined;

  /** `schedule` runs a function after a while (setTimeout; the tests pass a clock of their own). */
  constructor(
    private readonly send: (part: BulkPart) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: (run: () => void, ms: number) => { cancel(): void } = (run, ms) => { const t = setTimeout(run, ms); return { cancel: () => clearTimeout(t) }; },
  ) {}

  /** A message of `kind` ('charts', 'explained'): it replaces one of that kind not yet through. */
  put(kind: string, message: unknown): void {
    const text = JSON.stringify(message);
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += PART_CHARS) parts.push(text.slice(i, i + PART_CHARS));
    this.queue.set(kind, { id: this.nextId++, kind, parts, next: 0 });
    this.pump();
  }

  /** The page has part `part` of message `id`: the next part goes, after a rest as long as this one took (the channel is busy half the time at most). */
  got(id: number, part: number): void {
    if (this.inFlight?.id !== id || this.inFlight.part !== part) return;
    const now = this.now();
    this.quietUntil = Math.max(this.quietUntil, now + (now - this.inFlight.at));
    this.inFlight = null;
    this.pump();
  }

  /** A stop went to the page: quiet for GRACE_MS. */
  quiet(): void {
    this.quietUntil = this.now() + GRACE_MS;
    this.pump();
  }

  /** A page that starts afresh: nothing of the old one is in flight or waiting (it is sent what it shows anew). */
  reset(): void {
    this.inFlight = null;
    this.queue.clear();
    this.timer?.cancel();
  }

  dispose(): void {
    this.timer?.cancel();
    this.queue.clear();
  }

  private pump(): void {
    this.timer?.cancel();
    const now = this.now();
    if (this.inFlight && now - this.inFlight.at < PART_LIMIT_MS) { this.later(this.inFlight.at + PART_LIMIT_MS - now); return; }
    this.inFlight = null;
    if (now < this.quietUntil) { this.later(this.quietUntil - now); return; }
    // The oldest message first (ids grow), so every kind gets through.
    const item = [...this.queue.values()].sort((a, b) => a.id - b.id)[0];
    if (!item) return;
    const part = item.next++;
    if (item.next === item.parts.length) this.queue.delete(item.kind);
    this.inFlight = { id: item.id, part, at: now };
    this.send({ type: 'bulk', id: item.id, part, parts: item.parts.length, data: item.parts[part] });
    // If the page never says it has the part, the lane goes on after PART_LIMIT_MS.
    if (this.queue.size > 0) this.later(PART_LIMIT_MS);
  }

  private later(ms: number): void {
    this.timer = this.schedule(() => this.pump(), Math.max(0, ms));
  }
}
