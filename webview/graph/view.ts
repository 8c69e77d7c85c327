/**
 * Draws a GraphLayout as SVG: edges coloured by sign and sized by magnitude (of the weight, or in
 * gradient mode of dLoss/dw), units with their activation's curve, biases beside their units.
 * Every parameter element carries data-param and an aria-label, every unit data-unit="L,j".
 *
 * Past CANVAS_THRESHOLD edges the edges go to a <canvas> under the SVG instead (thousands of SVG
 * lines make pan and zoom stutter); hovering them is then a nearest-segment hit test.
 */
import type { NetworkModel, ParamView } from '../../src/protocol';
import { fmt, signed } from '../format';
import { glyphPath } from './glyph';
import { type GraphEdge, type GraphLayout, labelPoint, layoutNetwork } from './layout';

export const CANVAS_THRESHOLD = 1500;
const SVG = 'http://www.w3.org/2000/svg';

export type EdgeMode = 'weights' | 'gradients';

export interface ViewTransform { scale: number; x: number; y: number }

/** Where the pointer is, and the box on screen the card must not cover. */
export interface Anchor { x: number; y: number; avoid: DOMRect }

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

export class GraphView {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly canvas: HTMLCanvasElement;
  private layout: GraphLayout | undefined;
  private shape = '';
  private params = new Map<string, ParamView>();
  /** Each node's label by "layer,unit" (unit from 0), for the aria-labels. */
  private nodeNames = new Map<string, string>();
  private edgeEls = new Map<string, { line: SVGLineElement; label?: SVGTextElement; group: SVGGElement }>();
  private biasEls = new Map<string, { group: SVGGElement; text: SVGTextElement; rect: SVGRectElement }>();
  private transform: ViewTransform = { scale: 1, x: 0, y: 0 };
  private useCanvas = false;
  private model: NetworkModel | undefined;
  private mode: EdgeMode = 'weights';
  private hoveredCanvasEdge: string | undefined;

