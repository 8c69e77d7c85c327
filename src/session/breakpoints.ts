/**
 * Breakpoints, checked in the worker's step loop with no round trip: on the state after each step
 * (the parameters after k steps, and the loss, gradients and unit values at those parameters).
 *
 * Everything is prepared when breakpoints are set: conditions compiled to closures, counters and
 * previous values in typed arrays, so a check allocates nothing unless something fires.
 *
 * A condition or a watched parameter breaks when it becomes true (false at the state before, true
 * now), so Continue after a hit goes on instead of stopping again at once; a step breakpoint breaks
 * at its step, an every-N one at each multiple of N. Hit counts count every firing; a hit condition
 * decides which firings break.
 */
import { findParameter, formatNumber, type Network, plural } from '../core';
import { compileExpression, type Compiled, type ExprState, truthy } from './expr/compile';
import { ExpressionError } from '../core/expr/parse';
import { isDead, isSaturated } from './inspect';
import { BUILTIN_KINDS, BUILTINS, type BreakpointHit, type BreakpointSpec, type BreakpointStatus, type BuiltinKind, type BuiltinSettings, defaultBuiltins, describeBreakpoint, type LogLine, phaseWords } from './breakpointTypes';
import { compileLogMessage } from './logMessage';
import { type Phase, phasesOf, samePhase } from './stepper';
import type { BreakpointsView } from '../protocol';

type HitTest = (hits: number) => boolean;

interface Armed {
  spec: BreakpointSpec;
  /** Whether the state now is one it fires at (for edge-triggered kinds: became true). */
  fires(): boolean;
  /** Remembers the state now as "before" (edge-triggered kinds). */
  prime(): void;
  breaks: HitTest;
  hits: number;
  needsEvaluation: boolean;
  needsValidation: boolean;
  /** It reads learningRate, epoch, batch or batchLoss. */
  needsTraining: boolean;
  describe(): string;
  /** A condition: whether it holds at the state now. */
  holds?(): boolean;
  /** A logpoint: its message at the state now (it writes this instead of breaking). */
  log?(): string;
  /** Its message reads what a step does not leave up to date (the loss, gradients, the training scalars). */
  logReads?: boolean;
  /** A phase breakpoint: checked where Continue reaches that phase of a step (checkPhase), not after steps. */
  phase?: Phase;
}

/** At most this many logpoint lines wait between two takeLogs(); past it, they are counted, not kept. */
export const LOG_LINES_KEPT = 10_000;

/** "5", ">= 5", "% 5" (or none: every hit breaks), as a test of the hit count; an error message if malformed. */
export function parseHitCondition(text: string | undefined): HitTest | string {
  if (text === undefined || text.trim() === '') return () => true;
  const m = /^\s*(>=|>|==|=|%)?\s*(\d+)\s*$/.exec(text);
  if (!m || Number(m[2]) < 1) return `hit condition '${text}': expected a count such as 5 (the 5th hit), >= 5 (from the 5th on) or % 5 (every 5th)`;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=': return (h) => h >= n;
    case '>': return (h) => h > n;
    case '%': return (h) => h % n === 0;
    default: return (h) => h === n;
  }
}

export class Breakpoints {
  private armed: Armed[] = [];
  /** The phase breakpoints, checked where Continue reaches their phase of a step (see checkPhase). */
  private phased: Armed[] = [];
  private builtins: BuiltinSettings = defaultBuiltins();
  private readonly builtinHits = new Map<BuiltinKind, number>();
  private statuses: BreakpointStatus[] = [];
  /** Whether anything is set that the step loop must check. */
  active = false;
  /** Whether a built-in condition other than Converged (the stopping rule, checked elsewhere) is on. */
  private anyBuiltin = false;
  /** Whether a check reads the loss, gradients or unit values (the state must be evaluated first). */
  needsEvaluation = false;
  /** Whether a condition reads valLoss (a forward pass over the validation set each step). */
  needsValidation = false;
  /** Whether a check reads learningRate, epoch, batch or batchLoss (each step's scalars skip them otherwise). */
  needsTraining = false;

