/**
 * The chart strip: the panels under the graph or beside it, each foldable (and resizable along the
 * strip), the strip itself resized by its splitter; the choice is kept per file by the host. It
 * tells the host which panels are open and which parameters are selected (the one hovered or
 * pinned in the graph, and a second for the contour map), and draws what the worker sends back.
 * Export all saves every open chart's picture at once; what Copy as image did is said in the
 * strip's head.
 */
import type { OptimizerType } from '../../src/core/optimizers';
import type { CopyFailure } from '../../src/protocol';
import { type ChartData, type ChartPanel, DEFAULT_RACE } from '../../src/session/chartTypes';
import { h } from '../dom';
import type { CopyOutcome } from './clipboard';
import { ComparePanel } from './compare';
import { FitPanel } from './fit';
import { LossPanel } from './loss';
import type { Naming, Panel } from './panel';
import { pngDataUrl } from './picture';
import { ProfilePanel } from './profile';
import { InstrumentsPanel, TrajectoriesPanel } from './series';
import { onThemeChange, palette } from './theme';

export interface StripState {
  open: ChartPanel[];
  place: 'below' | 'beside';
  size: number;
  second: string | null;
  logScale: boolean;
  /** Compare optimizers: the optimizers raced against the file's, and its log axis (absent: the defaults). */
  compare?: OptimizerType[];
  compareLog?: boolean;
}

export const DEFAULT_STRIP: StripState = { open: ['loss', 'profile', 'fit'], place: 'below', size: 280, second: null, logScale: false };

export interface StripActions {
  request(panels: ChartPanel[], parameters: string[], optimizers: OptimizerType[]): void;
  saveState(state: StripState): void;
  export(format: 'png' | 'csv', name: string, data: string): void;
  /** Every open chart's picture (PNG data URLs), saved together. */
  exportAll(pictures: { name: string; data: string }[]): void;
  /** Copy as image could not copy: the host says so, and offers to save the picture instead. */
  copyFailed(panel: ChartPanel, reason: CopyFailure): void;
  toggleBreakpoint(step: number): void;
  goTo(step: number): void;
}

/**
 * What the graph leaves the strip (the page works it out: see makeRoom in main.ts). The graph comes
 * first, so the strip gives way: to at most `size`, beside the graph (a wide, short editor), or
 * folded to its head. None of it changes what the person chose (kept by the host); it lasts until
 * the room comes back, or until they ask for the charts anyway.
 */
export interface StripRoom {
  /** The most the strip may take (height below the graph, width beside it); null: what it likes. */
  size: number | null;
  /** Beside the graph, whatever the person chose. */
  beside: boolean;
  /** Folded to its head (the graph needs the rest). */
  folded: boolean;
}

/** The fastest rate at which hovering in the graph asks for another parameter's curve. */
const REQUEST_MS = 100;
const MIN_SIZE = 120;
/** The largest size kept (the host's view state takes up to 4000). */
const MAX_SIZE = 4000;
/** How long what Copy as image did stays said in the strip's head. */
const NOTE_MS = 6000;

