/**
 * One network being trained the way a program is debugged: Step (over a whole step), Step Into and
 * Step Out (through a step's phases), Continue (in slices, so whoever drives it stays responsive)
 * with breakpoints checked inside the step loop, Pause, Step Back, Reverse Continue, Go to Step and
 * Reset, with the history that makes going back cheap and exact. Pure: the extension's training
 * worker, the CLI, the bench and the tests drive it.
 *
 * A breakpoint is checked on the state after each step: the parameters after k steps, and the loss,
 * gradients and unit values at those parameters. A stop at step k shows that state, the same
 * numbers as `backprop train FILE --steps k`.
 */
import { History, type HistoryOptions, type Network, sameArray, type StopReason, Trainer } from '../core';
import { Breakpoints } from './breakpoints';
import type { BreakpointHit, BreakpointSpec, BreakpointStatus, BuiltinSettings } from './breakpointTypes';
import { compileExpression, type ExprState } from './expr/compile';
import { describePhase, nextPhase, type Phase } from './stepper';

/** Why the run is where it is. */
export type StopKind = 'entry' | 'step' | 'pause' | 'breakpoint' | 'converged' | 'max-steps' | 'diverged' | 'goto' | 'reverse' | 'reset' | 'set';

/** Where and why the run stopped, and the sentence that says so ("Paused at step 175: breakpoint `step 175` hit"). */
export interface Stop {
  reason: StopKind;
  step: number;
  phase: Phase | null;
  hits: BreakpointHit[];
  text: string;
  /** When the worker stopped, in ms since 1970 (a clock every thread shares): set by the worker, for measuring Pause. */
  stoppedAt?: number;
}

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
/** How far past the newest step Go to Step trains, in one go in the worker. */
export const GO_TO_AHEAD = 1_000_000;
const CHUNK_MS = 1;

export class TrainingSession {
  readonly trainer: Trainer;
  history: History;
  readonly breakpoints: Breakpoints;
  /** What conditions read besides the trainer's arrays, refreshed before each check. */
  readonly scalars = { step: 0, loss: NaN, stepSize: 0, learningRate: 0 };
  /** Where Step Into has got to within the current step; null at a step's boundary. */
  phase: Phase | null = null;
  /** Why training last stopped by a rule (converged, max-steps, diverged), for the toolbar. */
  stopReason: StopReason | null = null;
  /** The last stop, with its sentence. */
  lastStop: Stop;
  private chunk = FIRST_CHUNK;
  /** A second trainer for searching the past (Reverse Continue), made when first needed. */
  private scratch: { trainer: Trainer; breakpoints: Breakpoints; scalars: TrainingSession['scalars'] } | undefined;
  private specs: readonly BreakpointSpec[] = [];
  /** The history no longer starts at the file's parameters (retrain, Set Value): Reset starts a new one. */
  private rebased = false;
  private builtins: BuiltinSettings | undefined;

  constructor(network: Network, private readonly historyOptions: HistoryOptions = {}) {
    this.trainer = new Trainer(network);
    this.history = new History(this.trainer, historyOptions);
    this.breakpoints = new Breakpoints(network, this.exprState(this.trainer, this.scalars));
    this.scalars.learningRate = network.training.learningRate;
    this.lastStop = this.stopHere('entry');
  }

  get network(): Network {
    return this.trainer.network;
  }