  // Previous state for the built-in conditions, allocated when they are set.
  private previousLoss = NaN;
  private previousValLoss = NaN;
  /** Overfit: steps in a row the validation loss rose while the training loss fell. */
  private overfitFor = 0;
  /** Overtraining: the best validation loss and the epoch it was reached in. */
  private bestValLoss = Infinity;
  private bestValEpoch = 0;
  private bestLoss = Infinity;
  private bestStep = 0;
  private previousParams = new Float64Array(0);
  private stalledFor = new Uint32Array(0);
  private layerFlags = new Uint8Array(0);
  private unitCount = { dead: 0, saturated: 0 };
  /** A layer's mean |gradient| and update ratio, as layerStats leaves them (no object per layer per step). */
  private readonly stats = new Float64Array(2);
  /** What logpoints wrote since the last takeLogs(), and how many lines did not fit. */
  private logs: LogLine[] = [];
  private logsDropped = 0;

  /**
   * `everyHit`: every firing breaks, whatever the hit conditions say (for searching the past).
   * `refresh`: brings every scalar up to date at the state now (evaluating it), for a logpoint's
   * message where it writes: without it, its needs are the step loop's.
   */
  constructor(private readonly network: Network, private readonly state: ExprState, private readonly options: { everyHit?: boolean; refresh?: () => void } = {}) {}

  /** Sets the breakpoints and the built-in conditions; returns each breakpoint's status. */
  set(specs: readonly BreakpointSpec[], builtins: BuiltinSettings = this.builtins): BreakpointStatus[] {
    const previousHits = new Map([...this.armed, ...this.phased].map((a) => [a.spec.id, a.hits]));
    this.armed = [];
    this.phased = [];
    this.statuses = specs.map((spec) => {
      const hits = previousHits.get(spec.id) ?? 0;
      try {
        const armed = this.arm(spec);
        armed.hits = hits;
        // A search of the past (Reverse Continue) replays steps already logged, at step boundaries:
        // logpoints and phase breakpoints stay out of it.
        if (spec.enabled && !((armed.log || armed.phase) && this.options.everyHit)) (armed.phase ? this.phased : this.armed).push(armed);
        return { id: spec.id, verified: true, hits };
      } catch (e) {
        if (e instanceof ExpressionError) return { id: spec.id, verified: false, message: e.describe(), column: e.column, hits };
        if (e instanceof BreakpointError) return { id: spec.id, verified: false, message: e.message, hits };
        throw e;
      }
    });
    this.builtins = builtins;
    const n = this.network.parameterCount;
    if (this.previousParams.length !== n) {
      this.previousParams = new Float64Array(n);
      this.stalledFor = new Uint32Array(n);
      this.layerFlags = new Uint8Array(this.network.layers.length * 4);
    }
    this.stalledFor.fill(0);
    this.layerFlags.fill(0);
    const builtinOn = (Object.keys(builtins) as BuiltinKind[]).some((k) => k !== 'converged' && builtins[k].enabled);
    // Kept, not worked out per step: the check runs millions of times a second.
    this.anyBuiltin = builtinOn;
    this.active = this.armed.length > 0 || builtinOn;
    this.needsEvaluation = this.armed.some((a) => a.needsEvaluation) || builtinOn;
    // Overfit and Overtraining read the validation loss each step (a file without a validation set has none to read).
    const validating = this.network.validation !== null && (builtins.overfit.enabled || builtins.overtraining.enabled);
    this.needsValidation = [...this.armed, ...this.phased].some((a) => a.needsValidation) || validating;
    // Overtraining counts epochs.
    this.needsTraining = [...this.armed, ...this.phased].some((a) => a.needsTraining) || builtins.overtraining.enabled;
    return this.statuses.map((s) => ({ ...s }));
  }

  /** Each breakpoint's status, hit counts as of now. */
  status(): BreakpointStatus[] {
    const hits = new Map([...this.armed, ...this.phased].map((a) => [a.spec.id, a.hits]));
    return this.statuses.map((s) => ({ ...s, hits: hits.get(s.id) ?? s.hits }));
  }

  /**
   * status() with, for each condition, whether it holds at the state now: the caller has the state
   * evaluated and the scalars fresh (TrainingSession.breakpointStatus).
   */
  statusNow(): BreakpointStatus[] {
    const holding = new Map(this.armed.filter((a) => a.holds).map((a) => [a.spec.id, a.holds!()]));
    return this.status().map((s) => (holding.has(s.id) ? { ...s, trueNow: holding.get(s.id) } : s));
  }

  get converges(): boolean {
    return this.builtins.converged.enabled;
  }