export class ChartStrip {
  readonly element = h('section', 'chart-strip');
  readonly splitter = h('div', 'chart-splitter');
  private readonly panels: Panel[];
  private readonly loss: LossPanel;
  private readonly profile: ProfilePanel;
  private readonly fit: FitPanel;
  private readonly trajectories: TrajectoriesPanel;
  private readonly instruments: InstrumentsPanel;
  private readonly compare: ComparePanel;
  private readonly placeButton = h('button', 'chart-tool codicon');
  private state: StripState;
  private names: string[] = [];
  private lossSymbol = 'SSR';
  private pinned: string | null = null;
  private hovered: string | null = null;
  /** The parameter last hovered or pinned: the curve stays on it when the pointer leaves. */
  private sticky: string | null = null;
  /** The parameter the curve shows (the worker picks the first trainable one when none is selected). */
  private shown: string | null = null;
  private sent = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = 0;
  private room: StripRoom = { size: null, beside: false, folded: false };
  /** The person asked for the charts while the graph had taken their room: they stay until the room changes. */
  private shownAnyway = false;
  private readonly roomNote = h('span', 'chart-strip-room');
  /** What the last Copy as image or Export all did, said to the person and to a screen reader. */
  private readonly note = h('span', 'chart-strip-note');
  private noteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(state: StripState, private readonly actions: StripActions) {
    this.state = { ...state };
    const p = palette();
    const open = (k: ChartPanel): boolean => state.open.includes(k);
    const panelActions = {
      toggled: (kind: ChartPanel, isOpen: boolean) => this.toggled(kind, isOpen),
      export: actions.export,
      copied: (kind: ChartPanel, title: string, outcome: CopyOutcome) => this.copied(kind, title, outcome),
    };
    this.loss = new LossPanel(open('loss'), state.logScale, p, {
      ...panelActions,
      toggleBreakpoint: actions.toggleBreakpoint,
      goTo: actions.goTo,
      logScale: (on) => { this.state.logScale = on; this.save(); },
    });
    this.profile = new ProfilePanel(open('profile'), p, { ...panelActions, second: (name) => { this.state.second = name; this.save(); this.requestNow(); } });
    this.fit = new FitPanel(open('fit'), p, panelActions);
    this.trajectories = new TrajectoriesPanel(open('trajectories'), p, panelActions);
    this.instruments = new InstrumentsPanel(open('instruments'), p, panelActions);
    this.compare = new ComparePanel(open('compare'), [...(state.compare ?? DEFAULT_RACE)], state.compareLog ?? true, p, {
      ...panelActions,
      pick: (optimizers) => { this.state.compare = optimizers; this.save(); this.requestNow(); },
      logScale: (on) => { this.state.compareLog = on; this.save(); },
    });
    this.panels = [this.loss, this.profile, this.fit, this.trajectories, this.instruments, this.compare];

    const head = h('div', 'chart-strip-head');
    const title = h('span', 'chart-strip-title', 'Charts');
    this.placeButton.addEventListener('click', () => this.place(this.state.place === 'below' ? 'beside' : 'below'));
    const anyway = h('button', 'chart-tool chart-show-anyway', 'Show');
    anyway.setAttribute('aria-label', 'Show the charts anyway (the graph gets less room)');
    anyway.title = anyway.getAttribute('aria-label')!;
    anyway.addEventListener('click', () => { this.shownAnyway = true; this.layout(); this.panels.forEach((x) => x.redraw()); });
    this.roomNote.append(h('span', '', 'folded to give the graph room'), anyway);
    // Read out when it changes; the page's one status (role) stays the stop line's.
    this.note.setAttribute('aria-live', 'polite');
    const exportAll = h('button', 'chart-tool codicon codicon-save-all');
    exportAll.title = 'Export all charts: save every open chart as a PNG picture, in a folder you choose';
    exportAll.setAttribute('aria-label', 'Export all charts as PNG pictures');
    exportAll.addEventListener('click', () => this.exportAll());
    head.append(title, this.note, this.roomNote, exportAll, this.placeButton);
    const body = h('div', 'chart-panels');
    body.append(...this.panels.map((x) => x.element));
    this.element.append(head, body);
    this.element.setAttribute('aria-label', 'Charts');
    this.splitter.setAttribute('role', 'separator');
    this.splitter.tabIndex = 0;
    this.splitter.setAttribute('aria-label', 'Resize the charts');
    this.listenSplitter();
    this.layout();
    onThemeChange(() => { const q = palette(); this.panels.forEach((x) => x.setPalette(q)); });
  }

  /** Applies a state the host kept for this file (a reload). */
  restore(state: StripState): void {
    this.state = { ...state };
    for (const panel of this.panels) if (panel.open !== state.open.includes(panel.kind)) panel.setOpen(state.open.includes(panel.kind), false);
    this.loss.setLog(state.logScale);
    this.compare.restore([...(state.compare ?? DEFAULT_RACE)], state.compareLog ?? true);
    this.layout();
    this.profile.setParameters(this.names.filter((n) => n !== this.first), this.state.second);
    this.requestNow();
    this.panels.forEach((x) => x.redraw());
  }

  get current(): StripState {
    return { ...this.state, open: [...this.state.open] };
  }

  /** The network's parameter names and loss symbol (from its structure). */
  /** Names parameters and the loss in the notation chosen, on every panel (titles, captions, legends, pictures). */
  setNaming(naming: Naming): void {
    for (const panel of this.panels) panel.setNaming(naming);
  }

  setNetwork(names: string[], lossSymbol: string): void {
    this.names = names;
    this.lossSymbol = lossSymbol;
    if (this.sticky && !names.includes(this.sticky)) this.sticky = null;
    if (this.shown && !names.includes(this.shown)) this.shown = null;
    if (this.state.second && !names.includes(this.state.second)) this.state.second = null;
    this.profile.setParameters(names.filter((n) => n !== this.first), this.state.second);
    this.requestNow();
  }

  /** What the graph selects: the pinned parameter, and the one under the pointer (null when none). */
  select(pinned: string | null, hovered: string | null): void {
    this.pinned = pinned;
    this.hovered = hovered;
    if (hovered ?? pinned) this.sticky = hovered ?? pinned;
    this.request();
  }

