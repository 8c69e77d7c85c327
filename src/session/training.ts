/**
 * One network being trained the way a program is debugged: Step (over a whole step), Step Into and
 * Step Out (through a step's phases), Continue with breakpoints checked inside the step loop, Pause,
 * and time travel (Step Back, Reverse Continue, Go to Step, Reset: see timeline.ts). Pure: the
 * extension's training worker, the CLI, the bench and the tests drive it.
 *
 * Anything that can take long is a motion (Continue, Go to Step, Step Back across a replay, Reverse
 * Continue): started, then advanced in slices whose length a clock decides, so the worker answers
 * Pause and other files' runs between slices. Where a motion ends never depends on the clock, only
 * how many slices it takes. Pause ends a motion: Continue and training ahead stop where they got;
 * a replay or a search of the past puts back the state it started from.
 *
 * A breakpoint is checked on the state after each step: the parameters after k steps, and the loss,
 * gradients and unit values at those parameters. A stop at step k shows that state, the same
 * numbers as `backprop train FILE --steps k`. Every step a person or Continue takes, whether from a
 * step's boundary or finishing one Step Into is inside, is checked by one function (afterStep).
 */
import { formatCount, type HistoryOptions, type History, type Network, sameArray, type StopReason, Trainer } from '../core';
import { Breakpoints } from './breakpoints';
import type { BreakpointHit, BreakpointSpec, BreakpointStatus, BuiltinSettings } from './breakpointTypes';
import { compileExpression, emptyScalars, type ExprState, type Scalars } from './expr/compile';
import { readScalars } from './scalars';
import { describePhase, nextPhase, type Phase, phasesOf, samePhase } from './stepper';
import { Timeline } from './timeline';
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

export type MotionKind = 'continue' | 'goto' | 'back' | 'reverse';

/** What is under way, as the page, the status bar and VS Code's progress say it: "Going to step 200,000: 41%". */
export interface Activity {
  kind: MotionKind;
  /** "Going to step 200,000" (Continue: "Running"). */
  label: string;
  /** How far it has got, 0..1; null when it cannot tell (Continue). */
  fraction: number | null;
}

/** A motion under way: its work (null for Continue, whose loop is the session's own) and what Pause puts back. */
interface Motion {
  activity: Activity;
  work: Iterator<number, Stop, void> | null;
  /** The state before it, put back if it is paused (a replay, a search); null once there is nothing to undo. */
  saved: { params: Float64Array; step: number; lastStepSize: number } | null;
}

/** How long a chunk of steps runs between looks at the clock, which it adapts to (ms). */
const CHUNK_MS = 1;
/**
 * Work (parameters x samples) a chunk's first size is sized for: 64 steps of a teaching network, one
 * step of a large one (whose single step can take 20 ms), so the first look at the clock comes soon.
 */
const FIRST_CHUNK_WORK = 200_000;

export class TrainingSession {
  readonly trainer: Trainer;
  readonly timeline: Timeline;
  readonly breakpoints: Breakpoints;
  /** What conditions read besides the trainer's arrays, refreshed before each check. */
  readonly scalars: Scalars = emptyScalars();
  /** Where Step Into has got to within the current step; null at a step's boundary. */
  phase: Phase | null = null;
  /** Why training last stopped by a rule (converged, max-steps, diverged), for the toolbar. */
  stopReason: StopReason | null = null;
  /** The last stop, with its sentence. */
  lastStop: Stop;
  private motion: Motion | null = null;
  private chunk: number;
  private specs: readonly BreakpointSpec[] = [];
  private builtins: BuiltinSettings | undefined;

  constructor(network: Network, historyOptions: HistoryOptions = {}) {
    this.trainer = new Trainer(network);
    this.timeline = new Timeline(this.trainer, historyOptions, (trainer, scalars) => {
      // Looking back asks where a breakpoint fires; hit counts belong to going forward.
      const b = new Breakpoints(this.network, this.exprState(trainer, scalars), { everyHit: true });
      b.set(this.specs, this.builtins);
      return b;
    });
    // A logpoint's message reads the state only where it writes: evaluated then, not after every step.
    this.breakpoints = new Breakpoints(network, this.exprState(this.trainer, this.scalars), { refresh: () => this.refreshScalars(this.trainer.lastStepSize, true) });
    this.scalars.learningRate = network.training.learningRate;
    this.chunk = Math.max(1, Math.min(64, Math.floor(FIRST_CHUNK_WORK / (network.parameterCount * network.data.samples))));
    this.lastStop = this.stopHere('entry');
  }

