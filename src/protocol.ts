/**
 * The messages between the extension host and the network editor's webview: the one module both
 * sides import. Host -> webview messages are trusted (the host built them); webview -> host
 * messages are parsed by `parseWebviewMessage` before use, because a webview is a web page.
 *
 * Type-only imports from the core keep the webview bundle free of training code: nothing in the
 * webview computes a gradient.
 */
import type { Activation, Explanation, Loss, ParameterKind, StopReason } from './core';

export const VIEW_TYPE = 'backprop.networkEditor';

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

/** What the training controls do: the debugger's Step Over, Continue, Pause, Step Back and Restart. */
export const TRAINING_ACTIONS = ['step', 'continue', 'pause', 'stepBack', 'reset'] as const;
export type TrainingAction = (typeof TRAINING_ACTIONS)[number];

export interface TrainingView {
  /** Continue is under way (in the training worker). */
  running: boolean;
  /** Why training last stopped by itself, if a stopping rule fired. */
  stopReason: StopReason | null;
  /** The earliest step Step Back can reach. */
  earliest: number;
  maxSteps: number;
}

export interface NetworkModel {
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
  lossValue: number;
  learningRate: number;
  samples: number;
  /** [samples][inputs] and [samples][outputs]. */
  data: { inputs: number[][]; targets: number[][] };
  step: number;
  training: TrainingView;
  params: ParamView[];
  units: UnitView[];
  /**
   * Every parameter's explanation when the network is small enough to send them all, so a hover
   * answers within a frame; null when the webview must ask (`explain`) for one at a time.
   */
  explanations: Record<string, ExplanationView> | null;
}

export interface FileProblem {
  message: string;
  line: number;
  column: number;
  offset: number;
  length: number;
}

/** How a person has set up the view; kept by the host too, since a reload may drop webview state. */
export interface ViewState {
  mode: 'weights' | 'gradients';
  notation: 'statquest' | '3b1b';
  pinned: string | null;
}

export type HostMessage =
  /** Sent before the first model, when the host remembers how this document was viewed. */
  | { type: 'viewState'; state: ViewState }
  | { type: 'model'; version: number; model: NetworkModel }
  /**
   * The text is not a valid network; `notNetwork` when it is not even trying to be one, `empty`
   * when there is no text at all (the page offers to create a network there).
   */
  | { type: 'invalid'; version: number; problem: FileProblem; notNetwork: boolean; empty: boolean }
  | { type: 'explanation'; requestId: number; explanation: ExplanationView | null }
  /** Pin this parameter's explanation in the inspector (the Explain command, the walkthrough). */
  | { type: 'pin'; parameter: string }
  /** The host has stored this view for the document: it survives a window reload from now on. */
  | { type: 'viewStateSaved'; state: ViewState };

export type WebviewMessage =
  /** Sent once the page has loaded, and again by a re-created webview: the host answers with the model. */
  | { type: 'ready' }
  | { type: 'explain'; requestId: number; parameter: string }
  /** Reveal the current problem's position in the text. */
  | { type: 'goToError' }
  /** Open the document's text beside the graph. */
  | { type: 'openText' }
  | { type: 'openExample' }
  /** Fill this (empty) document with a new network, asking for its shape. */
  | { type: 'newNetwork' }
  /** The view changed (edge mode, notation, pinned parameter): the host remembers it per document. */
  | { type: 'viewState'; state: ViewState }
  /** A training control: Step, Continue, Pause, Step Back, Reset. */
  | { type: 'control'; action: TrainingAction };

const PARAMETER = /^[wb][1-9][0-9]{0,8}$/;

/** The message if `raw` is exactly one of the WebviewMessage shapes, else undefined. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  const keys = Object.keys(m).sort().join(',');
  switch (m.type) {
    case 'ready':
    case 'goToError':
    case 'openText':
    case 'openExample':
    case 'newNetwork':
      return keys === 'type' ? { type: m.type } : undefined;
    case 'viewState': {
      if (keys !== 'state,type' || typeof m.state !== 'object' || m.state === null || Array.isArray(m.state)) return undefined;
      const st = m.state as Record<string, unknown>;
      if (Object.keys(st).sort().join(',') !== 'mode,notation,pinned') return undefined;
      if (st.mode !== 'weights' && st.mode !== 'gradients') return undefined;
      if (st.notation !== 'statquest' && st.notation !== '3b1b') return undefined;
      if (st.pinned !== null && (typeof st.pinned !== 'string' || !PARAMETER.test(st.pinned))) return undefined;
      return { type: 'viewState', state: { mode: st.mode, notation: st.notation, pinned: st.pinned as string | null } };
    }
    case 'control':
      if (keys !== 'action,type' || !(TRAINING_ACTIONS as readonly unknown[]).includes(m.action)) return undefined;
      return { type: 'control', action: m.action as TrainingAction };
    case 'explain':
      if (keys !== 'parameter,requestId,type') return undefined;
      if (typeof m.requestId !== 'number' || !Number.isSafeInteger(m.requestId) || m.requestId < 0) return undefined;
      if (typeof m.parameter !== 'string' || !PARAMETER.test(m.parameter)) return undefined;
      return { type: 'explain', requestId: m.requestId, parameter: m.parameter };
    default:
      return undefined;
  }
}
