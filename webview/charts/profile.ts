/**
 * The loss against one parameter, every other held where it is: StatQuest's pink curve, the
 * current point, the tangent whose slope is the derivative (written on it), and the next value one
 * step down the tangent. With a second parameter chosen, the loss over both as a contour map with
 * the path gradient descent took.
 */
import type { Plugin } from 'chart.js';
import type { ProfileChart, SurfaceChart } from '../../src/session/chartTypes';
import { h } from '../dom';
import { fmt } from '../format';
import { plural } from '../../src/core/numbers';
import { csvRow, Panel, type PanelActions, points } from './panel';
import { writeLabel } from './labels';
import { CellImage, type Palette, type Rgba, rgba } from './theme';

/** Parameters listed for the contour map's second one (a list of 150,000 helps nobody). */
const SELECTABLE = 200;

export interface ProfileActions extends PanelActions {
  /** The second parameter of the contour map (null: the curve of one). */
  second(name: string | null): void;
}

export class ProfilePanel extends Panel {
  private profile: ProfileChart | undefined;
  private surface: SurfaceChart | undefined;
  private symbol = 'SSR';
  private readonly select = h('select', 'chart-select');
  private readonly map = new CellImage();
  /** Counts the data received: the contour map's image is refilled when it changes. */
  private version = 0;

  constructor(open: boolean, palette: Palette, private readonly profileActions: ProfileActions) {
    super('profile', open, palette, profileActions);
    this.select.setAttribute('aria-label', 'Second parameter: the loss over both as a contour map');
    this.select.title = 'Second parameter: the loss over both as a contour map';
    this.select.addEventListener('change', () => this.profileActions.second(this.select.value || null));
    this.tools.prepend(this.select);
  }

  /**
   * The parameters a contour map can pair with the first: every one in a network of up to
   * SELECTABLE, else the first SELECTABLE and the one chosen (pin a parameter, hover another).
   */
  setParameters(names: string[], second: string | null): void {
    const listed = names.length <= SELECTABLE ? names : [...new Set([...names.slice(0, SELECTABLE), ...(second ? [second] : [])])];
    const options = [['', 'alone'], ...listed.map((n) => [n, `with ${n}`])];
    const key = options.map((o) => o[0]).join(',');
    if (this.select.dataset.key !== key) {
      this.select.dataset.key = key;
      this.select.replaceChildren(...options.map(([value, text]) => { const o = h('option', undefined, text); o.value = value; return o; }));
    }
    this.select.value = second ?? '';
  }

  update(profile: ProfileChart | undefined, surface: SurfaceChart | undefined, lossSymbol: string): void {
    const reshaped = (this.surface === undefined) !== (surface === undefined);
    this.profile = profile;
    this.surface = surface;
    this.symbol = lossSymbol;
    this.version++;
    if (reshaped) { this.chart?.destroy(); this.chart = undefined; }
    this.redraw();
  }

  redraw(): void {
    if (this.surface) this.drawSurface(this.surface);
    else if (this.profile) this.drawProfile(this.profile);
  }

