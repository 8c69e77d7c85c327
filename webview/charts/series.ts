/**
 * The panels over steps, drawn from the series the worker samples from the history: the
 * trajectories of parameters and their gradients, and the instruments that explain why training
 * fails (after Cockpit and SageMaker Debugger): gradient norm, update size, update-to-weight
 * ratio, distance from the file's parameters, dead and saturated units, and the sharpness (the largest
 * eigenvalue of the loss's Hessian) against the limit past which the file's optimizer diverges on
 * a quadratic (2 / learning rate for gradient descent; none for the adaptive optimizers).
 */
import type { Plugin } from 'chart.js';
import type { InstrumentSeries, SeriesChart } from '../../src/session/chartTypes';
import { h } from '../dom';
import { fmt } from '../format';
import { csvRow, Panel, type PanelActions, points, positive } from './panel';
import { type Palette, withAlpha } from './theme';

/** The steps the series cover, at least one wide. */
function stepRange(d: SeriesChart): [number, number] {
  return [d.steps[0], Math.max(d.steps[d.steps.length - 1], d.steps[0] + 1)];
}

/** A vertical line at the current step, in the debugger's current-line colour. */
function currentStep(step: () => number | undefined, colour: () => string): Plugin {
  return {
    id: 'currentStep',
    afterDatasetsDraw: (chart) => {
      const s = step();
      if (s === undefined) return;
      const { ctx, chartArea: a, scales } = chart;
      const x = scales.x.getPixelForValue(s);
      if (x < a.left - 1 || x > a.right + 1) return;
      ctx.save();
      ctx.strokeStyle = colour();
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, a.top);
      ctx.lineTo(x, a.bottom);
      ctx.stroke();
      ctx.restore();
    },
  };
}

export class TrajectoriesPanel extends Panel {
  private data: SeriesChart | undefined;
  private step: number | undefined;
  private symbol = 'SSR';

  constructor(open: boolean, palette: Palette, actions: PanelActions) {
    super('trajectories', open, palette, actions);
  }

  update(data: SeriesChart, step: number, lossSymbol: string): void {
    this.data = data;
    this.step = step;
    this.symbol = lossSymbol;
    this.redraw();
  }

  redraw(): void {
    const d = this.data;
    if (!d) return;
    const p = this.palette;
    const last = d.steps.length - 1;
    const k = Math.max(0, d.steps.indexOf(this.step ?? d.steps[last]));
    this.element.dataset.points = String(d.steps.length);
    const names = d.parameters.map((q) => q.name);
    const sym = this.naming.loss(this.symbol);
    this.element.dataset.parameters = names.join(',');
    if (d.parameters.length === 0) {
      this.describe('Parameters over steps: select a parameter in the graph (hover or pin it) to follow it.', 'hover or pin a parameter in the graph to follow it');
    } else {
      const n = (q: { name: string }): string => this.naming.param(q.name);
      const said = d.parameters.map((q) => `${n(q)} from ${fmt(q.values[0])} to ${fmt(q.values[k])}, d${sym}/d${n(q)} from ${fmt(q.gradients[0])} to ${fmt(q.gradients[k])}`);
      this.describe(`Parameters over steps ${d.steps[0]} to ${d.steps[last]} (every ${d.stride === 1 ? 'step' : `${d.stride} steps`}), solid lines the values, dashed the gradients: ${said.join('; ')}.`,
        d.parameters.map((q) => `${n(q)} ${fmt(q.values[k])}`).join('   '));
    }
    const options = this.baseOptions('step', 'value', { x: stepRange(d) });
    const scales = options.scales as Record<string, Record<string, unknown>>;
    scales.y2 = { ...scales.y, position: 'right', title: { ...(scales.y.title as object), text: `d${sym}/dp (dashed)` }, grid: { drawOnChartArea: false } };
    const plugins = options.plugins as Record<string, Record<string, unknown>>;
    plugins.legend.display = true;
    plugins.legend.position = 'bottom';
    const colour = (i: number): string => p.series[i % p.series.length];
    this.draw({
      type: 'line',
      data: {
        datasets: d.parameters.flatMap((q, i) => [
          { label: this.naming.param(q.name), data: points(d.steps, q.values), borderColor: colour(i), borderWidth: 1.5, pointRadius: 0, yAxisID: 'y' },
          { label: `d${this.naming.param(q.name)}`, data: points(d.steps, q.gradients), borderColor: withAlpha(colour(i), 0.8), borderDash: [5, 3], borderWidth: 1, pointRadius: 0, yAxisID: 'y2' },
        ]),
      },
      options,
    }, [currentStep(() => this.step, () => this.palette.current)]);
  }

