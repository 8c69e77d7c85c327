/**
 * What the worker sends to show a run, as types (and the one limit that sizes a frame): the
 * structure, the frames, the explanations and unit values. Pure and free of schemas, so the worker's
 * bundle carries neither valibot nor the webview's messages (src/protocol.ts re-exports these for
 * the page, which imports types only).
 */
import type { Explanation, ParameterKind, StopReason, Activation, Loss, Normalization, OptimizerType } from '../core';
import type { BreakpointStatus } from './breakpointTypes';
import type { Phase } from './stepper';
import type { Activity, Stop } from './training';
import type { Packed } from './packing';

/** A parameter as the graph and the cards need it: where it is, and its value and gradient now. */
export interface ParamView {
  name: string;
  kind: ParameterKind;
  /** Layer from 1; unit and input from 0 (input -1 for a bias). */
  layer: number;
  unit: number;
  input: number;
  value: number;
  /** dLoss/dparameter at the current state. */
  gradient: number;
  trainable: boolean;
}

/** One unit's values for every sample: StatQuest's x_{j,i} (into the activation) and y_{j,i} (out of it). */
export interface UnitView {
  /** 0 for the inputs, then 1.. for the layers. */
  layer: number;
  unit: number;
  x: number[];
  y: number[];
}

export interface ExplanationView extends Explanation {
  /** The step whose state this explains: a card says so when it is not the step shown. */
  step: number;
  /** Central finite-difference estimate of the same derivative: the independent check. */
  finiteDifference: number;
  learningRate: number;
  trainable: boolean;
  /** The value after the next update (value - learningRate x derivative in plain gradient descent; the value itself when not trainable). */
  nextValue: number;
  /** The next update as the optimizer makes it, written out (docs/training.md); absent in plain gradient descent. */
  update?: UpdateView;
}

export interface UpdateView {
  optimizer: OptimizerType;
  /** The rule in one line, e.g. "m = β1 × m + (1 − β1) × g; ...". */
  rule: string;
  /** Each quantity with its number at this update. */
  terms: { label: string; value: number }[];
  /** What plain gradient descent would take: learning rate × derivative. */
  plainStep: number;
  /** The factor clipping scales the gradient by (1 when it does not clip). */
  clipScale: number;
}

/** A parameter's place and whether it trains: sent with the structure, not with every frame. */
export type ParamInfo = Omit<ParamView, 'value' | 'gradient'>;

/**
 * What does not change while training runs: names, shape, data, parameter places. Sent when a
 * network is loaded (or its training settings change), never with each frame.
 */
export interface NetworkStructure {
  name: string;
  description: string;
  /** The notation the file asks to be read in (`"notation"`), null for the default. */
  notation: 'statquest' | '3b1b' | null;
  /** The first layer's inputs: the file's input columns, or its features as shown (x1², sin(x1)). */
  inputs: string[];
  /** With `features`: the input columns they are computed from, and each feature as written. */
  features?: { columns: string[]; sources: string[] } | null;
  outputs: string[];
  layers: { units: number; activation: Activation }[];
  loss: Loss;
  /** SSR, MSE or CE: the name the loss goes by in formulas. */
  lossSymbol: string;
  learningRate: number;
  maxSteps: number;
  samples: number;
  /** How it trains, in a line ("Adam (learning rate 0.01), batches of 2 shuffled (seed 0)"). */
  trainingRule: string;
  /** The optimizer's buffers per parameter, named as conditions read them (m, v, velocity, ...); none for plain gradient descent. */
  optimizerBuffers: string[];
  /** Samples held out for validation (0 without a validation set). */
  validationSamples: number;
  /** Full batch, plain gradient descent, nothing added, no validation set: StatQuest's training. */
  plainTraining: boolean;
  /** How the inputs are rescaled before the first layer (`normalize`), or null; `data` is after it. */
  normalization: Normalization | null;
  /** Every parameter's explanation follows each stop (a teaching network's are cheap): the page builds every card from them. */
  explainedAtStops: boolean;
  /** [samples][inputs] and [samples][outputs]. */
  data: { inputs: number[][]; targets: number[][] };
  /** The class each output stands for, when the data file's targets were class labels (a card names a sample's class). */
  classes?: string[];
  params: ParamInfo[];
}

/**
 * What changes as training runs: the step, the loss, the parameters, the stop. Values travel
 * exactly for networks up to EXACT_FRAME_LIMIT parameters; past that, biases exactly and each
 * weight as a byte (its sign and a square-root-scaled magnitude: what the graph draws), and exact
 * numbers for what is asked for (a card).
 */