  get network(): Network {
    return this.trainer.network;
  }

  get history(): History {
    return this.timeline.history;
  }

  private exprState(t: Trainer, scalars: Scalars): ExprState {
    return { params: t.params, gradients: t.gradients, x: t.x, y: t.y, state: t.state, scalars };
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  setBreakpoints(specs: readonly BreakpointSpec[], builtins?: BuiltinSettings): BreakpointStatus[] {
    this.specs = specs;
    if (builtins) this.builtins = builtins;
    this.timeline.forgetBreakpoints();
    const statuses = this.breakpoints.set(specs, this.builtins);
    // Set during Continue, they take effect at once: "before" is the state here.
    if (this.motion?.activity.kind === 'continue') this.primeBreakpoints();
    return statuses;
  }

  /** Each breakpoint's status at the state shown, with whether each condition holds there. */
  breakpointStatus(): BreakpointStatus[] {
    if (this.breakpoints.active) this.refreshScalars(this.trainer.lastStepSize, true);
    return this.breakpoints.statusNow();
  }

  get breakpointSpecs(): BreakpointSpec[] {
    return [...this.specs];
  }

  get builtinSettings(): BuiltinSettings | undefined {
    return this.builtins;
  }

  /** Takes the state here as "before" for the breakpoints: the state the next step starts from. */
  private primeBreakpoints(): void {
    if (!this.breakpoints.active) return;
    this.refreshScalars(this.trainer.lastStepSize);
    this.breakpoints.prime();
  }

  // ---- stepping ---------------------------------------------------------------------------------

  /**
   * Step Over: at a step's boundary, one whole step, whatever the stopping rules say (a person asked
   * for it); inside a step (after Step Into), on to the next phase.
   */
  step(): Stop {
    this.endMotion();
    if (this.phase !== null) return this.stepInto();
    return this.oneStep();
  }

  /** Step Into: into the step's phases, one phase at a time; after the update phase, the step is applied. */
  stepInto(): Stop {
    this.endMotion();
    if (this.phase === null) this.trainer.evaluate();
    const next = nextPhase(this.network, this.phase);
    if (next !== null) {
      this.phase = next;
      return this.stop('step');
    }
    return this.oneStep();
  }

  /**
   * Straight to `phase` of the step shown (null: its start, before any phase), in either direction:
   * the phases only say how far the step has got (its numbers are computed on entering it), so
   * nothing trains ahead. What Step Into Target, Restart Frame and Jump to Cursor do.
   */
  goToPhase(phase: Phase | null): Stop {
    this.endMotion();
    if (phase !== null && !phasesOf(this.network).some((p) => samePhase(p, phase))) throw new RangeError(`this network's step has no phase ${JSON.stringify(phase)}`);
    if (this.phase === null && phase !== null) this.trainer.evaluate();
    this.phase = phase;
    return this.stop('step');
  }

  /** Step Out: finishes the step Step Into is inside (a whole step at a boundary). */
  stepOut(): Stop {
    this.endMotion();
    return this.oneStep();
  }

  /**
   * One whole step a person asked for (from a boundary, or finishing the step Step Into is in: its
   * phases changed nothing, so the state before it is the trainer's). Checked as Continue checks
   * each step; a breakpoint it lands on says so.
   */
  private oneStep(): Stop {
    this.primeBreakpoints();
    this.phase = null;
    this.stopReason = null;
    return this.takeStep(this.network.training.maxSteps) ?? this.stop('step');
  }

  /** One step, recorded and checked: its stop, if a breakpoint or a stopping rule ends it. */
  private takeStep(maxSteps: number): Stop | null {
    const size = this.trainer.step();
    this.timeline.history.record();
    return this.afterStep(size, maxSteps);
  }

  /**
   * The state after a step, checked: the one place that decides whether a step stops training.
   * A breakpoint that fires (on the state after the step, evaluated there; the next step reuses
   * the evaluation), else a stopping rule: diverged, converged (if that built-in is on), the step limit.
   */
  private afterStep(size: number, maxSteps: number): Stop | null {
    const t = this.trainer;
    const reason = t.stopAfter(size);
    const rule: StopReason | null = reason === 'diverged' || (reason === 'converged' && this.breakpoints.converges) ? reason
      : t.stepCount >= maxSteps ? 'max-steps' : null;
    const bp = this.breakpoints;
    if (bp.active) {
      this.refreshScalars(size);
      const hits = bp.check();
      if (hits) { this.stopReason = rule; return this.stop('breakpoint', hits); }
    }
    if (rule) { this.stopReason = rule; return this.stop(rule); }
    return null;
  }

  /** The scalars at the state now, evaluating it when the breakpoints (or `all`: a person's question) read what needs it. */
  private refreshScalars(size: number, all = false, evaluated = false): void {
    const bp = this.breakpoints;
    // The needs as flags, not an object: this runs after every step of Continue.
    readScalars(this.trainer, this.scalars, size, all || evaluated || bp.needsEvaluation, (all && this.network.validation !== null) || bp.needsValidation, all || bp.needsTraining);
  }

  // ---- motions ----------------------------------------------------------------------------------

  /** What is under way (null when stopped). */
  get activity(): Activity | null {
    return this.motion ? { ...this.motion.activity } : null;
  }

  /**
   * Starts Continue: finishes a step Step Into is inside (checked like any other), then steps in
   * advance() until a breakpoint or a stopping rule. Returns the stop if it is over at once, null
   * when it is under way.
   */
  startContinue(): Stop | null {
    this.endMotion();
    this.stopReason = null;
    const max = this.network.training.maxSteps;
    if (this.phase !== null) {
      // A phase breakpoint further on in this step comes first.
      const inStep = this.breakpoints.hasPhases ? this.phaseStop(this.phase) : null;
      if (inStep) return inStep;
      this.primeBreakpoints();
      this.phase = null;
      const stop = this.takeStep(max);
      if (stop) return stop;
    } else if (this.trainer.stepCount >= max) {
      this.stopReason = 'max-steps';
      return this.stop('max-steps');
    } else this.primeBreakpoints();
    this.motion = { activity: { kind: 'continue', label: 'Running', fraction: null }, work: null, saved: null };
    return null;
  }

  /**
   * Works the motion under way for about `budgetMs`: its stop when it ends, null when it goes on
   * (then call again). The clock is read once per chunk of steps, sized so a chunk takes about a
   * millisecond, since reading it costs more than a step of a small network.
   */
  advance(budgetMs: number, now: () => number): Stop | null {
    const m = this.motion;
    if (!m) throw new Error('nothing is under way to advance');
    const deadline = now() + budgetMs;
    for (;;) {
      const started = now();
      const chunk = this.chunk;
      const stop = m.work === null ? this.continueChunk(chunk) : this.workChunk(m, chunk);
      if (stop) {
        if (this.motion === m) this.motion = null;
        return stop;
      }
      const ended = now();
      const took = ended - started;
      // Aim the next chunk at about CHUNK_MS, growing or shrinking by at most 2x at a time.
      if (took < CHUNK_MS / 2 && chunk < 1 << 20) this.chunk = chunk * 2;
      else if (took > CHUNK_MS * 2 && chunk > 1) this.chunk = chunk >> 1;
      if (ended >= deadline) return null;
    }
  }

  /** `chunk` steps of Continue; the stop if one ends it. */
  private continueChunk(chunk: number): Stop | null {
    const max = this.network.training.maxSteps;
    const phases = this.breakpoints.hasPhases;
    for (let i = 0; i < chunk; i++) {
      const stop = (phases ? this.phaseStop(null) : null) ?? this.takeStep(max);
      if (stop) return stop;
    }
    return null;
  }

  /**
   * Continue through the step about to be taken: a phase breakpoint after `after` (null: from the
   * step's start) that fires stops there, inside the step, as Step Into shows it.
   */
  private phaseStop(after: Phase | null): Stop | null {
    const t = this.trainer;
    if (t.stepCount >= this.network.training.maxSteps) return null;
    // The step's own evaluation: its next update reuses it.
    this.refreshScalars(t.lastStepSize, false, true);
    const phases = phasesOf(this.network);
    for (let i = after === null ? 0 : phases.findIndex((p) => samePhase(p, after)) + 1; i < phases.length; i++) {
      const hits = this.breakpoints.checkPhase(phases[i]);
      if (hits) {
        this.phase = phases[i];
        return this.stop('breakpoint', hits);
      }
    }
    return null;
  }

  /** `chunk` units of a motion's work (a step recomputed, trained or searched); its stop when it is done. */
  private workChunk(m: Motion, chunk: number): Stop | null {
    const work = m.work!;
    for (let i = 0; i < chunk; i++) {
      const r = work.next();
      if (r.done) return r.value;
      m.activity.fraction = r.value;
    }
    return null;
  }

  /** Works the motion under way to its end at once (the CLI, tests). */
  private finish(started: Stop | null): Stop {
    return started ?? this.advance(Infinity, () => 0)!;
  }

  /** Starts a motion that replays or searches: Pause puts back the state here. */
  private begin(kind: MotionKind, label: string, work: (m: Motion) => Iterator<number, Stop, void>): null {
    const t = this.trainer;
    const m: Motion = { activity: { kind, label, fraction: 0 }, work: null, saved: { params: Float64Array.from(t.params), step: t.stepCount, lastStepSize: t.lastStepSize } };
    m.work = work(m);
    this.motion = m;
    return null;
  }

  /**
   * Pause: ends what is under way. Continue and training ahead stop where they got; a replay or
   * a search of the past puts back the state it started from.
   */
  pause(): Stop {
    const m = this.motion;
    this.motion = null;
    if (!m || m.activity.kind === 'continue') return this.stop('pause');
    const { label, fraction } = m.activity;
    if (m.saved) {
      this.putBack(m.saved);
      return this.stop('pause', [], `${lower(label)} stopped; nothing changed`);
    }
    return this.stop('pause', [], `${lower(label)} stopped at ${Math.floor((fraction ?? 0) * 100)}%`);
  }

  /** Ends what is under way without a stop of its own: a step, an edit or Set Value comes instead. */
  private endMotion(): void {
    if (this.motion) this.pause();
  }

  private putBack(saved: NonNullable<Motion['saved']>): void {
    const t = this.trainer;
    t.setParameters(saved.params);
    t.stepCount = saved.step;
    t.lastStepSize = saved.lastStepSize;
  }

  // ---- time travel ------------------------------------------------------------------------------

  /** Starts going back `count` steps (not before the history's start); out of a step Step Into is in, to where it began. */
  startStepBack(count = 1): Stop | null {
    this.endMotion();
    this.stopReason = null;
    if (this.phase !== null) {
      // Step Into's phases change nothing until the update: the step's start is the trainer's state.
      this.phase = null;
      return this.stop('step');
    }
    const target = Math.max(this.history.baseStep, this.trainer.stepCount - count);
    return this.begin('back', `Going back to step ${int(target)}`, () => this.restoreThen(target, () => this.stop('step')));
  }

  /**
   * Starts Go to Step: any step in the history, recomputed exactly from the nearest checkpoint; a
   * step past the newest is reached by training on from it (breakpoints do not stop it; Pause
   * does, there).
   */
  startGoTo(step: number): Stop | null {
    const h = this.history;
    if (!Number.isSafeInteger(step) || step < h.baseStep) throw new RangeError(`step ${step} is before the history's start (${h.baseStep})`);
    this.endMotion();
    this.phase = null;
    this.stopReason = null;
    const label = `Going to step ${int(step)}`;
    if (step <= h.latest) return this.begin('goto', label, () => this.restoreThen(step, () => this.stop('goto')));
    return this.begin('goto', label, (m) => this.goingAhead(m, step));
  }

  private *restoreThen(step: number, then: () => Stop): Generator<number, Stop, void> {
    yield* this.timeline.restoring(step);
    return then();
  }

  private *goingAhead(m: Motion, step: number): Generator<number, Stop, void> {
    const h = this.history;
    const t = this.trainer;
    const from = t.stepCount;
    const total = step - from;
    // From the newest state (replayed if the trainer is behind it) training is new.
    if (t.stepCount < h.latest) {
      for (const f of this.timeline.restoring(h.latest)) yield f * (h.latest - from) / total;
    }
    m.saved = null;
    const ahead = this.timeline.trainingTo(step);
    const start = t.stepCount;
    for (let r = ahead.next(); ; r = ahead.next()) {
      if (r.done) {
        if (r.value === 'diverged') {
          this.stopReason = 'diverged';
          return this.stop('goto', [], `the loss stopped being a number at step ${int(t.stepCount)}, on the way`);
        }
        return this.stop('goto');
      }
      yield (start - from + r.value * (step - start)) / total;
    }
  }

  /** Back to the parameters the file holds, at step 0 (never long: the history keeps its start). */
  reset(): Stop {
    this.endMotion();
    this.phase = null;
    this.timeline.reset(this.network);
    this.stopReason = null;
    this.breakpoints.resetHits();
    return this.stop('reset');
  }

  /**
   * Starts Reverse Continue: back to the latest earlier step where a breakpoint would have broken
   * (the past is replayed on a scratch trainer, newest stretch first); the history's start if none
   * would have.
   */
  startReverseContinue(): Stop | null {
    this.endMotion();
    this.phase = null;
    this.stopReason = null;
    const current = this.trainer.stepCount;
    return this.begin('reverse', 'Searching back for a breakpoint', () => this.reversing(current));
  }

  private *reversing(current: number): Generator<number, Stop, void> {
    const found = this.breakpoints.active ? yield* scaled(this.timeline.searchBack(current), 0, 0.9) : null;
    const target = found?.step ?? this.history.baseStep;
    yield* scaled(this.timeline.restoring(target), 0.9, 1);
    return found ? this.stop('breakpoint', found.hits) : this.stop('reverse', [], `no breakpoint would have stopped before step ${current}`);
  }

  // The same motions worked to their end at once: for the CLI, the bench and the tests.
  stepBack(count = 1): Stop { return this.finish(this.startStepBack(count)); }
  goTo(step: number): Stop { return this.finish(this.startGoTo(step)); }
  reverseContinue(): Stop { return this.finish(this.startReverseContinue()); }
  /** Continue until something stops it. */
  continueToStop(): Stop { return this.finish(this.startContinue()); }

  // ---- what the debugger asks ---------------------------------------------------------------------

  /**
   * The value of a condition-language expression on the state shown now (Watch, hover, the Debug
   * Console). Compiled on each call: a person types these, the loop never runs them. Throws an
   * ExpressionError (with its column) for a malformed one.
   */
  evaluate(source: string): number {
    const t = this.trainer;
    this.refreshScalars(t.lastStepSize, true);
    return compileExpression(source, this.network, this.exprState(t, this.scalars)).evaluate();
  }

  /**
   * Set Value: a what-if edit of the run (never of the file). The parameter takes `value` here, out of
   * any step it was inside; the loss and gradients follow at once. The history starts again here,
   * since the steps before led to other numbers than this one will.
   */
  setParameter(index: number, value: number): Stop {
    if (!Number.isFinite(value)) throw new RangeError(`${this.network.parameters[index].name} must be a finite number`);
    this.endMotion();
    this.phase = null;
    this.trainer.params[index] = value;
    this.trainer.invalidate();
    this.timeline.beginHere();
    this.timeline.rebased = true;
    this.stopReason = null;
    return this.stop('set', [], `${this.network.parameters[index].name} = ${value}`);
  }

  // ---- edits ------------------------------------------------------------------------------------

  /**
   * Trains on from here with `network`'s training settings (an edit that changed only them). The
   * history starts again here: the steps before were taken with the old settings, so recomputing
   * them with the new ones would not give them back. Continue goes on; any other motion ends (its
   * history is gone): the caller reports that stop.
   */
  retrain(network: Network): Stop | null {
    const ended = this.motion && this.motion.activity.kind !== 'continue' ? this.pause() : null;
    this.phase = null;
    this.trainer.retrain(network);
    this.timeline.beginHere();
    this.scalars.learningRate = network.training.learningRate;
    this.stopReason = null;
    return ended;
  }

  /**
   * Takes `network` as this run's without touching its state: an edit that changed what is shown
   * (a name), or wrote the run's own parameters into the file.
   */
  rename(network: Network): void {
    // Parameters written into the file (Write Parameters) are the file's now: Reset goes to them.
    if (!sameArray(this.network.initialParameters, network.initialParameters)) this.timeline.rebased = true;
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

/** A generator's fractions mapped into [lo, hi] of a larger motion; its return value passed on. */
function* scaled<R>(work: Generator<number, R, void>, lo: number, hi: number): Generator<number, R, void> {
  for (let r = work.next(); ; r = work.next()) {
    if (r.done) return r.value;
    yield lo + r.value * (hi - lo);
  }
}

const int = formatCount;
const lower = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The sentence a stop reads as, wherever it is shown. */
export function stopText(reason: StopKind, step: number, phase: Phase | null, hits: readonly BreakpointHit[], network: Network, note?: string): string {
  const at = `step ${step}${phase ? `, in ${describePhase(phase)}` : ''}`;
  switch (reason) {
    case 'entry': return `At step ${step}: the file's parameters`;
    case 'breakpoint': return `Paused at ${at}: ${hits.map((h) => h.description).join('; ')}`;
    case 'pause': return `Paused at ${at}${note ? ` (${note})` : ''}`;
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