  /** Resets every hit count (Restart). */
  resetHits(): void {
    for (const a of [...this.armed, ...this.phased]) a.hits = 0;
    this.statuses = this.statuses.map((s) => ({ ...s, hits: 0 }));
    this.builtinHits.clear();
  }

  /**
   * Takes the state now as "before": call it where Continue starts (after evaluating the state if
   * needsEvaluation), so a condition already true there does not fire at once.
   */
  prime(): void {
    for (const a of this.armed) a.prime();
    const s = this.state;
    this.previousLoss = s.scalars.loss;
    this.previousValLoss = s.scalars.valLoss;
    this.overfitFor = 0;
    this.bestValLoss = s.scalars.valLoss;
    this.bestValEpoch = s.scalars.epoch;
    this.bestLoss = s.scalars.loss;
    this.bestStep = s.scalars.step;
    this.previousParams.set(s.params);
    // Stalled counts and the update-ratio flags carry over: they are about steps taken, and a
    // condition that still holds after Continue does not fire again until it has stopped holding.
    this.unitCount = { dead: this.deadUnits(), saturated: this.saturatedUnits() };
    this.markLayers();
  }

  /**
   * Checks the state after a step; what fired and breaks, or null (the common case, which
   * allocates nothing). Hit counts move on every firing, breaking or not.
   */
  check(): BreakpointHit[] | null {
    let hits: BreakpointHit[] | null = null;
    for (let i = 0; i < this.armed.length; i++) {
      const a = this.armed[i];
      if (!a.fires()) continue;
      a.hits++;
      if (!this.options.everyHit && !a.breaks(a.hits)) continue;
      if (a.log) this.write(a);
      else (hits ??= []).push({ id: a.spec.id, description: a.describe() });
    }
    if (this.anyBuiltin) hits = this.checkBuiltins(hits);
    return hits;
  }

  /** Whether a phase breakpoint is set: Continue then looks at each phase of each step. */
  get hasPhases(): boolean {
    return this.phased.length > 0;
  }

  /**
   * The phase breakpoints of `phase` that fire at the state now (the step's parameters before its
   * update, evaluated): what breaks, or null; a logpoint among them writes instead.
   */
  checkPhase(phase: Phase): BreakpointHit[] | null {
    let hits: BreakpointHit[] | null = null;
    for (let i = 0; i < this.phased.length; i++) {
      const a = this.phased[i];
      if (!samePhase(a.phase!, phase) || !a.fires()) continue;
      a.hits++;
      if (!a.breaks(a.hits)) continue;
      if (a.log) this.write(a);
      else (hits ??= []).push({ id: a.spec.id, description: a.describe() });
    }
    return hits;
  }

  /** What logpoints wrote since the last call (in step order), and how many lines past LOG_LINES_KEPT were dropped. */
  takeLogs(): { lines: LogLine[]; dropped: number } | null {
    if (this.logs.length === 0 && this.logsDropped === 0) return null;
    const taken = { lines: this.logs, dropped: this.logsDropped };
    this.logs = [];
    this.logsDropped = 0;
    return taken;
  }

  private write(a: Armed): void {
    if (this.logs.length >= LOG_LINES_KEPT) { this.logsDropped++; return; }
    if (a.logReads) this.options.refresh?.();
    this.logs.push({ id: a.spec.id, step: this.state.scalars.step, text: a.log!() });
  }

  // ---- the person's breakpoints ---------------------------------------------------------------

  /** The breakpoint `spec` ready to check; a logpoint writes its message where it would break. */
  private arm(spec: BreakpointSpec): Armed {
    const armed = this.armKind(spec);
    if (spec.logMessage === undefined) return armed;
    let message;
    try {
      message = compileLogMessage(spec.logMessage, this.network, this.state);
    } catch (e) {
      if (e instanceof ExpressionError) throw new BreakpointError(`log message, ${e.describe()}`);
      throw e;
    }
    const early = armed.phase ? notYetComputed(this.network, message.names, armed.phase) : null;
    if (early) throw new BreakpointError(`log message: ${early}`);
    // With a refresh, the message's needs are met where it writes (every 100 steps costs one
    // evaluation in a hundred); without one, every step meets them.
    const lazy = this.options.refresh !== undefined;
    return {
      ...armed,
      log: message.render,
      logReads: message.needsEvaluation || message.needsValidation || message.needsTraining,
      needsEvaluation: armed.needsEvaluation || (!lazy && message.needsEvaluation),
      needsValidation: armed.needsValidation || (!lazy && message.needsValidation),
      needsTraining: armed.needsTraining || (!lazy && message.needsTraining),
    };
  }

