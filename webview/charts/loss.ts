/**
 * The loss over steps, with the step axis as a breakpoint gutter: hovering it shows a faint dot,
 * a click sets a red one (a step breakpoint) or clears it; breakpoint hits are marked on the
 * curve; the current step is a vertical line in the debugger's current-line colour, and dragging
 * it (or pressing in the plot) goes to that step. Keys do the same: Left/Right go a step, B sets
 * or clears a breakpoint at the current step.
 */
import type { Plugin } from 'chart.js';
import type { LossChart } from '../../src/session/chartTypes';
import { fmt } from '../format';
import { csvRow, Panel, type PanelActions, points, positive } from './panel';
import { withAlpha, type Palette } from './theme';

export interface LossActions extends PanelActions {
  toggleBreakpoint(step: number): void;
  goTo(step: number): void;
  logScale(on: boolean): void;
}

/** The gutter's height under the plot, where breakpoint dots sit (CSS pixels). */
const GUTTER = 14;
/** How close (CSS pixels) a press must be to the current-step line to grab it. */
const GRAB = 8;
/** The fastest rate at which dragging the line asks the run to go to a step. */
const SCRUB_MS = 120;

export class LossPanel extends Panel {
  private data: LossChart | undefined;
  private symbol = 'SSR';
  private breakpoints: { step: number; enabled: boolean }[] = [];
  private hoverStep: number | null = null;
  /** While the current-step line is dragged: where it is. */
  private dragStep: number | null = null;
  private lastScrub = 0;

  constructor(open: boolean, log: boolean, palette: Palette, private readonly loss: LossActions) {
    super('loss', open, palette, loss);
    this.logToggle(log, (on) => this.loss.logScale(on));
    // The chart takes keys (Left, Right, Home, End go to a step; B sets a breakpoint): a slider over the steps.
    this.canvas.setAttribute('role', 'slider');
    this.canvas.setAttribute('aria-orientation', 'horizontal');
    // A slider always has a value: step 0 until the first loss arrives.
    for (const [name, value] of [['aria-valuemin', '0'], ['aria-valuemax', '0'], ['aria-valuenow', '0'], ['aria-valuetext', 'no steps yet']]) this.canvas.setAttribute(name, value);
    this.listen();
  }

  update(data: LossChart, lossSymbol: string): void {
    this.data = data;
    this.symbol = lossSymbol;
    this.redraw();
  }

  setBreakpoints(breakpoints: { step: number; enabled: boolean }[]): void {
    this.breakpoints = breakpoints;
    this.element.dataset.breakpoints = breakpoints.map((b) => b.step).join(',');
    // A breakpoint past the axis's end moves the end.
    this.redraw();
  }

