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
import { BreakpointSpecSchema, BuiltinSettingsSchema } from './session/breakpointSchemas';
import type { BreakpointSpec, BreakpointStatus, BuiltinInfo, BuiltinKind, BuiltinSettings } from './session/breakpointTypes';
import { OPTIMIZER_TYPES } from './core/optimizers';
import { CHART_PANELS, type ChartData, type ChartPanel } from './session/chartTypes';

export const VIEW_TYPE = 'backprop.networkEditor';

/** The debugger's controls: Step Over, Step Into, Step Out, Continue, Pause, Step Back, Reverse Continue, Restart. */
export const TRAINING_ACTIONS = ['step', 'stepInto', 'stepOut', 'continue', 'pause', 'stepBack', 'reverseContinue', 'reset'] as const;
export type TrainingAction = (typeof TRAINING_ACTIONS)[number];

export type { ParamView, UnitView, ExplanationView, UpdateView, ParamInfo, NetworkStructure, TrainingFrame, NetworkModel, Explained } from './session/views';
export { EXACT_FRAME_LIMIT } from './session/views';
import type { Explained, NetworkStructure, TrainingFrame, ExplanationView, UnitView } from './session/views';
import type { ReplyMessage } from './rpc';
import type { BulkPart } from './editor/bulkLane';

export interface FileProblem {
  message: string;
  line: number;
  column: number;
  offset: number;
  length: number;
}

const ParameterName = v.pipe(v.string(), v.regex(/^[wb][1-9][0-9]{0,8}$/));

const ChartPanelSchema = v.picklist(CHART_PANELS);
/** The optimizers Compare optimizers races against the file's: each at most once. */
const OptimizersSchema = v.pipe(
  v.array(v.picklist(OPTIMIZER_TYPES)),
  v.maxLength(OPTIMIZER_TYPES.length),
  v.check((names) => new Set(names).size === names.length, 'each optimizer at most once'),
);

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
    /** Compare optimizers' picks and log axis (absent in views kept before the panel existed). */
    compare: v.optional(OptimizersSchema),
    compareLog: v.optional(v.boolean()),
  })),
  /** Each unit's picture in the graph is shown (absent in views kept before the pictures existed: shown). */
  unitMaps: v.optional(v.boolean()),
});
/** How a person has set up the view; kept by the host too, since a reload may drop webview state. */
export type ViewState = v.InferOutput<typeof ViewStateSchema>;

/** A view state read back from storage, if it is one (stored state is only data, like a page's message). */
export function parseViewState(raw: unknown): ViewState | undefined {
  const result = v.safeParse(ViewStateSchema, raw);
  return result.success ? result.output : undefined;
}

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
  | {
    type: 'problem'; problem: FileProblem | null; notNetwork: boolean; empty: boolean;
    /**
     * The data file (as the network names it) the problem is about because the folder is in
     * Restricted Mode: the page says the file waits for trust and offers Manage Workspace Trust.
     */
    waitsForTrust?: string;
  }
  /** The answer to one of the page's requests (see PageRequests), on the page's channel. */
  | ReplyMessage
  /** A part of a large message (charts, a stop's explanations): the page puts the parts together (see BulkLane). */
  | BulkPart
  /** The explanations of the parameters the page watches (pinned, hovered), with the step they are of. */
  | { type: 'explained'; explained: Explained }
  /** The training worker gave up (it kept stopping): the page says so and offers Retry; null when it is back. */
  | { type: 'worker'; failure: string | null }
  /** Pin this parameter's explanation in the inspector (the Explain command, the walkthrough). */
  | { type: 'pin'; parameter: string }
  /** The host has stored this view for the document: it survives a window reload from now on. */
  | { type: 'viewStateSaved'; state: ViewState }
  | { type: 'breakpoints'; breakpoints: BreakpointsView }
  /**
   * What the open chart panels draw: after every stop, and while Continue runs at most four times
   * a second (less when they cost more).
   */
  | { type: 'charts'; charts: ChartData }
  /** Save this panel's picture (the person chose "Save as PNG..." after Copy as image could not copy). */
  | { type: 'savePicture'; panel: ChartPanel };

/** The largest export a page may send: a PNG of a large chart or a CSV of a long series (characters); Export all's pictures together too. */
export const EXPORT_LIMIT = 32 * 1024 * 1024;

/** Why Copy as image could not copy: the page has no clipboard for pictures, the host refused it, or writing failed. */
export const COPY_FAILURES = ['unsupported', 'denied', 'failed'] as const;
export type CopyFailure = (typeof COPY_FAILURES)[number];

/** A chart's file name without its extension: a plain name, never a path. */
const ExportName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/));
/** A PNG picture as a data URL, as a canvas gives it. */
const PngDataUrl = v.pipe(v.string(), v.maxLength(EXPORT_LIMIT), v.regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/));

const RequestId = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const Channel = v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,100}$/));
const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** When the person clicked, in epoch milliseconds: carried to the frame that answers, for measuring only (see ControlTiming). */
const Epoch = v.pipe(v.number(), v.finite(), v.minValue(0));

/** What the page asks the host, each kind with what it takes and what its reply holds. */
export type PageRequests = {
  /** One parameter's explanation (large networks, or a running one, do not send them all). */
  explain: { params: { parameter: string }; reply: ExplanationView | null };
  /** A unit's x and y for every sample (large networks do not send them all). */
  unit: { params: { layer: number; unit: number }; reply: UnitView | null };
};