  private armKind(spec: BreakpointSpec): Armed {
    const breaks = parseHitCondition(spec.hitCondition);
    if (typeof breaks === 'string') throw new BreakpointError(breaks);
    const s = this.state.scalars;
    const base = { spec, breaks, hits: 0, prime: () => undefined, needsEvaluation: false, needsValidation: false, needsTraining: false };
    switch (spec.kind) {
      case 'step': {
        if (!Number.isSafeInteger(spec.step) || spec.step < 1) throw new BreakpointError(`a step breakpoint needs a step number of 1 or more, not ${spec.step}`);
        const at = spec.step;
        return { ...base, fires: () => s.step === at, describe: () => `breakpoint \`step ${at}\` hit` };
      }
      case 'every': {
        if (!Number.isSafeInteger(spec.every) || spec.every < 1) throw new BreakpointError(`every N steps needs N of 1 or more, not ${spec.every}`);
        const n = spec.every;
        return { ...base, fires: () => s.step > 0 && s.step % n === 0, describe: () => `breakpoint \`every ${plural(n, 'step')}\` hit` };
      }
      case 'condition': {
        const compiled: Compiled = compileExpression(spec.expression, this.network, this.state);
        let before = false;
        const holds = (): boolean => truthy(compiled.evaluate());
        return {
          ...base,
          needsEvaluation: compiled.needsEvaluation,
          needsValidation: compiled.needsValidation,
          needsTraining: compiled.needsTraining,
          holds,
          prime: () => { before = holds(); },
          // While true: every step it holds. Otherwise: when it becomes true (false at the state before).
          fires: spec.whileTrue ? holds : () => { const now = holds(); const became = now && !before; before = now; return became; },
          describe: () => `breakpoint \`${spec.whileTrue ? `while ${spec.expression}` : spec.expression}\` hit`,
        };
      }
      case 'phase': {
        const phase = spec.phase;
        if (!phasesOf(this.network).some((p) => samePhase(p, phase))) throw new BreakpointError(`this network's step has no ${phaseWords(phase)} (it has ${this.network.layers.length} layer${this.network.layers.length === 1 ? '' : 's'})`);
        const compiled = spec.expression !== undefined ? compileExpression(spec.expression, this.network, this.state) : null;
        if (compiled) {
          const early = notYetComputed(this.network, compiled.names, phase);
          if (early) throw new BreakpointError(early);
        }
        return {
          ...base,
          phase,
          needsValidation: compiled?.needsValidation ?? false,
          needsTraining: compiled?.needsTraining ?? false,
          fires: compiled ? () => truthy(compiled.evaluate()) : () => true,
          describe: () => `breakpoint \`${describeBreakpoint(spec)}\` hit`,
        };
      }
      case 'watch': {
        const p = findParameter(this.network, spec.parameter);
        if (!p) throw new BreakpointError(`unknown parameter '${spec.parameter}'`);
        const params = this.state.params;
        const i = p.index;
        const c = spec.value ?? 0;
        if (spec.watch !== 'sign' && !Number.isFinite(spec.value)) throw new BreakpointError(`watching ${spec.parameter} for '${spec.watch}' needs a value`);
        let before = params[i];
        let from = before;
        const fires = spec.watch === 'move'
          ? () => { const now = params[i]; from = before; before = now; return Math.abs(now - from) > c; }
          : () => {
            const now = params[i];
            const level = spec.watch === 'sign' ? 0 : c;
            from = before;
            before = now;
            return (from < level && now >= level) || (from > level && now <= level) || (from === level && now !== level);
          };
        return {
          ...base,
          prime: () => { before = params[i]; },
          fires,
          describe: () => `${describeBreakpoint(spec)} (${fmt(from)} -> ${fmt(params[i])})`,
        };
      }
    }
  }

  // ---- built-in conditions --------------------------------------------------------------------

  private fire(hits: BreakpointHit[] | null, kind: BuiltinKind, description: string): BreakpointHit[] {
    this.builtinHits.set(kind, (this.builtinHits.get(kind) ?? 0) + 1);
    (hits ??= []).push({ id: kind, description });
    return hits;
  }

