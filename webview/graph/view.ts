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
 */
import type { NetworkModel, ParamView } from '../../src/protocol';
import { fmt, signed } from '../format';
import { type Notation, unitSymbol } from '../notation';
import { glyphPath } from './glyph';
import { type Box, distanceToEdge, type GraphEdge, type GraphLayout, type GraphNode, LABEL_HEIGHT, labelWidth, layoutNetwork, obstacles, placeLabels } from './layout';

export const CANVAS_THRESHOLD = 1500;
/** Dense graphs (past a dozen edges) label only their strongest edges, and the one hovered. */
export const DENSE_LABELS = 6;
/** How near (in screen pixels) the pointer must be to an edge to hover it. */
const HIT_PX = 7;
const SVG = 'http://www.w3.org/2000/svg';

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

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

type Hovered = { kind: 'param'; name: string } | { kind: 'unit'; id: string } | undefined;

export class GraphView {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly canvas: HTMLCanvasElement;
  private layout: GraphLayout | undefined;
  private shape = '';
  private params = new Map<string, ParamView>();
  private edgeByParam = new Map<string, GraphEdge>();
  private edgeEls = new Map<string, { line: SVGLineElement; group: SVGGElement }>();
  private biasEls = new Map<string, { group: SVGGElement; text: SVGTextElement; rect: SVGRectElement }>();
  private captionEls = new Map<string, SVGTextElement>();
  private labelLayer: SVGGElement | undefined;
  private phaseBand: SVGRectElement | undefined;
  private nodeEls = new Map<string, SVGGElement>();
  /** The labels shown, by parameter, and the set they were placed for. */
  private labelEls = new Map<string, SVGTextElement>();
  private labelKey = '';
  private transform: ViewTransform = { scale: 1, x: 0, y: 0 };
  private useCanvas = false;
  private model: NetworkModel | undefined;
  private mode: EdgeMode = 'weights';
  private notation: Notation = 'statquest';
  private hovered: Hovered;

