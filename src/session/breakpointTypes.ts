/**
 * What a breakpoint is, as every front-end says it: the network editor's list, VS Code's debugger,
 * the CLI. Plain data (it crosses to the worker and the webview), no behaviour: that is in
 * breakpoints.ts, which runs in the worker.
 */
import { plural } from '../core/numbers';
import type { Phase } from './stepper';

/** A phase as a breakpoint names it: `forward 2`, `loss`, `backward 1`, `update`. */
export function phaseWords(phase: Phase): string {
  return 'layer' in phase ? `${phase.kind} ${phase.layer}` : phase.kind;
}

/**
 * A breakpoint of the person's: at a step, every N steps, on a condition, or on a watched
 * parameter (its schema, which validates breakpoints arriving from a webview, VS Code's debugger
 * or the workspace's storage, is in breakpointSchemas.ts and is checked against this type there).
 * `hitCondition`: break on the Nth hit ("5"), from the Nth on (">= 5"), or every Nth ("% 5");
 * every hit breaks when it is absent.
 */
export type BreakpointSpec = {
  id: string;
  enabled: boolean;
  hitCondition?: string;
  /**
   * A logpoint: where it would break, it writes this message instead (its `{expression}` parts
   * evaluated there: see logMessage.ts) and training goes on.
   */
  logMessage?: string;
} & (
  | { kind: 'step'; step: number }
  | { kind: 'every'; every: number }
  /**
   * An expression of the breakpoint language (docs/debugging.md); breaks when it becomes true, or,
   * with `whileTrue`, at every step it holds (typed `while loss < 0.7`).
   */
  | { kind: 'condition'; expression: string; whileTrue?: boolean }
  /** A data breakpoint on one parameter: it changes sign, crosses `value`, or moves by more than `value` in one step. */
  | { kind: 'watch'; parameter: string; watch: 'sign' | 'cross' | 'move'; value?: number }
  /**
   * A phase of each step (a layer's line, the loss line): stops when Continue reaches it, inside the
   * step, as Step Into shows it (typed `at forward 2`, `at loss if loss < 0.5`); with `expression`,
   * only where it holds.
   */
  | { kind: 'phase'; phase: Phase; expression?: string }
);

export type BreakpointKind = BreakpointSpec['kind'];

/** The conditions a person switches on, after SageMaker Debugger's rules and TensorBoard's debugger. */
export const BUILTIN_KINDS = ['nan', 'lossUp', 'plateau', 'overfit', 'overtraining', 'deadRelu', 'saturated', 'vanishing', 'exploding', 'updateRatio', 'stalled', 'converged'] as const;
export type BuiltinKind = (typeof BUILTIN_KINDS)[number];

/** A built-in condition's switch and thresholds. */
export interface BuiltinSetting {
  enabled: boolean;
  /** The main threshold (its meaning is the condition's: see BUILTINS). */
  threshold?: number;
  /** A second threshold, where the condition has one. */
  threshold2?: number;
}
export type BuiltinSettings = Record<BuiltinKind, BuiltinSetting>;

export interface BuiltinInfo {
  title: string;
  /** What the thresholds mean, in a sentence with {t} and {t2} for their values. */
  explains: string;
  threshold?: { label: string; default: number };
  threshold2?: { label: string; default: number };
  /** On unless the person switches it off. */
  onByDefault: boolean;
}

