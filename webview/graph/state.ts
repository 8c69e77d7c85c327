/**
 * What the graph view's parts share: the callbacks, the elements built for the current layout,
 * the values painted on them, and where the graph sits on screen. One plain object, handed to each
 * part's functions explicitly, so that building, painting, the canvas, hit testing, pan/zoom and
 * the pointer can each live in a file of its own without reaching into GraphView's private fields.
 */
import type { NetworkModel, ParamView } from '../../src/protocol';
import type { Notation } from '../notation';
import type { GraphEdge, GraphLayout } from './layout';

export type EdgeMode = 'weights' | 'gradients';

export interface ViewTransform { scale: number; x: number; y: number }

/**
 * Where the pointer is, the boxes on screen the card must not cover (the element and its chain to
 * the loss), and the rest of the graph, better left in view too when there is room elsewhere.
 */
export interface Anchor { x: number; y: number; avoid: DOMRect[]; prefer: DOMRect[] }

export interface GraphCallbacks {
  hoverParam(name: string, at: Anchor): void;
  hoverUnit(id: string, at: Anchor): void;
  leave(): void;
  pin(name: string): void;
  /** `auto` when the graph was fitted rather than panned or zoomed by the person. */
  transformChanged(t: ViewTransform, auto: boolean): void;
}

export type Hovered = { kind: 'param'; name: string } | { kind: 'unit'; id: string } | undefined;

export interface GraphState {
  readonly host: HTMLElement;
  readonly callbacks: GraphCallbacks;
  readonly svg: SVGSVGElement;
  readonly viewport: SVGGElement;
  readonly canvas: HTMLCanvasElement;
  layout: GraphLayout | undefined;
  params: Map<string, ParamView>;
  edgeByParam: Map<string, GraphEdge>;
  readonly edgeEls: Map<string, { line: SVGLineElement; group: SVGGElement }>;
  readonly biasEls: Map<string, { group: SVGGElement; text: SVGTextElement; rect: SVGRectElement }>;
  readonly captionEls: Map<string, SVGTextElement>;
  labelLayer: SVGGElement | undefined;
  phaseBand: SVGRectElement | undefined;
  readonly nodeEls: Map<string, SVGGElement>;
  /** The labels shown, by parameter, and the set they were placed for. */
  readonly labelEls: Map<string, SVGTextElement>;
  labelKey: string;
  transform: ViewTransform;
  /** True until the person pans or zooms: till then the graph follows the panel's size. */
  autoFit: boolean;
  useCanvas: boolean;
  model: NetworkModel | undefined;
  mode: EdgeMode;
  notation: Notation;
  hovered: Hovered;
}

/** The state of a view that has shown nothing yet. */
export function initialState(host: HTMLElement, callbacks: GraphCallbacks, svg: SVGSVGElement, viewport: SVGGElement, canvas: HTMLCanvasElement): GraphState {
  return {
    host, callbacks, svg, viewport, canvas,
    layout: undefined,
    params: new Map(),
    edgeByParam: new Map(),
    edgeEls: new Map(),
    biasEls: new Map(),
    captionEls: new Map(),
    labelLayer: undefined,
    phaseBand: undefined,
    nodeEls: new Map(),
    labelEls: new Map(),
    labelKey: '',
    transform: { scale: 1, x: 0, y: 0 },
    autoFit: true,
    useCanvas: false,
    model: undefined,
    mode: 'weights',
    notation: 'statquest',
    hovered: undefined,
  };
}