/** The page's requests, one schema per kind (the reply's type is PageRequests'). */
const PageRequestSchema = v.variant('kind', [
  v.strictObject({ type: v.literal('request'), channel: Channel, id: RequestId, kind: v.literal('explain'), params: v.strictObject({ parameter: ParameterName }) }),
  v.strictObject({ type: v.literal('request'), channel: Channel, id: RequestId, kind: v.literal('unit'), params: v.strictObject({ layer: Count, unit: Count }) }),
]);

const WebviewMessageSchema = v.variant('type', [
  /** Sent once the page has loaded, and again by a re-created webview: the host answers with what it shows. */
  v.strictObject({ type: v.literal('ready') }),
  /** A request with a reply (PageRequests): an explanation, a unit's values. */
  PageRequestSchema,
  /** The parameters whose explanations the page shows (pinned, hovered): the host sends them as training goes. */
  v.strictObject({ type: v.literal('watch'), parameters: v.pipe(v.array(ParameterName), v.maxLength(4)) }),
  /** The page has drawn frame `seq`: the host sends the next (see FramePacer). */
  v.strictObject({ type: v.literal('drawn'), seq: Count }),
  /** The page has part `part` of large message `id`: the host sends the next (see BulkLane). */
  v.strictObject({ type: v.literal('got'), id: Count, part: Count }),
  /** Start the training worker again after it gave up. */
  v.strictObject({ type: v.literal('retryWorker') }),
  /** Reveal the current problem's position in the text. */
  v.strictObject({ type: v.literal('goToError') }),
  /** VS Code's Manage Workspace Trust (a data file waits for trust in Restricted Mode). */
  v.strictObject({ type: v.literal('manageTrust') }),
  /** Open the document's text beside the graph. */
  v.strictObject({ type: v.literal('openText') }),
  v.strictObject({ type: v.literal('openExample') }),
  /** Fill this (empty) document with a new network, asking for its shape. */
  v.strictObject({ type: v.literal('newNetwork') }),
  /** The view changed (edge mode, notation, pinned parameter): the host remembers it per document. */
  v.strictObject({ type: v.literal('viewState'), state: ViewStateSchema }),
  /** A training control. */
  v.strictObject({ type: v.literal('control'), action: v.picklist(TRAINING_ACTIONS), at: v.optional(Epoch), sent: v.optional(Epoch) }),
  /** Go to Step... with the step typed. */
  v.strictObject({ type: v.literal('goTo'), step: v.pipe(v.number(), v.safeInteger(), v.minValue(0)), at: v.optional(Epoch), sent: v.optional(Epoch) }),
  /** The whole list of breakpoints as the person edited it, and the built-in conditions. */
  v.strictObject({ type: v.literal('setBreakpoints'), specs: v.pipe(v.array(BreakpointSpecSchema), v.maxLength(500)), builtins: BuiltinSettingsSchema }),
  /** Write Parameters to File (exactly; the rounded write is a command of the editor's title menu). */
  v.strictObject({ type: v.literal('writeParameters') }),
  /** The open chart panels and the selected parameters (one, or two for the contour map): the worker computes what they draw. */
  v.strictObject({
    type: v.literal('charts'),
    panels: v.pipe(v.array(ChartPanelSchema), v.maxLength(CHART_PANELS.length)),
    parameters: v.pipe(v.array(ParameterName), v.maxLength(2), v.check((names) => new Set(names).size === names.length, 'the parameters must differ')),
    optimizers: v.optional(OptimizersSchema),
    /** Each unit's picture in the graph (see UnitMapsChart): asked for whatever panels are open. */
    units: v.optional(v.boolean()),
  }),
  /** Save a chart: its picture (a PNG data URL) or its data (CSV text), through the host's save dialog. */
  v.strictObject({
    type: v.literal('export'),
    format: v.picklist(['png', 'csv']),
    name: ExportName,
    data: v.pipe(v.string(), v.maxLength(EXPORT_LIMIT)),
  }),
  /** Export all: every open chart's picture, saved together in a folder the person picks. */
  v.strictObject({
    type: v.literal('exportAll'),
    pictures: v.pipe(
      v.array(v.strictObject({ name: ExportName, data: PngDataUrl })),
      v.minLength(1),
      v.maxLength(CHART_PANELS.length),
      v.check((pictures) => new Set(pictures.map((p) => p.name.toLowerCase())).size === pictures.length, 'the names must differ'),
      v.check((pictures) => pictures.reduce((n, p) => n + p.data.length, 0) <= EXPORT_LIMIT, 'too large'),
    ),
  }),
  /** Copy as image could not copy this panel's picture: the host says so and offers to save it instead. */
  v.strictObject({ type: v.literal('copyFailed'), panel: ChartPanelSchema, reason: v.picklist(COPY_FAILURES) }),
]);
export type WebviewMessage = v.InferOutput<typeof WebviewMessageSchema>;

/** The message if `raw` is exactly one of the WebviewMessage shapes (no extra keys), else undefined. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  const result = v.safeParse(WebviewMessageSchema, raw);
  return result.success ? result.output : undefined;
}
