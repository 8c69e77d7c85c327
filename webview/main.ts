/**
 * The network editor's page, wiring only: toolbar, stop line, problem banner, graph with its
 * legend, breakpoints list, hover card and pinned inspector. It draws what the host sends (the
 * structure once, then frames) and asks the host for anything it must compute: nothing here
 * computes a gradient. View state (modes, pin, zoom, legend) is kept with getState/setState so it
 * survives hiding the tab, and by the host so it survives reloads.
 */
import type { Explained, ExplanationView, NetworkModel, NetworkStructure, TrainingFrame, ViewState as HostViewState } from '../src/protocol';
import { unpackExplanations } from '../src/session/packing';
import type { ChartData } from '../src/session/chartTypes';
import { BreakpointsPanel } from './breakpoints';
import { Explanations, HoverCard } from './cards';
import { h } from './dom';
import { type EdgeMode, GraphView, type ViewTransform } from './graph/view';
import { getState, onMessage, post, sayReady, setState } from './host';
import { Inspector } from './inspector';
import { Legend } from './legend';
import { isWide, type Notation, paramName, paramNameBoth } from './notation';
import { type Problem, ProblemView, WorkerBanner } from './problem';
import { StopLine } from './stopline';
import { PhasePanel } from './phase';
import { modelOf } from './store';
import { Toolbar } from './toolbar';
import { PLAIN_NAMING } from './charts/panel';
import { ChartStrip, DEFAULT_STRIP, type StripState } from './charts/strip';
import { UnitMapZoom } from './unitMapZoom';
import type { ChartPanel } from '../src/session/chartTypes';
import type { OptimizerType } from '../src/core/optimizers';

interface ViewState {
  mode: EdgeMode;
  notation: Notation;
  pinned: string | null;
  transform: ViewTransform | null;
  /** The legend is open. */
  legend: boolean;
  /** The breakpoints list is open. */
  breakpoints: boolean;
  /** The chart strip: open panels, place, size, the contour map's second parameter, the loss axis. */
  charts: StripState;
  /** Each unit's picture is shown in the graph. */
  unitMaps: boolean;
}

const saved = getState() as Partial<ViewState> | undefined;
const state: ViewState = {
  mode: saved?.mode === 'gradients' ? 'gradients' : 'weights',
  notation: saved?.notation === '3b1b' ? '3b1b' : 'statquest',
  pinned: typeof saved?.pinned === 'string' ? saved.pinned : null,
  transform: saved?.transform ?? null,
  legend: saved?.legend === true,
  breakpoints: saved?.breakpoints !== false,
  charts: saved?.charts && Array.isArray(saved.charts.open) ? saved.charts : DEFAULT_STRIP,
  unitMaps: saved?.unitMaps !== false,
};
/**
 * Whether the person's own notation is known (kept by the page or by the host): until it is, the
 * editor opens in the notation the file asks for (`"notation"`).
 */
let notationChosen = saved?.notation !== undefined;

/** Saves the view in the webview (hidden tabs) and, when it changed, with the host (window reloads). */
let told = '';
function save(): void {
  setState(state);
  const view = hostView();
  const key = JSON.stringify(view);
  if (key === told) return;
  told = key;
  post({ type: 'viewState', state: view });
}

/** The view as the host keeps it. */
function hostView(): HostViewState {
  return { mode: state.mode, notation: state.notation, pinned: state.pinned, charts: state.charts, unitMaps: state.unitMaps };
}

/** Epoch milliseconds, the clock the host and the worker share with the page. */
const epoch = (): number => performance.timeOrigin + performance.now();

