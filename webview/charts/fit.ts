/**
 * The fit. One input and one output: the data, the network's curve over the input's range
 * (StatQuest's green squiggle), each last-hidden unit's contribution (weight x activation: the
 * blue and orange curves) and the residuals as dashed vertical lines, with the SSR they add up
 * to. Two inputs: the output over the input plane as a heat map with the data on it (as
 * TensorFlow Playground draws), each sample in its target's colour on the map's own scale (a
 * classifier's in its class's colour), with the key as text under the chart. Any other shape:
 * predicted against observed, per output.
 */
import type { Plugin } from 'chart.js';
import { plural } from '../../src/core/numbers';
import type { FitChart } from '../../src/session/chartTypes';
import { h } from '../dom';
import { compact, fmt, short } from '../format';
import { writeLabel } from './labels';
import { csvRow, Panel, type PanelActions, type PictureExtras, points } from './panel';
import { fillScale, type Rgb, SCALE_STEPS, scaleCss, scaleDomain, scaleIndex, scaleStops } from './scale';
import { CellImage, type Palette, rgba, withAlpha } from './theme';

/**
 * How much finer than the worker's grid a classifier's map is drawn (48 points a side become 189):
 * enough that the borders between classes are curves, not steps, for about 36,000 cells filled
 * only when the data or the theme changes.
 */
const CLASS_DETAIL = 4;
/** How close (in probability) the two likeliest classes are where a border blends their colours. */
const CLASS_EDGE = 0.2;

/** Samples named one by one in the text alternative; past this many, a count. */
const SPOKEN_SAMPLES = 20;

export class FitPanel extends Panel {
  private data: FitChart | undefined;
  private shape: 'curve' | 'plane' | 'scatter' | undefined;
  private readonly map = new CellImage();
  /** Counts the data received: the heat map's image is refilled when it changes. */
  private version = 0;
  /** One output's colour scale (see scale.ts), refilled when the theme's colours change. */
  private readonly scale = new Uint8ClampedArray(SCALE_STEPS * 4);
  private scaleColours = '';
  /** The values the scale spans: the map's and the targets' (one output over the plane). */
  private domain: [number, number] = [0, 1];
  /** The colour key under a heat map, as text: the output's scale with its ends, or the classes by name. */
  private readonly key = h('div', 'chart-key');
  /** The scale as a bar: a CSS gradient through the scale's stops (it is linear between them). */
  private readonly keyBar = h('span', 'chart-key-bar');

  constructor(open: boolean, palette: Palette, actions: PanelActions) {
    super('fit', open, palette, actions);
    this.key.hidden = true;
    this.key.setAttribute('role', 'img');
    this.keyBar.setAttribute('aria-hidden', 'true');
    this.body.after(this.key);
  }

  update(data: FitChart): void {
    const shape = data.curve ? 'curve' : data.plane ? 'plane' : 'scatter';
    if (shape !== this.shape) { this.chart?.destroy(); this.chart = undefined; this.shape = shape; }
    this.data = data;
    this.version++;
    if (data.plane && !data.plane.probabilities) this.domain = scaleDomain(data.plane.values[0], data.samples.observed.map((o) => o[0]));
    this.redraw();
  }

  redraw(): void {
    const d = this.data;
    if (!d) return;
    this.key.hidden = !d.plane;
    this.describeData(d);
    this.element.dataset.samples = String(d.samples.inputs.length);
    if (d.curve) this.drawCurve(d);
    else if (d.plane) this.drawPlane(d);
    else this.drawScatter(d);
  }