  protected csv(): string {
    const d = this.data;
    if (!d) return '';
    const head = ['step', ...d.parameters.flatMap((q) => [q.name, `d${this.symbol}/d${q.name}`])];
    return [csvRow(head), ...d.steps.map((s, i) => csvRow([s, ...d.parameters.flatMap((q) => [q.values[i], q.gradients[i]])]))].join('\n') + '\n';
  }

  protected fileName(): string {
    return 'parameters-over-steps';
  }
}

type Scope = 'network' | number;

export class InstrumentsPanel extends Panel {
  private data: SeriesChart | undefined;
  private step: number | undefined;
  private scope: Scope = 'network';
  private readonly select = h('select', 'chart-select');

  constructor(open: boolean, palette: Palette, actions: PanelActions) {
    super('instruments', open, palette, actions);
    this.select.setAttribute('aria-label', 'Instruments for the whole network or one layer');
    this.select.title = 'Instruments for the whole network or one layer';
    this.select.addEventListener('change', () => {
      this.scope = this.select.value === 'network' ? 'network' : Number(this.select.value);
      this.chart?.destroy();
      this.chart = undefined;
      this.redraw();
    });
    this.tools.prepend(this.select);
  }

  update(data: SeriesChart, step: number): void {
    this.data = data;
    this.step = step;
    const key = String(data.layers.length);
    if (this.select.dataset.key !== key) {
      this.select.dataset.key = key;
      const options = [['network', 'whole network'], ...data.layers.map((_, l) => [String(l + 1), `layer ${l + 1}`])];
      this.select.replaceChildren(...options.map(([value, text]) => { const o = h('option', undefined, text); o.value = value; return o; }));
      if (typeof this.scope === 'number' && this.scope > data.layers.length) this.scope = 'network';
      this.select.value = String(this.scope);
    }
    this.redraw();
  }

  private series(): InstrumentSeries & { distance?: number[]; sharpness?: (number | null)[] | null; learningRate?: number[] } {
    const d = this.data!;
    return this.scope === 'network' ? d.network : d.layers[this.scope - 1];
  }

