/**
 * The fit. One input and one output: the data, the network's curve over the input's range
 * (StatQuest's green squiggle), each last-hidden unit's contribution (weight x activation: the
 * blue and orange curves) and the residuals as dashed vertical lines, with the SSR they add up
 * to. Two inputs: the output over the input plane as a heat map with the data on it (as
 * TensorFlow Playground draws). Any other shape: predicted against observed, per output.
 */
import type { Plugin } from 'chart.js';
import { plural } from '../../src/core/numbers';
import type { FitChart } from '../../src/session/chartTypes';
import { compact, fmt } from '../format';
import { csvRow, Panel, type PanelActions, points } from './panel';
import { CellImage, type Palette, type Rgba, rgba, withAlpha } from './theme';

/** Samples named one by one in the text alternative; past this many, a count. */
const SPOKEN_SAMPLES = 20;

export class FitPanel extends Panel {
  private data: FitChart | undefined;
  private shape: 'curve' | 'plane' | 'scatter' | undefined;
  private readonly map = new CellImage();
  /** Counts the data received: the heat map's image is refilled when it changes. */
  private version = 0;

  constructor(open: boolean, palette: Palette, actions: PanelActions) {
    super('fit', 'The fit', open, palette, actions);
  }

  update(data: FitChart): void {
    const shape = data.curve ? 'curve' : data.plane ? 'plane' : 'scatter';
    if (shape !== this.shape) { this.chart?.destroy(); this.chart = undefined; this.shape = shape; }
    this.data = data;
    this.version++;
    this.redraw();
  }

  redraw(): void {
    const d = this.data;
    if (!d) return;
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
    this.describe(`${what}. ${spoken.join('; ')}${more}. ${total}.${sum ? ` The curve: ${sum}.` : ''}`, `${ssr}   ${plural(s.inputs.length, 'sample')}${sum ? `   ${sum}` : ''}`);
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

  private drawPlane(d: FitChart): void {
    const plane = d.plane!;
    const s = d.samples;
    const classes = plane.probabilities;
    const colourOf = (i: number): string => {
      if (classes) {
        let best = 0;
        s.observed[i].forEach((v, k) => { if (v > s.observed[i][best]) best = k; });
        return this.classColour(best);
      }
      // On the map's own scale: blue where the output is in the upper half of its range, orange below.
      const [lo, hi] = range(plane.values[0]);
      return s.observed[i][0] >= (lo + hi) / 2 ? this.palette.blue : this.palette.orange;
    };
    const options = this.baseOptions(d.inputs[0], d.inputs[1], { x: [plane.xs[0], plane.xs[plane.xs.length - 1]], y: [plane.ys[0], plane.ys[plane.ys.length - 1]] });
    this.draw({
      type: 'scatter',
      data: {
        datasets: [{
          label: 'samples', data: s.inputs.map((x) => ({ x: x[0], y: x[1] })), pointRadius: 5,
          backgroundColor: s.inputs.map((_, i) => colourOf(i)), borderColor: this.palette.foreground, borderWidth: 1.5,
        }],
      },
      options,
    }, [this.heatMap()]);
  }

  /**
   * The output over the plane: for one output, blue where it is high and orange where it is low
   * (its range on the map); for classes, each point in its most likely class's colour, as strong
   * as that class is likely. One image, refilled only when the data changes.
   */
  private heatMap(): Plugin {
    return {
      id: 'heatMap',
      beforeDatasetsDraw: (chart) => {
        const plane = this.data?.plane;
        if (!plane) return;
        const n = plane.xs.length;
        const k = plane.values.length;
        const [vLo, vHi] = plane.probabilities ? [0, 1] : range(plane.values[0]);
        const colours = Array.from({ length: k }, (_, i): Rgba => rgba(this.classColour(i)) ?? [128, 128, 128, 1]);
        const blue: Rgba = rgba(this.palette.blue) ?? [0, 0, 255, 1];
        const orange: Rgba = rgba(this.palette.orange) ?? [255, 128, 0, 1];
        const key = `${this.version}:${this.palette.blue}:${this.palette.orange}`;
        this.map.fill(key, n, n, (r, c) => {
          const g = r * n + c;
          if (plane.probabilities) {
            let best = 0;
            for (let i = 1; i < k; i++) if (plane.values[i][g] > plane.values[best][g]) best = i;
            return [colours[best], 0.15 + (0.6 * (plane.values[best][g] - 1 / k)) / (1 - 1 / k)];
          }
          const t = vHi > vLo ? (plane.values[0][g] - vLo) / (vHi - vLo) : 0.5;
          return [t >= 0.5 ? blue : orange, 0.7 * Math.abs(t - 0.5) * 2 + 0.05];
        });
        this.map.drawOver(chart, plane.xs, plane.ys);
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

function range(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : [0, 1];
}
