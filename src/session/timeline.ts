/**
 * Time travel for a training session: the history of where training has been, and the ways of
 * moving through it (Go to Step, Step Back, Reverse Continue, Reset). Each long way is a generator
 * that yields after every step it recomputes or trains, with how far it has got (0..1), so the
 * session can work it in slices and Pause can stop it between two of them: a jump of a million
 * steps on a large network, or a replay across a wide checkpoint interval, never holds the worker.
 *
 * Full-batch gradient descent is deterministic, so any past state is recomputed exactly from a
 * checkpoint (see History); the past is searched on a scratch trainer, never on the one shown.
 */
import { History, type HistoryOptions, type Network, Trainer } from '../core';
import type { Breakpoints } from './breakpoints';
import type { BreakpointHit } from './breakpointTypes';
import { emptyScalars, type Scalars } from './expr/compile';
import { readScalars } from './scalars';

export type { Scalars };

/** What a search of the past found: the step a breakpoint would have stopped at, with its hits. */
export interface Found {
  step: number;
  hits: BreakpointHit[];
}

export class Timeline {
  history: History;
  /** The history no longer starts at the file's parameters (retrain, Set Value): Reset starts a new one. */
  rebased = false;
  /** A second trainer for searching the past, with breakpoints of its own; made when first needed. */
  private scratch: { trainer: Trainer; breakpoints: Breakpoints; scalars: Scalars } | undefined;

  /** `arm` makes breakpoints (every firing breaking) that read a scratch trainer's state. */
  constructor(
    private readonly trainer: Trainer,
    private options: HistoryOptions,
    private readonly arm: (trainer: Trainer, scalars: Scalars) => Breakpoints,
  ) {
    this.history = new History(trainer, options);
  }

  /** A new share of the worker's budget for histories: the history thins what it keeps to fit. */
  setMaxBytes(maxBytes: number): void {
    this.options = { ...this.options, maxBytes };
    this.history.setMaxBytes(maxBytes);
  }

  /** The breakpoints changed: the scratch's copy is made again when next needed. */
  forgetBreakpoints(): void {
    this.scratch = undefined;
  }

  /** A history that starts at the trainer's state now: the steps before led elsewhere (new settings, Set Value). */
  beginHere(): void {
    this.history = new History(this.trainer, this.options);
    this.rebased = this.trainer.stepCount > 0 || this.rebased;
    this.scratch = undefined;
  }

  /** Reset: the file's parameters at step 0, from the history's own start or, when rebased, a new history. */
  reset(network: Network): void {
    const t = this.trainer;
    if (this.rebased) {
      t.setParameters(network.initialParameters);
      t.resetOptimizer();
      t.stepCount = 0;
      t.lastStepSize = 0;
      this.history = new History(t, this.options);
      this.scratch = undefined;
      this.rebased = false;
    } else {
      // The base state is kept outright: no step is recomputed.
      this.history.restore(this.history.baseStep);
    }
  }

  /** Puts the trainer at `step` of the history (see History.restoring). */
  restoring(step: number): Generator<number, number, void> {
    return this.history.restoring(step);
  }

  /**
   * Trains the trainer from the history's newest state on to `step`, recording each step; ends
   * early where the loss stops being a number ('diverged'). Breakpoints are not checked: Go to
   * Step goes where it was told.
   */
  *trainingTo(step: number): Generator<number, 'diverged' | null, void> {
    const t = this.trainer;
    const from = t.stepCount;
    while (t.stepCount < step) {
      t.step();
      this.history.record();
      if (!Number.isFinite(t.loss)) return 'diverged';
      yield (t.stepCount - from) / (step - from);
    }
    return null;
  }

  /**
   * The latest step before `before` at which a breakpoint would fire (hit counts aside), with what
   * it hit; null when none would have. The past is replayed from checkpoints, newest stretch first,
   * on the scratch trainer; yields the share of the history searched so far.
   */
  *searchBack(before: number): Generator<number, Found | null, void> {
    const h = this.history;
    const scratch = this.scratchFor();
    const total = Math.max(1, before - h.baseStep);
    let searched = 0;
    const starts = h.checkpoints().filter((s) => s < before);
    let end = before;
    for (let k = starts.length - 1; k >= 0; k--) {
      // A stretch [start, end): begin one state early, so "became true" is judged as going forward would.
      const start = starts[k];
      const from = Math.max(h.baseStep, start - 1);
      yield* h.stateAtSteps(from, scratch.trainer);
      const validation = scratch.breakpoints.needsValidation;
      readScalars(scratch.trainer, scratch.scalars, 0, true, validation);
      scratch.breakpoints.prime();
      let last: Found | null = null;
      while (scratch.trainer.stepCount < end - 1) {
        const size = scratch.trainer.step();
        readScalars(scratch.trainer, scratch.scalars, size, true, validation);
        const hits = scratch.breakpoints.check();
        if (hits && scratch.trainer.stepCount >= start && scratch.trainer.stepCount < before) last = { step: scratch.trainer.stepCount, hits };
        yield Math.min(1, (searched + scratch.trainer.stepCount - from) / total);
      }
      if (last) return last;
      searched += end - start;
      end = start;
    }
    return null;
  }

  private scratchFor(): NonNullable<Timeline['scratch']> {
    if (!this.scratch) {
      const trainer = new Trainer(this.trainer.network);
      const scalars: Scalars = emptyScalars(this.trainer.network.training.learningRate);
      this.scratch = { trainer, breakpoints: this.arm(trainer, scalars), scalars };
    }
    return this.scratch;
  }
}