  private describeData(d: FitChart): void {
    const s = d.samples;
    const spoken = s.inputs.slice(0, SPOKEN_SAMPLES).map((inputs, i) => {
      const ins = inputs.map((v, k) => `${d.inputs[k]} ${compact(v)}`).join(', ');
      const outs = d.outputs.map((o, k) => `observed ${o} ${compact(s.observed[i][k])}, predicted ${fmt(s.predicted[i][k])}`).join('; ');
      return `${ins}: ${outs}`;
    });
    const more = s.inputs.length > SPOKEN_SAMPLES ? `; and ${s.inputs.length - SPOKEN_SAMPLES} more samples` : '';
    const ssr = s.correct !== null
      ? `${d.lossSymbol} ${fmt(d.loss)}, ${s.correct} of ${plural(s.inputs.length, 'sample')} in their likeliest class`
      : `SSR ${fmt(s.sumOfSquares)}${d.lossSymbol !== 'SSR' ? ` (the loss, ${d.lossSymbol}, is ${fmt(d.loss)})` : ''}`;
    const mapped = d.plane && !d.plane.probabilities && d.outputs.length > 1 ? ` (the map shows ${d.outputs[0]}, the first of ${d.outputs.length} outputs)` : '';
    const what = d.curve ? `The fit: the network's curve through ${plural(s.inputs.length, 'sample')}` : d.plane ? `The fit: the network's output over the plane of ${d.inputs.join(' and ')}${mapped}, with ${plural(s.inputs.length, 'sample')}` : `The fit: predicted against observed for ${plural(s.inputs.length, 'sample')}`;
    const c = d.curve;
    const sum = c?.contributions && c.bias ? `green = ${c.contributions.map((u, k) => `${u.weight} × y${k + 1}`).join(' + ')} + ${c.bias.name} (${fmt(c.bias.value)})` : '';
    const total = s.correct !== null ? `Predicted values are the softmax probabilities; ${ssr}` : `The residuals' squares add up to ${ssr}`;
    const colours = d.plane ? ` ${this.colourWords(d)}` : '';
    this.describe(`${what}. ${spoken.join('; ')}${more}. ${total}.${sum ? ` The curve: ${sum}.` : ''}${colours}`, `${ssr}   ${plural(s.inputs.length, 'sample')}${sum ? `   ${sum}` : ''}`);
  }

  private drawCurve(d: FitChart): void {
    const p = this.palette;
    const c = d.curve!;
    const s = d.samples;
    const colours = [p.blue, p.orange, ...p.series.slice(3)];
    const datasets = [
      { label: `Predicted ${d.outputs[0]}`, data: points(c.xs, c.ys), borderColor: p.green, borderWidth: 2.5, pointRadius: 0 },
      ...(c.contributions ?? []).map((u, k) => ({
        label: `${u.weight} × y${k + 1}`, data: points(c.xs, u.values), borderColor: colours[k % colours.length], borderWidth: 1.5, pointRadius: 0,
      })),
      {
        label: 'observed', type: 'scatter' as const, data: s.inputs.map((x, i) => ({ x: x[0], y: s.observed[i][0] })),
        pointRadius: 5, borderColor: p.foreground, backgroundColor: p.foreground,
      },
    ];
    const options = this.baseOptions(d.inputs[0], d.outputs[0], { x: [c.xs[0], c.xs[c.xs.length - 1]] });
    const plugins = options.plugins as Record<string, Record<string, unknown>>;
    plugins.legend.display = true;
    plugins.legend.position = 'bottom';
    this.draw({ type: 'line', data: { datasets }, options }, [this.residuals()]);
  }

  /** The residuals: a dashed line from each observed value to the curve's prediction. */
  private residuals(): Plugin {
    return {
      id: 'residuals',
      beforeDatasetsDraw: (chart) => {
        const d = this.data;
        if (!d?.curve) return;
        const { ctx, scales } = chart;
        ctx.save();
        ctx.strokeStyle = this.palette.red;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([4, 3]);
        d.samples.inputs.forEach((x, i) => {
          const px = scales.x.getPixelForValue(x[0]);
          ctx.beginPath();
          ctx.moveTo(px, scales.y.getPixelForValue(d.samples.observed[i][0]));
          ctx.lineTo(px, scales.y.getPixelForValue(d.samples.predicted[i][0]));
          ctx.stroke();
        });
        ctx.restore();
      },
    };
  }

  /** Each output's colour: its own when it is named for one of the chart colours (a class called "red"), else the palette's next. */
  private classColour(k: number): string {
    const p = this.palette;
    const named: Record<string, string> = { red: p.red, green: p.green, blue: p.blue, orange: p.orange, purple: p.purple, yellow: p.yellow };
    return named[this.data?.outputs[k]?.toLowerCase() ?? ''] ?? p.series[k % p.series.length];
  }