  private exprState(t: Trainer, scalars: TrainingSession['scalars']): ExprState {
    return { params: t.params, gradients: t.gradients, x: t.x, y: t.y, scalars };
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  setBreakpoints(specs: readonly BreakpointSpec[], builtins?: BuiltinSettings): BreakpointStatus[] {
    this.specs = specs;
    if (builtins) this.builtins = builtins;
    this.scratch = undefined;
    return this.breakpoints.set(specs, this.builtins);
  }

  get breakpointSpecs(): BreakpointSpec[] {
    return [...this.specs];
  }

  get builtinSettings(): BuiltinSettings | undefined {
    return this.builtins;
  }

  /** Takes the state here as "before" for the breakpoints (set while Continue runs). */
  primeBreakpoints(): void {
    if (!this.breakpoints.active) return;
    if (this.breakpoints.needsEvaluation) this.trainer.evaluate();
    this.refreshScalars(this.trainer.lastStepSize);
    this.breakpoints.prime();
  }

  // ---- stepping ---------------------------------------------------------------------------------

  /**
   * Step Over: at a step's boundary, one whole step, whatever the stopping rules say (a person asked
   * for it); inside a step (after Step Into), on to the next phase.
   */
  step(): Stop {
    if (this.phase !== null) return this.stepInto();
    const size = this.takeStep();
    const rule = this.rule(size);
    this.stopReason = rule;
    return this.stop(rule ?? 'step');
  }

  /** Step Into: into the step's phases, one phase at a time; after the update phase, the step is applied. */
  stepInto(): Stop {
    if (this.phase === null) this.trainer.evaluate();
    const next = nextPhase(this.network, this.phase);
    if (next !== null) {
      this.phase = next;
      return this.stop('step');
    }
    return this.finishStep();
  }

  /** Step Out: finishes the step Step Into is inside (a whole step at a boundary). */
  stepOut(): Stop {
    return this.phase === null ? this.step() : this.finishStep();
  }

  private finishStep(): Stop {
    this.phase = null;
    const size = this.takeStep();
    const rule = this.rule(size);
    this.stopReason = rule;
    return this.stop(rule ?? 'step');
  }

  /** One step recorded in the history; the largest step size. */
  private takeStep(): number {
    const size = this.trainer.step();
    this.history.record();
    return size;
  }

  /**
   * Prepares Continue: finishes a step Step Into is inside, and takes the state here as "before"
   * for conditions that break when they become true. Returns a stop if there is nothing to run.
   */
  startContinue(): Stop | null {
    if (this.phase !== null) {
      this.phase = null;
      const rule = this.rule(this.takeStep());
      if (rule) { this.stopReason = rule; return this.stop(rule); }
    }
    const t = this.trainer;
    if (t.stepCount >= this.network.training.maxSteps) { this.stopReason = 'max-steps'; return this.stop('max-steps'); }
    this.stopReason = null;
    this.primeBreakpoints();
    return null;
  }

  /**
   * Continue for about `budgetMs`: steps until the budget is spent (null) or something stops it
   * (a breakpoint or a stopping rule). The clock is read once per chunk of steps, sized so a chunk
   * takes about a millisecond, since reading it costs more than a step of a small network.
   */
  run(budgetMs: number, now: () => number): Stop | null {
    const t = this.trainer;
    const h = this.history;
    const bp = this.breakpoints;
    const maxSteps = this.network.training.maxSteps;
    const deadline = now() + budgetMs;
    for (;;) {
      const started = now();
      const chunk = this.chunk;
      if (!bp.active) {
        for (let i = 0; i < chunk; i++) {
          const size = t.step();
          h.record();
          const rule = this.rule(size, maxSteps);
          if (rule) { this.stopReason = rule; return this.stop(rule); }
        }
      } else {
        const evaluate = bp.needsEvaluation;
        for (let i = 0; i < chunk; i++) {
          const size = t.step();
          h.record();
          const rule = this.rule(size, maxSteps);
          // The state after the step, evaluated at its parameters; the next step reuses the evaluation.
          if (evaluate) t.evaluate();
          this.refreshScalars(size);
          const hits = bp.check();
          if (hits) { this.stopReason = rule; return this.stop('breakpoint', hits); }
          if (rule) { this.stopReason = rule; return this.stop(rule); }
        }
      }
      const ended = now();
      const took = ended - started;
      // Aim the next chunk at about CHUNK_MS, growing or shrinking by at most 2x at a time.
      if (took < CHUNK_MS / 2 && chunk < 1 << 20) this.chunk = chunk * 2;
      else if (took > CHUNK_MS * 2 && chunk > 1) this.chunk = chunk >> 1;
      if (ended >= deadline) return null;
    }
  }

  /** Pause: where Continue is now. */
  pause(): Stop {
    return this.stop('pause');
  }

  /** The stopping rules for the step just taken: diverged, converged (if that built-in is on), the step limit. */
  private rule(size: number, maxSteps = this.network.training.maxSteps): StopReason | null {
    const t = this.trainer;
    const reason = t.stopAfter(size);
    if (reason === 'diverged') return reason;
    if (reason === 'converged' && this.breakpoints.converges) return reason;
    return t.stepCount >= maxSteps ? 'max-steps' : null;
  }

  private refreshScalars(size: number): void {
    const t = this.trainer;
    const s = this.scalars;
    s.step = t.stepCount;
    s.loss = t.loss;
    s.stepSize = size;
    s.learningRate = this.network.training.learningRate;
  }

  // ---- time travel ------------------------------------------------------------------------------

  /** Goes back `count` steps (not before the history's start). */
  stepBack(count = 1): Stop {
    const from = this.phase !== null ? this.trainer.stepCount : this.trainer.stepCount - count;
    this.phase = null;
    this.history.restore(Math.max(this.history.baseStep, from));
    this.stopReason = null;
    return this.stop('step');
  }

  /** Back to the parameters the session began with. */
  reset(): Stop {
    this.phase = null;
    if (this.rebased) {
      // The history starts past the file's parameters (an edit of the training settings, or Set
      // Value): the file's state starts a new one.
      const t = this.trainer;
      t.setParameters(this.network.initialParameters);
      t.stepCount = 0;
      t.lastStepSize = 0;
      this.history = new History(t, this.historyOptions);
      this.scratch = undefined;
      this.rebased = false;
    } else {
      this.history.restore(this.history.baseStep);
    }
    this.stopReason = null;
    this.breakpoints.resetHits();
    return this.stop('reset');
  }

  /**
   * Go to Step: any step in the history, recomputed exactly from the nearest checkpoint; a step
   * past the latest is reached by training on (breakpoints do not stop it).
   */
  goTo(step: number): Stop {
    if (!Number.isSafeInteger(step) || step < this.history.baseStep) throw new RangeError(`step ${step} is before the history's start (${this.history.baseStep})`);
    this.phase = null;
    this.stopReason = null;
    const h = this.history;
    if (step <= h.latest) h.restore(step);
    else {
      // Past the furthest step: from there on, training is new. It runs in one go in the worker,
      // so it is bounded (Continue, in slices that Pause can stop, goes further) and ends early
      // where the loss stops being a number.
      if (this.trainer.stepCount < h.latest) h.restore(h.latest);
      const target = Math.min(step, h.latest + GO_TO_AHEAD);
      while (this.trainer.stepCount < target) {
        this.takeStep();
        if (!Number.isFinite(this.trainer.loss)) { this.stopReason = 'diverged'; break; }
      }
      if (this.trainer.stepCount < step) {
        const why = this.stopReason === 'diverged' ? 'the loss stopped being a number on the way' : `Go to Step trains at most ${GO_TO_AHEAD.toLocaleString('en-US')} steps past the newest; Continue with a breakpoint at ${step} goes on from here`;
        return this.stop('goto', [], why);
      }
    }
    return this.stop('goto');
  }

  /**
   * Reverse Continue: back to the latest earlier step where a breakpoint would have broken
   * (gradient descent is deterministic, so the past is replayed from checkpoints on a scratch
   * trainer, newest stretch first); the history's start if none would have.
   */
  reverseContinue(): Stop {
    this.phase = null;
    this.stopReason = null;
    const current = this.trainer.stepCount;
    const found = this.searchBack(current);
    if (found === null) {
      this.history.restore(this.history.baseStep);
      return this.stop('reverse', [], `no breakpoint would have stopped before step ${current}`);
    }
    this.history.restore(found.step);
    return this.stop('breakpoint', found.hits);
  }

  /** The latest step before `before` at which a breakpoint would fire (hit counts aside), with what it hit. */
  private searchBack(before: number): { step: number; hits: BreakpointHit[] } | null {
    if (!this.breakpoints.active) return null;
    const scratch = this.scratchTrainer();
    const starts = this.history.checkpoints().filter((s) => s < before);
    let end = before;
    for (let k = starts.length - 1; k >= 0; k--) {
      // A stretch [start, end): begin one state early, so "became true" is judged as going forward would.
      const start = starts[k];
      const from = Math.max(this.history.baseStep, start - 1);
      this.history.stateAt(from, scratch.trainer);
      scratch.trainer.evaluate();
      Object.assign(scratch.scalars, { step: from, loss: scratch.trainer.loss, stepSize: 0, learningRate: this.network.training.learningRate });
      scratch.breakpoints.prime();
      let last: { step: number; hits: BreakpointHit[] } | null = null;
      while (scratch.trainer.stepCount < end - 1) {
        const size = scratch.trainer.step();
        scratch.trainer.evaluate();
        Object.assign(scratch.scalars, { step: scratch.trainer.stepCount, loss: scratch.trainer.loss, stepSize: size });
        const hits = scratch.breakpoints.check();
        if (hits && scratch.trainer.stepCount >= start && scratch.trainer.stepCount < before) last = { step: scratch.trainer.stepCount, hits };
      }
      if (last) return last;
      end = start;
    }
    return null;
  }

  private scratchTrainer(): NonNullable<TrainingSession['scratch']> {
    if (!this.scratch) {
      const trainer = new Trainer(this.network);
      const scalars = { step: 0, loss: NaN, stepSize: 0, learningRate: this.network.training.learningRate };
      // Looking back asks where a breakpoint fires; hit counts belong to going forward.
      const breakpoints = new Breakpoints(this.network, this.exprState(trainer, scalars), { everyHit: true });
      breakpoints.set(this.specs, this.builtins);
      this.scratch = { trainer, breakpoints, scalars };
    }
    return this.scratch;
  }

  // ---- what the debugger asks ---------------------------------------------------------------------

  /**
   * The value of a condition-language expression on the state shown now (Watch, hover, the Debug
   * Console). Compiled on each call: a person types these, the loop never runs them. Throws an
   * ExpressionError (with its column) for a malformed one.
   */
  evaluate(source: string): number {
    const t = this.trainer;
    t.evaluate();
    this.refreshScalars(t.lastStepSize);
    return compileExpression(source, this.network, this.exprState(t, this.scalars)).evaluate();
  }

  /**
   * Set Value: a what-if edit of the run (never of the file). The parameter takes `value` here, out of
   * any step it was inside; the loss and gradients follow at once. The history starts again here,
   * since the steps before led to other numbers than this one will.
   */
  setParameter(index: number, value: number): Stop {
    if (!Number.isFinite(value)) throw new RangeError(`${this.network.parameters[index].name} must be a finite number`);
    this.phase = null;
    this.trainer.params[index] = value;
    this.trainer.invalidate();
    this.history = new History(this.trainer, this.historyOptions);
    this.rebased = true;
    this.scratch = undefined;
    this.stopReason = null;
    return this.stop('set', [], `${this.network.parameters[index].name} = ${value}`);
  }

  // ---- edits ------------------------------------------------------------------------------------

  /**
   * Trains on from here with `network`'s training settings (an edit that changed only them). The
   * history starts again here: the steps before were taken with the old settings, so recomputing
   * them with the new ones would not give them back.
   */
  retrain(network: Network): void {
    this.phase = null;
    this.trainer.retrain(network);
    this.history = new History(this.trainer, this.historyOptions);
    this.rebased = this.trainer.stepCount > 0;
    this.scalars.learningRate = network.training.learningRate;
    this.scratch = undefined;
    this.stopReason = null;
  }

  /**
   * Takes `network` as this run's without touching its state: an edit that changed what is shown
   * (a name), or wrote the run's own parameters into the file.
   */
  rename(network: Network): void {
    // Parameters written into the file (Write Parameters) are the file's now: Reset goes to them.
    if (!sameArray(this.network.initialParameters, network.initialParameters)) this.rebased = true;
    this.trainer.retrain(network);
  }

  // ---- what is shown ------------------------------------------------------------------------------

  status(): TrainingStatus {
    const t = this.trainer;
    return { step: t.stepCount, loss: t.evaluate(), lastStepSize: t.lastStepSize, stopReason: this.stopReason, earliest: this.history.baseStep };
  }

  private stopHere(reason: StopKind, hits: BreakpointHit[] = [], note?: string): Stop {
    const step = this.trainer.stepCount;
    return { reason, step, phase: this.phase, hits, text: stopText(reason, step, this.phase, hits, this.network, note) };
  }

  private stop(reason: StopKind, hits: BreakpointHit[] = [], note?: string): Stop {
    this.lastStop = this.stopHere(reason, hits, note);
    return this.lastStop;
  }
}

/** The sentence a stop reads as, wherever it is shown. */
export function stopText(reason: StopKind, step: number, phase: Phase | null, hits: readonly BreakpointHit[], network: Network, note?: string): string {
  const at = `step ${step}${phase ? `, in ${describePhase(phase)}` : ''}`;
  switch (reason) {
    case 'entry': return `At step ${step}: the file's parameters`;
    case 'breakpoint': return `Paused at ${at}: ${hits.map((h) => h.description).join('; ')}`;
    case 'pause': return `Paused at ${at}`;
    case 'step': return `Paused at ${at}`;
    case 'goto': return `Went to step ${step}${note ? ` (${note})` : ''}`;
    case 'set': return `Set ${note ?? 'a parameter'} at step ${step}: the loss and gradients are at the new value`;
    case 'reverse': return `Back at step ${step}: ${note ?? 'the start of the history'}`;
    case 'reset': return `Reset to step ${step}: the file's parameters`;
    case 'converged': return `Stopped at step ${step}: converged (no parameter moved by minStepSize ${network.training.minStepSize})`;
    case 'max-steps': return `Stopped at step ${step}: the step limit (maxSteps ${network.training.maxSteps})`;
    case 'diverged': return `Stopped at step ${step}: diverged (the loss stopped being a finite number; try a smaller learning rate)`;
  }
}