  constructor(private readonly host: HTMLElement, private readonly callbacks: GraphCallbacks) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'edge-canvas';
    this.canvas.hidden = true;
    host.appendChild(this.canvas);
    this.svg = el('svg', { class: 'graph', role: 'group', 'aria-label': 'Network graph: weights on the edges, biases at their units' });
    host.appendChild(this.svg);
    this.viewport = el('g', { class: 'viewport' }, this.svg);
    this.bindPanZoom();
    new ResizeObserver(() => {
      if (this.autoFit) this.fit();
      else this.drawCanvas();
    }).observe(host);
  }

  /** True until the person pans or zooms: till then the graph follows the panel's size. */
  private autoFit = true;

  /** Shows `model`; re-lays out only when the network's shape changed, so hover and zoom survive edits. */
  render(model: NetworkModel, mode: EdgeMode): void {
    this.model = model;
    this.mode = mode;
    this.params = new Map(model.params.map((p) => [p.name, p]));
    const shape = JSON.stringify([model.inputs, model.outputs, model.layers]);
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(layoutNetwork(model));
    }
    this.paint();
  }

  setMode(mode: EdgeMode): void {
    this.mode = mode;
    this.svg.classList.toggle('gradients', mode === 'gradients');
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
    this.nodeNames = new Map(layout.nodes.map((n) => [`${n.layer},${n.unit}`, n.label]));
    this.viewport.replaceChildren();
    this.edgeEls.clear();
    this.biasEls.clear();
    this.useCanvas = layout.edges.length > CANVAS_THRESHOLD;
    this.canvas.hidden = !this.useCanvas;
    const edges = el('g', { class: 'edges' }, this.viewport);
    const nodes = el('g', { class: 'nodes' }, this.viewport);
    const biases = el('g', { class: 'biases' }, this.viewport);

    if (!this.useCanvas) {
      // In w1, w2, ... order, so Tab walks the weights as they are numbered.
      const fanIn = new Map<string, number>();
      for (const e of layout.edges) fanIn.set(e.to.id, (fanIn.get(e.to.id) ?? 0) + 1);
      for (const edge of layout.edges) {
        const group = el('g', { class: 'edge param', 'data-param': edge.param, tabindex: 0, role: 'button', 'aria-describedby': 'hover-card' }, edges);
        el('line', { class: 'edge-hit', x1: edge.from.x, y1: edge.from.y, x2: edge.to.x, y2: edge.to.y }, group);
        const line = el('line', { class: 'edge-line', x1: edge.from.x, y1: edge.from.y, x2: edge.to.x, y2: edge.to.y }, group);
        let label: SVGTextElement | undefined;
        if (layout.edgeLabels) {
          const p = labelPoint(edge, fanIn.get(edge.to.id) ?? 1);
          const angle = Math.abs(p.angle) > 60 ? 0 : p.angle;
          label = el('text', { class: 'edge-label', x: p.x, y: p.y - 6, 'text-anchor': 'middle', transform: `rotate(${angle.toFixed(1)} ${p.x.toFixed(1)} ${p.y.toFixed(1)})` }, group);
        }
        this.edgeEls.set(edge.param, { line, label, group });
        this.bindParam(group, edge.param);
      }
    }

    for (const node of layout.nodes) {
      const group = el('g', { class: `node ${node.kind}`, 'data-unit': node.id, role: 'img' }, nodes);
      const kindName = node.kind === 'input' ? 'input' : node.kind === 'output' ? 'output' : 'hidden unit';
      group.setAttribute('aria-label', `${kindName} ${node.label}${node.activation && node.kind !== 'input' ? `, ${node.activation}` : ''}`);
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
        text.textContent = node.kind === 'hidden' ? `${node.label} ${node.activation}` : node.label;
        if (inputBox) {
          // Long column names ("dosage (mg/kg)") widen their box, growing leftwards, away from the edges.
          const width = Math.max(node.r * 3.2, (text.getComputedTextLength?.() ?? 0) + 20);
          inputBox.setAttribute('x', String(node.x + node.r * 1.6 - width));
          inputBox.setAttribute('width', String(width));
          text.setAttribute('x', String(node.x + node.r * 1.6 - width / 2));
        }
      }
      group.addEventListener('pointerenter', (ev) => this.callbacks.hoverUnit(node.id, { x: ev.clientX, y: ev.clientY, avoid: group.getBoundingClientRect() }));
      group.addEventListener('pointerleave', () => this.callbacks.leave());
    }

    for (const bias of layout.biases) {
      const group = el('g', { class: 'bias param', 'data-param': bias.param, tabindex: 0, role: 'button', 'aria-describedby': 'hover-card' }, biases);
      const w = layout.detailed ? 96 : Math.max(4, bias.node.r * 1.2);
      const h = layout.detailed ? 20 : Math.max(3, bias.node.r * 0.8);
      const rect = el('rect', { class: 'bias-shape', x: bias.x - w / 2, y: bias.y - h / 2 + (layout.detailed ? 0 : h), width: w, height: h, rx: 4 }, group);
      const text = el('text', { class: 'bias-label', x: bias.x, y: bias.y + 4.5, 'text-anchor': 'middle' }, group);
      if (!layout.detailed) text.setAttribute('display', 'none');
      this.biasEls.set(bias.param, { group, text, rect });
      this.bindParam(group, bias.param);
    }
    requestAnimationFrame(() => { if (this.autoFit) this.fit(); });
  }

  private bindParam(group: SVGGElement, name: string): void {
    const at = (ev?: PointerEvent): Anchor => {
      const r = group.getBoundingClientRect();
      return ev ? { x: ev.clientX, y: ev.clientY, avoid: r } : { x: r.x + r.width / 2, y: r.y + r.height / 2, avoid: r };
    };
    group.addEventListener('pointerenter', (ev) => this.callbacks.hoverParam(name, at(ev)));
    group.addEventListener('pointerleave', () => this.callbacks.leave());
    group.addEventListener('focus', () => this.callbacks.hoverParam(name, at()));
    group.addEventListener('blur', () => this.callbacks.leave());
    group.addEventListener('click', (ev) => { ev.stopPropagation(); this.callbacks.pin(name); });
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
    const nodeName = (layer: number, unit: number): string => this.nodeNames.get(`${layer},${unit}`) ?? '';

    for (const [name, { line, label, group }] of this.edgeEls) {
      const p = this.params.get(name);
      if (!p) continue;
      const v = this.mode === 'weights' ? p.value : p.gradient;
      line.setAttribute('stroke-width', (1 + 7 * Math.sqrt(magnitude(p) / largest)).toFixed(2));
      group.classList.toggle('pos', v > 0);
      group.classList.toggle('neg', v < 0);
      group.classList.toggle('frozen', !p.trainable);
      if (label) label.textContent = this.mode === 'weights' ? `${name} ${signed(p.value, 3)}` : `${name} ${signed(p.gradient, 3)} ${direction(p, model.learningRate)}`;
      group.setAttribute('aria-label', `weight ${name}, from ${nodeName(p.layer - 1, p.input)} to ${nodeName(p.layer, p.unit)}, value ${fmt(p.value)}, gradient d${sym}/d${name} ${fmt(p.gradient)}${p.trainable ? '' : ', not trainable'}`);
    }
    for (const [name, { group, text }] of this.biasEls) {
      const p = this.params.get(name);
      if (!p) continue;
      const v = this.mode === 'weights' ? p.value : p.gradient;
      group.classList.toggle('pos', v > 0);
      group.classList.toggle('neg', v < 0);
      group.classList.toggle('frozen', !p.trainable);
      text.textContent = this.mode === 'weights' ? `+ ${name} ${signed(p.value, 3)}` : `${name} ${signed(p.gradient, 3)} ${direction(p, model.learningRate)}`;
      if (this.layout.detailed) this.fitBox(this.biasEls.get(name)!);
      group.setAttribute('aria-label', `bias ${name} of ${nodeName(p.layer, p.unit)}, value ${fmt(p.value)}, gradient d${sym}/d${name} ${fmt(p.gradient)}${p.trainable ? '' : ', not trainable'}`);
    }
    this.drawCanvas();
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

  /** The edge nearest a point in graph coordinates, within `tolerance` (canvas mode only). */
  private edgeAt(gx: number, gy: number, tolerance: number): GraphEdge | undefined {
    let best: GraphEdge | undefined;
    let bestD = tolerance * tolerance;
    for (const e of this.layout?.edges ?? []) {
      const dx = e.to.x - e.from.x;
      const dy = e.to.y - e.from.y;
      const t = Math.max(0, Math.min(1, ((gx - e.from.x) * dx + (gy - e.from.y) * dy) / (dx * dx + dy * dy || 1)));
      const ex = e.from.x + t * dx - gx;
      const ey = e.from.y + t * dy - gy;
      const d = ex * ex + ey * ey;
      if (d < bestD) { bestD = d; best = e; }
    }
    return best;
  }

  private bindPanZoom(): void {
    let drag: { x: number; y: number } | undefined;
    this.svg.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const r = this.host.getBoundingClientRect();
      this.zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    this.svg.addEventListener('pointerdown', (ev) => {
      if ((ev.target as Element).closest('.param')) return;
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
      if (!this.useCanvas) return;
      const r = this.host.getBoundingClientRect();
      const { scale, x, y } = this.transform;
      const edge = this.edgeAt((ev.clientX - r.left - x) / scale, (ev.clientY - r.top - y) / scale, 4 / scale);
      if (edge?.param !== this.hoveredCanvasEdge) {
        this.hoveredCanvasEdge = edge?.param;
        if (edge) {
          const t = this.transform;
          const x1 = r.left + t.x + t.scale * Math.min(edge.from.x, edge.to.x);
          const y1 = r.top + t.y + t.scale * Math.min(edge.from.y, edge.to.y);
          const avoid = new DOMRect(x1, y1, t.scale * Math.abs(edge.to.x - edge.from.x), t.scale * Math.abs(edge.to.y - edge.from.y));
          this.callbacks.hoverParam(edge.param, { x: ev.clientX, y: ev.clientY, avoid });
        }
        else this.callbacks.leave();
      }
    });
    const end = (ev: PointerEvent): void => {
      if (!drag) return;
      drag = undefined;
      this.svg.releasePointerCapture(ev.pointerId);
      this.svg.classList.remove('panning');
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
    this.svg.addEventListener('click', () => {
      if (this.useCanvas && this.hoveredCanvasEdge) this.callbacks.pin(this.hoveredCanvasEdge);
    });
  }
}

/** Which way gradient descent will move the parameter: against the gradient. */
export function direction(p: ParamView, learningRate: number): string {
  if (!p.trainable || p.gradient === 0) return '•';
  return -learningRate * p.gradient > 0 ? '▲' : '▼';
}