  redraw(): void {
    const d = this.data;
    if (!d) return;
    const p = this.palette;
    this.describeData(d);
    this.element.dataset.points = String(d.steps.length);
    this.element.dataset.current = String(d.current.step);
    this.canvas.setAttribute('aria-valuemin', String(d.earliest));
    this.canvas.setAttribute('aria-valuemax', String(d.latest));
    this.canvas.setAttribute('aria-valuenow', String(d.current.step));
    this.canvas.setAttribute('aria-valuetext', `step ${d.current.step}, ${this.naming.loss(this.symbol)} ${fmt(d.current.loss)}`);
    const ys = this.log ? positive(d.losses) : d.losses;
    const hits = d.hits.filter((s) => s >= d.earliest && s <= d.latest).map((s) => ({ x: s, y: this.lossNear(s) }));
    const options = this.baseOptions('step', this.naming.loss(this.symbol), { x: [d.earliest, this.axisEnd(d)] });
    const scales = options.scales as Record<string, Record<string, unknown>>;
    scales.x.ticks = { ...(scales.x.ticks as object), padding: GUTTER, precision: 0 };
    if (this.log) scales.y.type = 'logarithmic';
    // Real training: each step's batch loss (noisy, faint), the whole training set's and the
    // validation set's sampled over the history (after SageMaker's and Keras's loss plots).
    const sampled = d.sampled;
    const positiveIf = (v: number[]): (number | null)[] => (this.log ? positive(v) : v);
    const extra = sampled ? [
      { label: 'training set', data: points(sampled.steps, positiveIf(sampled.training)), borderColor: p.blue, borderWidth: 2, pointRadius: 0, tension: 0 },
      ...(sampled.validation ? [{ label: 'validation', data: points(sampled.steps, positiveIf(sampled.validation)), borderColor: p.orange, borderWidth: 2, borderDash: [6, 3], pointRadius: 0, tension: 0 }] : []),
    ] : [];
    this.draw({
      type: 'line',
      data: {
        datasets: [
          { label: sampled?.batches ? 'batch (each step)' : this.naming.loss(this.symbol), data: points(d.steps, ys), borderColor: sampled?.batches ? withAlpha(p.foreground, 0.45) : p.foreground, borderWidth: sampled?.batches ? 1 : 1.5, pointRadius: 0, tension: 0 },
          ...extra,
          { label: 'breakpoint hits', data: hits, type: 'scatter', showLine: false, pointRadius: 4, pointStyle: 'circle', borderColor: p.breakpoint, backgroundColor: p.breakpoint },
        ],
      },
      options,
    }, [this.overlay()]);
  }

  /**
   * Where the step axis ends: past the newest step, with room ahead (half as far again, at least
   * 100 steps) for breakpoints still to come, and past every breakpoint, up to the step limit.
   */
  private axisEnd(d: LossChart): number {
    const ahead = Math.max(d.latest + 100, Math.round(d.earliest + 1.5 * (d.latest - d.earliest)), ...this.breakpoints.map((b) => Math.ceil(b.step * 1.05)));
    return Math.max(d.latest, d.earliest + 1, Math.min(d.maxSteps, ahead));
  }

  /** What the training-set and validation lines say, for the text alternative. */
  private describeSampled(d: LossChart): string {
    const sampled = d.sampled;
    if (!sampled || sampled.steps.length === 0) return '';
    const last = sampled.steps.length - 1;
    const s = this.naming.loss(this.symbol);
    return `${sampled.batches ? ' The thin line is each step\'s batch loss;' : ''} on the whole training set ${s} ${fmt(sampled.training[0])} at step ${sampled.steps[0]} and ${fmt(sampled.training[last])} at step ${sampled.steps[last]}`
      + (sampled.validation ? `, on the validation set ${fmt(sampled.validation[0])} and ${fmt(sampled.validation[last])}` : '')
      + ` (${sampled.steps.length} samples).`;
  }

  private describeData(d: LossChart): void {
    const bps = this.breakpoints.filter((b) => b.enabled).map((b) => b.step);
    const s = this.naming.loss(this.symbol);
    const summary = `Loss over steps: ${s} ${fmt(d.first.loss)} at step ${d.first.step}, ${s} ${fmt(d.current.loss)} at the current step ${d.current.step}`
      + (d.latest > d.current.step ? ` (the history reaches step ${d.latest})` : '')
      + (d.divergedAt !== null ? `; diverged at step ${d.divergedAt}` : '')
      + `. The history keeps ${d.recorded.toLocaleString('en-US')} losses (${d.stride === 1 ? 'every step' : `one every ${d.stride} steps`}), ${d.steps.length} drawn.`
      + (bps.length ? ` Breakpoints at steps ${bps.join(', ')}.` : '')
      + (d.hits.length ? ` Breakpoints hit at steps ${d.hits.slice(-10).join(', ')}.` : '')
      + this.describeSampled(d)
      + ' Click the step axis to set or clear a breakpoint; drag the current-step line, or press Left and Right, to go to a step; B sets a breakpoint at the current step.';
    this.describe(summary, `step ${d.current.step}: ${s} ${fmt(d.current.loss)}   (step ${d.first.step}: ${fmt(d.first.loss)})${d.divergedAt !== null ? `   diverged at ${d.divergedAt}` : ''}`);
  }