let structure: NetworkStructure | undefined;
let restartedBecause: string | null = null;
let frame: TrainingFrame | undefined;
let model: NetworkModel | undefined;
let problem: Problem | undefined;
let explanations: Explanations | undefined;
/** The latest explanations the host sent of the parameters this page watches (pinned, hovered). */
let explained: (Explained & { kind: 'watched' }) | undefined;
/** Every parameter's explanation at the last stop of a teaching network (they follow the stop's frame), unpacked. */
let stopExplained: { seq: number; explanations: Record<string, ExplanationView> } | undefined;
let hovered: { kind: 'param' | 'unit'; id: string; at: Parameters<HoverCard['showUnit']>[1] } | undefined;

// ---- the page ---------------------------------------------------------------------------------

const app = document.getElementById('app')!;
const toolbar = new Toolbar({
  control: (action, at) => post({ type: 'control', action, at, sent: epoch() }),
  goTo: () => stopLine.askStep(),
  writeParameters: () => post({ type: 'writeParameters' }),
  fit: () => graph.fit(),
  openText: () => post({ type: 'openText' }),
}, [
  [
    { icon: 'symbol-numeric', text: 'Weights', label: 'Edges show weights', checked: () => state.mode === 'weights', select: () => setMode('weights') },
    { icon: 'arrow-swap', text: 'Gradients', label: 'Edges show gradients (dLoss/dw) and the way gradient descent moves each weight', checked: () => state.mode === 'gradients', select: () => setMode('gradients') },
  ],
  [
    { icon: 'mortar-board', text: 'StatQuest', label: "StatQuest's notation (SSR, Predicted, x and y)", checked: () => state.notation === 'statquest', select: () => setNotation('statquest', true) },
    { icon: 'symbol-operator', text: '3Blue1Brown', label: "3Blue1Brown's notation (C, z, a, w^(L)_jk)", checked: () => state.notation === '3b1b', select: () => setNotation('3b1b', true) },
  ],
]);
const stopLine = new StopLine((step, at) => post({ type: 'goTo', step, at, sent: epoch() }));
const problems = new ProblemView();
const workerBanner = new WorkerBanner(() => post({ type: 'retryWorker' }));
const main = h('div', 'main');
const graphHost = h('div', 'graph-host');
graphHost.tabIndex = -1;
const legend = new Legend(state.legend, (open) => { state.legend = open; save(); });
const side = h('div', 'side');
const breakpoints = new BreakpointsPanel((specs, builtins) => post({ type: 'setBreakpoints', specs, builtins }), state.breakpoints, (open) => { state.breakpoints = open; save(); });
const inspector = new Inspector(() => pin(null));
const phasePanel = new PhasePanel();
side.append(breakpoints.element, phasePanel.element, inspector.element);
main.append(graphHost, side);
const strip = new ChartStrip(state.charts, {
  request: (panels, parameters, optimizers) => { stripAsks = { panels, parameters, optimizers }; askCharts(); },
  saveState: (charts) => { state.charts = charts; save(); },
  export: (format, name, data) => post({ type: 'export', format, name, data }),
  exportAll: (pictures) => post({ type: 'exportAll', pictures }),
  copyFailed: (panel, reason) => post({ type: 'copyFailed', panel, reason }),
  toggleBreakpoint: (step) => breakpoints.toggleStep(step),
  goTo: (step) => post({ type: 'goTo', step }),
});
/** The graph and its side panel, with the chart strip under them or beside them. */
const workspace = h('div', 'workspace');
workspace.append(main, strip.splitter, strip.element);
const card = new HoverCard((ready) => { if (ready) app.dataset.cardsReady = 'true'; else delete app.dataset.cardsReady; });

app.replaceChildren(toolbar.element, stopLine.element, workerBanner.element, problems.banner, workspace, problems.page, card.element);
// The whole page is the editor's main content: a landmark a screen reader can go to.
app.setAttribute('role', 'main');
app.classList.remove('is-loading');
app.removeAttribute('aria-busy');

