/**
 * Each unit's picture, drawn in the graph (TensorFlow Playground's signature): with two inputs, a
 * small heat map of the unit's output over the input plane takes the place of its circle (orange
 * low, the background at the middle, blue high: the fit's scale), and the output's map carries the
 * decision boundary and the samples in their targets' colours; with one input, the unit's curve
 * over the input's range takes the place of its activation's glyph (StatQuest's blue and orange).
 * A mapped unit can be focused (Tab), which shows its card with the enlarged map, as hovering does.
 *
 * The worker computes the pictures (see src/session/unitMaps.ts); this only turns bytes into
 * colours, one small image per unit, refilled when new pictures or another theme come.
 */
import type { UnitMapsChart, UnitMapView } from '../../src/session/chartTypes';
import { fillScale, type Rgb, SCALE_STEPS } from '../charts/scale';
import { palette, rgba } from '../charts/theme';
import { short } from '../format';
import { nodeRect, graphRects } from './hit';
import type { GraphNode } from './layout';
import type { GraphState } from './state';
import { el } from './svg';

/** StatQuest's colours for the hidden units' curves (the first blue, the second orange), the output's green. */
export const CURVE_CLASSES = ['curve-blue', 'curve-orange', 'curve-purple', 'curve-red', 'curve-yellow'];

/** A unit's picture in the graph, by its data-unit id. */
export function mapOf(data: UnitMapsChart | null | undefined, id: string): UnitMapView | undefined {
  if (!data) return undefined;
  const [layer, unit] = id.split(',').map(Number);
  return data.units.find((u) => u.layer === layer && u.unit === unit - 1);
}

/** The scale's colours from the theme: 256 RGBA entries from orange through the background to blue. */
export function mapScale(out = new Uint8ClampedArray(SCALE_STEPS * 4)): Uint8ClampedArray {
  const p = palette();
  return fillScale(rgb(p.orange, [209, 134, 22]), rgb(p.blue, [55, 148, 255]), rgb(p.background, [30, 30, 30]), out);
}

/** A value's place on a unit's scale (0..255), as the worker's bytes hold it. */
export function scaleByte(value: number, [lo, hi]: [number, number]): number {
  if (!Number.isFinite(value) || !(hi > lo)) return 128;
  return Math.round(255 * Math.min(1, Math.max(0, (value - lo) / (hi - lo))));
}

/** The worker's base64 bytes. */
export function cellsOf(map: UnitMapView): Uint8Array {
  const text = atob(map.cells ?? '');
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** `map` painted into `image` (side x side, row 0 at the top: the highest x2). */
export function paintCells(map: UnitMapView, side: number, table: Uint8ClampedArray, image: ImageData): void {
  const cells = cellsOf(map);
  const data = image.data;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const i = cells[r * side + c] * 4;
      const at = ((side - 1 - r) * side + c) * 4;
      data[at] = table[i];
      data[at + 1] = table[i + 1];
      data[at + 2] = table[i + 2];
      data[at + 3] = 255;
    }
  }
}

/**
 * The picture in words: "hidden unit 2 over x1 from −0.1 to 1.1 and x2 from −0.1 to 1.1: positive
 * on 48% of the plane, mostly toward high x1 and low x2; from −0.97 to 0.98", and for an output the
 * decision boundary; for a curve, where it starts, ends and peaks.
 */
export function mapWords(name: string, data: UnitMapsChart, map: UnitMapView): string {
  const [x0, x1] = data.xRange;
  const over = data.yRange
    ? `${data.inputs[0]} from ${short(x0)} to ${short(x1)} and ${data.inputs[1]} from ${short(data.yRange[0])} to ${short(data.yRange[1])}`
    : `${data.inputs[0]} from ${short(x0)} to ${short(x1)}`;
  const what = map.shows === 'probability' ? `the probability of ${name}` : name;
  const range = `lowest ${short(map.min)}, highest ${short(map.max)}`;
  if (map.curve) {
    const c = map.curve;
    const at = (v: number): string => short(x0 + ((x1 - x0) * c.indexOf(v)) / (c.length - 1));
    return `${what} over ${over}: from ${short(c[0])} to ${short(c[c.length - 1])}; ${range} (at ${data.inputs[0]} ${at(map.min)} and ${at(map.max)}).`;
  }
  const above = map.level === 0 ? 'positive' : `above ${short(map.level)}`;
  const share = Math.round(100 * map.above);
  let where: string;
  if (share === 0) where = `${above} nowhere on the plane`;
  else if (share === 100) where = `${above} on the whole plane`;
  else {
    const lean = (t: number, axis: string): string | null => (t > 0.15 ? `high ${axis}` : t < -0.15 ? `low ${axis}` : null);
    const toward = [lean(map.toward[0], data.inputs[0]), lean(map.toward[1], data.inputs[1])].filter((s) => s !== null);
    where = `${above} on ${share}% of the plane${toward.length ? `, mostly toward ${toward.join(' and ')}` : ', spread across it'}`;
  }
  const boundary = map.boundary ? (map.boundary.length > 0 ? `; the decision boundary (where it crosses ${map.shows === 'probability' ? 'to another class' : short(map.level)}) is drawn across it, with ${data.samples.x.length} samples in their targets' colours` : '; no decision boundary: one class everywhere') : '';
  return `${what} over ${over}: ${where}; ${range}${boundary}. Orange is low, blue high (${short(map.domain[0])} to ${short(map.domain[1])}).`;
}

/** What the graph's pictures hold now, kept on the view so a new layout draws them again. */
export interface MapsState {
  data: UnitMapsChart | null;
  shown: boolean;
}

