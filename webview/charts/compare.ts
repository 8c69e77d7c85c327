/**
 * Compare optimizers: the file's optimizer and up to three others picked here, each line the
 * whole training set's loss over steps, from the same parameters with the same learning rate,
 * schedule and batches (the worker runs them: see src/session/race.ts). The picks are checkboxes
 * above the chart; the file's own optimizer is always in the race. A log axis by default: the
 * lines part by orders of magnitude.
 */
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { OPTIMIZER_LABELS, OPTIMIZER_TYPES, type OptimizerType } from '../../src/core/optimizers';
import { type CompareChart, RACE_MOST } from '../../src/session/chartTypes';
import { h } from '../dom';
import { fmt } from '../format';
import { csvRow, Panel, type PanelActions, points, positive } from './panel';
import type { Palette } from './theme';

/** Lines besides the file's own. */
const MOST_OTHERS = RACE_MOST - 1;

export interface CompareActions extends PanelActions {
  /** The optimizers picked changed. */
  pick(optimizers: OptimizerType[]): void;
  /** The log axis was switched by the person. */
  logScale(on: boolean): void;
}

type Checkbox = HTMLElement & { checked: boolean; disabled: boolean };

export class ComparePanel extends Panel {
  private data: CompareChart | undefined;
  private symbol = 'SSR';
  private readonly boxes = new Map<OptimizerType, Checkbox>();

  constructor(open: boolean, private picks: OptimizerType[], log: boolean, palette: Palette, private readonly compare: CompareActions) {
    super('compare', open, palette, compare);
    this.logToggle(log, (on) => this.compare.logScale(on));
    const picker = h('div', 'compare-picker');
    picker.setAttribute('role', 'group');
    picker.setAttribute('aria-label', "Optimizers raced against the file's");
    picker.append(h('span', 'compare-picker-label', 'Race:'));
    for (const kind of OPTIMIZER_TYPES) {
      const box = document.createElement('vscode-checkbox') as Checkbox;
      box.dataset.optimizer = kind;
      box.addEventListener('change', () => this.toggle(kind, box.checked));
      this.boxes.set(kind, box);
      picker.append(box);
    }
    this.body.before(picker);
    this.showPicks();
  }

  /** The picks kept for this file (a reload). */
  restore(picks: OptimizerType[], log: boolean): void {
    this.picks = [...picks];
    this.showPicks();
    this.setLog(log);
  }

  update(data: CompareChart, lossSymbol: string): void {
    this.data = data;
    this.symbol = lossSymbol;
    this.showPicks();
    this.redraw();
  }

  /** The file's optimizer, once the race says which it is. */
  private get own(): OptimizerType | undefined {
    return this.data?.lines.find((l) => l.own)?.optimizer;
  }

  private toggle(kind: OptimizerType, on: boolean): void {
    const others = this.picks.filter((k) => k !== kind);
    this.picks = on ? [...others, kind] : others;
    this.showPicks();
    this.compare.pick([...this.picks]);
  }

  /** The boxes as picked: the file's own checked and fixed; past three others, the rest wait. */
  private showPicks(): void {
    const own = this.own;
    const others = this.picks.filter((k) => k !== own).length;
    for (const [kind, box] of this.boxes) {
      const isOwn = kind === own;
      box.checked = isOwn || this.picks.includes(kind);
      box.disabled = isOwn || (!box.checked && others >= MOST_OTHERS);
      box.title = isOwn ? `${OPTIMIZER_LABELS[kind]}: the file's optimizer, always in the race`
        : box.disabled ? `At most ${MOST_OTHERS + 1} lines: clear one to race ${OPTIMIZER_LABELS[kind]}`
          : `Race ${OPTIMIZER_LABELS[kind]} (PyTorch's defaults) against the file's optimizer`;
      box.setAttribute('label', isOwn ? `${OPTIMIZER_LABELS[kind]} (the file's)` : OPTIMIZER_LABELS[kind]);
    }
  }

  redraw(): void {
    const d = this.data;
    if (!d) return;
    const p = this.palette;
    const sym = this.naming.loss(this.symbol);
    this.element.dataset.lines = d.lines.map((l) => l.optimizer).join(',');
    this.element.dataset.finish = String(d.finish);
    this.element.dataset.reached = String(Math.min(...d.lines.map((l) => (l.divergedAt ?? l.steps[l.steps.length - 1]))));
    this.describeData(d);
    const options = this.baseOptions('step', `${sym} (training set)`, { x: [d.from, Math.max(d.finish, d.from + 1)] });
    const scales = options.scales as Record<string, Record<string, unknown>>;
    if (this.log) scales.y.type = 'logarithmic';
    (options.plugins as Record<string, Record<string, unknown>>).legend.display = true;
    this.draw({
      type: 'line',
      data: {
        datasets: d.lines.map((l) => ({
          label: l.own ? `${l.label} (the file's)` : l.label,
          data: points(l.steps, this.log ? positive(l.losses) : l.losses),
          borderColor: p.series[OPTIMIZER_TYPES.indexOf(l.optimizer) % p.series.length],
          borderWidth: l.own ? 2.5 : 1.5,
          borderDash: l.own ? [] : [5, 3],
          pointRadius: 0,
          tension: 0,
        })),
      },
      options,
    });
  }

  private describeData(d: CompareChart): void {
    const sym = this.naming.loss(this.symbol);
    const shared = `learning rate ${d.learningRate}${d.batchSize !== null ? `, the same batches of ${d.batchSize}` : ', full batch'}`;
    const said = d.lines.map((l) => {
      const last = l.steps.length - 1;
      const name = l.own ? `${l.label} (the file's)` : l.label;
      return `${name}: ${sym} ${fmt(l.losses[0])} at step ${l.steps[0]}, ${fmt(l.losses[last])} at step ${l.steps[last]}${l.divergedAt !== null ? `, diverged at step ${l.divergedAt}` : ''}`;
    });
    const finished = d.lines.filter((l) => l.divergedAt === null && l.steps[l.steps.length - 1] === d.finish);
    const best = finished.length === d.lines.length && finished.length > 1
      ? finished.reduce((a, b) => (b.losses[b.losses.length - 1] < a.losses[a.losses.length - 1] ? b : a)) : undefined;
    const racing = d.lines.some((l) => l.divergedAt === null && l.steps[l.steps.length - 1] < d.finish);
    this.describe(
      `Compare optimizers from step ${d.from} to ${d.finish} on the whole training set (${shared}; the others with PyTorch's defaults): ${said.join('; ')}.`
        + (best ? ` Lowest at step ${d.finish}: ${best.label}.` : '') + (racing ? ' Still racing.' : '')
        + ' Pick the optimizers to race with the checkboxes above the chart.',
      `${shared}${racing ? '   racing…' : ''}\n` + d.lines.map((l) => `${l.label} ${l.divergedAt !== null ? `diverged at ${l.divergedAt}` : fmt(l.losses[l.losses.length - 1])}`).join('   '),
    );
  }

  protected csv(): string {
    const d = this.data;
    if (!d) return '';
    const rows = [csvRow(['optimizer', 'step', `${this.symbol} (training set)`])];
    for (const l of d.lines) l.steps.forEach((s, i) => rows.push(csvRow([l.optimizer, s, l.losses[i]])));
    return rows.join('\n') + '\n';
  }

  protected fileName(): string {
    return 'compare-optimizers';
  }
}