  /** The curve's parameter: the one under the pointer, else the pinned one, else the last of those, else the one shown. */
  private get first(): string | null {
    return this.hovered ?? this.pinned ?? this.sticky ?? this.shown;
  }

  setBreakpoints(steps: { step: number; enabled: boolean }[]): void {
    this.loss.setBreakpoints(steps);
  }

  /**
   * Draws new charts one panel per animation frame (the newest data wins over panels not yet
   * drawn), so a refresh during Continue never holds a frame up for more than one chart's drawing.
   */
  /** `seq` counts the charts the page received: drawn, it is the strip's data-drawn-seq (what tests wait for). */
  update(data: ChartData, seq = 0): void {
    const tasks: (() => void)[] = [];
    if (data.loss) tasks.push(() => this.loss.update(data.loss!, this.lossSymbol));
    if (data.profile) {
      tasks.push(() => {
        this.shown = data.profile!.parameter;
        this.profile.update(data.profile!, data.surface, this.lossSymbol);
        this.profile.setParameters(this.names.filter((n) => n !== data.profile!.parameter), this.state.second);
      });
    }
    if (data.fit) tasks.push(() => this.fit.update(data.fit!));
    if (data.series) {
      tasks.push(() => this.trajectories.update(data.series!, data.step, this.lossSymbol));
      tasks.push(() => this.instruments.update(data.series!, data.step));
    }
    if (data.compare) tasks.push(() => this.compare.update(data.compare!, this.lossSymbol));
    const first = this.queue.length === 0;
    this.queue = tasks;
    this.longest = 0;
    this.drawing = data.step;
    this.drawingSeq = seq;
    if (first) this.drawNext();
  }

  private queue: (() => void)[] = [];
  /** The step of the charts being drawn, and which charts message they came in. */
  private drawing = 0;
  private drawingSeq = 0;
  /** The longest one panel took to draw in the last update: what the bench reads (chart.js draws synchronously with animation off). */
  private longest = 0;

  private drawNext(): void {
    const task = this.queue.shift();
    if (!task) return;
    const started = performance.now();
    task();
    this.longest = Math.max(this.longest, performance.now() - started);
    if (this.queue.length > 0) requestAnimationFrame(() => this.drawNext());
    else {
      this.element.dataset.drawMs = this.longest.toFixed(2);
      this.element.dataset.drawnStep = String(this.drawing);
      this.element.dataset.drawnSeq = String(this.drawingSeq);
    }
  }

  /** Export all: every open panel's picture, drawn for keeping, to the host in one message. */
  exportAll(): void {
    const pictures = this.panels.filter((x) => x.open).flatMap((x) => {
      const picture = x.picture();
      return picture ? [{ name: x.exportName, data: pngDataUrl(picture) }] : [];
    });
    if (pictures.length === 0) { this.say('No chart is drawn yet: open a panel to export it.'); return; }
    this.actions.exportAll(pictures);
  }

  /** The host asks for a panel's picture to save (Copy as image could not copy it). */
  savePicture(kind: ChartPanel): void {
    const panel = this.panels.find((x) => x.kind === kind);
    if (panel && !panel.exportPng()) this.say(`“${panel.title}” has drawn nothing yet: there is no picture to save.`);
  }

  private copied(kind: ChartPanel, title: string, outcome: CopyOutcome): void {
    if (outcome === 'copied') { this.say(`Copied “${title}” as a picture.`); return; }
    const why = outcome === 'unsupported' ? 'this window gives the page no clipboard for pictures' : outcome === 'denied' ? 'the clipboard was refused' : 'writing the clipboard failed';
    this.say(`Could not copy “${title}”: ${why}. Save it as a PNG instead.`);
    this.actions.copyFailed(kind, outcome);
  }