  private checkBuiltins(hits: BreakpointHit[] | null): BreakpointHit[] | null {
    const b = this.builtins;
    const s = this.state;
    const loss = s.scalars.loss;
    if (b.nan.enabled) {
      const where = this.notFinite();
      if (where) hits = this.fire(hits, 'nan', `${where} is not a finite number`);
    }
    if (b.lossUp.enabled && Number.isFinite(loss) && Number.isFinite(this.previousLoss)) {
      const rise = b.lossUp.threshold ?? 0;
      if (loss > this.previousLoss + Math.abs(this.previousLoss) * rise) hits = this.fire(hits, 'lossUp', `the loss went up (${fmt(this.previousLoss)} -> ${fmt(loss)})`);
    }
    if (b.plateau.enabled && Number.isFinite(loss)) {
      if (loss < this.bestLoss) { this.bestLoss = loss; this.bestStep = s.scalars.step; }
      const n = b.plateau.threshold ?? 100;
      if (s.scalars.step - this.bestStep >= n) {
        hits = this.fire(hits, 'plateau', `the loss has not gone below ${fmt(this.bestLoss)} for ${plural(n, 'step')}`);
        this.bestStep = s.scalars.step;
      }
    }
    const val = s.scalars.valLoss;
    if (b.overfit.enabled && Number.isFinite(val) && Number.isFinite(this.previousValLoss)) {
      // SageMaker Debugger's Overfit: the two losses part ways for a stretch, not for one noisy step.
      this.overfitFor = val > this.previousValLoss && loss < this.previousLoss ? this.overfitFor + 1 : 0;
      const n = b.overfit.threshold ?? 10;
      if (this.overfitFor >= n) {
        hits = this.fire(hits, 'overfit', `the validation loss rose while the training loss fell for ${plural(n, 'step')} (validation ${fmt(val)}, training ${fmt(loss)})`);
        this.overfitFor = 0;
      }
    }
    if (b.overtraining.enabled && Number.isFinite(val)) {
      const epoch = s.scalars.epoch;
      if (val < this.bestValLoss) { this.bestValLoss = val; this.bestValEpoch = epoch; }
      const n = b.overtraining.threshold ?? 5;
      if (epoch - this.bestValEpoch >= n) {
        hits = this.fire(hits, 'overtraining', `the validation loss has not gone below ${fmt(this.bestValLoss)} for ${plural(n, 'epoch')}`);
        this.bestValEpoch = epoch;
      }
    }
    this.previousValLoss = val;
    if (b.deadRelu.enabled) {
      const dead = this.deadUnits();
      if (dead > this.unitCount.dead) hits = this.fire(hits, 'deadRelu', `${this.deadDescription()} is dead: it outputs 0 for every sample`);
      this.unitCount.dead = dead;
    }
    if (b.saturated.enabled) {
      const saturated = this.saturatedUnits();
      if (saturated > this.unitCount.saturated) hits = this.fire(hits, 'saturated', `${saturated} sigmoid or tanh unit${saturated === 1 ? ' is' : 's are'} saturated (slope below ${fmt(b.saturated.threshold ?? 1e-7)} for most samples)`);
      this.unitCount.saturated = saturated;
    }
    if (b.vanishing.enabled || b.exploding.enabled || b.updateRatio.enabled) hits = this.checkLayers(hits);
    if (b.stalled.enabled) {
      const { trainable } = this.network.training;
      const t = b.stalled.threshold ?? 1e-10;
      const n = b.stalled.threshold2 ?? 100;
      for (let i = 0; i < s.params.length; i++) {
        if (trainable[i] === 0) continue;
        if (Math.abs(s.params[i] - this.previousParams[i]) < t) {
          if (++this.stalledFor[i] === n) hits = this.fire(hits, 'stalled', `${this.network.parameters[i].name} has moved by less than ${fmt(t)} per step for ${plural(n, 'step')}`);
        } else this.stalledFor[i] = 0;
      }
    }
    this.previousLoss = loss;
    if (b.stalled.enabled || b.updateRatio.enabled) this.previousParams.set(s.params);
    return hits;
  }