  constructor(private readonly host: HTMLElement, private readonly callbacks: GraphCallbacks) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'edge-canvas';
    this.canvas.hidden = true;
    host.appendChild(this.canvas);
    this.svg = el('svg', { class: 'graph', role: 'group', 'aria-label': 'Network graph: weights on the edges, biases at their units' });
    host.appendChild(this.svg);
    this.viewport = el('g', { class: 'viewport' }, this.svg);
    this.bindPointer();
    new ResizeObserver(() => {
      if (this.autoFit) this.fit();
      else this.drawCanvas();
    }).observe(host);
  }

  /** True until the person pans or zooms: till then the graph follows the panel's size. */
  private autoFit = true;

  /** Shows `model`; re-lays out only when the network's shape changed, so hover and zoom survive edits. */
  render(model: NetworkModel, mode: EdgeMode, notation: Notation): void {
    this.model = model;
    this.mode = mode;
    this.params = new Map(model.params.map((p) => [p.name, p]));
    const shape = JSON.stringify([model.inputs, model.outputs, model.layers]);
    if (shape !== this.shape || notation !== this.notation) {
      this.shape = shape;
      this.notation = notation;
      this.build(layoutNetwork(model));
    }
    this.paint();
  }

  setMode(mode: EdgeMode): void {
    this.mode = mode;
    this.svg.classList.toggle('gradients', mode === 'gradients');
    this.paint();
  }

  setNotation(notation: Notation): void {
    if (notation === this.notation || !this.model) { this.notation = notation; return; }
    this.notation = notation;
    this.build(layoutNetwork(this.model));
    this.paint();
  }

  get currentTransform(): ViewTransform {
    return { ...this.transform };
  }

  setTransform(t: ViewTransform): void {
    this.autoFit = false;
    this.transform = { ...t };
    this.applyTransform();
  }

  /** Scales and centres the whole network into the panel. */
  fit(): void {
    this.autoFit = true;
    if (!this.layout) return;
    const { width, height } = this.host.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    const scale = Math.min(width / this.layout.width, height / this.layout.height, 2.5);
    this.transform = { scale, x: (width - this.layout.width * scale) / 2, y: (height - this.layout.height * scale) / 2 };
    this.applyTransform();
  }

  zoom(factor: number, cx?: number, cy?: number): void {
    this.autoFit = false;
    const rect = this.host.getBoundingClientRect();
    const px = cx ?? rect.width / 2;
    const py = cy ?? rect.height / 2;
    const scale = Math.min(20, Math.max(0.05, this.transform.scale * factor));
    const k = scale / this.transform.scale;
    this.transform = { scale, x: px - (px - this.transform.x) * k, y: py - (py - this.transform.y) * k };
    this.applyTransform();
  }

  pan(dx: number, dy: number): void {
    this.autoFit = false;
    this.transform = { ...this.transform, x: this.transform.x + dx, y: this.transform.y + dy };
    this.applyTransform();
  }

  /** The element of a parameter, for focus and tests. */
  paramElement(name: string): SVGGElement | undefined {
    return this.edgeEls.get(name)?.group ?? this.biasEls.get(name)?.group;
  }

  private applyTransform(): void {
    const { scale, x, y } = this.transform;
    this.viewport.setAttribute('transform', `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${scale.toFixed(4)})`);
    this.drawCanvas();
    this.callbacks.transformChanged(this.currentTransform, this.autoFit);
  }

  private build(layout: GraphLayout): void {
    this.layout = layout;
    this.viewport.replaceChildren();
    this.nodeEls.clear();
    this.edgeEls.clear();
    this.biasEls.clear();
    this.captionEls.clear();
    this.labelEls.clear();
    this.labelKey = '';
    this.edgeByParam = new Map(layout.edges.map((e) => [e.param, e]));
    this.useCanvas = layout.edges.length > CANVAS_THRESHOLD;
    this.canvas.hidden = !this.useCanvas;
    // The debugger's current-line colour behind the layer Step Into is at (see paintPhase).
    this.phaseBand = el('rect', { class: 'phase-band', x: 0, y: 0, width: 0, height: layout.height, rx: 12, visibility: 'hidden' }, this.viewport);
    const edges = el('g', { class: 'edges' }, this.viewport);
    const nodes = el('g', { class: 'nodes' }, this.viewport);
    const biases = el('g', { class: 'biases' }, this.viewport);
    this.labelLayer = el('g', { class: 'labels' }, this.viewport);

    if (!this.useCanvas) {
      // In w1, w2, ... order, so Tab walks the weights as they are numbered.
      for (const edge of layout.edges) {
        const group = el('g', { class: 'edge param', 'data-param': edge.param, tabindex: 0, role: 'button', 'aria-describedby': 'hover-card' }, edges);
        const line = el('line', { class: 'edge-line', x1: edge.from.x, y1: edge.from.y, x2: edge.to.x, y2: edge.to.y }, group);
        this.edgeEls.set(edge.param, { line, group });
        this.bindKeyboard(group, edge.param);
      }
    }

    for (const node of layout.nodes) {
      const group = el('g', { class: `node ${node.kind}`, 'data-unit': node.id, role: 'img' }, nodes);
      this.nodeEls.set(node.id, group);
      const kindName = node.kind === 'input' ? 'input ' : node.kind === 'output' ? 'output ' : '';
      group.setAttribute('aria-label', `${kindName}${node.label}${node.activation && node.kind !== 'input' ? `, ${node.activation}` : ''}`);
      let inputBox: SVGRectElement | undefined;
      if (node.kind === 'input' && layout.detailed) {
        inputBox = el('rect', { class: 'node-shape', x: node.x - node.r * 1.6, y: node.y - node.r * 0.75, width: node.r * 3.2, height: node.r * 1.5, rx: 6 }, group);
      } else {
        el('circle', { class: 'node-shape', cx: node.x, cy: node.y, r: node.r }, group);
      }
      if (layout.detailed) {
        if (node.kind !== 'input' && node.activation && node.activation !== 'identity') {
          el('path', { class: 'glyph', d: glyphPath(node.activation, node.x, node.y, node.r * 0.55) }, group);
        } else if (node.kind === 'output') {
          el('text', { class: 'node-sum', x: node.x, y: node.y + 6, 'text-anchor': 'middle' }, group).textContent = 'Σ';
        }
        const text = el('text', { class: 'node-label', 'text-anchor': 'middle' }, group);
        if (node.kind === 'input') {
          text.setAttribute('x', String(node.x));
          text.setAttribute('y', String(node.y + 5));
        } else if (node.kind === 'output') {
          text.setAttribute('x', String(node.x + node.r + 8));
          text.setAttribute('y', String(node.y + 5));
          text.setAttribute('text-anchor', 'start');
        } else {
          text.setAttribute('x', String(node.x));
          text.setAttribute('y', String(node.y - node.r - 8));
        }
        this.caption(text, node, layout);
        this.captionEls.set(node.id, text);
        if (inputBox) {
          // Long column names ("dosage (mg/kg)") widen their box, growing leftwards, away from the edges.
          const width = Math.max(node.r * 3.2, (text.getComputedTextLength?.() ?? 0) + 20);
          inputBox.setAttribute('x', String(node.x + node.r * 1.6 - width));
          inputBox.setAttribute('width', String(width));
          text.setAttribute('x', String(node.x + node.r * 1.6 - width / 2));
        }
      }
    }

    for (const bias of layout.biases) {
      const group = el('g', { class: 'bias param', 'data-param': bias.param, tabindex: 0, role: 'button', 'aria-describedby': 'hover-card' }, biases);
      const w = layout.detailed ? 96 : Math.max(4, bias.node.r * 1.2);
      const h = layout.detailed ? 20 : Math.max(3, bias.node.r * 0.8);
      const rect = el('rect', { class: 'bias-shape', x: bias.x - w / 2, y: bias.y - h / 2 + (layout.detailed ? 0 : h), width: w, height: h, rx: 4 }, group);
      const text = el('text', { class: 'bias-label', x: bias.x, y: bias.y + 4.5, 'text-anchor': 'middle' }, group);
      if (!layout.detailed) text.setAttribute('display', 'none');
      this.biasEls.set(bias.param, { group, text, rect });
      this.bindKeyboard(group, bias.param);
    }
    requestAnimationFrame(() => { if (this.autoFit) this.fit(); });
  }

  /** A unit's caption: inputs and outputs by name, hidden units by the symbol the cards use, and the activation. */
  private caption(text: SVGTextElement, node: GraphNode, layout: GraphLayout): void {
    if (node.kind !== 'hidden') { text.textContent = node.label; return; }
    const hiddenLayers = layout.nodes.reduce((m, n) => Math.max(m, n.kind === 'hidden' ? n.layer : 0), 0);
    const s = unitSymbol(this.notation, hiddenLayers, node.layer, node.unit);
    text.textContent = s.base;
    if (s.sup) el('tspan', { class: 'script', dy: -6 }, text).textContent = s.sup;
    el('tspan', { class: 'script', dy: s.sup ? 10 : 4 }, text).textContent = s.sub;
    el('tspan', { dy: s.sup ? -4 : -4 }, text).textContent = ` ${node.activation}`;
  }

  private bindKeyboard(group: SVGGElement, name: string): void {
    group.addEventListener('focus', () => {
      const r = group.getBoundingClientRect();
      this.callbacks.hoverParam(name, { x: r.x + r.width / 2, y: r.y + r.height / 2, avoid: this.chainRects(name), prefer: this.graphRects() });
    });
    group.addEventListener('blur', () => this.callbacks.leave());
    group.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this.callbacks.pin(name); }
    });
  }

  /** Colours, widths, labels and aria-labels from the current values. */
  private paint(): void {
    const model = this.model;
    if (!model || !this.layout) return;
    const magnitude = (p: ParamView): number => Math.abs(this.mode === 'weights' ? p.value : p.gradient);
    const largest = this.largestWeight();
    const sym = model.lossSymbol;
    const nodeName = (layer: number, unit: number): string => {
      const node = this.layout!.nodes.find((n) => n.layer === layer && n.unit === unit);
      return node ? `${node.kind === 'input' ? 'input ' : node.kind === 'output' ? 'output ' : ''}${node.label}` : '';
    };

    for (const [name, { line, group }] of this.edgeEls) {
      const p = this.params.get(name);
      if (!p) continue;
      const v = this.mode === 'weights' ? p.value : p.gradient;
      line.setAttribute('stroke-width', (1 + 7 * Math.sqrt(magnitude(p) / largest)).toFixed(2));
      group.classList.toggle('pos', v > 0);
      group.classList.toggle('neg', v < 0);
      group.classList.toggle('frozen', !p.trainable);
      group.setAttribute('aria-label', `weight ${name}, from ${nodeName(p.layer - 1, p.input)} to ${nodeName(p.layer, p.unit)}, value ${fmt(p.value)}, gradient d${sym}/d${name} ${fmt(p.gradient)}${p.trainable ? '' : ', not trainable'}`);
    }
    for (const [name, { group, text }] of this.biasEls) {
      const p = this.params.get(name);
      if (!p) continue;
      const v = this.mode === 'weights' ? p.value : p.gradient;
      group.classList.toggle('pos', v > 0);
      group.classList.toggle('neg', v < 0);
      group.classList.toggle('frozen', !p.trainable);
      // A bias is added to its unit's sum ("+ b3"), except while the update phase shows its move.
      const label = this.labelText(p);
      text.textContent = this.mode === 'weights' && model.phase?.kind !== 'update' ? `+ ${label}` : label;
      if (this.layout.detailed) this.fitBox(this.biasEls.get(name)!);
      group.setAttribute('aria-label', `bias ${name} of ${nodeName(p.layer, p.unit)}, value ${fmt(p.value)}, gradient d${sym}/d${name} ${fmt(p.gradient)}${p.trainable ? '' : ', not trainable'}`);
    }
    this.paintPhase();
    this.paintLabels();
    this.drawCanvas();
  }

  /**
   * Step Into, drawn: the layer the step is at gets the debugger's current-line colour (its units in
   * the forward pass, the output for the loss, its weights and biases in the backward pass, every
   * trainable parameter for the update); what the step has not computed yet is faded.
   */
  private paintPhase(): void {
    const model = this.model;
    const layout = this.layout;
    if (!model || !layout) return;
    const phase = model.phase;
    const progress = model.progress;
    this.svg.classList.toggle('in-step', phase !== null);
    for (const node of layout.nodes) {
      const group = this.nodeEls.get(node.id);
      if (!group) continue;
      group.classList.toggle('phase-current', (phase?.kind === 'forward' && node.layer === phase.layer) || (phase?.kind === 'loss' && node.kind === 'output'));
      group.classList.toggle('pending', progress !== null && node.layer > progress.unitsThrough);
    }
    const paramState = (p: ParamView): [boolean, boolean] => [
      (phase?.kind === 'backward' && p.layer === phase.layer) || (phase?.kind === 'update' && p.trainable),
      progress !== null && this.mode === 'gradients' && p.layer < progress.gradientsFrom,
    ];
    for (const [name, { group }] of [...this.edgeEls, ...this.biasEls]) {
      const p = this.params.get(name);
      if (!p) continue;
      const [current, pending] = paramState(p);
      group.classList.toggle('phase-current', current);
      group.classList.toggle('pending', pending);
    }
    const band = this.phaseBand;
    if (!band) return;
    const columnX = (layer: number): number => layout.nodes.find((n) => n.layer === layer)?.x ?? 0;
    const last = model.layers.length;
    let from: number | undefined;
    let to: number | undefined;
    if (phase?.kind === 'forward') { from = columnX(phase.layer) - 50; to = columnX(phase.layer) + 50; }
    else if (phase?.kind === 'loss') { from = columnX(last) - 50; to = columnX(last) + 90; }
    else if (phase?.kind === 'backward') { from = columnX(phase.layer - 1) + 40; to = columnX(phase.layer) + 50; }
    else if (phase?.kind === 'update') { from = columnX(0) - 60; to = columnX(last) + 90; }
    band.setAttribute('visibility', from === undefined ? 'hidden' : 'visible');
    if (from !== undefined && to !== undefined) {
      band.setAttribute('x', String(from));
      band.setAttribute('width', String(to - from));
    }
  }

  private labelText(p: ParamView): string {
    const m = this.model!;
    // The update phase: each parameter's move, old -> new.
    if (m.phase?.kind === 'update' && p.trainable) return `${p.name} ${signed(p.value, 3)} → ${signed(p.value - m.learningRate * p.gradient, 3)}`;
    return this.mode === 'weights' ? `${p.name} ${signed(p.value, 3)}` : `${p.name} ${signed(p.gradient, 3)} ${direction(p, m.learningRate)}`;
  }

  /**
   * The edge labels: every edge of a small network; on a denser one the strongest few (by |value|
   * in the current mode) and the one hovered. Placed anew only when the set of labelled edges
   * changes, so labels stay put while their numbers change.
   */
  private paintLabels(): void {
    const layout = this.layout;
    const layer = this.labelLayer;
    if (!layout || !layer) return;
    const hovered = this.hovered?.kind === 'param' && this.edgeByParam.has(this.hovered.name) ? this.hovered.name : undefined;
    let wanted: string[];
    if (layout.edgeLabels) wanted = layout.edges.map((e) => e.param);
    else {
      const strongest = layout.detailed && !this.useCanvas
        ? layout.edges.map((e) => this.params.get(e.param)).filter((p): p is ParamView => p !== undefined)
          .sort((a, b) => Math.abs(this.mode === 'weights' ? b.value : b.gradient) - Math.abs(this.mode === 'weights' ? a.value : a.gradient))
          .slice(0, DENSE_LABELS).map((p) => p.name)
        : [];
      wanted = hovered && !strongest.includes(hovered) ? [hovered, ...strongest] : strongest;
    }
    // Room for the longest number a label can show, so a label never outgrows its spot.
    const updating = this.model?.phase?.kind === 'update';
    const chars = (name: string): number => name.length + (updating ? 21 : this.mode === 'weights' ? 10 : 12);
    const key = `${this.mode}|${updating}|${wanted.join(',')}`;
    if (key !== this.labelKey) {
      this.labelKey = key;
      layer.replaceChildren();
      this.labelEls.clear();
      const fixed = obstacles(layout, (n) => this.captionWidth(n), this.biasWidth());
      const placements = placeLabels(wanted.map((name) => ({ edge: this.edgeByParam.get(name)!, width: labelWidth(chars(name)) })), fixed, layout.edges);
      for (const [name, at] of placements) {
        if (at.leader) el('line', { class: 'label-leader', x1: at.leader.x1, y1: at.leader.y1, x2: at.leader.x2, y2: at.leader.y2, 'data-for': name }, layer);
        const text = el('text', {
          class: 'edge-label', 'data-for': name, x: at.x.toFixed(1), y: (at.y + LABEL_HEIGHT / 2 - 3.5).toFixed(1), 'text-anchor': 'middle',
          transform: `rotate(${at.angle.toFixed(1)} ${at.x.toFixed(1)} ${at.y.toFixed(1)})`,
        }, layer);
        this.labelEls.set(name, text);
      }
    }
    for (const [name, text] of this.labelEls) {
      const p = this.params.get(name);
      if (p) text.textContent = this.labelText(p);
    }
  }

  /** A unit caption's width: measured where it is drawn, estimated otherwise. */
  private captionWidth(n: GraphNode): number {
    const text = this.captionEls.get(n.id);
    const measured = text?.getComputedTextLength?.();
    return measured ? measured + 6 : labelWidth(n.label.length);
  }

  /** The widest bias box (they widen to their text). */
  private biasWidth(): number {
    let widest = 96;
    for (const { rect } of this.biasEls.values()) widest = Math.max(widest, Number(rect.getAttribute('width')) || 0);
    return widest;
  }

  /**
   * The largest |weight| (or |gradient|) for scaling edge widths. A loop, not Math.max(...all):
   * spreading a hundred thousand parameters into arguments overflows the stack.
   */
  private largestWeight(): number {
    let largest = 1e-12;
    for (const p of this.model?.params ?? []) {
      if (p.kind !== 'weight') continue;
      const v = Math.abs(this.mode === 'weights' ? p.value : p.gradient);
      if (v > largest) largest = v;
    }
    return largest;
  }

  /** Widens a bias box to its text (gradient labels run longer than values). */
  private fitBox({ rect, text }: { rect: SVGRectElement; text: SVGTextElement }): void {
    const width = Math.max(96, (text.getComputedTextLength?.() ?? 80) + 16);
    const cx = Number(text.getAttribute('x'));
    rect.setAttribute('x', String(cx - width / 2));
    rect.setAttribute('width', String(width));
  }

  private drawCanvas(): void {
    if (!this.useCanvas || !this.layout || !this.model) return;
    const { width, height } = this.host.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const style = getComputedStyle(this.host);
    const pos = style.getPropertyValue('--edge-positive').trim() || '#3794ff';
    const neg = style.getPropertyValue('--edge-negative').trim() || '#d18616';
    const { scale, x, y } = this.transform;
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * x, dpr * y);
    ctx.clearRect(-x / scale, -y / scale, width / scale, height / scale);
    const largest = this.largestWeight();
    ctx.globalAlpha = 0.55;
    for (const edge of this.layout.edges) {
      const p = this.params.get(edge.param);
      if (!p) continue;
      const v = this.mode === 'weights' ? p.value : p.gradient;
      ctx.strokeStyle = v >= 0 ? pos : neg;
      ctx.lineWidth = (0.3 + 2.5 * Math.sqrt(Math.abs(v) / largest)) / Math.max(1, scale * 0.5);
      ctx.beginPath();
      ctx.moveTo(edge.from.x, edge.from.y);
      ctx.lineTo(edge.to.x, edge.to.y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** The edge nearest a point in graph coordinates, within `tolerance`. */
  private edgeAt(gx: number, gy: number, tolerance: number): GraphEdge | undefined {
    let best: GraphEdge | undefined;
    let bestD = tolerance;
    for (const e of this.layout?.edges ?? []) {
      // A cheap bounding-box test first: most edges are nowhere near the pointer.
      if (gx < Math.min(e.from.x, e.to.x) - tolerance || gx > Math.max(e.from.x, e.to.x) + tolerance) continue;
      if (gy < Math.min(e.from.y, e.to.y) - tolerance || gy > Math.max(e.from.y, e.to.y) + tolerance) continue;
      const d = distanceToEdge(e, gx, gy);
      if (d < bestD) { bestD = d; best = e; }
    }
    return best;
  }

  /** Graph coordinates to the page's, as a DOMRect for a box in graph units. */
  private screenRect(cx: number, cy: number, hw: number, hh: number): DOMRect {
    const r = this.host.getBoundingClientRect();
    const { scale, x, y } = this.transform;
    return new DOMRect(r.left + x + (cx - hw) * scale, r.top + y + (cy - hh) * scale, 2 * hw * scale, 2 * hh * scale);
  }

  /**
   * What the explanation of `name` talks about, on screen: the parameter, the unit it feeds, and
   * every edge and unit from there to the outputs (the chain the card multiplies along). The card
   * is placed clear of all of them.
   */
  chainRects(name: string): DOMRect[] {
    const layout = this.layout;
    if (!layout) return [];
    const rects: DOMRect[] = [];
    const edge = this.edgeByParam.get(name);
    const bias = layout.biases.find((b) => b.param === name);
    const start = edge?.to ?? bias?.node;
    if (edge) rects.push(...this.edgeRects(edge));
    if (bias) rects.push(this.screenRect(bias.x, bias.y, this.biasWidth() / 2, 12));
    if (edge?.from) rects.push(this.nodeRect(edge.from));
    const seen = new Set<string>();
    const walk = (node: GraphNode | undefined): void => {
      if (!node || seen.has(node.id)) return;
      seen.add(node.id);
      rects.push(this.nodeRect(node));
      for (const e of layout.edges) if (e.from === node) { rects.push(...this.edgeRects(e)); walk(e.to); }
    };
    walk(start);
    return rects;
  }

  /** Every unit, bias and label on screen: the card prefers a spot that leaves them in view. */
  private graphRects(): DOMRect[] {
    const layout = this.layout;
    if (!layout || !layout.detailed) return [];
    const rects = layout.nodes.map((n) => this.nodeRect(n));
    for (const b of layout.biases) rects.push(this.screenRect(b.x, b.y, this.biasWidth() / 2, 12));
    for (const label of this.labelEls.values()) rects.push(label.getBoundingClientRect());
    return rects;
  }

  private nodeRect(n: GraphNode): DOMRect {
    return this.screenRect(n.x, n.y - (this.layout?.detailed && n.kind === 'hidden' ? 8 : 0), n.r + (n.kind === 'input' ? n.r * 0.8 : 4), n.r + (this.layout?.detailed && n.kind === 'hidden' ? 12 : 4));
  }

  /** An edge as a few boxes along it, so a sloped edge does not claim the whole rectangle it spans. */
  private edgeRects(e: GraphEdge): DOMRect[] {
    const pieces = 4;
    const rects: DOMRect[] = [];
    for (let i = 0; i < pieces; i++) {
      const x1 = e.from.x + ((e.to.x - e.from.x) * i) / pieces;
      const y1 = e.from.y + ((e.to.y - e.from.y) * i) / pieces;
      const x2 = e.from.x + ((e.to.x - e.from.x) * (i + 1)) / pieces;
      const y2 = e.from.y + ((e.to.y - e.from.y) * (i + 1)) / pieces;
      rects.push(this.screenRect((x1 + x2) / 2, (y1 + y2) / 2, Math.abs(x2 - x1) / 2 + 4, Math.abs(y2 - y1) / 2 + 4));
    }
    const label = this.labelEls.get(e.param);
    if (label) rects.push(label.getBoundingClientRect());
    return rects;
  }

  /** What is under the pointer: a bias or unit element, a label, else the nearest edge. */
  private hit(ev: PointerEvent): Hovered {
    const target = ev.target as Element;
    const bias = target.closest('.bias[data-param]');
    if (bias) return { kind: 'param', name: bias.getAttribute('data-param')! };
    const label = target.closest('[data-for]');
    if (label) return { kind: 'param', name: label.getAttribute('data-for')! };
    const unit = target.closest('[data-unit]');
    if (unit) return { kind: 'unit', id: unit.getAttribute('data-unit')! };
    const r = this.host.getBoundingClientRect();
    const { scale, x, y } = this.transform;
    const edge = this.edgeAt((ev.clientX - r.left - x) / scale, (ev.clientY - r.top - y) / scale, HIT_PX / scale);
    return edge ? { kind: 'param', name: edge.param } : undefined;
  }

  private setHovered(next: Hovered, ev?: PointerEvent): void {
    const same = next?.kind === this.hovered?.kind && (next?.kind === 'param' ? next.name === (this.hovered as { name: string }).name : next?.kind === 'unit' && next.id === (this.hovered as { id: string }).id);
    if (same || (!next && !this.hovered)) return;
    const previous = this.hovered;
    this.hovered = next;
    for (const [name, { group }] of this.edgeEls) group.classList.toggle('hovered', next?.kind === 'param' && next.name === name);
    // A dense graph labels the hovered edge too.
    if (!this.layout?.edgeLabels && (previous?.kind === 'param' || next?.kind === 'param')) this.paintLabels();
    if (!next) { this.callbacks.leave(); return; }
    const at = { x: ev?.clientX ?? 0, y: ev?.clientY ?? 0, prefer: this.graphRects() };
    if (next.kind === 'param') this.callbacks.hoverParam(next.name, { ...at, avoid: this.chainRects(next.name) });
    else {
      const node = this.layout?.nodes.find((n) => n.id === next.id);
      this.callbacks.hoverUnit(next.id, { ...at, avoid: node ? [this.nodeRect(node)] : [] });
    }
  }

  private bindPointer(): void {
    let drag: { x: number; y: number } | undefined;
    this.svg.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const r = this.host.getBoundingClientRect();
      this.zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    this.svg.addEventListener('pointerdown', (ev) => {
      if (this.hit(ev)) return;
      drag = { x: ev.clientX, y: ev.clientY };
      this.svg.setPointerCapture(ev.pointerId);
      this.svg.classList.add('panning');
    });
    this.svg.addEventListener('pointermove', (ev) => {
      if (drag) {
        this.pan(ev.clientX - drag.x, ev.clientY - drag.y);
        drag = { x: ev.clientX, y: ev.clientY };
        return;
      }
      this.setHovered(this.hit(ev), ev);
    });
    this.svg.addEventListener('pointerleave', () => { if (!drag) this.setHovered(undefined); });
    const end = (ev: PointerEvent): void => {
      if (!drag) return;
      drag = undefined;
      this.svg.releasePointerCapture(ev.pointerId);
      this.svg.classList.remove('panning');
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
    this.svg.addEventListener('click', (ev) => {
      const hit = this.hit(ev as PointerEvent);
      if (hit?.kind === 'param') { ev.stopPropagation(); this.callbacks.pin(hit.name); }
    });
  }
}

/** Which way gradient descent will move the parameter: against the gradient. */
export function direction(p: ParamView, learningRate: number): string {
  if (!p.trainable || p.gradient === 0) return '•';
  return -learningRate * p.gradient > 0 ? '▲' : '▼';
}

export type { Box };
