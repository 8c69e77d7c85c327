/**
 * Messages between the extension host and the training worker: one map of requests, each bound to
 * the type of its reply, and the events a run sends of itself. Both ends are ours and run the same
 * build, so these are typed, not parsed; the webview's messages were validated before they got here.
 */
import type { TrainingAction } from '../protocol';
import type { ControlTiming, Explained, ExplanationView, NetworkStructure, TrainingFrame, UnitView } from '../session/views';
export type { Explained };
import type { BreakpointSpec, BreakpointStatus, BuiltinSettings, LogLine } from '../session/breakpointTypes';
import type { LayerStats } from '../session/inspect';
import type { Stop } from '../session/training';
import type { Phase } from '../session/stepper';
import type { ChartData, ChartRequest } from '../session/chartTypes';
import type { AnyRequest, ReplyMessage } from '../rpc';
import type { DataFiles } from '../core/dataFile';
import type { Limits } from '../core/limits';

/** What loading a network's text came to: its structure, or why it cannot be trained. */
export type LoadReply = { ok: true; structure: NetworkStructure } | { ok: false; message: string };

/**
 * What an edit of the text did to the run: `retrained` (only training settings changed: the run
 * goes on from its step), `kept` (nothing that matters to training changed: a name, a description,
 * or parameters the run itself wrote), `restarted` (anything else: training starts again from the
 * file, and `why` says what changed), or `failed` (the text is not a network).
 */
export type UpdateReply =
  | { outcome: 'retrained' | 'kept'; structure: NetworkStructure }
  | { outcome: 'restarted'; structure: NetworkStructure; why: string }
  | { outcome: 'failed'; message: string };

/** Every request, its parameters and its reply. */
export interface WorkerRequests {
  /** (Re)load a network from its text: training starts from the file's parameters. */
  /** `files`: the texts of the data files the network names, as the host read them with the text. */
  load: { params: { text: string; files: DataFiles; limits: Limits; file: string; breakpoints: BreakpointSpec[]; builtins: BuiltinSettings; charts: ChartRequest | null; watched: string[] }; reply: LoadReply };
  /** The document changed: keep, retrain or restart (see UpdateReply). */
  update: { params: { text: string; files: DataFiles; limits: Limits }; reply: UpdateReply };
  /** A control: its stop when it ended at once, null when what it started goes on (its stop comes as an event). */
  control: { params: { action: TrainingAction; timing?: ControlTiming }; reply: Stop | null };
  goTo: { params: { step: number; timing?: ControlTiming }; reply: Stop | null };
  /** To a phase of the step shown (null: its start), in either direction: Step Into Target, Restart Frame, Jump to Cursor. */
  goToPhase: { params: { phase: Phase | null }; reply: Stop };
  setBreakpoints: { params: { breakpoints: BreakpointSpec[]; builtins: BuiltinSettings }; reply: BreakpointStatus[] };
  explain: { params: { parameter: string }; reply: ExplanationView | null };
  unit: { params: { layer: number; unit: number }; reply: UnitView | null };
  /** An expression of the condition language on the state shown now (the debugger's Watch, hover and console). */
  evaluate: { params: { expression: string }; reply: { ok: true; value: number } | { ok: false; message: string; column: number | null } };
  /** Set Value: a what-if edit of one parameter (by index) in the run, never in the file. */
  setParameter: { params: { index: number; value: number }; reply: Stop };
  /** What the pages' open charts ask for (null: none is open); the charts follow at once (during Continue, with the next frame). */
  charts: { params: { request: ChartRequest | null }; reply: null };
  /**
   * The parameters the pages show an explanation of: theirs come with each stop (when the frame does
   * not carry them all) and, during Continue, a few times a second (an `explained` event).
   */
  watch: { params: { parameters: string[] }; reply: null };
  /** Each layer's gradient norm, mean |gradient|, dead and saturated shares. */
  layerStats: { params: Record<string, never>; reply: LayerStats[] };
  /** Parameters and gradients from `start`, for a debugger paging through a large network. */
  slice: { params: { start: number; count: number }; reply: { values: number[]; gradients: number[] } };
  /**
   * The current parameters, by index, for Write Parameters to File; `digits`: they are to be written
   * rounded to that many significant digits, so the file holding those is the run's own too.
   */
  parameters: { params: { digits?: number }; reply: number[] };
  close: { params: Record<string, never>; reply: null };
  /** Answered between two slices of training: how a caller measures responsiveness. */
  ping: { params: Record<string, never>; reply: { running: number } };
}

export type RequestKind = keyof WorkerRequests;
export type Reply<K extends RequestKind> = WorkerRequests[K]['reply'];

/** The requests as they travel: each names the run it is for (0 for the worker itself). */
export type WorkerRequestMap = { [K in RequestKind]: { params: WorkerRequests[K]['params'] & { run: number }; reply: Reply<K> } };
export type ToWorker = AnyRequest<WorkerRequestMap>;

/** Something a run tells of itself, unasked: a frame to show, that it stopped, that it goes on. */
export type RunEvent =
  | { type: 'frame'; frame: TrainingFrame }
  /** What the charts draw (after the frame it belongs to), when a page asked for them. */
  | { type: 'charts'; charts: ChartData }
  /** The watched parameters' explanations, at the step they name. */
  | { type: 'explained'; explained: Explained }
  | { type: 'stopped'; stop: Stop; frame: TrainingFrame }
  | { type: 'continued'; frame: TrainingFrame }
  /** What logpoints wrote since the last of these (at most every LOGS_MS while running, and at each stop). */
  | { type: 'logs'; lines: LogLine[]; dropped: number };

export type FromWorker = ReplyMessage | { type: 'event'; run: number; event: RunEvent };