const canvas = document.createElement('canvas');
const table = new Uint8ClampedArray(SCALE_STEPS * 4);
/** The node groups whose focus already shows their card. */
const focusable = new WeakSet<SVGGElement>();

/**
 * Draws `maps` onto the graph's units (or takes them away when not shown): called when new
 * pictures come, the layout was rebuilt, or the theme changed.
 */
export function drawUnitMaps(s: GraphState, maps: MapsState): void {
  const layout = s.layout;
  if (!layout) return;
  const data = maps.shown && !s.useCanvas ? maps.data : null;
  // A picture belongs to this network only if it has one for every mapped unit.
  const fits = data !== null && layout.nodes.filter((n) => n.kind !== 'input').every((n) => mapOf(data, n.id) !== undefined) && data.inputs.length === layout.nodes.filter((n) => n.kind === 'input').length;
  if (fits) mapScale(table);
  for (const node of layout.nodes) {
    if (node.kind === 'input') continue;
    const group = s.nodeEls.get(node.id);
    if (!group) continue;
    const map = fits ? mapOf(data, node.id) : undefined;
    group.querySelector(':scope > .unit-map')?.remove();
    group.classList.toggle('mapped', !!map?.cells);
    group.classList.toggle('curved', !!map?.curve);
    const base = group.dataset.label ?? group.getAttribute('aria-label') ?? '';
    group.dataset.label = base;
    if (!map || !data) {
      group.setAttribute('aria-label', base);
      group.removeAttribute('tabindex');
      continue;
    }
    const g = el('g', { class: 'unit-map', 'aria-hidden': 'true' });
    // Under the caption (and its text), over the circle.
    const label = group.querySelector(':scope > .node-label');
    if (label) group.insertBefore(g, label);
    else group.append(g);
    if (map.cells) drawPlane(g, node, data, map);
    else if (map.curve) drawCurve(g, node, map, node.kind === 'output');
    group.setAttribute('aria-label', `${base}; its picture: ${mapWords(`${node.kind === 'output' ? 'output ' : ''}${node.label}`, data, map)}`);
    group.setAttribute('tabindex', '0');
    if (!focusable.has(group)) {
      focusable.add(group);
      group.addEventListener('focus', () => {
        const r = group.getBoundingClientRect();
        s.callbacks.hoverUnit(node.id, { x: r.x + r.width / 2, y: r.y + r.height / 2, avoid: [nodeRect(s, node)], prefer: graphRects(s) });
      });
      group.addEventListener('blur', () => s.callbacks.leave());
    }
  }
  s.svg.dataset.unitMaps = fits ? String(data.units.length) : '0';
}

/** The heat map as a square in place of the circle, with the boundary and the samples on an output's. */
function drawPlane(g: SVGGElement, node: GraphNode, data: UnitMapsChart, map: UnitMapView): void {
  const n = data.side;
  canvas.width = n;
  canvas.height = n;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(n, n);
  paintCells(map, n, table, image);
  ctx.putImageData(image, 0, 0);
  const h = node.r;
  el('image', { class: 'unit-map-image', x: node.x - h, y: node.y - h, width: 2 * h, height: 2 * h, preserveAspectRatio: 'none', href: canvas.toDataURL('image/png') }, g);
  const [x0, x1] = data.xRange;
  const [y0, y1] = data.yRange!;
  const px = (x: number): number => node.x - h + (2 * h * (x - x0)) / (x1 - x0);
  const py = (y: number): number => node.y + h - (2 * h * (y - y0)) / (y1 - y0);
  if (map.boundary && map.boundary.length > 0) {
    const b = map.boundary;
    let d = '';
    for (let i = 0; i < b.length; i += 4) d += `M${px(b[i]).toFixed(2)} ${py(b[i + 1]).toFixed(2)}L${px(b[i + 2]).toFixed(2)} ${py(b[i + 3]).toFixed(2)}`;
    el('path', { class: 'unit-map-boundary', d }, g);
  }
  if (node.kind === 'output') {
    const s = data.samples;
    const targets = s.targets[node.unit] ?? [];
    const radius = Math.max(1.2, Math.min(3, h / 9));
    for (let i = 0; i < s.x.length; i++) {
      const k = scaleByte(targets[i], map.domain) * 4;
      el('circle', { class: 'unit-map-sample', cx: px(s.x[i]).toFixed(2), cy: py(s.y[i]).toFixed(2), r: radius, fill: `rgb(${table[k]}, ${table[k + 1]}, ${table[k + 2]})` }, g);
    }
  }
  el('rect', { class: 'unit-map-frame', x: node.x - h, y: node.y - h, width: 2 * h, height: 2 * h, rx: Math.min(4, h / 4) }, g);
}

/** The unit's curve over the input's range inside its circle, scaled to its own lowest and highest value. */
function drawCurve(g: SVGGElement, node: GraphNode, map: UnitMapView, output: boolean): void {
  const c = map.curve!;
  const h = node.r * 0.62;
  const span = map.max - map.min;
  let d = '';
  for (let i = 0; i < c.length; i++) {
    const x = node.x - h + (2 * h * i) / (c.length - 1);
    const y = span > 1e-12 ? node.y + h - (2 * h * (c[i] - map.min)) / span : node.y;
    d += `${i === 0 ? 'M' : 'L'}${x.toFixed(2)} ${Number.isFinite(y) ? y.toFixed(2) : node.y}`;
  }
  el('path', { class: `unit-curve ${output ? 'curve-green' : CURVE_CLASSES[node.unit % CURVE_CLASSES.length]}`, d }, g);
}

function rgb(colour: string, fallback: Rgb): Rgb {
  const c = rgba(colour);
  return c ? [c[0], c[1], c[2]] : fallback;
}
