/**
 * One network being trained the way a program is debugged: Step, Continue (in slices, so whoever
 * drives it stays responsive), Step Back and Reset, with the history that makes stepping back
 * cheap and bounded. Pure: the extension's training worker, the bench and the tests drive it.
 */
import { History, type HistoryOptions, type Network, type StopReason, Trainer } from '../core';

export interface TrainingStatus {
  step: number;
  /** The loss at the current parameters. */
  loss: number;
  /** The last step's largest |learning rate x derivative| (0 before a step and after a step back). */
  lastStepSize: number;
  /** Why the last Continue or Step stopped, if a stopping rule fired. */
  stopReason: StopReason | null;
  /** The earliest step Step Back can reach. */
  earliest: number;
}

/** How many steps a slice takes between looks at the clock, to start with; it adapts to ~1 ms. */
const FIRST_CHUNK = 64;
const CHUNK_MS = 1;

export class TrainingSession {
  readonly trainer: Trainer;
  readonly history: History;
  stopReason: StopReason | null = null;
  private chunk = FIRST_CHUNK;

  constructor(readonly network: Network, history: HistoryOptions = {}) {
    this.trainer = new Trainer(network);
    this.history = new History(this.trainer, history);
  }

  /**
   * Takes one step, whatever the stopping rules say (a person asked for it), and returns the rule
   * that fires after it, if any.
   */
  step(): StopReason | null {
    const t = this.trainer;
    const size = t.step();
    this.history.record();
    this.stopReason = this.check(size);
    return this.stopReason;
  }

  /**
   * Continue for about `budgetMs`: steps until the budget is spent (null) or a stopping rule fires
   * (its reason). The clock is read once per chunk of steps, sized so a chunk takes about a
   * millisecond, since reading it costs more than a step of a small network.
   */
  run(budgetMs: number, now: () => number): StopReason | null {
    const t = this.trainer;
    const h = this.history;
    const deadline = now() + budgetMs;
    // Like Trainer.run: at the step limit already, Continue takes no step (Step still does).
    if (t.stepCount >= this.network.training.maxSteps) return (this.stopReason = 'max-steps');
    this.stopReason = null;
    for (;;) {
      const started = now();
      const chunk = this.chunk;
      for (let i = 0; i < chunk; i++) {
        const size = t.step();
        h.record();
        const reason = this.check(size);
        if (reason) { this.stopReason = reason; return reason; }
      }
      const ended = now();
      const took = ended - started;
      // Aim the next chunk at about CHUNK_MS, growing or shrinking by at most 2x at a time.
      if (took < CHUNK_MS / 2 && chunk < 1 << 20) this.chunk = chunk * 2;
      else if (took > CHUNK_MS * 2 && chunk > 1) this.chunk = chunk >> 1;
      if (ended >= deadline) return null;
    }
  }

  /** Goes back `count` steps (not before the history's start); returns the steps recomputed. */
  stepBack(count = 1): number {
    const target = Math.max(this.history.baseStep, this.trainer.stepCount - count);
    this.stopReason = null;
    return this.history.restore(target);
  }

  /** Back to the parameters the session began with. */
  reset(): void {
    this.history.restore(this.history.baseStep);
    this.stopReason = null;
  }

  status(): TrainingStatus {
    const t = this.trainer;
    return { step: t.stepCount, loss: t.evaluate(), lastStepSize: t.lastStepSize, stopReason: this.stopReason, earliest: this.history.baseStep };
  }

  /** Trainer.run's stopping rules for the step just taken, the step limit included. */
  private check(size: number): StopReason | null {
    const t = this.trainer;
    return t.stopAfter(size) ?? (t.stepCount >= this.network.training.maxSteps ? 'max-steps' : null);
  }
}