  redraw(): void {
    const d = this.data;
    if (!d) return;
    const p = this.palette;
    const s = this.series();
    const last = d.steps.length - 1;
    const k = Math.max(0, d.steps.indexOf(this.step ?? d.steps[last]));
    const where = this.scope === 'network' ? 'the whole network' : `layer ${this.scope}`;
    const sharp = this.scope === 'network' ? d.network.sharpness : null;
    const sharpNow = sharp?.[k] ?? null;
    const turnNow = this.scope === 'network' ? d.network.turn?.[k] ?? null : null;
    const limit = d.stabilityLimit;
    const plainGd = d.stabilityRule === '2 / learning rate';
    const verdict = sharpNow === null || limit === null ? '' : plainGd ? stability(sharpNow, limit, turnNow) : momentumStability(sharpNow, limit);
    const parts = [
      `gradient norm ${fmt(s.gradientNorm[k])}`,
      `update size ${fmt(s.updateSize[k])}`,
      `update-to-weight ratio ${fmt(s.updateRatio[k])}`,
      ...(s.distance ? [`distance from the file's parameters ${fmt(s.distance[k])}`] : []),
      ...(s.learningRate ? [`learning rate ${fmt(s.learningRate[k])} (the schedule's)`] : []),
      `dead units ${Math.round(100 * s.dead[k])}%`,
      `saturated units ${Math.round(100 * s.saturated[k])}%`,
    ];
    this.element.dataset.points = String(d.steps.length);
    if (sharpNow !== null) this.element.dataset.sharpness = String(sharpNow);
    this.describe(`Instruments for ${where} at step ${d.steps[k]}: ${parts.join(', ')}.`
      + (sharpNow !== null ? ` Sharpness (the largest eigenvalue of the loss's Hessian) ${fmt(sharpNow)} ${limit !== null ? `against ${d.stabilityRule} = ${fmt(limit)}: ${verdict}` : `(limit: ${d.stabilityRule})`}.` : this.scope === 'network' && !sharp ? ' Sharpness is computed for networks of up to 300 trainable parameters.' : ''),
    `${parts.slice(0, 3).join('   ')}${sharpNow !== null ? `   sharpness ${fmt(sharpNow)}${limit !== null ? ` vs ${plainGd ? '2/lr' : 'its limit'} ${fmt(limit)}` : ''}${turnNow !== null ? `, steps ${turnNow < 0 ? 'reverse' : 'agree'} (cos ${fmt(turnNow, 2)})` : ''}` : ''}`);
    if (turnNow !== null) this.element.dataset.turn = String(turnNow);
    const options = this.baseOptions('step', 'size (log)', { x: stepRange(d) });
    const scales = options.scales as Record<string, Record<string, unknown>>;
    scales.y.type = 'logarithmic';
    // Powers of ten only, written short (0.01, 1, 100, 1e+4), as a log axis reads.
    scales.y.ticks = { ...(scales.y.ticks as object), callback: (v: number | string) => (Math.abs(Math.log10(Number(v)) % 1) < 1e-9 ? fmt(Number(v), 1) : '') };
    scales.share = { type: 'linear', position: 'right', min: 0, max: 100, ticks: { ...(scales.y.ticks as object), callback: (v: number | string) => `${v}%` }, grid: { drawOnChartArea: false }, border: scales.y.border, title: { ...(scales.y.title as object), text: 'units (%)' } };
    const plugins = options.plugins as Record<string, Record<string, unknown>>;
    plugins.legend.display = true;
    plugins.legend.position = 'bottom';
    plugins.legend.labels = { ...(plugins.legend.labels as object), boxWidth: 10, padding: 6 };
    const line = (label: string, ys: (number | null)[], colour: string, extra: Record<string, unknown> = {}) => ({ label, data: points(d.steps, positive(ys)), borderColor: colour, borderWidth: 1.5, pointRadius: 0, yAxisID: 'y', ...extra });
    const datasets = [
      line('‖gradient‖', s.gradientNorm, p.blue),
      line('update size', s.updateSize, p.orange),
      line('update / weight', s.updateRatio, p.green),
      ...(s.distance ? [line('distance from the file', s.distance, p.muted)] : []),
      ...(s.learningRate ? [line('learning rate', s.learningRate, p.series[0] ?? p.purple, { borderDash: [8, 2] })] : []),
      ...(sharp ? [
        line('sharpness λmax', sharp, p.purple, { borderWidth: 2 }),
        ...(limit !== null ? [line(d.stabilityRule, d.steps.map(() => limit), p.red, { borderDash: [6, 4] })] : []),
      ] : []),
      // Oscillation, shown: the cosine between one step and the next, on an axis of its own.
      ...(sharp && d.network.turn ? [{ label: 'step-to-step cosine', data: points(d.steps, d.network.turn), borderColor: withAlpha(p.purple, 0.7), borderDash: [2, 3], borderWidth: 1.5, pointRadius: 0, yAxisID: 'turn' }] : []),
      ...(s.dead.some((v) => v > 0) ? [{ label: 'dead units %', data: points(d.steps, s.dead.map((v) => 100 * v)), borderColor: p.yellow, borderWidth: 1, pointRadius: 0, yAxisID: 'share' }] : []),
      ...(s.saturated.some((v) => v > 0) ? [{ label: 'saturated units %', data: points(d.steps, s.saturated.map((v) => 100 * v)), borderColor: withAlpha(p.yellow, 0.6), borderDash: [2, 2], borderWidth: 1, pointRadius: 0, yAxisID: 'share' }] : []),
    ];
    if (!datasets.some((x) => x.yAxisID === 'share')) delete scales.share;
    if (datasets.some((x) => x.yAxisID === 'turn')) {
      scales.turn = { type: 'linear', position: 'right', min: -1, max: 1, ticks: { ...(scales.y.ticks as object), stepSize: 1, callback: (v: number | string) => String(v) }, grid: { drawOnChartArea: false }, border: scales.y.border, title: { ...(scales.y.title as object), text: 'cos (steps)' } };
    }
    this.draw({ type: 'line', data: { datasets }, options }, [currentStep(() => this.step, () => this.palette.current)]);
  }

