/**
 * Frames to a page at the pace it draws them. While training runs, at most one frame is in flight:
 * a newer one waits (and replaces an older one waiting), so a page that draws slower than frames
 * come (a large network's canvas) never falls behind with a queue of stale frames in VS Code's
 * message channel, and a stop is never stuck behind them. After the page has drawn a frame, the
 * next waits as long as that one took from here to drawn (REST times as long): the channel and the
 * page are busy half the time at most, so a Pause (and its stop) finds them free as often as not,
 * and a teaching network still moves at ten frames a second or so. A stopped
 * frame, or one that answers a person's control, goes at once. The page says which frame it has
 * drawn; if it never does (its webview went away mid-frame), the next frame goes after
 * ACK_LIMIT_MS all the same. No vscode import: the unit tests drive it.
 */
import type { TrainingFrame } from '../session/views';

/** How many times as long as a frame took to be drawn the channel then rests (see the header). */
export const REST = 1;

/** How long a frame may go unacknowledged before the next is sent anyway (a page that stopped answering). */
export const ACK_LIMIT_MS = 2000;

export class FramePacer {
  private inFlight: { seq: number; at: number } | null = null;
  private waiting: TrainingFrame | null = null;
  private timer: { cancel(): void } | undefined;
  /** No running frame goes before this (see the header: the channel rests as long as it worked). */
  private restUntil = 0;

  /** `schedule` runs a function after a while (setTimeout; the tests pass a clock of their own). */
  constructor(
    private readonly send: (frame: TrainingFrame) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: (run: () => void, ms: number) => { cancel(): void } = (run, ms) => { const t = setTimeout(run, ms); return { cancel: () => clearTimeout(t) }; },
  ) {}

  /** A frame of the run: sent now, or kept as the one to send when the page has drawn the last. */
  offer(frame: TrainingFrame): void {
    const now = this.now();
    if (frame.running && !frame.timing && this.inFlight !== null && now - this.inFlight.at < ACK_LIMIT_MS) {
      this.waiting = frame;
      this.timer?.cancel();
      this.timer = this.schedule(() => this.release(), ACK_LIMIT_MS);
      return;
    }
    if (frame.running && !frame.timing && now < this.restUntil) {
      this.waiting = frame;
      this.timer?.cancel();
      this.timer = this.schedule(() => { this.restUntil = 0; this.release(); }, this.restUntil - now);
      return;
    }
    // A stop supersedes a running frame still waiting: it is newer, and what the page must show.
    this.waiting = null;
    this.timer?.cancel();
    this.inFlight = { seq: frame.seq, at: this.now() };
    this.send(frame);
  }

  /** The page has drawn frame `seq`: the frame waiting, if any, goes. */
  drawn(seq: number): void {
    if (this.inFlight === null || seq < this.inFlight.seq) return;
    const now = this.now();
    this.restUntil = now + REST * (now - this.inFlight.at);
    this.release();
  }

  /** A page that starts afresh (re-created): nothing of the old one is in flight. */
  reset(): void {
    this.restUntil = 0;
    this.release();
  }

  dispose(): void {
    this.timer?.cancel();
    this.waiting = null;
  }

  private release(): void {
    this.timer?.cancel();
    this.inFlight = null;
    const next = this.waiting;
    this.waiting = null;
    if (next) this.offer(next);
  }
}
