/**
 * Builds the SVG scene for a layout: the edges (unless there are too many for SVG, see
 * CANVAS_THRESHOLD), the units with their activation's curve and caption, the bias boxes, and the
 * empty layers the phase band and edge labels go in. Built only when the network's shape or the
 * notation changes; paint.ts fills in the values, so hover and zoom survive edits.
 *
 * Every parameter element carries data-param and is focusable: focusing one explains it as
 * hovering does, Enter or Space pins it.
 */
import { unitSymbol } from '../notation';
import { glyphPath } from './glyph';
import { chainRects, graphRects } from './hit';
import type { GraphLayout, GraphNode } from './layout';
import type { GraphState } from './state';

/** Past this many edges they go to a <canvas> under the SVG (thousands of SVG lines make pan and zoom stutter). */
export const CANVAS_THRESHOLD = 1500;
const SVG = 'http://www.w3.org/2000/svg';

export function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** Replaces the scene with `layout`'s, forgetting the elements (and placed labels) of the last. */
export function build(s: GraphState, layout: GraphLayout): void {
  s.layout = layout;
  s.viewport.replaceChildren();
  s.nodeEls.clear();
  s.edgeEls.clear();
  s.biasEls.clear();
  s.captionEls.clear();
  s.labelEls.clear();
  s.labelKey = '';
  s.edgeByParam = new Map(layout.edges.map((e) => [e.param, e]));
  s.useCanvas = layout.edges.length > CANVAS_THRESHOLD;
  s.canvas.hidden = !s.useCanvas;
  // The debugger's current-line colour behind the layer Step Into is at (see paintPhase).
  s.phaseBand = el('rect', { class: 'phase-band', x: 0, y: 0, width: 0, height: layout.height, rx: 12, visibility: 'hidden' }, s.viewport);
  const edges = el('g', { class: 'edges' }, s.viewport);
  const nodes = el('g', { class: 'nodes' }, s.viewport);
  const biases = el('g', { class: 'biases' }, s.viewport);
  s.labelLayer = el('g', { class: 'labels' }, s.viewport);

  if (!s.useCanvas) {
    // In w1, w2, ... order, so Tab walks the weights as they are numbered.
    for (const edge of layout.edges) {
      const group = el('g', { class: 'edge param', 'data-param': edge.param, tabindex: 0, role: 'button', 'aria-describedby': 'hover-card' }, edges);
      const line = el('line', { class: 'edge-line', x1: edge.from.x, y1: edge.from.y, x2: edge.to.x, y2: edge.to.y }, group);
      s.edgeEls.set(edge.param, { line, group });
      bindKeyboard(s, group, edge.param);
    }
  } else canvasEdgeFocus(s, layout, edges);

  for (const node of layout.nodes) {
    const group = el('g', { class: `node ${node.kind}`, 'data-unit': node.id, role: 'img' }, nodes);
    s.nodeEls.set(node.id, group);
    const kindName = node.kind === 'input' ? 'input ' : node.kind === 'output' ? 'output ' : '';
    group.setAttribute('aria-label', `${kindName}${node.feature === undefined ? '' : 'feature '}${node.label}${node.feature !== undefined && node.feature !== node.label ? ` (${node.feature})` : ''}${node.activation && node.kind !== 'input' ? `, ${node.activation}` : ''}${node.note ? `, rescaled to ${node.note}` : ''}`);
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
      caption(s, text, node, layout);
      s.captionEls.set(node.id, text);
      if (inputBox) {
        // Long column names ("dosage (mg/kg)") widen their box, growing leftwards, away from the edges.
        const width = Math.max(node.r * 3.2, (text.getComputedTextLength?.() ?? 0) + 20);
        inputBox.setAttribute('x', String(node.x + node.r * 1.6 - width));
        inputBox.setAttribute('width', String(width));
        text.setAttribute('x', String(node.x + node.r * 1.6 - width / 2));
        if (node.note) {
          // `normalize`: what the input becomes before the first layer, under its box.
          const note = el('text', { class: 'node-note', 'text-anchor': 'middle', x: node.x + node.r * 1.6 - width / 2, y: node.y + node.r * 0.75 + 16 }, group);
          note.textContent = node.note;
        }
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
    s.biasEls.set(bias.param, { group, text, rect });
    bindKeyboard(s, group, bias.param);
  }
}

/** A unit's caption: inputs and outputs by name, hidden units by the symbol the cards use, and the activation. */
function caption(s: GraphState, text: SVGTextElement, node: GraphNode, layout: GraphLayout): void {
  if (node.kind !== 'hidden') { text.textContent = node.label; return; }
  const hiddenLayers = layout.nodes.reduce((m, n) => Math.max(m, n.kind === 'hidden' ? n.layer : 0), 0);
  const sym = unitSymbol(s.notation, hiddenLayers, node.layer, node.unit);
  text.textContent = sym.base;
  if (sym.sup) el('tspan', { class: 'script', dy: -6 }, text).textContent = sym.sup;
  el('tspan', { class: 'script', dy: sym.sup ? 10 : 4 }, text).textContent = sym.sub;
  el('tspan', { dy: sym.sup ? -4 : -4 }, text).textContent = ` ${node.activation}`;
}

/**
 * The keyboard on a canvas-drawn network: the edges have no elements of their own, so one stands in
 * for whichever has the focus, drawn over it. Tab and Shift+Tab walk the weights in w1, w2, ...
 * order as they do in SVG (the arrow keys too; Home and End go to the ends), leaving the edges
 * past the last or before the first; focusing one explains it, Enter or Space pins it.
 */
function canvasEdgeFocus(s: GraphState, layout: GraphLayout, parent: SVGGElement): void {
  const group = el('g', { class: 'param edge-proxy', tabindex: 0, role: 'button', 'aria-describedby': 'hover-card' }, parent);
  const line = el('line', { class: 'edge-line' }, group);
  let at = 0;
  const show = (k: number): void => {
    at = k;
    const edge = layout.edges[k];
    group.setAttribute('data-param', edge.param);
    for (const [name, v] of [['x1', edge.from.x], ['y1', edge.from.y], ['x2', edge.to.x], ['y2', edge.to.y]] as const) line.setAttribute(name, String(v));
    const p = s.params.get(edge.param);
    group.setAttribute('aria-label', `weight ${edge.param} of ${layout.edges.length.toLocaleString('en-US')}${p ? `, value ${p.value.toPrecision(4)}, gradient ${p.gradient.toPrecision(4)}` : ''}`);
  };
  const explain = (): void => {
    const r = line.getBoundingClientRect();
    const name = layout.edges[at].param;
    s.callbacks.hoverParam(name, { x: r.x + r.width / 2, y: r.y + r.height / 2, avoid: chainRects(s, name), prefer: graphRects(s) });
  };
  show(0);
  group.addEventListener('focus', explain);
  group.addEventListener('blur', () => s.callbacks.leave());
  group.addEventListener('keydown', (ev) => {
    const last = layout.edges.length - 1;
    const to = ev.key === 'Tab' ? (ev.shiftKey ? at - 1 : at + 1)
      : ev.key === 'ArrowRight' || ev.key === 'ArrowDown' ? Math.min(last, at + 1)
      : ev.key === 'ArrowLeft' || ev.key === 'ArrowUp' ? Math.max(0, at - 1)
      : ev.key === 'Home' ? 0 : ev.key === 'End' ? last : null;
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); s.callbacks.pin(layout.edges[at].param); return; }
    // Tab past either end leaves the edges, as it would leave the last SVG edge.
    if (to === null || to < 0 || to > last) return;
    ev.preventDefault();
    show(to);
    explain();
  });
}

function bindKeyboard(s: GraphState, group: SVGGElement, name: string): void {
  group.addEventListener('focus', () => {
    const r = group.getBoundingClientRect();
    s.callbacks.hoverParam(name, { x: r.x + r.width / 2, y: r.y + r.height / 2, avoid: chainRects(s, name), prefer: graphRects(s) });
  });
  group.addEventListener('blur', () => s.callbacks.leave());
  group.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); s.callbacks.pin(name); }
  });
}
