/**
 * What every chart panel shares: a header with its title, a fold button and its tools (each
 * named), a caption with the key numbers in words, a canvas that chart.js draws on with a text
 * alternative a screen reader reads, and export of the picture (PNG, drawn again for keeping: see
 * picture.ts) and the data (CSV), which the host saves through its save dialog, or the picture
 * copied to the clipboard. A panel only draws what the worker computed.
 */
import type { ChartConfiguration, ChartOptions, Plugin } from 'chart.js';
import { CHART_TITLES, type ChartPanel as PanelKind } from '../../src/session/chartTypes';
import { h } from '../dom';
import { copyPicture, type CopyOutcome } from './clipboard';
import { clearLabels } from './labels';
import { type Picture, pngBlob, pngDataUrl, renderPicture } from './picture';
import { Chart, type Palette, withAlpha } from './theme';

export interface PanelActions {
  /** The panel was folded or unfolded. */
  toggled(panel: PanelKind, open: boolean): void;
  export(format: 'png' | 'csv', name: string, data: string): void;
  /** Copy as image finished: copied, or why not (the strip says which). */
  copied(panel: PanelKind, title: string, outcome: CopyOutcome): void;
}

/** What a panel adds to its picture beyond what the page's chart draws. */
export interface PictureExtras {
  plugins?: Plugin[];
  /** Draw chart.js's legend (default: when the page shows a legend under the chart). */
  legend?: boolean;
  /** Room under the chart for what the plugins draw there, in CSS pixels. */
  bottom?: number;
}

/**
 * How the charts name things in the notation chosen: a parameter ("w⁽²⁾₀₀ (w3)" in 3Blue1Brown's,
 * so it reads as on the graph and the card) and the loss (C there). Files and CSV keep the plain names.
 */
export interface Naming { param(name: string): string; loss(symbol: string): string }
export const PLAIN_NAMING: Naming = { param: (n) => n, loss: (s) => s };

export abstract class Panel {
  readonly element: HTMLElement;
  protected readonly tools = h('span', 'chart-tools');
  protected readonly caption = h('div', 'chart-caption');
  protected readonly body = h('div', 'chart-body');
  protected readonly canvas = h('canvas', 'chart-canvas');
  protected chart: Chart | undefined;
  protected palette: Palette;
  /** What the chart was last drawn from (the configuration and the panel's plugins): a picture is drawn again from it. */
  private drawn: { config: ChartConfiguration; plugins: Plugin[]; legend: boolean } | undefined;
  /**
   * The legend, as text under the chart (a canvas legend took up to 40% of a small panel and could
   * not be read aloud): folded when the panel is short, each entry a toggle of its line.
   */
  private readonly legend = h('details', 'chart-legend');
  private legendChosen = false;
  /** Lines the person switched off in the legend, by label. */
  private readonly hidden = new Set<string>();
  private readonly fold: HTMLButtonElement;
  private readonly titleText: HTMLElement;
  private openState: boolean;