  protected csv(): string {
    const d = this.data;
    if (!d) return '';
    const head = ['step', 'gradient norm', 'update size', 'update/weight', 'distance from the file\'s parameters', 'dead share', 'saturated share', 'sharpness', `stability limit (${d.stabilityRule})`];
    d.layers.forEach((_, l) => head.push(`layer ${l + 1} gradient norm`, `layer ${l + 1} update/weight`, `layer ${l + 1} dead share`, `layer ${l + 1} saturated share`));
    const n = d.network;
    const rows = d.steps.map((s, i) => csvRow([
      s, n.gradientNorm[i], n.updateSize[i], n.updateRatio[i], n.distance[i], n.dead[i], n.saturated[i], n.sharpness?.[i] ?? null, d.stabilityLimit,
      ...d.layers.flatMap((l) => [l.gradientNorm[i], l.updateRatio[i], l.dead[i], l.saturated[i]]),
    ]));
    return [csvRow(head), ...rows].join('\n') + '\n';
  }

  protected fileName(): string {
    return 'instruments';
  }
}

/**
 * What the sharpness against 2 / learning rate means now. Above the line, gradient descent
 * overshoots along the sharpest direction: the part of the parameters there is multiplied by
 * 1 - learning rate x sharpness each step, below -1. That part can be small (the steps still agree:
 * StatQuest's seven-parameter network converges by step size at sharpness 20.84 > 20), or it has
 * grown and each step undoes the last: gradient descent at the edge of stability, oscillating.
 */
/**
 * With momentum the sharpest direction's part is not multiplied by one factor a step (it follows a
 * two-step recurrence), so the verdict says only which side of the limit the run is on.
 */
function momentumStability(sharpness: number, limit: number): string {
  return sharpness <= limit
    ? 'below it: stable, momentum carries each direction down (overshooting and coming back along the sharp ones)'
    : 'above it: along the sharpest direction the swings grow step after step: the run diverges unless it reaches a flatter valley first';
}

export function stability(sharpness: number, limit: number, turn: number | null): string {
  const factor = 1 - (2 / limit) * sharpness;
  if (sharpness <= limit) {
    if (turn !== null && turn < 0) return `below it: stable, yet along the sharpest direction each step overshoots the bottom and comes back (that part is multiplied by 1 − learning rate × sharpness = ${fmt(factor, 3)} per step), so successive steps turn against each other (cosine ${fmt(turn, 2)}): an oscillation that dies out`;
    return 'below it: stable, every direction is followed down without overshooting';
  }
  const overshoot = `above it: along the sharpest direction each step overshoots (that part is multiplied by 1 − learning rate × sharpness = ${fmt(factor, 3)} per step)`;
  if (turn === null) return overshoot;
  if (turn < 0) return `${overshoot} and successive steps turn against each other (cosine ${fmt(turn, 2)}): gradient descent is oscillating across the valley, at the edge of stability. It diverges if that grows; often it settles in a flatter valley instead`;
  return `${overshoot}, but little of the step lies along it yet (successive steps agree, cosine ${fmt(turn, 2)}): trained on, the oscillation grows there, and a stop by step size can come first`;
}
