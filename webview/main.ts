/**
 * The network editor's page, wiring only: toolbar, problem banner, graph with its legend, hover
 * card and pinned inspector. It renders what the host sends and asks the host for anything it
 * must compute: nothing here computes a gradient. View state (modes, pin, zoom, legend) is kept
 * with getState/setState so it survives hiding the tab, and by the host so it survives reloads.
 */
import type { HostMessage, NetworkModel, ViewState as HostViewState } from '../src/protocol';
import { Explanations, HoverCard } from './cards';
import { h } from './dom';
import { type EdgeMode, GraphView, type ViewTransform } from './graph/view';
import { getState, onMessage, post, sayReady, setState } from './host';
import { Inspector } from './inspector';
import { Legend } from './legend';
import type { Notation } from './notation';
import { ProblemView } from './problem';
import { Toolbar } from './toolbar';

interface ViewState {
  mode: EdgeMode;
  notation: Notation;
  pinned: string | null;
  transform: ViewTransform | null;
  /** The legend is open. */
  legend: boolean;
}

const saved = getState() as Partial<ViewState> | undefined;
const state: ViewState = {
  mode: saved?.mode === 'gradients' ? 'gradients' : 'weights',
  notation: saved?.notation === '3b1b' ? '3b1b' : 'statquest',
  pinned: typeof saved?.pinned === 'string' ? saved.pinned : null,
  transform: saved?.transform ?? null,
  legend: saved?.legend === true,
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
  const view: HostViewState = { mode: state.mode, notation: state.notation, pinned: state.pinned };
  const key = JSON.stringify(view);
  if (key === told) return;
  told = key;
  post({ type: 'viewState', state: view });
}

let model: NetworkModel | undefined;
let explanations: Explanations | undefined;
let hovered: { kind: 'param' | 'unit'; id: string; at: Parameters<HoverCard['showUnit']>[1] } | undefined;

// ---- the page ---------------------------------------------------------------------------------

const app = document.getElementById('app')!;
const toolbar = new Toolbar({
  control: (action) => post({ type: 'control', action }),
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
const problems = new ProblemView();
const main = h('div', 'main');
const graphHost = h('div', 'graph-host');
graphHost.tabIndex = -1;
const legend = new Legend(state.legend, (open) => { state.legend = open; save(); });
const inspector = new Inspector(() => pin(null));
main.append(graphHost, inspector.element);
const card = new HoverCard((ready) => { if (ready) app.dataset.cardsReady = 'true'; else delete app.dataset.cardsReady; });

app.replaceChildren(toolbar.element, problems.banner, main, problems.page, card.element);
app.classList.remove('is-loading');
app.removeAttribute('aria-busy');

const graph = new GraphView(graphHost, {
  hoverParam: (name, at) => { hovered = { kind: 'param', id: name, at }; showCard(); },
  hoverUnit: (id, at) => { hovered = { kind: 'unit', id, at }; showCard(); },
  leave: () => { hovered = undefined; card.hide(); },
  pin: (name) => pin(name),
  // Only a view the person chose is worth restoring; a fitted one is re-fitted to the new size.
  transformChanged: (t, auto) => { state.transform = auto ? null : t; save(); },
});
graphHost.append(legend.element);

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
  card.prerender(model, n);
  showCard();
  renderInspector();
}

function pin(name: string | null): void {
  state.pinned = name;
  save();
  renderInspector();
}

function showCard(): void {
  if (!hovered || !model || !explanations) { card.hide(); return; }
  if (hovered.kind === 'unit') card.showUnit(hovered.id, hovered.at, model, state.notation);
  else card.showParam(hovered.id, hovered.at, explanations, state.notation);
}

function renderInspector(): void {
  app.dataset.pinned = state.pinned ?? '';
  inspector.render(model, state.pinned, explanations, state.notation);
}

function showProblem(message: HostMessage & { type: 'invalid' }): void {
  const wholePage = problems.show(message, model !== undefined);
  main.hidden = wholePage;
  app.classList.toggle('stale', !wholePage && model !== undefined);
  toolbar.show(model, true);
  app.dataset.step = model ? String(model.step) : '';
  delete app.dataset.running;
}

let restored = false;

function showModel(m: NetworkModel): void {
  model = m;
  explanations = new Explanations(m);
  if (!notationChosen && m.notation && m.notation !== state.notation) {
    state.notation = m.notation;
    toolbar.refreshToggles();
  }
  problems.clear();
  main.hidden = false;
  app.classList.remove('stale');
  toolbar.show(m);
  app.dataset.running = String(m.training.running);
  app.dataset.step = String(m.step);
  graph.render(m, state.mode, state.notation);
  setMode(state.mode);
  if (state.transform && !restored) { graph.setTransform(state.transform); restored = true; }
  renderInspector();
  card.prerender(m, state.notation);
  if (hovered) showCard();
}

onMessage((message) => {
  switch (message.type) {
    case 'viewState':
      state.mode = message.state.mode;
      state.notation = message.state.notation;
      state.pinned = message.state.pinned;
      notationChosen = true;
      told = JSON.stringify(message.state);
      setState(state);
      toolbar.refreshToggles();
      if (model) { setMode(state.mode); graph.setNotation(state.notation); card.prerender(model, state.notation); renderInspector(); }
      return;
    case 'viewStateSaved':
      app.dataset.viewSaved = JSON.stringify(message.state);
      return;
    case 'model': showModel(message.model); return;
    case 'invalid': showProblem(message); return;
    case 'pin': pin(message.parameter); return;
    default: {
      const never: never = message;
      throw new Error(`unhandled message ${JSON.stringify(never)}`);
    }
  }
});

window.addEventListener('keydown', (ev) => {
  const inField = (ev.target as HTMLElement).closest?.('input, textarea');
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
