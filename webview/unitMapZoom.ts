/**
 * A unit's picture, enlarged: what its card shows on top when the unit is hovered or focused. The
 * map (or curve) at 180 px with the inputs' ranges on its axes, the decision boundary and samples
 * on an output's, a colour key with the scale's ends, and the picture in words as its text
 * alternative. One element, moved into whichever unit's card is shown, and drawn again in place
 * when new pictures come (its size never changes, so the card does not move).
 */
import type { UnitMapsChart, UnitMapView } from '../src/session/chartTypes';
import { palette, withAlpha } from './charts/theme';
import { scaleStops } from './charts/scale';
import { h } from './dom';
import { short } from './format';
import { mapOf, mapScale, mapWords, paintCells, scaleByte } from './graph/unitMaps';

/** The enlarged picture's side, in CSS pixels. */
const SIDE = 180;

export class UnitMapZoom {
  readonly element = h('figure', 'unit-zoom');
  private readonly canvas = h('canvas', 'unit-zoom-plot');
  private readonly yAxis = h('div', 'unit-zoom-axis unit-zoom-y');
  private readonly xAxis = h('div', 'unit-zoom-axis unit-zoom-x');
  private readonly key = h('div', 'unit-zoom-key');
  private readonly keyBar = h('span', 'chart-key-bar');
  private readonly table = new Uint8ClampedArray(256 * 4);
  /** The unit shown and its name in words. */
  private shown: { id: string; name: string } | undefined;
  private data: UnitMapsChart | null = null;

  constructor() {
    this.element.setAttribute('role', 'img');
    const plot = h('div', 'unit-zoom-body');
    plot.append(this.yAxis, this.canvas, h('span'), this.xAxis);
    this.element.append(plot, this.key);
    this.canvas.style.width = `${SIDE}px`;
    this.canvas.style.height = `${SIDE}px`;
  }

  /** The pictures now (null: none); the unit shown is drawn again. */
  setData(data: UnitMapsChart | null): void {
    this.data = data;
    if (this.shown) this.draw();
  }

  /** The enlarged picture of unit `id` (data-unit "L,j"), or null when it has none. */
  elementFor(id: string, name: string): HTMLElement | null {
    if (!mapOf(this.data, id)) { this.shown = undefined; return null; }
    this.shown = { id, name };
    this.draw();
    return this.element;
  }

  private draw(): void {
    const data = this.data;
    const map = this.shown ? mapOf(data, this.shown.id) : undefined;
    if (!data || !map || !this.shown) return;
    this.element.dataset.unit = this.shown.id;
    this.element.setAttribute('aria-label', `The picture of ${mapWords(this.shown.name, data, map)}`);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(SIDE * dpr);
    this.canvas.height = Math.round(SIDE * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = palette();
    mapScale(this.table);
    const [x0, x1] = data.xRange;
    this.xAxis.replaceChildren(h('span', '', short(x0)), h('span', 'unit-zoom-name', data.inputs[0]), h('span', '', short(x1)));
    if (map.cells && data.yRange) {
      const [y0, y1] = data.yRange;
      this.yAxis.replaceChildren(h('span', '', short(y1)), h('span', 'unit-zoom-name', data.inputs[1]), h('span', '', short(y0)));
      this.drawPlane(ctx, data, map, p.foreground);
    } else {
      this.yAxis.replaceChildren(h('span', '', short(map.max)), h('span', 'unit-zoom-name', map.shows === 'probability' ? 'p' : 'a'), h('span', '', short(map.min)));
      this.drawCurve(ctx, data, map, p);
    }
    // The key: the scale with its ends (a heat map), or what the curve's colour is.
    if (map.cells) {
      this.keyBar.style.background = `linear-gradient(to right, ${scaleStops(this.table).join(', ')})`;
      this.key.replaceChildren(h('span', 'chart-key-value', short(map.domain[0])), this.keyBar, h('span', 'chart-key-value', short(map.domain[1])));
    } else {
      this.key.replaceChildren(h('span', 'chart-key-name', `a: the unit's output over ${data.inputs[0]}, from ${short(map.min)} to ${short(map.max)}`));
    }
  }

  private drawPlane(ctx: CanvasRenderingContext2D, data: UnitMapsChart, map: UnitMapView, foreground: string): void {
    const n = data.side;
    const cells = document.createElement('canvas');
    cells.width = n;
    cells.height = n;
    const c2 = cells.getContext('2d')!;
    const image = c2.createImageData(n, n);
    paintCells(map, n, this.table, image);
    c2.putImageData(image, 0, 0);
    // Smoothed, with the first and last cells' centres on the plot's edges: the grid's points are
    // where the values were computed.
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(cells, 0.5, 0.5, n - 1, n - 1, 0, 0, SIDE, SIDE);
    const [x0, x1] = data.xRange;
    const [y0, y1] = data.yRange!;
    const px = (x: number): number => (SIDE * (x - x0)) / (x1 - x0);
    const py = (y: number): number => SIDE - (SIDE * (y - y0)) / (y1 - y0);
    if (map.boundary && map.boundary.length > 0) {
      ctx.strokeStyle = foreground;
      ctx.lineWidth = 2;
      ctx.beginPath();
      const b = map.boundary;
      for (let i = 0; i < b.length; i += 4) { ctx.moveTo(px(b[i]), py(b[i + 1])); ctx.lineTo(px(b[i + 2]), py(b[i + 3])); }
      ctx.stroke();
    }
    if (map.boundary) {
      const s = data.samples;
      const unit = Number(this.shown!.id.split(',')[1]);
      const targets = s.targets[unit - 1] ?? [];
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = foreground;
      for (let i = 0; i < s.x.length; i++) {
        const k = scaleByte(targets[i], map.domain) * 4;
        ctx.fillStyle = `rgb(${this.table[k]}, ${this.table[k + 1]}, ${this.table[k + 2]})`;
        ctx.beginPath();
        ctx.arc(px(s.x[i]), py(s.y[i]), 4, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
    ctx.strokeStyle = withAlpha(foreground, 0.5);
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, SIDE - 1, SIDE - 1);
  }

  private drawCurve(ctx: CanvasRenderingContext2D, data: UnitMapsChart, map: UnitMapView, p: ReturnType<typeof palette>): void {
    ctx.clearRect(0, 0, SIDE, SIDE);
    const c = map.curve!;
    const span = map.max - map.min || 1;
    const py = (v: number): number => SIDE - 6 - ((SIDE - 12) * (v - map.min)) / span;
    if (map.min < 0 && map.max > 0) {
      ctx.strokeStyle = withAlpha(p.muted, 0.6);
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(0, py(0));
      ctx.lineTo(SIDE, py(0));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const [layer, unit] = this.shown!.id.split(',').map(Number);
    const output = layer === Math.max(...data.units.map((u) => u.layer));
    const colours = [p.blue, p.orange, p.purple, p.red, p.yellow];
    ctx.strokeStyle = output ? p.green : colours[(unit - 1) % colours.length];
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    c.forEach((v, i) => { const x = (SIDE * i) / (c.length - 1); if (i === 0) ctx.moveTo(x, py(v)); else ctx.lineTo(x, py(v)); });
    ctx.stroke();
    ctx.strokeStyle = withAlpha(p.foreground, 0.5);
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, SIDE - 1, SIDE - 1);
  }
}