const graph = new GraphView(graphHost, {
  hoverParam: (name, at) => { hovered = { kind: 'param', id: name, at }; watch(); showCard(); strip.select(state.pinned, name); },
  hoverUnit: (id, at) => { hovered = { kind: 'unit', id, at }; watch(); showCard(); },
  leave: () => { hovered = undefined; watch(); card.hide(); strip.select(state.pinned, null); },
  pin: (name) => pin(name),
  // Only a view the person chose is worth restoring; a fitted one is re-fitted to the new size.
  transformChanged: (t, auto) => { state.transform = auto ? null : t; save(); },
});
graphHost.append(legend.element);

// ---- room for the graph -----------------------------------------------------------------------

/** The label font in graph units (main.css: .edge-label), and the smallest share of the height the graph keeps. */
const LABEL_UNITS = 12;
const GRAPH_SHARE = 0.5;
/** Below this the strip is not worth showing open (its panels' plots would be slivers). */
const STRIP_LEAST = 240;
/** The strip's head alone, and the splitter. */
const STRIP_HEAD = 26;

/**
 * The graph first: it keeps at least half of the editor's height, and, where its labels are drawn,
 * the height at which they read at the editor's font size less 2 px when fitted (if the width
 * allows that at all). The chart strip gives way: it shrinks, goes beside the graph when the
 * editor is wide and short, or folds to its head. F5 opening the Run and Debug view and the debug
 * toolbar, or the text beside, are what usually take the room.
 */
function makeRoom(): void {
  const drawing = graph.drawing;
  // In a narrow editor the side column goes under the graph (main.css), taking height, not width.
  const narrow = window.matchMedia('(max-width: 760px)').matches;
  const height = workspace.clientHeight - (narrow ? side.getBoundingClientRect().height : 0);
  const width = workspace.clientWidth;
  if (!drawing || height === 0 || width === 0) { strip.setRoom({ size: null, beside: false, folded: false }); return; }
  const font = parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-font-size')) || 14;
  const scale = (font - 2) / LABEL_UNITS;
  const sideWidth = side.getBoundingClientRect().width;
  const graphWidth = width - (narrow ? 0 : sideWidth);
  // The height at which a fitted graph's labels read (capped: beyond the width's limit, more height does not help).
  const readable = drawing.labelled && graphWidth / drawing.width >= scale ? drawing.height * scale : 0;
  const needs = Math.min(height - STRIP_HEAD, Math.max(height * GRAPH_SHARE, readable));
  const left = height - needs - STRIP_HEAD;
  if (left >= STRIP_LEAST) { strip.setRoom({ size: left, beside: false, folded: false }); return; }
  // Wide and short: beside the graph, if the graph then still reads.
  const besideWidth = Math.max(STRIP_LEAST * 2, Math.min(420, width * 0.3));
  const narrower = graphWidth - besideWidth;
  if (width > height * 1.6 && (!drawing.labelled || narrower / drawing.width >= Math.min(scale, graphWidth / drawing.width)) && narrower > 320) {
    strip.setRoom({ size: besideWidth, beside: true, folded: false });
    return;
  }
  strip.setRoom({ size: null, beside: false, folded: true });
}
new ResizeObserver(() => makeRoom()).observe(workspace);

// ---- behaviour --------------------------------------------------------------------------------

function setMode(mode: EdgeMode): void {
  state.mode = mode;
  save();
  graph.setMode(mode);
  legend.show(mode, model?.lossSymbol ?? 'SSR');
}

function setNotation(n: Notation, chosen: boolean): void {
  if (chosen) notationChosen = true;
  state.notation = n;
  save();
  toolbar.refreshToggles();
  graph.setNotation(n);
  nameBreakpoints();
  if (model && !model.training.running) card.prerender(model, n);
  showCard();
  renderInspector();
  phasePanel.render(model, n);
}