  /**
   * The first value that is not a finite number, in the order the step computed them, named with
   * where it came from; or null. The parameters came from the last update; then the forward pass
   * layer by layer (a unit's value, for a sample), the loss, and the backward pass's gradients.
   */
  private notFinite(): string | null {
    const s = this.state;
    const net = this.network;
    for (let i = 0; i < s.params.length; i++) if (!Number.isFinite(s.params[i])) return `${net.parameters[i].name} (${fmt(s.params[i])}, from the last update)`;
    for (let l = 0; l < s.y.length; l++) {
      const y = s.y[l];
      const units = net.layers[l].units;
      for (let i = 0; i < y.length; i++) {
        if (!Number.isFinite(y[i])) return `the value of unit ${(i % units) + 1} of layer ${l + 1} for sample ${Math.floor(i / units) + 1} (${fmt(y[i])}, in the forward pass)`;
      }
    }
    if (!Number.isFinite(s.scalars.loss)) return `the loss (${fmt(s.scalars.loss)})`;
    for (let i = 0; i < s.gradients.length; i++) if (!Number.isFinite(s.gradients[i])) return `d${net.parameters[i].name} (${fmt(s.gradients[i])}, in the backward pass)`;
    return null;
  }

  /** ReLU units that output 0 for every sample. */
  private deadUnits(): number {
    let dead = 0;
    const layers = this.network.layers;
    for (let l = 0; l < layers.length; l++) for (let j = 0; j < layers[l].units; j++) if (isDead(this.network, this.state.y, l, j)) dead++;
    return dead;
  }

  private deadDescription(): string {
    for (let l = this.network.layers.length - 1; l >= 0; l--) {
      for (let j = 0; j < this.network.layers[l].units; j++) if (isDead(this.network, this.state.y, l, j)) return `unit ${j + 1} of layer ${l + 1} (ReLU)`;
    }
    return 'a ReLU unit';
  }

  /** Sigmoid or tanh units whose slope is below the threshold for more than the share of samples. */
  private saturatedUnits(): number {
    const { threshold = 1e-7, threshold2 = 0.5 } = this.builtins.saturated;
    let count = 0;
    const layers = this.network.layers;
    for (let l = 0; l < layers.length; l++) for (let j = 0; j < layers[l].units; j++) if (isSaturated(this.network, this.state.y, l, j, threshold, threshold2)) count++;
    return count;
  }

  /**
   * Per layer: mean |gradient| against the vanishing and exploding thresholds, and the update's
   * size against the weights' (‖Δw‖ / ‖w‖, as SageMaker Debugger's weight-update-ratio rule reads
   * it). Each fires when a layer newly crosses (flags remember the last state).
   */
  private checkLayers(hits: BreakpointHit[] | null): BreakpointHit[] | null {
    const b = this.builtins;
    const layers = this.network.layers;
    for (let l = 0; l < layers.length; l++) {
      this.layerStats(l);
      const mean = this.stats[0];
      const ratio = this.stats[1];
      if (b.vanishing.enabled && this.flag(l, 0, mean < (b.vanishing.threshold ?? 1e-7))) hits = this.fire(hits, 'vanishing', `layer ${l + 1}'s gradients vanish (mean |gradient| ${fmt(mean)})`);
      if (b.exploding.enabled && this.flag(l, 1, mean > (b.exploding.threshold ?? 1e3))) hits = this.fire(hits, 'exploding', `layer ${l + 1}'s gradients explode (mean |gradient| ${fmt(mean)})`);
      if (b.updateRatio.enabled && ratio === ratio) {
        if (this.flag(l, 2, ratio > (b.updateRatio.threshold2 ?? 1))) hits = this.fire(hits, 'updateRatio', `layer ${l + 1}'s weights moved by ${fmt(ratio)} of their size in one step`);
        if (this.flag(l, 3, ratio < (b.updateRatio.threshold ?? 1e-7))) hits = this.fire(hits, 'updateRatio', `layer ${l + 1}'s weights barely move (by ${fmt(ratio)} of their size in one step)`);
      }
    }
    return hits;
  }

  /** Sets flag k of layer l; whether it just turned on. */
  private flag(l: number, k: number, on: boolean): boolean {
    const was = this.layerFlags[l * 4 + k] === 1;
    this.layerFlags[l * 4 + k] = on ? 1 : 0;
    return on && !was;
  }