  /** The drawn loss at the drawn step nearest `step` (the drawn steps ascend: a binary search). */
  private lossNear(step: number): number | null {
    const { steps, losses } = this.data!;
    let lo = 0;
    let hi = steps.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (steps[mid] <= step) lo = mid; else hi = mid;
    }
    return losses[Math.abs(steps[hi] - step) < Math.abs(steps[lo] - step) ? hi : lo] ?? null;
  }

  /** The current-step line, the gutter's dots and the hover dot, drawn over the chart. */
  private overlay(): Plugin {
    return {
      id: 'lossOverlay',
      afterDraw: (chart) => {
        const d = this.data;
        if (!d) return;
        const { ctx, chartArea: area, scales } = chart;
        const x = scales.x;
        const p = this.palette;
        // The page's chart, not a picture drawn for keeping: the pointer's marks belong to it alone.
        const onPage = chart.canvas === this.canvas;
        if (onPage) {
          // Where the plot and its step range are, for whoever drives the page (the tests click the axis by step).
          this.canvas.dataset.plot = [area.left, area.top, area.right, area.bottom].map((v) => v.toFixed(1)).join(',');
          this.canvas.dataset.range = `${x.min},${x.max}`;
        }
        ctx.save();
        const step = (onPage ? this.dragStep : null) ?? d.current.step;
        const cx = x.getPixelForValue(step);
        if (cx >= area.left - 1 && cx <= area.right + 1) {
          ctx.strokeStyle = p.current;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(cx, area.top);
          ctx.lineTo(cx, area.bottom);
          ctx.stroke();
          ctx.fillStyle = p.current;
          ctx.beginPath();
          ctx.moveTo(cx - 5, area.top);
          ctx.lineTo(cx + 5, area.top);
          ctx.lineTo(cx, area.top + 6);
          ctx.fill();
        }
        const gy = area.bottom + GUTTER / 2 + 1;
        const dot = (sx: number, color: string, filled: boolean): void => {
          ctx.beginPath();
          ctx.arc(sx, gy, 4, 0, 2 * Math.PI);
          if (filled) { ctx.fillStyle = color; ctx.fill(); } else { ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.stroke(); }
        };
        for (const b of this.breakpoints) {
          const bx = x.getPixelForValue(b.step);
          if (bx >= area.left - 4 && bx <= area.right + 4) dot(bx, b.enabled ? p.breakpoint : p.breakpointDisabled, b.enabled);
        }
        if (onPage && this.hoverStep !== null) dot(x.getPixelForValue(this.hoverStep), withAlpha(p.breakpoint, 0.4), true);
        ctx.restore();
      },
    };
  }

  /**
   * The step at canvas x: on the axis as far as it reaches (a breakpoint may be set ahead), or
   * within the history (`reached`: going to a step never trains on from a drag).
   */
  private stepAt(px: number, reached = false): number | null {
    const d = this.data;
    if (!this.chart || !d) return null;
    const v = Math.round(this.chart.scales.x.getValueForPixel(px) ?? NaN);
    if (!Number.isFinite(v)) return null;
    return Math.min(reached ? d.latest : this.axisEnd(d), Math.max(d.earliest, v));
  }

  /** Where on the chart a pointer is: the gutter under the plot, the plot, or elsewhere. */
  private zone(ev: PointerEvent): 'gutter' | 'plot' | null {
    if (!this.chart) return null;
    const r = this.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const a = this.chart.chartArea;
    if (x < a.left - 4 || x > a.right + 4) return null;
    if (y > a.bottom + 1 && y <= a.bottom + GUTTER + 2) return 'gutter';
    if (y >= a.top && y <= a.bottom) return 'plot';
    return null;
  }

  private listen(): void {
    const c = this.canvas;
    const localX = (ev: PointerEvent): number => ev.clientX - c.getBoundingClientRect().left;
    c.addEventListener('pointermove', (ev) => {
      if (this.dragStep !== null) {
        const s = this.stepAt(localX(ev), true);
        if (s === null || s === this.dragStep) return;
        this.dragStep = s;
        this.chart?.draw();
        const now = performance.now();
        if (now - this.lastScrub >= SCRUB_MS) { this.lastScrub = now; this.loss.goTo(s); }
        return;
      }
      const zone = this.zone(ev);
      const hover = zone === 'gutter' ? this.stepAt(localX(ev)) : null;
      const nearLine = zone === 'plot' && this.data && this.chart && Math.abs(this.chart.scales.x.getPixelForValue(this.data.current.step) - localX(ev)) <= GRAB;
      c.style.cursor = zone === 'gutter' ? 'pointer' : nearLine ? 'ew-resize' : zone === 'plot' ? 'crosshair' : '';
      if (hover !== this.hoverStep) { this.hoverStep = hover; this.chart?.draw(); }
    });
    c.addEventListener('pointerleave', () => { if (this.hoverStep !== null) { this.hoverStep = null; this.chart?.draw(); } });
    c.addEventListener('pointerdown', (ev) => {
      const zone = this.zone(ev);
      const step = this.stepAt(localX(ev), zone === 'plot');
      if (zone === null || step === null || ev.button !== 0) return;
      ev.preventDefault();
      if (zone === 'gutter') { this.loss.toggleBreakpoint(step); return; }
      // Pressing in the plot grabs the current-step line there: a scrub through time.
      c.setPointerCapture(ev.pointerId);
      this.dragStep = step;
      this.lastScrub = performance.now();
      this.loss.goTo(step);
      this.chart?.draw();
    });
    const release = (ev: PointerEvent): void => {
      if (this.dragStep === null) return;
      const step = this.dragStep;
      this.dragStep = null;
      if (c.hasPointerCapture(ev.pointerId)) c.releasePointerCapture(ev.pointerId);
      if (step !== this.data?.current.step) this.loss.goTo(step);
      this.chart?.draw();
    };
    c.addEventListener('pointerup', release);
    c.addEventListener('pointercancel', release);
    c.addEventListener('keydown', (ev) => {
      const d = this.data;
      if (!d) return;
      const go = (s: number): void => { if (s >= d.earliest && s <= d.latest && s !== d.current.step) this.loss.goTo(s); };
      switch (ev.key) {
        case 'ArrowLeft': go(d.current.step - 1); break;
        case 'ArrowRight': go(d.current.step + 1); break;
        case 'Home': go(d.earliest); break;
        case 'End': go(d.latest); break;
        case 'b': case 'B': this.loss.toggleBreakpoint(d.current.step); break;
        default: return;
      }
      ev.preventDefault();
      ev.stopPropagation();
    });
  }

  protected csv(): string {
    const d = this.data;
    if (!d) return '';
    const rows = [csvRow(['step', d.sampled?.batches ? `${this.symbol} (batch)` : this.symbol]), ...d.steps.map((s, i) => csvRow([s, d.losses[i]]))];
    if (d.sampled) {
      // The sampled lines follow as a table of their own (other steps than the batch losses).
      rows.push('', csvRow(['step', `${this.symbol} (training set)`, ...(d.sampled.validation ? [`${this.symbol} (validation)`] : [])]));
      d.sampled.steps.forEach((s, i) => rows.push(csvRow([s, d.sampled!.training[i], ...(d.sampled!.validation ? [d.sampled!.validation[i]] : [])])));
    }
    return rows.join('\n') + '\n';
  }

  protected fileName(): string {
    return 'loss-over-steps';
  }
}