  /** What the colours of the map and the points mean, in words (the key's text alternative says the same). */
  private colourWords(d: FitChart): string {
    if (d.plane?.probabilities) {
      return `Colours: ${d.outputs.join(', ')}, each class in its own colour; each sample's dot in its class's colour, the map in the likeliest class's colour, stronger where it is more likely.`;
    }
    const [lo, hi] = this.domain;
    return `Colours: ${d.outputs[0]} from ${short(lo)} (orange) through ${short((lo + hi) / 2)} (the background) to ${short(hi)} (blue), on the map and on each sample's dot (its observed value).`;
  }

  /** The scale's colours for the theme now (the table is refilled only when they change). */
  private scaleTable(): Uint8ClampedArray {
    const p = this.palette;
    const key = `${p.orange}|${p.blue}|${p.background}`;
    if (key !== this.scaleColours) {
      this.scaleColours = key;
      fillScale(rgb(p.orange, [209, 134, 22]), rgb(p.blue, [55, 148, 255]), rgb(p.background, [30, 30, 30]), this.scale);
      this.keyBar.style.background = `linear-gradient(to right, ${scaleStops(this.scale).join(', ')})`;
    }
    return this.scale;
  }

  private drawPlane(d: FitChart): void {
    const plane = d.plane!;
    const s = d.samples;
    const p = this.palette;
    const table = this.scaleTable();
    const options = this.baseOptions(d.inputs[0], d.inputs[1], { x: [plane.xs[0], plane.xs[plane.xs.length - 1]], y: [plane.ys[0], plane.ys[plane.ys.length - 1]] });
    // Circles in a picture's legend, as the points are drawn.
    Object.assign((options.plugins as Record<string, Record<string, Record<string, unknown>>>).legend.labels, { usePointStyle: true, boxHeight: Math.round(p.fontSize * 0.6) });
    // A dot for each sample, outlined in the theme's text colour so it shows on a map of its own colour.
    const dot = { pointRadius: 5.5, pointHoverRadius: 6.5, borderColor: p.foreground, borderWidth: 2 };
    const xy = (i: number) => ({ x: s.inputs[i][0], y: s.inputs[i][1] });
    let datasets;
    if (plane.probabilities) {
      // One dataset per class, named for it: a picture's legend names the classes.
      const classOf = s.observed.map((o) => argmax(o));
      datasets = d.outputs.map((name, k) => ({
        label: name, data: classOf.flatMap((c, i) => (c === k ? [xy(i)] : [])), backgroundColor: this.classColour(k), ...dot,
      }));
    } else {
      const [lo, hi] = this.domain;
      datasets = [{ label: `observed ${d.outputs[0]}`, data: s.inputs.map((_, i) => xy(i)), backgroundColor: s.observed.map((o) => scaleCss(table, scaleIndex(o[0], lo, hi))), ...dot }];
    }
    this.showKey(d);
    this.draw({ type: 'scatter', data: { datasets }, options }, [this.heatMap()]);
  }

  /** The key under the map: the output's scale as a bar with the value at each end, or each class's colour and name. */
  private showKey(d: FitChart): void {
    const plane = d.plane!;
    if (plane.probabilities) {
      const items = d.outputs.map((name, k) => {
        const item = h('span', 'chart-key-class');
        const swatch = h('span', 'chart-key-dot');
        swatch.style.backgroundColor = this.classColour(k);
        item.append(swatch, document.createTextNode(name));
        return item;
      });
      this.key.replaceChildren(h('span', 'chart-key-name', 'classes'), ...items);
      this.key.setAttribute('aria-label', `Colour key: ${d.outputs.map((name) => `${name}`).join(', ')}. Each sample's dot is in its class's colour; the map shows the likeliest class, stronger where it is more likely.`);
      return;
    }
    const [lo, hi] = this.domain;
    this.key.replaceChildren(h('span', 'chart-key-name', d.outputs[0]), h('span', 'chart-key-value', short(lo)), this.keyBar, h('span', 'chart-key-value', short(hi)));
    this.key.setAttribute('aria-label', `Colour key: ${d.outputs[0]} from ${short(lo)} (orange) to ${short(hi)} (blue); the map shows the network's output, each sample's dot its observed value.`);
  }

