/**
 * Draws a GraphLayout as SVG: edges coloured by sign and sized by magnitude (of the weight, or in
 * gradient mode of dLoss/dw), units with their activation's curve, biases beside their units, and
 * edge labels placed so that none covers another label or a unit (see placeLabels). Every
 * parameter element carries data-param and an aria-label, every unit data-unit="L,j".
 *
 * Past CANVAS_THRESHOLD edges the edges go to a <canvas> under the SVG instead (thousands of SVG
 * lines make pan and zoom stutter).
 *
 * Which edge the pointer is on is decided by distance, not by which element is on top: where
 * edges cross, the nearest line wins, so every edge answers along its whole visible length, and a
 * label answers for its own edge.
 *
 * GraphView only coordinates: it decides when to build and when to paint, and owns the elements'
 * mounting. The work is done beside it, each part in its own file over one shared GraphState
 * (state.ts): building the scene (svg.ts), painting values onto it (paint.ts), the canvas
 * (canvas.ts), hit testing and screen boxes (hit.ts), pan and zoom (viewport.ts) and the pointer
 * (pointer.ts).
 */
import type { NetworkModel } from '../../src/protocol';
import type { Notation } from '../notation';
import { drawCanvas } from './canvas';
import { chainRects } from './hit';
import { type GraphLayout, layoutNetwork } from './layout';
import { paint } from './paint';
import { bindPointer } from './pointer';
import { type EdgeMode, type GraphCallbacks, type GraphState, initialState, type ViewTransform } from './state';
import { build, el } from './svg';
import { drawUnitMaps, type MapsState } from './unitMaps';
import type { UnitMapsChart } from '../../src/session/chartTypes';
import { onThemeChange } from '../charts/theme';
import { fit, pan, setTransform, zoom } from './viewport';

export { CANVAS_THRESHOLD } from './svg';
export { DENSE_LABELS, direction } from './paint';
export type { Anchor, EdgeMode, GraphCallbacks, ViewTransform } from './state';
export type { Box } from './layout';

export class GraphView {
  readonly svg: SVGSVGElement;
  private readonly state: GraphState;
  private shape = '';
  /** Each unit's picture (see unitMaps.ts): what came last, and whether they are shown. */
  private readonly maps: MapsState = { data: null, shown: true };

  constructor(host: HTMLElement, callbacks: GraphCallbacks) {
    const canvas = document.createElement('canvas');
    canvas.className = 'edge-canvas';
    canvas.hidden = true;
    host.appendChild(canvas);
    this.svg = el('svg', { class: 'graph', role: 'group', 'aria-label': 'Network graph: weights on the edges, biases at their units' });
    host.appendChild(this.svg);
    const viewport = el('g', { class: 'viewport' }, this.svg);
    this.state = initialState(host, callbacks, this.svg, viewport, canvas);
    bindPointer(this.state);
    onThemeChange(() => drawUnitMaps(this.state, this.maps));
    new ResizeObserver(() => {
      if (this.state.autoFit) fit(this.state);
      else drawCanvas(this.state);
    }).observe(host);
  }

  /** Shows `model`; re-lays out only when the network's shape changed, so hover and zoom survive edits. */
  render(model: NetworkModel, mode: EdgeMode, notation: Notation): void {
    const s = this.state;
    s.model = model;
    s.mode = mode;
    s.params = new Map(model.params.map((p) => [p.name, p]));
    // The input nodes say how `normalize` rescales them: a change of it is a change of what is drawn.
    const shape = JSON.stringify([model.inputs, model.outputs, model.layers, model.normalization]);
    if (shape !== this.shape || notation !== s.notation) {
      this.shape = shape;
      s.notation = notation;
      this.build(layoutNetwork(model));
    }
    this.paint();
  }

  setMode(mode: EdgeMode): void {
    this.state.mode = mode;
    this.svg.classList.toggle('gradients', mode === 'gradients');
    this.paint();
  }

  setNotation(notation: Notation): void {
    const s = this.state;
    if (notation === s.notation || !s.model) { s.notation = notation; return; }
    s.notation = notation;
    this.build(layoutNetwork(s.model));
    this.paint();
  }

  /**
   * The size the network is laid out at (graph units: a label's font is 12 of them), and whether
   * its edges are labelled (drawn in SVG); null before the first network.
   */
  get drawing(): { width: number; height: number; labelled: boolean } | null {
    const l = this.state.layout;
    return l ? { width: l.width, height: l.height, labelled: !this.state.useCanvas } : null;
  }

  get currentTransform(): ViewTransform {
    return { ...this.state.transform };
  }

  setTransform(t: ViewTransform): void {
    setTransform(this.state, t);
  }

  /**
   * Each unit's picture: `data` as the worker computed it (null: none for this network), drawn
   * when `shown`. Kept, so a new layout of the same network draws them again.
   */
  setUnitMaps(data: UnitMapsChart | null, shown: boolean): void {
    this.maps.data = data;
    this.maps.shown = shown;
    drawUnitMaps(this.state, this.maps);
  }

  /** Scales and centres the whole network into the panel. */
  fit(): void {
    fit(this.state);
  }

  zoom(factor: number, cx?: number, cy?: number): void {
    zoom(this.state, factor, cx, cy);
  }

  pan(dx: number, dy: number): void {
    pan(this.state, dx, dy);
  }

  /** The element of a parameter, for focus and tests. */
  paramElement(name: string): SVGGElement | undefined {
    return this.state.edgeEls.get(name)?.group ?? this.state.biasEls.get(name)?.group;
  }

  /**
   * What the explanation of `name` talks about, on screen: the parameter, the unit it feeds, and
   * every edge and unit from there to the outputs (the chain the card multiplies along).
   */
  chainRects(name: string): DOMRect[] {
    return chainRects(this.state, name);
  }

  /** A new scene, fitted once the browser has laid it out (unless the person has panned or zoomed). */
  private build(layout: GraphLayout): void {
    build(this.state, layout);
    drawUnitMaps(this.state, this.maps);
    requestAnimationFrame(() => { if (this.state.autoFit) fit(this.state); });
  }

  /** The values onto the scene, and onto the canvas when the edges are drawn there. */
  private paint(): void {
    paint(this.state);
    drawCanvas(this.state);
  }
}