/** The breakpoints list says which plain name is which in 3Blue1Brown's notation (w3, else the first weight, as its example). */
function nameBreakpoints(): void {
  const p = model ? model.params.find((x) => x.name === 'w3') ?? model.params.find((x) => x.kind === 'weight') : undefined;
  breakpoints.setNames(state.notation, p && model ? { plain: p.name, shown: paramName(state.notation, p, isWide(model)) } : null);
  // The charts too: "C against w⁽²⁾₀₀ (w3)" in 3Blue1Brown's notation, as the graph and the card say.
  const m = model;
  const key = m ? `${state.notation}|${m.inputs.length}|${m.layers.map((l) => l.units).join(',')}` : '';
  if (key === namedCharts || !m) return;
  namedCharts = key;
  const byName = new Map(m.params.map((x) => [x.name, x]));
  const wide = isWide(m);
  strip.setNaming(state.notation === 'statquest' ? PLAIN_NAMING : {
    param: (n) => { const q = byName.get(n); return q ? paramNameBoth('3b1b', q, wide) : n; },
    loss: () => 'C',
  });
}
let namedCharts = '';
let breakpointsReceived = 0;

// ---- each unit's picture ----------------------------------------------------------------------

/**
 * Shows or hides each unit's picture: in the graph's corner, as the legend is, so the toolbar
 * keeps its one line; there only for a network that gets pictures.
 */
const mapsToggle = document.createElement('vscode-toolbar-button') as HTMLElement & { icon: string; label: string; checked: boolean; toggleable: boolean };
mapsToggle.className = 'maps-toggle';
mapsToggle.icon = 'map';
mapsToggle.label = "Each unit's picture: its output over the inputs' plane (two inputs) or range (one input)";
mapsToggle.title = mapsToggle.label;
mapsToggle.append(h('span', 'toggle-text', 'Unit maps'));
mapsToggle.toggleable = true;
mapsToggle.checked = state.unitMaps;
mapsToggle.hidden = true;
mapsToggle.addEventListener('click', () => setUnitMaps(!state.unitMaps));
graphHost.append(mapsToggle);

/** The enlarged picture a unit's card shows. */
const zoom = new UnitMapZoom();
/** What the chart strip asks for; the pictures are asked for beside it. */
let stripAsks: { panels: ChartPanel[]; parameters: string[]; optimizers: OptimizerType[] } = { panels: [], parameters: [], optimizers: [] };
let asked = '';
/**
 * The hidden and output units' count past which a network gets no pictures (the worker's
 * MAP_UNITS: a refresh stays a few milliseconds, so Continue keeps its speed).
 */
const MAP_UNITS = 64;

/** Whether the network gets pictures: one or two inputs and at most MAP_UNITS units. */
function mapsFit(): boolean {
  if (!structure) return false;
  const units = structure.layers.reduce((n, l) => n + l.units, 0);
  return (structure.inputs.length === 1 || structure.inputs.length === 2) && units <= MAP_UNITS;
}

/** Tells the host what the page's charts and pictures need, when that changes. */
function askCharts(): void {
  const units = state.unitMaps && mapsFit();
  mapsToggle.hidden = !mapsFit();
  const key = JSON.stringify([stripAsks, units]);
  if (key === asked) return;
  asked = key;
  post({ type: 'charts', ...stripAsks, ...(units ? { units } : {}) });
}

function setUnitMaps(on: boolean): void {
  state.unitMaps = on;
  save();
  showUnitMaps();
}

/** The pictures as state.unitMaps says: asked for (or not), drawn (or taken away). */
function showUnitMaps(): void {
  askCharts();
  mapsToggle.checked = state.unitMaps;
  graph.setUnitMaps(state.unitMaps ? drawnCharts?.units ?? null : null, state.unitMaps);
  if (hovered?.kind === 'unit') showCard();
}

/** A unit's name in words, as the graph's nodes say it. */
function unitName(id: string): string {
  const node = graph.svg.querySelector(`[data-unit="${id}"]`);
  return (node?.getAttribute('data-label') ?? node?.getAttribute('aria-label'))?.replace(/,.*$/, '') ?? `unit ${id}`;
}
let mapsDrawn = 0;