/** Every built-in condition, its thresholds and their defaults: the one list the UI, the CLI and the docs read. */
export const BUILTINS: Record<BuiltinKind, BuiltinInfo> = {
  nan: { title: 'NaN or Infinity', explains: 'the loss, a parameter, a gradient or a unit value stops being a finite number', onByDefault: false },
  lossUp: { title: 'Loss went up', explains: 'the loss rose by more than {t} (relative) in one step', threshold: { label: 'relative rise', default: 0 }, onByDefault: false },
  plateau: { title: 'Loss stopped decreasing', explains: 'the loss has not reached a new low for {t} steps', threshold: { label: 'steps', default: 100 }, onByDefault: false },
  overfit: { title: 'Overfit', explains: 'the validation loss rose while the training loss fell, step after step, for {t} steps (needs a validation set)', threshold: { label: 'steps', default: 10 }, onByDefault: false },
  overtraining: { title: 'Overtraining', explains: 'the validation loss has not reached a new low for {t} epochs (needs a validation set)', threshold: { label: 'epochs', default: 5 }, onByDefault: false },
  deadRelu: { title: 'Dead ReLU', explains: 'a ReLU unit outputs 0 for every sample (its gradient is 0: it cannot learn)', onByDefault: false },
  saturated: { title: 'Saturated units', explains: "a sigmoid or tanh unit's slope is below {t} for more than {t2} of the samples", threshold: { label: 'slope', default: 1e-7 }, threshold2: { label: 'share of samples', default: 0.5 }, onByDefault: false },
  vanishing: { title: 'Vanishing gradients', explains: "a layer's mean |gradient| is below {t}", threshold: { label: 'mean |gradient|', default: 1e-7 }, onByDefault: false },
  exploding: { title: 'Exploding gradients', explains: "a layer's mean |gradient| is above {t}", threshold: { label: 'mean |gradient|', default: 1e3 }, onByDefault: false },
  updateRatio: { title: 'Update too large or too small', explains: "a layer's weights move by more than {t2} or less than {t} of their size in one step (‖Δw‖ / ‖w‖)", threshold: { label: 'smallest ratio', default: 1e-7 }, threshold2: { label: 'largest ratio', default: 1 }, onByDefault: false },
  stalled: { title: 'Parameters stopped changing', explains: 'a trainable parameter has moved by less than {t} per step for {t2} steps', threshold: { label: 'step size', default: 1e-10 }, threshold2: { label: 'steps', default: 100 }, onByDefault: false },
  converged: { title: 'Converged', explains: "no parameter moved by the file's minStepSize in the last step", onByDefault: true },
};

export function defaultBuiltins(): BuiltinSettings {
  const settings = {} as BuiltinSettings;
  for (const kind of BUILTIN_KINDS) {
    const info = BUILTINS[kind];
    settings[kind] = { enabled: info.onByDefault, threshold: info.threshold?.default, threshold2: info.threshold2?.default };
  }
  return settings;
}

/** A breakpoint's state after it was set: whether it can work (its error, at a column, if not) and its hits. */
export interface BreakpointStatus {
  id: string;
  verified: boolean;
  /** Why it cannot work: "column 10: expected a number after '0.'" or "unknown name 'dw9' (did you mean dw3?)". */
  message?: string;
  /** The column (from 1) of the problem in what was typed. */
  column?: number;
  hits: number;
  /**
   * A condition that holds at the state shown: one that breaks when it becomes true will not stop
   * until it has stopped holding first (the list says so, and offers to stop while it holds).
   */
  trueNow?: boolean;
}

/** A line a logpoint wrote: which logpoint, at which step, and what it said. */
export interface LogLine {
  id: string;
  step: number;
  text: string;
}

/** A breakpoint that fired: which, and a sentence saying what happened. */
export interface BreakpointHit {
  /** A breakpoint's id, or a built-in condition's kind. */
  id: string;
  /** "breakpoint `abs(dw1) > 10` hit", "the loss went up (0.412 -> 0.530)". */
  description: string;
}

/** How a breakpoint reads in a list: "step 175", "every 50 steps", "abs(dw1) > 10", "w3 changes sign". */
export function describeBreakpoint(b: BreakpointSpec): string {
  switch (b.kind) {
    case 'step': return `step ${b.step}`;
    case 'every': return `every ${plural(b.every, 'step')}`;
    case 'condition': return b.whileTrue ? `while ${b.expression}` : b.expression;
    case 'watch':
      return b.watch === 'sign' ? `${b.parameter} changes sign` : b.watch === 'cross' ? `${b.parameter} crosses ${b.value}` : `${b.parameter} moves by more than ${b.value}`;
    case 'phase': return `at ${phaseWords(b.phase)}${b.expression !== undefined ? ` if ${b.expression}` : ''}`;
  }
}