  private drawProfile(d: ProfileChart): void {
    const p = this.palette;
    const s = this.naming.loss(this.symbol);
    const name = this.naming.param(d.parameter);
    this.setTitle(`${s} against ${name}`);
    this.element.dataset.parameter = d.parameter;
    this.element.dataset.slope = String(d.slope);
    this.element.dataset.points = String(d.xs.length);
    const span = d.xs[d.xs.length - 1] - d.xs[0];
    // The tangent over a sixth of the range either side: long enough to read its slope.
    const half = span / 6;
    const tangent = [{ x: d.value - half, y: d.loss - d.slope * half }, { x: d.value + half, y: d.loss + d.slope * half }];
    const finite = d.losses.filter(Number.isFinite);
    const lo = Math.min(...finite, d.loss);
    const top = Math.max(...finite, d.loss);
    // High enough for the point and the next one with room above, and for a quarter of the curve's
    // height, so the bowl around the point stays readable when the range's ends climb steeply.
    const hi = Math.min(top, Math.max(lo + 1.6 * (Math.max(d.loss, d.nextLoss) - lo), lo + 0.25 * (top - lo)));
    const pad = 0.06 * (hi - lo || 1);
    const options = this.baseOptions(name, s, { x: [d.xs[0], d.xs[d.xs.length - 1]], y: [lo - pad, hi + pad] });
    const slopeText = `d${s}/d${name} = ${fmt(d.slope)}`;
    const summary = `${s} against ${name}, the other parameters held: ${name} = ${fmt(d.value)}, ${s} = ${fmt(d.loss)}, slope ${slopeText}.`
      + (d.trainable ? ` One step down the tangent (learning rate ${fmt(d.learningRate)}): ${name} = ${fmt(d.next)}, where ${s} = ${fmt(d.nextLoss)}.` : ` ${name} does not train.`)
      + ` The curve's lowest point: ${name} = ${fmt(d.minimum.x)}, ${s} = ${fmt(d.minimum.loss)}.`;
    this.describe(summary, `${name} = ${fmt(d.value)}   ${s} = ${fmt(d.loss)}   slope ${fmt(d.slope)}   next ${fmt(d.next)}   lowest at ${fmt(d.minimum.x)}`);
    this.draw({
      type: 'line',
      data: {
        datasets: [
          { label: `${s}(${name})`, data: points(d.xs, d.losses), borderColor: p.purple, borderWidth: 2, pointRadius: 0 },
          { label: `tangent, slope ${fmt(d.slope)}`, data: tangent, borderColor: p.foreground, borderWidth: 1.5, borderDash: [6, 4], pointRadius: 0 },
          // Where one step takes the parameter, on the curve (as StatQuest moves the point); the tangent says how far.
          { label: 'next value', data: d.trainable ? [{ x: d.next, y: d.nextLoss }] : [], type: 'scatter', pointRadius: 5, borderColor: p.foreground, backgroundColor: 'transparent', borderWidth: 1.5 },
          { label: 'now', data: [{ x: d.value, y: d.loss }], type: 'scatter', pointRadius: 6, borderColor: p.current, backgroundColor: p.current },
        ],
      },
      options,
    }, [this.labels()]);
  }

  /** The slope written on the tangent and the next value under its point. */
  private labels(): Plugin {
    return {
      id: 'profileLabels',
      afterDatasetsDraw: (chart) => {
        const d = this.profile;
        if (!d || this.surface) return;
        const { ctx, scales, chartArea: area } = chart;
        const p = this.palette;
        ctx.save();
        ctx.font = `${p.fontSize}px ${p.monoFont}`;
        ctx.fillStyle = p.foreground;
        const x = scales.x.getPixelForValue(d.value);
        const y = scales.y.getPixelForValue(d.loss);
        const text = `slope ${fmt(d.slope)}`;
        // Beside the point, up and to the right, moved inside the plot when it would leave it.
        const slope = writeLabel(chart, text, x + 10, y - 10);
        const w = slope.right - slope.left;
        // The next value's label, unless the step is too small to tell it from the point (the caption says it).
        if (d.trainable && Math.abs(scales.x.getPixelForValue(d.next) - x) > w + 8) {
          const nx = scales.x.getPixelForValue(d.next);
          const ny = scales.y.getPixelForValue(d.nextLoss);
          const label = `next ${fmt(d.next)}`;
          const lw = ctx.measureText(label).width;
          ctx.fillStyle = p.muted;
          // Under the mark where there is room, else over it: never on the tangent.
          const below = ny + p.fontSize + 8;
          writeLabel(chart, label, nx - lw / 2, below <= area.bottom - 2 ? below : ny - 8);
        }
        ctx.restore();
      },
    };
  }

