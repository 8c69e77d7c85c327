/**
 * The messages between the extension host and the network editor's webview: the one module both
 * sides import. Host -> webview messages are trusted (the host built them); webview -> host
 * messages are validated against their schemas (valibot) before use, because a webview is a web
 * page. Each schema is the message's one definition: its type comes from it.
 *
 * The webview imports this module for types only (a lint rule holds it to that), so neither the
 * schemas nor any training code reach its bundle: nothing in the webview computes a gradient.
 */
import * as v from 'valibot';
import type { Activation, Explanation, Loss, ParameterKind, StopReason } from './core';
import { BreakpointSpecSchema, BuiltinSettingsSchema } from './session/breakpointSchemas';
import type { BreakpointSpec, BreakpointStatus, BuiltinInfo, BuiltinKind, BuiltinSettings } from './session/breakpointTypes';
import type { Phase } from './session/stepper';
import type { Stop } from './session/training';
import { CHART_PANELS, type ChartData } from './session/chartTypes';

export const VIEW_TYPE = 'backprop.networkEditor';

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
  /** Central finite-difference estimate of the same derivative: the independent check. */
  finiteDifference: number;
  learningRate: number;
  trainable: boolean;
  /** value - learningRate x derivative (the value itself when not trainable). */
  nextValue: number;
}

/** The debugger's controls: Step Over, Step Into, Step Out, Continue, Pause, Step Back, Reverse Continue, Restart. */
export const TRAINING_ACTIONS = ['step', 'stepInto', 'stepOut', 'continue', 'pause', 'stepBack', 'reverseContinue', 'reset'] as const;
export type TrainingAction = (typeof TRAINING_ACTIONS)[number];

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
  inputs: string[];
  outputs: string[];
  layers: { units: number; activation: Activation }[];
  loss: Loss;
  /** SSR, MSE or CE: the name the loss goes by in formulas. */
  lossSymbol: string;
  learningRate: number;
  maxSteps: number;
  samples: number;
  /** [samples][inputs] and [samples][outputs]. */
  data: { inputs: number[][]; targets: number[][] };
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
  /** Why training last stopped by a rule, if one fired. */
  stopReason: StopReason | null;
  /** The earliest step Step Back can reach. */
  earliest: number;
  values: number[] | null;
  gradients: number[] | null;
  biases?: { values: number[]; gradients: number[] };
  /** Base64 of one signed byte per weight: sign x round(127 x sqrt(|v| / largest)). */
  weightStyles?: { values: string; gradients: string; largestValue: number; largestGradient: number };
  /** Every unit's x and y, when few enough; otherwise a card asks for its unit. */
  units: UnitView[] | null;
  /** Every parameter's explanation, when stopped and cheap enough; otherwise a card asks for its own. */
  explanations: Record<string, ExplanationView> | null;
  /** Each breakpoint's status and hit count. */
  breakpoints: BreakpointStatus[];
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
}

export interface FileProblem {
  message: string;
  line: number;
  column: number;
  offset: number;
  length: number;
}

const ParameterName = v.pipe(v.string(), v.regex(/^[wb][1-9][0-9]{0,8}$/));

const ChartPanelSchema = v.picklist(CHART_PANELS);

const ViewStateSchema = v.strictObject({
  mode: v.picklist(['weights', 'gradients']),
  notation: v.picklist(['statquest', '3b1b']),
  pinned: v.nullable(ParameterName),
  /**
   * The chart strip: which panels are open, where the strip sits (under the graph or beside it),
   * its size in CSS pixels, and the second parameter of the contour map. Optional: views stored
   * before the charts existed have none.
   */
  charts: v.optional(v.strictObject({
    open: v.pipe(v.array(ChartPanelSchema), v.maxLength(CHART_PANELS.length)),
    place: v.picklist(['below', 'beside']),
    size: v.pipe(v.number(), v.minValue(80), v.maxValue(4000)),
    second: v.nullable(ParameterName),
    logScale: v.boolean(),
  })),
});
/** How a person has set up the view; kept by the host too, since a reload may drop webview state. */
export type ViewState = v.InferOutput<typeof ViewStateSchema>;

/**
 * The breakpoints of a document and their state, as the list shows them, with what the page needs
 * to say them (it imports no code from the extension): each breakpoint's label, and the built-in
 * conditions' titles and thresholds.
 */