/** Tells the host which parameters' explanations this page shows, when that changes. */
let watching = '';
function watch(): void {
  const names = [...new Set([state.pinned, hovered?.kind === 'param' ? hovered.id : null].filter((n): n is string => n !== null))];
  const key = names.join(',');
  if (key === watching) return;
  watching = key;
  post({ type: 'watch', parameters: names });
}

function pin(name: string | null): void {
  state.pinned = name;
  watch();
  save();
  renderInspector();
  strip.select(name, hovered?.kind === 'param' ? hovered.id : null);
}

function showCard(): void {
  if (!hovered || !model || !explanations) { card.hide(); return; }
  if (hovered.kind === 'unit') card.showUnit(hovered.id, hovered.at, model, state.notation, state.unitMaps ? zoom.elementFor(hovered.id, unitName(hovered.id)) : null);
  else card.showParam(hovered.id, hovered.at, explanations, state.notation);
}

function renderInspector(): void {
  app.dataset.pinned = state.pinned ?? '';
  inspector.render(model, state.pinned, explanations, state.notation);
}

/** The toolbar, the stop line and the stale look, from what is known now. */
function showState(): void {
  const stale = problem !== undefined;
  toolbar.show(model, stale);
  stopLine.show(frame, stale ? problem!.problem.message : null, restartedBecause);
  app.classList.toggle('stale', stale && model !== undefined);
  if (model) {
    app.dataset.running = String(model.training.running);
    app.dataset.step = String(model.step);
    app.dataset.phase = model.phase ? `${model.phase.kind}${'layer' in model.phase ? ` ${model.phase.layer}` : ''}` : '';
  }
}

function showProblem(message: Problem | undefined): void {
  problem = message;
  if (!message) {
    problems.clear();
    workspace.hidden = false;
  } else {
    workspace.hidden = problems.show(message, model !== undefined);
  }
  showState();
}

let restored = false;

/**
 * Draws the newest frame. While Continue runs, frames are drawn at most once per animation frame
 * (the newest wins), and the host sends the next only once this one is drawn, so the page never
 * falls behind; a stop is drawn at once. Where drawing takes longer than a frame (a large network's
 * canvas), a stop's status line and toolbar are painted first and the graph follows, so the person
 * sees the stop within a frame of its arrival.
 */