  private drawSurface(d: SurfaceChart): void {
    const p = this.palette;
    const s = this.naming.loss(this.symbol);
    const [a, b] = d.parameters.map((n) => this.naming.param(n));
    this.setTitle(`${s} over ${a} and ${b}`);
    this.element.dataset.parameter = d.parameters[0];
    this.element.dataset.points = String(d.losses.length);
    const options = this.baseOptions(a, b, { x: [d.xs[0], d.xs[d.xs.length - 1]], y: [d.ys[0], d.ys[d.ys.length - 1]] });
    const first = { x: d.path.xs[0], y: d.path.ys[0] };
    const summary = `${s} over ${a} and ${b}, the other parameters held: now ${a} = ${fmt(d.current.x)}, ${b} = ${fmt(d.current.y)}, ${s} = ${fmt(d.current.loss)}.`
      + ` Gradient descent's path starts at ${a} = ${fmt(first.x)}, ${b} = ${fmt(first.y)} (${plural(d.path.xs.length, 'point')}).`
      + ` Lowest ${s} on the map: ${fmt(Math.min(...d.losses.filter(Number.isFinite)))}.`;
    this.describe(summary, `${a} = ${fmt(d.current.x)}   ${b} = ${fmt(d.current.y)}   ${s} = ${fmt(d.current.loss)}`);
    this.draw({
      type: 'scatter',
      data: {
        datasets: [
          { label: 'path', data: points(d.path.xs, d.path.ys), showLine: true, borderColor: p.foreground, borderWidth: 1.5, pointRadius: 0 },
          { label: 'start', data: [first], pointRadius: 4, borderColor: p.foreground, backgroundColor: 'transparent' },
          { label: 'now', data: [{ x: d.current.x, y: d.current.y }], pointRadius: 6, borderColor: p.current, backgroundColor: p.current },
        ],
      },
      options,
    }, [this.contours()]);
  }

  /**
   * The map under the path: the loss in bands of equal log-loss (a filled contour map), the lowest
   * band strongest, in the curve's colour; one image, refilled only when the data changes.
   */
  private contours(): Plugin {
    return {
      id: 'contours',
      beforeDatasetsDraw: (chart) => {
        const d = this.surface;
        if (!d) return;
        const n = d.xs.length;
        const colour: Rgba = rgba(this.palette.purple) ?? [128, 0, 128, 1];
        const logs = d.losses.map((v) => Math.log(Math.max(v, 1e-12)));
        const finite = logs.filter(Number.isFinite);
        const lo = Math.min(...finite);
        const hi = Math.max(...finite);
        const bands = 12;
        this.map.fill(`${this.version}:${this.palette.purple}`, n, n, (r, c, data, at) => {
          const v = logs[r * n + c];
          const band = Number.isFinite(v) && hi > lo ? Math.min(bands - 1, Math.floor(((v - lo) / (hi - lo)) * bands)) : bands - 1;
          data[at] = colour[0];
          data[at + 1] = colour[1];
          data[at + 2] = colour[2];
          data[at + 3] = Math.round(255 * colour[3] * (0.85 * (1 - band / bands) + 0.05));
        });
        this.map.drawOver(chart, d.xs, d.ys);
      },
    };
  }

  protected csv(): string {
    if (this.surface) {
      const d = this.surface;
      const [a, b] = d.parameters;
      const rows = [csvRow([a, b, this.symbol])];
      for (let r = 0; r < d.ys.length; r++) for (let c = 0; c < d.xs.length; c++) rows.push(csvRow([d.xs[c], d.ys[r], d.losses[r * d.xs.length + c]]));
      return rows.join('\n') + '\n';
    }
    const d = this.profile;
    if (!d) return '';
    return [csvRow([d.parameter, this.symbol]), ...d.xs.map((x, i) => csvRow([x, d.losses[i]]))].join('\n') + '\n';
  }

  protected fileName(): string {
    return this.surface ? `loss-over-${this.surface.parameters.join('-')}` : `loss-against-${this.profile?.parameter ?? 'parameter'}`;
  }
}