export interface BreakpointsView {
  specs: BreakpointSpec[];
  builtins: BuiltinSettings;
  statuses: BreakpointStatus[];
  labels: Record<string, string>;
  catalog: { kind: BuiltinKind; info: BuiltinInfo; explains: string }[];
}

export type HostMessage =
  /** Sent before the first structure, when the host remembers how this document was viewed. */
  | { type: 'viewState'; state: ViewState }
  /** A network was loaded or restarted (`why`: "the data changed"), or its settings changed. */
  | { type: 'structure'; structure: NetworkStructure; why: string | null }
  | { type: 'frame'; frame: TrainingFrame }
  /**
   * Whether the text is a valid network: `problem` null when it is. `notNetwork` when it is not
   * even trying to be one, `empty` when there is no text at all (the page offers to create a
   * network there). The run keeps its last frame meanwhile, paused.
   */
  | { type: 'problem'; problem: FileProblem | null; notNetwork: boolean; empty: boolean }
  | { type: 'explanation'; requestId: number; explanation: ExplanationView | null }
  | { type: 'unit'; requestId: number; unit: UnitView | null }
  /** Pin this parameter's explanation in the inspector (the Explain command, the walkthrough). */
  | { type: 'pin'; parameter: string }
  /** The host has stored this view for the document: it survives a window reload from now on. */
  | { type: 'viewStateSaved'; state: ViewState }
  | { type: 'breakpoints'; breakpoints: BreakpointsView }
  /**
   * What the open chart panels draw: after every stop, and while Continue runs at most four times
   * a second (less when they cost more).
   */
  | { type: 'charts'; charts: ChartData };

/** The largest export a page may send: a PNG of a large chart or a CSV of a long series (characters). */
export const EXPORT_LIMIT = 32 * 1024 * 1024;

const RequestId = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const WebviewMessageSchema = v.variant('type', [
  /** Sent once the page has loaded, and again by a re-created webview: the host answers with what it shows. */
  v.strictObject({ type: v.literal('ready') }),
  v.strictObject({ type: v.literal('explain'), requestId: RequestId, parameter: ParameterName }),
  /** A unit's x and y for every sample (large networks do not send them all). */
  v.strictObject({ type: v.literal('unit'), requestId: RequestId, layer: v.pipe(v.number(), v.safeInteger(), v.minValue(0)), unit: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) }),
  /** Reveal the current problem's position in the text. */
  v.strictObject({ type: v.literal('goToError') }),
  /** Open the document's text beside the graph. */
  v.strictObject({ type: v.literal('openText') }),
  v.strictObject({ type: v.literal('openExample') }),
  /** Fill this (empty) document with a new network, asking for its shape. */
  v.strictObject({ type: v.literal('newNetwork') }),
  /** The view changed (edge mode, notation, pinned parameter): the host remembers it per document. */
  v.strictObject({ type: v.literal('viewState'), state: ViewStateSchema }),
  /** A training control. */
  v.strictObject({ type: v.literal('control'), action: v.picklist(TRAINING_ACTIONS) }),
  /** Go to Step... with the step typed. */
  v.strictObject({ type: v.literal('goTo'), step: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) }),
  /** The whole list of breakpoints as the person edited it, and the built-in conditions. */
  v.strictObject({ type: v.literal('setBreakpoints'), specs: v.pipe(v.array(BreakpointSpecSchema), v.maxLength(500)), builtins: BuiltinSettingsSchema }),
  /** Write Parameters to File. */
  v.strictObject({ type: v.literal('writeParameters') }),
  /** The open chart panels and the selected parameters (one, or two for the contour map): the worker computes what they draw. */
  v.strictObject({
    type: v.literal('charts'),
    panels: v.pipe(v.array(ChartPanelSchema), v.maxLength(CHART_PANELS.length)),
    parameters: v.pipe(v.array(ParameterName), v.maxLength(2), v.check((names) => new Set(names).size === names.length, 'the parameters must differ')),
  }),
  /** Save a chart: its picture (a PNG data URL) or its data (CSV text), through the host's save dialog. */
  v.strictObject({
    type: v.literal('export'),
    format: v.picklist(['png', 'csv']),
    name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/)),
    data: v.pipe(v.string(), v.maxLength(EXPORT_LIMIT)),
  }),
]);
export type WebviewMessage = v.InferOutput<typeof WebviewMessageSchema>;

/** The message if `raw` is exactly one of the WebviewMessage shapes (no extra keys), else undefined. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  const result = v.safeParse(WebviewMessageSchema, raw);
  return result.success ? result.output : undefined;
}