  constructor(readonly kind: PanelKind, open: boolean, palette: Palette, protected readonly actions: PanelActions) {
    const title = CHART_TITLES[kind];
    this.palette = palette;
    this.openState = open;
    this.element = h('section', 'chart-panel');
    this.element.dataset.panel = kind;
    this.titleText = h('span', 'chart-title', title);
    this.titleText.id = `chart-title-${kind}`;
    this.element.setAttribute('aria-labelledby', this.titleText.id);
    this.fold = h('button', 'chart-fold codicon');
    this.fold.addEventListener('click', () => this.setOpen(!this.openState, true));
    const head = h('header', 'chart-head');
    head.append(this.fold, this.titleText, this.tools);
    this.tool('device-camera', 'Save the chart as a PNG picture', () => this.exportPng());
    this.tool('copy', 'Copy the chart as a picture', () => this.copyPng());
    this.tool('table', "Save the chart's data as CSV", () => this.actions.export('csv', this.fileName(), this.csv()));
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${title}: no data yet`);
    this.canvas.tabIndex = 0;
    this.body.append(this.canvas);
    this.caption.setAttribute('aria-hidden', 'true');
    this.legend.hidden = true;
    this.legend.addEventListener('toggle', () => { this.legendChosen = true; });
    this.element.append(head, this.caption, this.body, this.legend);
    this.setOpen(open, false);
  }

  get open(): boolean {
    return this.openState;
  }

  setOpen(open: boolean, byPerson: boolean): void {
    this.openState = open;
    this.element.classList.toggle('folded', !open);
    this.body.hidden = !open;
    this.caption.hidden = !open;
    if (!open) this.legend.hidden = true;
    this.fold.classList.toggle('codicon-chevron-down', open);
    this.fold.classList.toggle('codicon-chevron-right', !open);
    this.fold.setAttribute('aria-expanded', String(open));
    this.fold.setAttribute('aria-label', `${open ? 'Fold' : 'Unfold'} ${this.titleText.textContent}`);
    this.fold.title = open ? 'Fold' : 'Unfold';
    if (byPerson) this.actions.toggled(this.kind, open);
  }

  /** A loss axis on a log scale (panels with logToggle). */
  protected log = false;
  private logButton: HTMLButtonElement | undefined;

  /** A log-axis toggle in the header, on at first when `on`; `kept` hears the person switch it (the host keeps it with the view). */
  protected logToggle(on: boolean, kept: (on: boolean) => void): void {
    this.logButton = this.tool('symbol-ruler', 'Logarithmic loss axis', () => { this.setLog(!this.log); kept(this.log); }, true);
    this.setLog(on);
  }

  /** The log axis on or off (the person's switch, or the view kept for the file). */
  setLog(on: boolean): void {
    this.log = on;
    this.logButton?.setAttribute('aria-pressed', String(on));
    this.redraw();
  }

  protected naming: Naming = PLAIN_NAMING;

  /** Names things anew (the notation changed) and redraws what is shown. */
  setNaming(naming: Naming): void {
    this.naming = naming;
    this.redraw();
  }

  get title(): string {
    return this.titleText.textContent ?? '';
  }

  protected setTitle(text: string): void {
    this.titleText.textContent = text;
    this.fold.setAttribute('aria-label', `${this.openState ? 'Fold' : 'Unfold'} ${text}`);
  }

  /** A named icon button in the header. */
  protected tool(icon: string, label: string, run: () => void, first = false): HTMLButtonElement {
    const b = h('button', `chart-tool codicon codicon-${icon}`);
    b.title = label;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', run);
    if (first) this.tools.prepend(b);
    else this.tools.append(b);
    return b;
  }

  /** The text alternative: what a screen reader reads for the chart, and the caption's words. */
  protected describe(summary: string, caption = summary): void {
    this.canvas.setAttribute('aria-label', summary);
    this.caption.textContent = caption;
  }

  /** A theme change: the next draw uses the new colours. */
  setPalette(p: Palette): void {
    this.palette = p;
    this.chart?.destroy();
    this.chart = undefined;
    this.redraw();
  }

  /** Draws the panel's last data again (after a theme change or unfolding). */
  abstract redraw(): void;
  /** The chart's data, one row per point, with a header row. */
  protected abstract csv(): string;
  protected abstract fileName(): string;

  /** Creates the chart, or gives the one there new data and options (no animation: it runs live). */
  protected draw(config: ChartConfiguration<'line' | 'scatter', { x: number; y: number | null }[]>, plugins: Plugin[] = []): void {
    if (!this.openState) return;
    // The panel's legend, if it wants one, is drawn as text (see `legend`), not on the canvas.
    const legend = (config.options?.plugins?.legend ?? {}) as { display?: boolean };
    const wanted = legend.display === true;
    legend.display = false;
    for (const d of config.data.datasets) if (d.label !== undefined) d.hidden = this.hidden.has(d.label);
    this.showLegend(wanted ? config.data.datasets : []);
    this.drawn = { config: config as ChartConfiguration, plugins, legend: wanted };
    if (!this.chart) {
      this.chart = new Chart(this.canvas, { ...config, plugins: [this.backgroundPlugin(), ...plugins] } as ChartConfiguration);
      return;
    }
    this.chart.data = config.data as Chart['data'];
    this.chart.options = config.options as Chart['options'];
    this.chart.update('none');
  }

  /** Options every panel starts from: no animation, the theme's colours and font, linear axes over `range` where given. */
  protected baseOptions(xTitle: string, yTitle: string, range: { x?: [number, number]; y?: [number, number] } = {}): ChartOptions<'line'> {
    const p = this.palette;
    const font = { family: p.font, size: p.fontSize };
    const axis = (title: string, bounds?: [number, number]) => ({
      type: 'linear' as const,
      min: bounds?.[0],
      max: bounds?.[1],
      // No tick at an axis's set end (a range like -3..4.2 would print 4.2 beside 4).
      ticks: { color: p.muted, font, maxTicksLimit: 7, includeBounds: false },
      grid: { color: withAlpha(p.grid, 0.5) },
      border: { color: p.grid },
      title: { display: title !== '', text: title, color: p.foreground, font },
    });
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      normalized: true,
      parsing: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: axis(xTitle, range.x), y: axis(yTitle, range.y) },
      plugins: {
        legend: { display: false, labels: { color: p.foreground, font, boxWidth: 14, boxHeight: 2 } },
        tooltip: {
          backgroundColor: p.background, titleColor: p.foreground, bodyColor: p.foreground, borderColor: p.grid, borderWidth: 1,
          titleFont: font, bodyFont: { family: p.monoFont, size: p.fontSize },
        },
      },
    } as ChartOptions<'line'>;
  }

  /** The legend's entries: a swatch of each line (dashed where it is) and its name, a toggle each. */
  private showLegend(datasets: ChartConfiguration<'line' | 'scatter'>['data']['datasets']): void {
    const named = datasets.filter((d) => d.label);
    this.legend.hidden = named.length === 0;
    if (named.length === 0) return;
    if (!this.legendChosen) this.legend.open = this.body.getBoundingClientRect().height >= 220;
    const summary = h('summary', '', `Legend (${named.length})`);
    const items = h('div', 'legend-items');
    for (const d of named) {
      const label = d.label!;
      const item = h('button', 'legend-item');
      item.setAttribute('aria-pressed', String(!this.hidden.has(label)));
      item.title = `Show or hide ${label}`;
      item.setAttribute('aria-label', label);
      const swatch = h('span', 'legend-swatch');
      const colour = String((d as { borderColor?: unknown }).borderColor ?? (d as { backgroundColor?: unknown }).backgroundColor ?? 'currentColor');
      const dashed = Array.isArray((d as { borderDash?: unknown }).borderDash) && ((d as { borderDash: unknown[] }).borderDash.length > 0);
      swatch.style.borderTop = `2px ${dashed ? 'dashed' : 'solid'} ${colour}`;
      item.append(swatch, document.createTextNode(label));
      item.addEventListener('click', () => {
        if (this.hidden.has(label)) this.hidden.delete(label); else this.hidden.add(label);
        item.setAttribute('aria-pressed', String(!this.hidden.has(label)));
        const chart = this.chart;
        if (!chart) return;
        chart.data.datasets.forEach((x, i) => { if (x.label === label) chart.setDatasetVisibility(i, !this.hidden.has(label)); });
        chart.update('none');
      });
      items.append(item);
    }
    this.legend.replaceChildren(summary, items);
  }

  /** Fills the canvas with the editor's background first, so an exported PNG reads as it looked. */
  private backgroundPlugin(): Plugin {
    return {
      id: 'background',
      beforeDraw: (chart) => {
        clearLabels(chart);
        const { ctx, width, height } = chart;
        ctx.save();
        ctx.fillStyle = this.palette.background;
        ctx.fillRect(0, 0, width, height);
        ctx.restore();
      },
    };
  }

  /** What the panel adds to its picture (a colour key, a legend the page shows as HTML). */
  protected pictureExtras(): PictureExtras {
    return {};
  }

  /**
   * The chart as a picture to keep (see picture.ts), or undefined before anything is drawn. Where
   * its title and labels lie is left on the panel (data-picture), for whoever drives the page.
   */
  picture(): Picture | undefined {
    if (!this.drawn || !this.chart) return undefined;
    const extras = this.pictureExtras();
    const picture = renderPicture({
      config: this.drawn.config,
      plugins: [this.backgroundPlugin(), ...this.drawn.plugins, ...(extras.plugins ?? [])],
      width: this.chart.width,
      height: this.chart.height,
      palette: this.palette,
      title: this.title,
      caption: this.caption.textContent ?? '',
      legend: extras.legend ?? this.drawn.legend,
      bottom: extras.bottom,
    });
    const { width, height, title, labels } = picture;
    this.element.dataset.picture = JSON.stringify({ width, height, title, labels });
    return picture;
  }

  /** The name the picture and the data are saved under (no extension). */
  get exportName(): string {
    return this.fileName();
  }

  /** Sends the picture to be saved; false when the panel has drawn nothing yet. */
  exportPng(): boolean {
    const picture = this.picture();
    if (picture) this.actions.export('png', this.fileName(), pngDataUrl(picture));
    return picture !== undefined;
  }

  private copyPng(): void {
    const picture = this.picture();
    if (!picture) return;
    const title = this.title;
    // Asked for at once, inside the click: the clipboard takes the picture while it is encoded.
    void copyPicture(pngBlob(picture)).then((outcome) => this.actions.copied(this.kind, title, outcome));
  }

  dispose(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }
}

/**
 * A CSV row: numbers as they are (full precision), text quoted when it must be. Text that a
 * spreadsheet would take for a formula (a name from the file starting with =, +, - or @) gets a
 * leading apostrophe.
 */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map((c) => {
    if (c === null || c === undefined) return '';
    if (typeof c === 'number') return Number.isFinite(c) ? String(c) : c !== c ? 'NaN' : c > 0 ? 'Infinity' : '-Infinity';
    const text = /^[=+\-@\t\r]/.test(c) ? `'${c}` : c;
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }).join(',');
}

/** Points for chart.js from two arrays. */
export function points(xs: readonly number[], ys: readonly (number | null)[]): { x: number; y: number | null }[] {
  return xs.map((x, i) => ({ x, y: ys[i] === null || Number.isFinite(ys[i]) ? ys[i] : null }));
}

/** Positive values only, for a log scale (0 and below have no place on it). */
export function positive(ys: readonly (number | null)[]): (number | null)[] {
  return ys.map((y) => (y !== null && y > 0 && Number.isFinite(y) ? y : null));
}