  /** Says `text` in the strip's head (a live region: screen readers read it), for a few seconds. */
  private say(text: string): void {
    this.note.textContent = text;
    this.note.title = text;
    clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => { this.note.textContent = ''; this.note.title = ''; }, NOTE_MS);
  }

  private toggled(kind: ChartPanel, open: boolean): void {
    this.state.open = this.panels.filter((x) => (x.kind === kind ? open : x.open)).map((x) => x.kind);
    this.layout();
    this.save();
    this.requestNow();
    if (open) this.panels.find((x) => x.kind === kind)?.redraw();
  }

  private place(where: 'below' | 'beside'): void {
    this.state.place = where;
    this.layout();
    this.save();
  }

  /** What the graph leaves the strip now (see StripRoom). */
  setRoom(room: StripRoom): void {
    if (room.size === this.room.size && room.beside === this.room.beside && room.folded === this.room.folded) return;
    // A change of room (the editor grew or shrank) ends "show anyway": the graph comes first again.
    if (room.folded !== this.room.folded || room.beside !== this.room.beside) this.shownAnyway = false;
    this.room = room;
    this.layout();
    this.panels.forEach((x) => x.redraw());
  }

  /** Where the strip is (the person's choice, unless the graph needs the room) and how big. */
  get placed(): { place: 'below' | 'beside'; size: number; folded: boolean } {
    const folded = this.room.folded && !this.shownAnyway;
    const place = this.room.beside && !this.shownAnyway ? 'beside' : this.state.place;
    const size = this.room.size !== null && !this.shownAnyway ? Math.min(this.state.size, this.room.size) : this.state.size;
    return { place, size, folded };
  }

  private layout(): void {
    const { place, size, folded } = this.placed;
    const below = place === 'below';
    const anyOpen = this.state.open.length > 0;
    this.element.dataset.place = place;
    this.element.toggleAttribute('data-squeezed', folded || size < this.state.size || place !== this.state.place);
    this.element.toggleAttribute('data-folded', folded);
    this.roomNote.hidden = !folded;
    this.splitter.dataset.place = place;
    this.splitter.setAttribute('aria-orientation', below ? 'horizontal' : 'vertical');
    this.splitter.hidden = !anyOpen || folded;
    this.element.style.height = below && anyOpen && !folded ? `${size}px` : '';
    this.element.style.width = !below ? `${anyOpen && !folded ? size : 40}px` : '';
    this.placeButton.className = `chart-tool codicon ${below ? 'codicon-layout-sidebar-right' : 'codicon-layout-panel'}`;
    const label = below ? 'Move the charts beside the graph' : 'Move the charts under the graph';
    this.placeButton.title = label;
    this.placeButton.setAttribute('aria-label', label);
    this.splitter.setAttribute('aria-valuenow', String(this.state.size));
    this.splitter.setAttribute('aria-valuemin', String(MIN_SIZE));
    this.splitter.setAttribute('aria-valuemax', String(MAX_SIZE));
  }

  private save(): void {
    this.actions.saveState(this.current);
  }

  /** Asks for the open panels' data, at most every REQUEST_MS (hovering moves fast). */
  private request(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSent + REQUEST_MS - performance.now());
    this.timer = setTimeout(() => { this.timer = undefined; this.requestNow(); }, wait);
  }

  private requestNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const first = this.first;
    const uses = this.state.open.some((p) => p === 'profile' || p === 'trajectories' || p === 'instruments');
    const parameters = first && uses ? [first] : [];
    if (first && this.state.second && this.state.second !== first && this.state.open.includes('profile')) parameters.push(this.state.second);
    const panels = this.state.open;
    const optimizers = panels.includes('compare') ? [...(this.state.compare ?? DEFAULT_RACE)] : [];
    const key = JSON.stringify([panels, parameters, optimizers]);
    if (key === this.sent) return;
    this.sent = key;
    this.lastSent = performance.now();
    this.actions.request(panels, parameters, optimizers);
  }

  private listenSplitter(): void {
    const s = this.splitter;
    let start: { at: number; size: number } | null = null;
    const coordinate = (ev: PointerEvent): number => (this.state.place === 'below' ? ev.clientY : ev.clientX);
    s.addEventListener('pointerdown', (ev) => {
      start = { at: coordinate(ev), size: this.state.size };
      s.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    s.addEventListener('pointermove', (ev) => {
      if (!start) return;
      this.resize(start.size - (coordinate(ev) - start.at), false);
    });
    const end = (ev: PointerEvent): void => {
      if (!start) return;
      start = null;
      if (s.hasPointerCapture(ev.pointerId)) s.releasePointerCapture(ev.pointerId);
      this.save();
    };
    s.addEventListener('pointerup', end);
    s.addEventListener('pointercancel', end);
    s.addEventListener('keydown', (ev) => {
      const grow: Record<string, number> = this.state.place === 'below' ? { ArrowUp: 20, ArrowDown: -20 } : { ArrowLeft: 20, ArrowRight: -20 };
      const by = grow[ev.key];
      if (by === undefined) return;
      this.resize(this.state.size + by, true);
      ev.preventDefault();
      ev.stopPropagation();
    });
  }

  private resize(size: number, save: boolean): void {
    const room = this.state.place === 'below' ? window.innerHeight - 160 : window.innerWidth - 320;
    this.state.size = Math.round(Math.max(MIN_SIZE, Math.min(MAX_SIZE, Math.max(MIN_SIZE, room), size)));
    this.layout();
    if (save) this.save();
  }
}