  /**
   * The output over the plane: one output on its colour scale (orange low, blue high; see
   * scale.ts); classes each in its colour, stronger as the likeliest class is more likely. One
   * small image, refilled only when the data or the theme changes, drawn smoothed over the plot.
   */
  private heatMap(): Plugin {
    return {
      id: 'heatMap',
      beforeDatasetsDraw: (chart) => {
        const plane = this.data?.plane;
        if (!plane) return;
        const n = plane.xs.length;
        const p = this.palette;
        const background = rgb(p.background, [30, 30, 30]);
        if (plane.probabilities) {
          // The likeliest class changes abruptly, so colours blended between grid points would still
          // show the grid's stair steps: the probabilities are interpolated (bilinearly) on a grid
          // CLASS_DETAIL times finer, and each of its cells takes the colour of the class likeliest
          // there, blended with the runner-up's where the two are within CLASS_EDGE of each other
          // (half and half where they tie). The colour then changes continuously across a border,
          // which comes out as a smooth curve; the browser smooths what is left.
          const k = plane.values.length;
          const colours = Array.from({ length: k }, (_, i) => rgb(this.classColour(i), [128, 128, 128]));
          const fine = (n - 1) * CLASS_DETAIL + 1;
          const values = plane.values;
          this.map.fill(`${this.version}:${p.series.join()}:${p.background}`, fine, fine, (r, c, data, at) => {
            const gy = Math.min(n - 2, Math.floor(r / CLASS_DETAIL));
            const gx = Math.min(n - 2, Math.floor(c / CLASS_DETAIL));
            const fy = r / CLASS_DETAIL - gy;
            const fx = c / CLASS_DETAIL - gx;
            const g = gy * n + gx;
            let best = 0;
            let most = -Infinity;
            let second = 0;
            let next = -Infinity;
            for (let i = 0; i < k; i++) {
              const v = values[i];
              const here = (v[g] * (1 - fx) + v[g + 1] * fx) * (1 - fy) + (v[g + n] * (1 - fx) + v[g + n + 1] * fx) * fy;
              if (here > most) { second = best; next = most; most = here; best = i; } else if (here > next) { second = i; next = here; }
            }
            const strength = 0.15 + (0.6 * (most - 1 / k)) / (1 - 1 / k);
            const w = k > 1 ? 0.5 + 0.5 * Math.min(1, (most - next) / CLASS_EDGE) : 1;
            const a = colours[best];
            const b = colours[second];
            for (let j = 0; j < 3; j++) data[at + j] = background[j] + (a[j] * w + b[j] * (1 - w) - background[j]) * strength;
            data[at + 3] = 255;
          });
        } else {
          const table = this.scaleTable();
          const values = plane.values[0];
          const [lo, hi] = this.domain;
          this.map.fill(`${this.version}:${this.scaleColours}`, n, n, (r, c, data, at) => {
            const i = scaleIndex(values[r * n + c], lo, hi) * 4;
            data[at] = table[i];
            data[at + 1] = table[i + 1];
            data[at + 2] = table[i + 2];
            data[at + 3] = 255;
          });
        }
        this.map.drawOver(chart, plane.xs, plane.ys, true);
        if (chart.canvas === this.canvas) {
          // Where the plot and its ranges are, for whoever drives the page (the tests read the dots' colours).
          const { chartArea: a, scales } = chart;
          this.canvas.dataset.plot = [a.left, a.top, a.right, a.bottom].map((v) => v.toFixed(1)).join(',');
          this.canvas.dataset.range = [scales.x.min, scales.x.max, scales.y.min, scales.y.max].join(',');
        }
      },
    };
  }

  /** A picture's key: the classes in chart.js's legend, or the scale drawn under the chart with its ends. */
  protected override pictureExtras(): PictureExtras {
    const d = this.data;
    if (!d?.plane) return {};
    if (d.plane.probabilities) return { legend: true };
    const p = this.palette;
    return { bottom: p.fontSize + 16, plugins: [this.pictureKey()] };
  }