let pending = false;
/** How long the last full render took (ms). */
let renderMs = 0;
/** A stop was just drawn: the charts wait a frame, so the stop is painted before them. */
let stopJustDrawn = false;
function scheduleRender(): void {
  // A stop, or the first frame of what a click started (a long jump's progress): at once, the
  // words first where the graph is slow to draw.
  if (!frame?.running || frame.timing) {
    if (renderMs > 16 && model) { showStopFirst(frame!); requestAnimationFrame(() => setTimeout(render, 0)); return; }
    render();
    return;
  }
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

/** A stop's status line and toolbar, from the frame alone (no graph): what the person looks for first. */
function showStopFirst(f: TrainingFrame): void {
  const m = model!;
  toolbar.show({ ...m, step: f.step, lossValue: f.loss, phase: f.phase, stop: f.stop, training: { ...m.training, running: f.running, stopReason: f.stopReason, earliest: f.earliest } }, problem !== undefined);
  stopLine.show(f, problem ? problem.problem.message : null, restartedBecause);
  recordTiming(f);
}

/** How many frames have come: the page says which it has drawn (data-frame-seq), so a test waits for exactly that one. */
let framesReceived = 0;

/** The last frame that answered a person's control, and when it came. */
let received: { frame: TrainingFrame; at: number } | undefined;

/**
 * A frame that answers a control is drawn: when the page had it, when its status line changed,
 * and when the browser painted it (the next animation frame), beside the hops it took, for the
 * bench to read (data-control-timing). Measuring only.
 */
function recordTiming(drawn: TrainingFrame): void {
  if (!received || received.frame !== drawn || !drawn.timing) return;
  const t = { ...drawn.timing, pageReceived: received.at, shown: epoch(), step: drawn.step, running: drawn.running };
  received = undefined;
  requestAnimationFrame(() => { app.dataset.controlTiming = JSON.stringify({ ...t, painted: epoch() }); });
}

function render(): void {
  if (!structure || !frame) return;
  const started = performance.now();
  app.dataset.frameSeq = String(framesReceived);
  const m = modelOf(structure, frame, stopExplained);
  const wasRunning = model?.training.running ?? true;
  model = m;
  explanations = new Explanations(m, () => explained);
  if (!notationChosen && m.notation && m.notation !== state.notation) {
    state.notation = m.notation;
    toolbar.refreshToggles();
  }
  const drew = JSON.stringify(graph.drawing);
  graph.render(m, state.mode, state.notation);
  nameBreakpoints();
  if (JSON.stringify(graph.drawing) !== drew) makeRoom();
  setMode(state.mode);
  if (state.transform && !restored) { graph.setTransform(state.transform); restored = true; }
  breakpoints.setRun(frame.stop?.reason === 'breakpoint' ? frame.stop.hits.map((h) => h.id) : [], frame.breakpoints);
  showState();
  recordTiming(frame);
  renderInspector();
  phasePanel.render(m, state.notation);
  // Cards are built ahead only when the run rests: during Continue each would be stale at once.
  // A teaching network's explanations follow its stop: its cards are built when they come.
  if (!m.training.running) card.prerender(m.explanations || !structure.explainedAtStops ? m : undefined, state.notation);
  else if (!wasRunning) card.prerender(undefined, state.notation);
  if (hovered) showCard();
  renderMs = performance.now() - started;
  stopJustDrawn = !frame.running;
  // The host sends the next frame once this one is drawn (see FramePacer).
  post({ type: 'drawn', seq: frame.seq });
}

/** Every explanation of the stop shown has come: the model holds them, the cards are built from them. */
function explainStop(): void {
  if (!structure || !frame) return;
  const m = modelOf(structure, frame, stopExplained);
  model = m;
  explanations = new Explanations(m, () => explained);
  renderInspector();
  // The update phase of Step Into writes an optimizer's moves from the stop's explanations.
  if (m.phase?.kind === 'update') phasePanel.render(m, state.notation);
  // The update phase's labels and the gradients' arrows follow an optimizer's rule: drawn again now it is known.
  if (m.phase?.kind === 'update' || !m.plainTraining) graph.render(m, state.mode, state.notation);
  card.prerender(m, state.notation);
  if (hovered) showCard();
}

/** The charts last received, drawn in the next animation frame. */
let drawnCharts: ChartData | undefined;
/** How many charts messages have come: the strip says which it has drawn (data-drawn-seq). */
let chartsReceived = 0;
let chartsPending = false;

/**
 * Draws the charts in the animation frame after the rest of the page: by then the browser has laid
 * out what the graph and the cards changed, so chart.js reading its canvas's size costs nothing.
 */
function scheduleCharts(): void {
  if (chartsPending) return;
  chartsPending = true;
  const draw = (): void => {
    chartsPending = false;
    if (!drawnCharts) return;
    strip.update(drawnCharts, chartsReceived);
    if ('units' in drawnCharts || state.unitMaps) {
      const maps = drawnCharts.units ?? null;
      graph.setUnitMaps(maps, state.unitMaps);
      zoom.setData(maps);
      // Which charts message the pictures are of: the tests wait for it.
      graph.svg.dataset.mapsSeq = String(++mapsDrawn);
      graph.svg.dataset.mapsStep = String(drawnCharts.step);
    }
  };
  // After a stop, a frame goes by first: the stop is painted before any chart is drawn.
  requestAnimationFrame(() => {
    if (!stopJustDrawn) { draw(); return; }
    stopJustDrawn = false;
    requestAnimationFrame(draw);
  });
}

onMessage((message) => {
  switch (message.type) {
    case 'viewState':
      state.mode = message.state.mode;
      state.notation = message.state.notation;
      state.pinned = message.state.pinned;
      notationChosen = true;
      if (message.state.charts) { state.charts = message.state.charts; strip.restore(state.charts); }
      // Restoring is not a change of the person's: nothing is sent back.
      if (message.state.unitMaps !== undefined && message.state.unitMaps !== state.unitMaps) { state.unitMaps = message.state.unitMaps; showUnitMaps(); }
      told = JSON.stringify(hostView());
      setState(state);
      toolbar.refreshToggles();
      if (model) { setMode(state.mode); graph.setNotation(state.notation); card.prerender(model.training.running ? undefined : model, state.notation); renderInspector(); }
      return;
    case 'viewStateSaved':
      app.dataset.viewSaved = JSON.stringify(message.state);
      return;
    case 'structure':
      // A frame belongs to one structure: until the new structure's first frame comes, draw nothing new.
      structure = message.structure;
      restartedBecause = message.why;
      explained = undefined;
      stopExplained = undefined;
      strip.setNetwork(structure.params.map((p) => p.name), structure.lossSymbol);
      frame = undefined;
      // The pictures of another network are not this one's: the next charts bring its own.
      graph.setUnitMaps(null, state.unitMaps);
      zoom.setData(null);
      askCharts();
      return;
    case 'frame':
      framesReceived++;
      frame = message.frame;
      if (frame.timing) received = { frame, at: epoch() };
      scheduleRender();
      return;
    case 'problem':
      showProblem(message.problem ? { ...message, problem: message.problem } : undefined);
      return;
    case 'breakpoints':
      breakpoints.show(message.breakpoints, frame?.stop?.reason === 'breakpoint' ? frame.stop.hits.map((h) => h.id) : []);
      strip.setBreakpoints(breakpoints.stepBreakpoints);
      // How many lists the page has drawn: the tests wait for this, not for time.
      app.dataset.breakpointsSeq = String(++breakpointsReceived);
      return;
    case 'pin': pin(message.parameter); return;
    case 'charts':
      chartsReceived++;
      drawnCharts = message.charts;
      scheduleCharts();
      return;
    case 'explained':
      if (message.explained.kind === 'stop') {
        // Every card of the stop shown: built ahead, so a hover answers within a frame.
        stopExplained = { seq: message.explained.seq, explanations: unpackExplanations(message.explained.packed) };
        if (frame && !frame.running && message.explained.seq === frame.seq) explainStop();
        return;
      }
      explained = message.explained;
      // The pinned card and a hovered one follow (each says the step its numbers are of).
      renderInspector();
      if (hovered?.kind === 'param') showCard();
      return;
    case 'worker':
      workerBanner.show(message.failure);
      return;
    case 'savePicture':
      strip.savePicture(message.panel);
      return;
    default: {
      const never: never = message;
      throw new Error(`unhandled message ${JSON.stringify(never)}`);
    }
  }
});

window.addEventListener('keydown', (ev) => {
  const inField = (ev.target as HTMLElement).closest?.('input, textarea, select');
  if (inField) return;
  switch (ev.key) {
    case 'Escape': if (state.pinned) pin(null); card.hide(); break;
    case '+': case '=': graph.zoom(1.2); break;
    case '-': case '_': graph.zoom(1 / 1.2); break;
    case '0': graph.fit(); break;
    case 'ArrowLeft': graph.pan(40, 0); break;
    case 'ArrowRight': graph.pan(-40, 0); break;
    case 'ArrowUp': graph.pan(0, 40); break;
    case 'ArrowDown': graph.pan(0, -40); break;
    default: return;
  }
  ev.preventDefault();
});

renderInspector();
sayReady();