export interface TrainingFrame {
  step: number;
  loss: number;
  running: boolean;
  phase: Phase | null;
  /**
   * Inside a step (Step Into), how far it has got: layers 1..unitsThrough have their unit values,
   * layers gradientsFrom..L their gradients. Null at a step's boundary, where all are computed.
   */
  progress: { unitsThrough: number; gradientsFrom: number } | null;
  /** The last stop (null while Continue runs). */
  stop: Stop | null;
  /** What is under way (Continue, Go to Step, Step Back, Reverse Continue) and how far it has got; null when stopped. */
  activity: Activity | null;
  /** Why training last stopped by a rule, if one fired. */
  stopReason: StopReason | null;
  /** The earliest step Step Back can reach. */
  earliest: number;
  /** The furthest step trained so far: steps earliest..latest are kept; Go to Step beyond trains on. */
  latest: number;
  values: number[] | null;
  gradients: number[] | null;
  biases?: { values: number[]; gradients: number[] };
  /** Base64 of one signed byte per weight: sign x round(127 x sqrt(|v| / largest)). */
  weightStyles?: { values: string; gradients: string; largestValue: number; largestGradient: number };
  /** Every unit's x and y, when few enough; otherwise a card asks for its unit. */
  units: UnitView[] | null;
  /** With batches, the samples (from 1) of the batch the next step trains on; absent in full batch. */
  batch?: number[];
  /**
   * Which frame this is (the worker counts them): the explanations of a stop say which frame they
   * explain. A stop's frame is light, so the page shows the stop at once; every explanation, when
   * they are cheap, follows in an `explained` message of its own.
   */
  seq: number;
  /** Each breakpoint's status and hit count. */
  breakpoints: BreakpointStatus[];
  /** The control this frame answers, and when it went through each hop (see ControlTiming). */
  timing?: ControlTiming;
}

/**
 * When a person's control went through each hop on its way to the page again, in epoch
 * milliseconds (the page, the extension host and the worker share the machine's clock): carried by
 * the frame that answers it, for measuring where the time goes (`npm run bench`), never for
 * deciding anything.
 */
export interface ControlTiming {
  /** The page's click (or key) event. */
  clicked?: number;
  /** The page posted the control (after the click's handler ran). */
  pageSent?: number;
  /** The extension host read the page's message. */
  hostReceived?: number;
  /** The worker read the host's request. */
  workerReceived?: number;
  /** The worker had its answer: the stop, or what it started. */
  workerAnswered?: number;
  /** The host had the worker's frame. */
  hostHad?: number;
  /** The host posted it to the page. */
  hostPosted?: number;
}

/**
 * Explanations the worker sends unasked, all at one step: the parameters the pages show (pinned,
 * hovered), or every parameter's for the stopped frame `seq` (a teaching network's, right after its
 * stop), packed (see packing.ts: their terms share a few shapes, and the numbers travel as bytes).
 */
export type Explained =
  | { kind: 'watched'; step: number; explanations: Record<string, ExplanationView> }
  | { kind: 'stop'; step: number; seq: number; packed: PackedExplanations };

/** Every explanation of a stop, packed: all but the terms as they are, the terms of all of them packed together. */
export interface PackedExplanations {
  heads: Record<string, Omit<ExplanationView, 'terms'> & { terms: [from: number, count: number] }>;
  terms: Packed;
}

/** At most this many parameters travel exactly in every frame (a 20,000-parameter frame is about 0.8 MB of JSON). */
export const EXACT_FRAME_LIMIT = 20_000;

/**
 * The view model the webview draws: the structure and the latest frame, put together. The webview
 * builds it (see `modelOf`); the host's tests and the bench use it too.
 */
export interface NetworkModel extends Omit<NetworkStructure, 'params' | 'maxSteps'> {
  lossValue: number;
  step: number;
  training: { running: boolean; stopReason: StopReason | null; earliest: number; maxSteps: number };
  phase: Phase | null;
  progress: TrainingFrame['progress'];
  stop: Stop | null;
  params: ParamView[];
  units: UnitView[];
  /** Whether the weights' values are the frame's bytes, not exact numbers (large networks). */
  approximate: boolean;
  explanations: Record<string, ExplanationView> | null;
  /** With batches, the samples (from 1) of the batch the next step trains on; null in full batch. */
  batch: number[] | null;
}