  private pictureKey(): Plugin {
    return {
      id: 'pictureKey',
      afterDraw: (chart) => {
        const d = this.data;
        if (!d?.plane) return;
        const { ctx, chartArea: area, height } = chart;
        const p = this.palette;
        const [lo, hi] = this.domain;
        ctx.save();
        ctx.font = `${p.fontSize}px ${p.font}`;
        ctx.fillStyle = p.foreground;
        const parts = [d.outputs[0], short(lo), short(hi)];
        const [wName, wLo, wHi] = parts.map((t) => ctx.measureText(t).width);
        const bar = 160;
        const total = wName + 12 + wLo + 6 + bar + 6 + wHi;
        const y = height - 10;
        let x = Math.max(4, (area.left + area.right) / 2 - total / 2);
        x = writeLabel(chart, parts[0], x, y, 'canvas').right + 12;
        x = writeLabel(chart, parts[1], x, y, 'canvas').right + 6;
        const gradient = ctx.createLinearGradient(x, 0, x + bar, 0);
        scaleStops(this.scaleTable()).forEach((colour, i) => gradient.addColorStop(i / 2, colour));
        ctx.fillStyle = gradient;
        ctx.fillRect(x, y - p.fontSize + 2, bar, p.fontSize - 2);
        ctx.fillStyle = p.foreground;
        ctx.strokeStyle = withAlpha(p.foreground, 0.5);
        ctx.lineWidth = 1;
        ctx.strokeRect(x, y - p.fontSize + 2, bar, p.fontSize - 2);
        writeLabel(chart, parts[2], x + bar + 6, y, 'canvas');
        ctx.restore();
      },
    };
  }

  private drawScatter(d: FitChart): void {
    const p = this.palette;
    const s = d.samples;
    const all = s.observed.flat().concat(s.predicted.flat()).filter(Number.isFinite);
    const [lo, hi] = range(all);
    const options = this.baseOptions('observed', 'predicted');
    const plugins = options.plugins as Record<string, Record<string, unknown>>;
    plugins.legend.display = d.outputs.length > 1;
    plugins.legend.position = 'bottom';
    this.draw({
      type: 'scatter',
      data: {
        datasets: [
          { label: 'predicted = observed', data: [{ x: lo, y: lo }, { x: hi, y: hi }], showLine: true, borderColor: withAlpha(p.muted, 0.6), borderDash: [4, 4], pointRadius: 0 },
          ...d.outputs.map((o, k) => ({ label: o, data: points(s.observed.map((r) => r[k]), s.predicted.map((r) => r[k])), pointRadius: 4, borderColor: this.classColour(k), backgroundColor: withAlpha(this.classColour(k), 0.6) })),
        ],
      },
      options,
    });
  }

  protected csv(): string {
    const d = this.data;
    if (!d) return '';
    const s = d.samples;
    const head = [...d.inputs, ...d.outputs.map((o) => `observed ${o}`), ...d.outputs.map((o) => `predicted ${o}`), ...d.outputs.map((o) => `residual ${o}`)];
    const rows = s.inputs.map((x, i) => csvRow([...x, ...s.observed[i], ...s.predicted[i], ...s.observed[i].map((v, k) => v - s.predicted[i][k])]));
    const lines = [csvRow(head), ...rows];
    if (d.curve) {
      const c = d.curve;
      lines.push('', csvRow([d.inputs[0], `predicted ${d.outputs[0]}`, ...(c.contributions ?? []).map((u, k) => `${u.weight} x y${k + 1}`)]));
      c.xs.forEach((x, g) => lines.push(csvRow([x, c.ys[g], ...(c.contributions ?? []).map((u) => u.values[g])])));
    }
    return lines.join('\n') + '\n';
  }

  protected fileName(): string {
    return 'fit';
  }
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

/** A theme colour as red, green, blue (0..255), or `fallback` for a form `rgba` does not read. */
function rgb(colour: string, fallback: Rgb): Rgb {
  const c = rgba(colour);
  return c ? [c[0], c[1], c[2]] : fallback;
}

function range(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : [0, 1];
}