  /** Sets the gradient flags from the state now, so only a new crossing fires. */
  private markLayers(): void {
    const b = this.builtins;
    for (let l = 0; l < this.network.layers.length; l++) {
      this.layerStats(l);
      this.layerFlags[l * 4] = this.stats[0] < (b.vanishing.threshold ?? 1e-7) ? 1 : 0;
      this.layerFlags[l * 4 + 1] = this.stats[0] > (b.exploding.threshold ?? 1e3) ? 1 : 0;
    }
  }

  /** Layer l's mean |gradient| (weights and biases) and ‖Δw‖ / ‖w‖ since the last state (NaN with no weights) into `stats`. */
  private layerStats(l: number): void {
    const layer = this.network.layers[l];
    const s = this.state;
    const previous = this.previousParams;
    let sum = 0;
    let moved = 0;
    let size = 0;
    const w0 = layer.weightOffset;
    const w1 = w0 + layer.units * layer.inputs;
    for (let i = w0; i < w1; i++) {
      sum += Math.abs(s.gradients[i]);
      const d = s.params[i] - previous[i];
      moved += d * d;
      size += previous[i] * previous[i];
    }
    for (let i = layer.biasOffset; i < layer.biasOffset + layer.units; i++) sum += Math.abs(s.gradients[i]);
    this.stats[0] = sum / (w1 - w0 + layer.units);
    this.stats[1] = size > 0 ? Math.sqrt(moved / size) : NaN;
  }
}

class BreakpointError extends Error {}

const fmt = (v: number): string => formatNumber(v, { digits: 4 });

/** What a built-in condition does, with its thresholds filled in: for lists and the CLI's help. */
export function explainBuiltin(kind: BuiltinKind, setting: { threshold?: number; threshold2?: number }): string {
  const info = BUILTINS[kind];
  return info.explains.replace('{t}', fmt(setting.threshold ?? info.threshold?.default ?? 0)).replace('{t2}', fmt(setting.threshold2 ?? info.threshold2?.default ?? 0));
}

/** What the Breakpoints list shows: the breakpoints, their statuses, their labels, and the built-ins explained. */
export function breakpointsView(specs: BreakpointSpec[], builtins: BuiltinSettings, statuses: BreakpointStatus[]): BreakpointsView {
  return {
    specs, builtins, statuses,
    labels: Object.fromEntries(specs.map((s) => [s.id, describeBreakpoint(s)])),
    catalog: BUILTIN_KINDS.map((kind) => ({ kind, info: BUILTINS[kind], explains: explainBuiltin(kind, builtins[kind]) })),
  };
}

/**
 * Why a condition or a log message on a phase names a value the step has not computed by then, or
 * null: the loss is computed in the loss phase, a layer's gradients in its backward phase, a layer's
 * unit values in its forward phase (the parameters, and the scalars of the step before, are there
 * from the start).
 */
function notYetComputed(network: Network, names: readonly string[], phase: Phase): string | null {
  const layers = network.layers.length;
  const order = (p: Phase): number => phasesOf(network).findIndex((q) => samePhase(q, p));
  const at = order(phase);
  const where = `at ${phaseWords(phase)}`;
  for (const name of names) {
    if (name === 'loss' && at < order({ kind: 'loss' })) return `${where} the loss is not computed yet: it is, from the loss phase on (at loss)`;
    const gradient = /^d([wb][1-9]\d*)$/.exec(name);
    const group = /^(d?)([WBXY])([1-9]\d*)(?:\[\d+\])?$/.exec(name);
    let layer = 0;
    let kind: 'gradient' | 'units' | null = null;
    if (gradient) { layer = findParameter(network, gradient[1])?.layer ?? 0; kind = 'gradient'; }
    else if (group && group[1] === 'd') { layer = Number(group[3]); kind = 'gradient'; }
    else if (group && (group[2] === 'X' || group[2] === 'Y')) { layer = Number(group[3]); kind = 'units'; }
    else if (['gradientNorm', 'updateRatio', 'sharpness'].includes(name)) { layer = 1; kind = 'gradient'; }
    if (kind === 'gradient' && layer >= 1 && layer <= layers && at < order({ kind: 'backward', layer })) return `${where} ${name} is not computed yet: the backward pass reaches layer ${layer} later (at backward ${layer})`;
    if (kind === 'units' && layer >= 1 && layer <= layers && at < order({ kind: 'forward', layer })) return `${where} ${name} is not computed yet: the forward pass reaches layer ${layer} later (at forward ${layer})`;
  }
  return null;
}
