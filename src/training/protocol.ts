/**
 * Messages between the extension host and the training worker. Both ends are ours and run the same
 * build, so these are typed, not parsed; the webview's messages were validated before they got here.
 */
import type { ExplanationView, NetworkModel, TrainingAction } from '../protocol';

export type ToWorker =
  /** (Re)load a network from its text: training starts again from the file's parameters. */
  | { type: 'load'; id: number; text: string; file: string }
  | { type: 'close'; id: number }
  | { type: 'control'; id: number; action: TrainingAction }
  | { type: 'explain'; id: number; requestId: number; parameter: string }
  /** Answered at once, between two slices of training: how a caller measures responsiveness. */
  | { type: 'ping'; requestId: number };

export type FromWorker =
  /** The state to show: after a load, each control, and during Continue a few times a second. */
  | { type: 'frame'; id: number; model: NetworkModel }
  | { type: 'explanation'; id: number; requestId: number; explanation: ExplanationView | null }
  | { type: 'pong'; requestId: number; running: number }
  | { type: 'error'; id: number; message: string };
