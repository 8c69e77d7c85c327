/**
 * The network editor's page: toolbar, error banner, graph, hover card and pinned inspector.
 * It renders what the host sends and asks the host for anything it must compute: nothing here
 * computes a gradient. View state (modes, pin, zoom) is kept with getState/setState so it
 * survives hiding the tab and reloading the window.
 */
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-container/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { StopReason } from '../src/core';
import type { ExplanationView, HostMessage, NetworkModel, TrainingAction, WebviewMessage } from '../src/protocol';
import { renderExplanation, renderUnit } from './card';
import { h } from './dom';
import { fmt } from './format';
import { type Anchor, type EdgeMode, GraphView, type ViewTransform } from './graph/view';
import type { Notation } from './notation';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface ViewState {
  mode: EdgeMode;
  notation: Notation;
  pinned: string | null;
  transform: ViewTransform | null;
}

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<ViewState> | undefined;
const state: ViewState = {
  mode: saved?.mode === 'gradients' ? 'gradients' : 'weights',
  notation: saved?.notation === '3b1b' ? '3b1b' : 'statquest',
  pinned: typeof saved?.pinned === 'string' ? saved.pinned : null,
  transform: saved?.transform ?? null,
};
/** Saves the view in the webview (hidden tabs) and, when it changed, with the host (window reloads). */
let told = '';
const save = (): void => {
  vscode.setState(state);
  const view = { mode: state.mode, notation: state.notation, pinned: state.pinned };
  const key = JSON.stringify(view);
  if (key === told) return;
  told = key;
  vscode.postMessage({ type: 'viewState', state: view });
};

let model: NetworkModel | undefined;
let hovered: { kind: 'param' | 'unit'; id: string; at: Anchor } | undefined;
let nextRequest = 1;
const pending = new Map<number, (e: ExplanationView | null) => void>();
const cache = new Map<string, ExplanationView>();
/**
 * Hover cards, rendered ahead of the hover and kept laid out inside the card: KaTeX and the
 * layout of its output take tens of milliseconds per card, so after each model the cards are
 * built in idle slices, and a hover only makes one visible and moves the box: within a frame.
 * Keyed by parameter and notation; the first PRERENDER_LIMIT parameters are built ahead, the
 * rest on first hover.
 */
const PRERENDER_LIMIT = 150;
const cards = new Map<string, HTMLElement>();
let prerenderRun = 0;
let activeCard: HTMLElement | undefined;

function clearCards(): void {
  cards.clear();
  activeCard = undefined;
  card.replaceChildren();
  card.classList.remove('shown');
}

/** The card content for `key`, built and laid out once, then reused. */
function cardContent(key: string, build: () => HTMLElement): HTMLElement {
  let content = cards.get(key);
  if (!content) {
    content = build();
    content.classList.add('card-content');
    card.append(content);
    // Read once so the size is known before it is shown (this is the expensive layout).
    content.dataset.width = String(content.offsetWidth);
    content.dataset.height = String(content.offsetHeight);
    cards.set(key, content);
  }
  return content;
}

function hideCard(): void {
  card.classList.remove('shown');
  activeCard?.classList.remove('active');
  activeCard = undefined;
}

function prerenderCards(): void {
  const run = ++prerenderRun;
  clearCards();
  delete app.dataset.cardsReady;
  const m = model;
  if (!m?.explanations) return;
  const names = m.params.slice(0, PRERENDER_LIMIT).map((p) => p.name);
  const notation = state.notation;
  const next = (): void => {
    if (run !== prerenderRun) return;
    const started = performance.now();
    while (names.length > 0 && performance.now() - started < 8) {
      const name = names.shift()!;
      cardContent(`${name}|${notation}`, () => renderExplanation(m.explanations![name], m, notation));
    }
    if (names.length > 0) setTimeout(next, 0);
    else app.dataset.cardsReady = 'true';
  };
  setTimeout(next, 0);
}


// ---- the page ---------------------------------------------------------------------------------

const app = document.getElementById('app')!;
const toolbar = h('div', 'toolbar');
const title = h('span', 'title');
const status = h('span', 'status');
status.setAttribute('aria-live', 'polite');
const tools = document.createElement('vscode-toolbar-container');

function toggle(icon: string, text: string, label: string, checked: () => boolean, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-toolbar-button') as HTMLElement & { checked: boolean; toggleable: boolean; icon: string; label: string };
  b.icon = icon;
  b.label = label;
  b.title = label;
  b.textContent = text;
  b.toggleable = true;
  b.checked = checked();
  b.addEventListener('click', () => { onClick(); refreshToggles(); });
  (b as unknown as { refresh: () => void }).refresh = () => { b.checked = checked(); };
  return b;
}

const toggles = [
  toggle('symbol-numeric', 'Weights', 'Edges show weights', () => state.mode === 'weights', () => setMode('weights')),
  toggle('arrow-swap', 'Gradients', 'Edges show gradients (dLoss/dw) and the way gradient descent moves each weight', () => state.mode === 'gradients', () => setMode('gradients')),
  toggle('mortar-board', 'StatQuest', "StatQuest's notation (SSR, Predicted, x and y)", () => state.notation === 'statquest', () => setNotation('statquest')),
  toggle('symbol-operator', '3Blue1Brown', "3Blue1Brown's notation (C, z, a, w^(L)_jk)", () => state.notation === '3b1b', () => setNotation('3b1b')),
];
function refreshToggles(): void {
  for (const t of toggles) (t as unknown as { refresh: () => void }).refresh();
}
const modeLabel = h('span', 'mode-label');
function action(icon: string, label: string, run: () => void): HTMLElement {
  const b = document.createElement('vscode-toolbar-button') as HTMLElement & { icon: string; label: string };
  b.icon = icon;
  b.label = label;
  b.title = label;
  b.addEventListener('click', () => { if (!b.hasAttribute('disabled')) run(); });
  return b;
}
function control(action: TrainingAction): void {
  vscode.postMessage({ type: 'control', action });
}
// The debugger's controls, with its icons and keys (the keys are VS Code keybindings of the extension).
const stepBackButton = action('debug-step-back', 'Step Back', () => control('stepBack'));
const stepButton = action('debug-step-over', 'Step (F10)', () => control('step'));
const continueButton = action('debug-continue', 'Continue (F5)', () => control(model?.training.running ? 'pause' : 'continue'));
const resetButton = action('debug-restart', "Reset to the file's parameters", () => control('reset'));
for (const [b, name] of [[stepBackButton, 'step-back'], [stepButton, 'step'], [continueButton, 'continue'], [resetButton, 'reset']] as const) b.dataset.control = name;

/** The controls follow the training state: Continue becomes Pause while running. */
function refreshControls(m: NetworkModel): void {
  const running = m.training.running;
  const b = continueButton as HTMLElement & { icon: string; label: string };
  b.icon = running ? 'debug-pause' : 'debug-continue';
  b.label = running ? 'Pause (F6)' : 'Continue (F5)';
  b.title = b.label;
  b.dataset.control = running ? 'pause' : 'continue';
  stepBackButton.toggleAttribute('disabled', m.step <= m.training.earliest);
  resetButton.toggleAttribute('disabled', m.step <= m.training.earliest);
  app.dataset.running = String(running);
  app.dataset.step = String(m.step);
}

tools.append(
  stepBackButton, stepButton, continueButton, resetButton, h('span', 'separator'),
  toggles[0], toggles[1], h('span', 'separator'), toggles[2], toggles[3], h('span', 'separator'),
  action('screen-full', 'Fit to view (0)', () => graph.fit()),
  action('go-to-file', 'Open the text beside', () => vscode.postMessage({ type: 'openText' })),
);
toolbar.append(title, status, modeLabel, tools);

const banner = h('div', 'banner');
banner.setAttribute('role', 'alert');
banner.hidden = true;

const main = h('div', 'main');
const graphHost = h('div', 'graph-host');
graphHost.tabIndex = -1;
const inspector = h('aside', 'inspector');
inspector.setAttribute('aria-label', 'Inspector');
main.append(graphHost, inspector);

const card = h('div', 'card');
card.setAttribute('role', 'tooltip');
card.id = 'hover-card';

const notNetwork = h('div', 'not-network');
notNetwork.hidden = true;

app.replaceChildren(toolbar, banner, main, notNetwork, card);
app.classList.remove('is-loading');
app.removeAttribute('aria-busy');

const graph = new GraphView(graphHost, {
  hoverParam: (name, at) => { hovered = { kind: 'param', id: name, at }; showCard(); },
  hoverUnit: (id, at) => { hovered = { kind: 'unit', id, at }; showCard(); },
  leave: () => { hovered = undefined; hideCard(); },
  pin: (name) => pin(name),
  // Only a view the person chose is worth restoring; a fitted one is re-fitted to the new size.
  transformChanged: (t, auto) => { state.transform = auto ? null : t; save(); },
});

// ---- behaviour --------------------------------------------------------------------------------

function setMode(mode: EdgeMode): void {
  state.mode = mode;
  save();
  graph.setMode(mode);
  modeLabel.textContent = mode === 'weights' ? 'edges: weights' : `edges: d${model?.lossSymbol ?? 'SSR'}/dw  ▲▼ = the way gradient descent moves it`;
}

function setNotation(n: Notation): void {
  state.notation = n;
  save();
  prerenderCards();
  showCard();
  renderInspector();
}

function pin(name: string | null): void {
  state.pinned = name;
  save();
  renderInspector();
}

/** An explanation, from the model when it carries them all, else from the host (cached per model). */
function explanation(name: string): ExplanationView | Promise<ExplanationView | null> | null {
  const local = model?.explanations?.[name] ?? cache.get(name);
  if (local) return local;
  if (!model) return null;
  const requestId = nextRequest++;
  vscode.postMessage({ type: 'explain', requestId, parameter: name });
  return new Promise((resolve) => pending.set(requestId, (e) => { if (e) cache.set(name, e); resolve(e); }));
}

function showCard(): void {
  if (!hovered || !model) { hideCard(); return; }
  const target = hovered;
  const m = model;
  const notation = state.notation;
  if (target.kind === 'unit') {
    const [layer, unit] = target.id.split(',').map(Number);
    const view = m.units.find((u) => u.layer === layer && u.unit === unit - 1);
    if (!view) return;
    place(cardContent(`unit ${target.id}|${notation}`, () => renderUnit(view, m, notation)), target.at);
    return;
  }
  const key = `${target.id}|${notation}`;
  const e = cards.has(key) ? null : explanation(target.id);
  if (e instanceof Promise) {
    place(cardContent(`waiting ${target.id}`, () => h('div', 'card-waiting', `${target.id}: computing…`)), target.at);
    void e.then((value) => { if (hovered === target && value && model === m) place(cardContent(key, () => renderExplanation(value, m, notation)), target.at); });
  } else {
    const content = cards.get(key) ?? (e ? cardContent(key, () => renderExplanation(e, m, notation)) : undefined);
    if (content) place(content, target.at);
  }
}

/**
 * Puts the card next to what it explains without covering it: below, above, right or left of the
 * element's box (the first side with room), aligned with the pointer, and inside the window.
 */
function place(content: HTMLElement, at: Anchor): void {
  activeCard?.classList.remove('active');
  activeCard = content;
  content.classList.add('active');
  const gap = 10;
  const w = Number(content.dataset.width);
  const hgt = Number(content.dataset.height);
  card.classList.add('shown');
  const W = window.innerWidth;
  const H = window.innerHeight;
  const box = at.avoid;
  const clampX = (x: number): number => Math.max(4, Math.min(x, W - w - 4));
  const clampY = (y: number): number => Math.max(4, Math.min(y, H - hgt - 4));
  const candidates = [
    { x: clampX(at.x - w / 2), y: box.bottom + gap, room: H - box.bottom - gap - hgt },
    { x: clampX(at.x - w / 2), y: box.top - gap - hgt, room: box.top - gap - hgt },
    { x: box.right + gap, y: clampY(at.y - hgt / 2), room: W - box.right - gap - w },
    { x: box.left - gap - w, y: clampY(at.y - hgt / 2), room: box.left - gap - w },
  ];
  const fits = candidates.find((c) => c.room >= 4) ?? candidates.reduce((a, b) => (b.room > a.room ? b : a));
  card.style.transform = `translate(${Math.round(clampX(fits.x))}px, ${Math.round(clampY(fits.y))}px)`;
}

function renderInspector(): void {
  app.dataset.pinned = state.pinned ?? '';
  inspector.replaceChildren();
  const heading = h('div', 'inspector-heading', 'Inspector');
  inspector.append(heading);
  if (!model) return;
  if (!state.pinned || !model.params.some((p) => p.name === state.pinned)) {
    const hint = h('p', 'hint', 'Hover a weight or bias to see how backpropagation computes its derivative; click it (or press Enter) to pin it here. Escape unpins.');
    inspector.append(hint, summary(model));
    return;
  }
  const name = state.pinned;
  const unpin = action('pin', `Unpin ${name} (Escape)`, () => pin(null));
  unpin.classList.add('unpin');
  heading.append(unpin);
  const e = explanation(name);
  if (e instanceof Promise) {
    inspector.append(h('p', 'hint', `${name}: computing…`));
    const asked = model;
    void e.then((value) => {
      if (state.pinned !== name || !value || model !== asked) return;
      inspector.lastChild?.remove();
      inspector.append(renderExplanation(value, asked, state.notation));
    });
  } else if (e) {
    inspector.append(renderExplanation(e, model, state.notation));
  }
}

function summary(m: NetworkModel): HTMLElement {
  const box = h('div', 'summary');
  if (m.description) box.append(h('p', 'description', m.description));
  const dl = h('dl');
  const row = (k: string, v: string): void => { dl.append(h('dt', '', k), h('dd', '', v)); };
  row('shape', [String(m.inputs.length), ...m.layers.map((l) => `${l.units} ${l.activation}`)].join(' → '));
  row('parameters', `${m.params.length} (${m.params.filter((p) => p.trainable).length} trainable)`);
  row('samples', String(m.samples));
  row('loss', `${m.lossSymbol} = ${fmt(m.lossValue)}`);
  row('learning rate', fmt(m.learningRate));
  box.append(dl);
  return box;
}

function showProblem(message: HostMessage & { type: 'invalid' }): void {
  const { problem } = message;
  if (message.notNetwork && !model) {
    main.hidden = true;
    notNetwork.hidden = false;
    notNetwork.replaceChildren(
      h('h2', '', 'This file is not a network'),
      h('p', '', `Backprop Debugger reads .nn.json files: a JSON object with "inputs", "outputs", "layers" (units, activation, weights, biases) and "data". This one says: ${problem.message} (line ${problem.line}, column ${problem.column}).`),
    );
    const open = document.createElement('vscode-button');
    open.textContent = 'Open an example network';
    open.addEventListener('click', () => vscode.postMessage({ type: 'openExample' }));
    const text = document.createElement('vscode-button');
    text.setAttribute('secondary', '');
    text.textContent = 'Open the text';
    text.addEventListener('click', () => vscode.postMessage({ type: 'openText' }));
    notNetwork.append(open, text);
    return;
  }
  notNetwork.hidden = true;
  main.hidden = false;
  banner.hidden = false;
  banner.replaceChildren();
  const icon = h('span', 'codicon codicon-error');
  const text = h('span', 'banner-text', `${problem.message}`);
  const where = h('span', 'banner-where', `line ${problem.line}, column ${problem.column}`);
  const go = document.createElement('vscode-button');
  go.textContent = 'Go to error';
  go.addEventListener('click', () => vscode.postMessage({ type: 'goToError' }));
  banner.append(icon, text, where, go);
  app.classList.toggle('stale', Boolean(model));
}

function showModel(m: NetworkModel): void {
  model = m;
  cache.clear();
  clearCards();
  banner.hidden = true;
  main.hidden = false;
  notNetwork.hidden = true;
  app.classList.remove('stale');
  title.textContent = m.name;
  title.title = m.description;
  const t = m.training;
  const progress = t.running ? 'running' : t.stopReason ? STOPPED[t.stopReason] : '';
  status.textContent = `step ${m.step}   ${m.lossSymbol} ${fmt(m.lossValue)}${progress ? `   ${progress}` : ''}`;
  refreshControls(m);
  graph.render(m, state.mode);
  setMode(state.mode);
  if (state.transform && !restored) { graph.setTransform(state.transform); restored = true; }
  renderInspector();
  prerenderCards();
  if (hovered) showCard();
}
let restored = false;

const STOPPED: Record<StopReason, string> = {
  converged: 'converged',
  'max-steps': 'at the step limit',
  diverged: 'diverged: learning rate too large?',
};

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'viewState':
      state.mode = message.state.mode;
      state.notation = message.state.notation;
      state.pinned = message.state.pinned;
      told = JSON.stringify(message.state);
      vscode.setState(state);
      refreshToggles();
      if (model) { setMode(state.mode); renderInspector(); }
      break;
    case 'model': showModel(message.model); break;
    case 'invalid': showProblem(message); break;
    case 'explanation': {
      const resolve = pending.get(message.requestId);
      pending.delete(message.requestId);
      resolve?.(message.explanation);
      break;
    }
  }
});

window.addEventListener('keydown', (ev) => {
  const inField = (ev.target as HTMLElement).closest?.('input, textarea');
  if (inField) return;
  switch (ev.key) {
    case 'Escape': if (state.pinned) pin(null); hideCard(); break;
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

/**
 * The ready -> model handshake. A webview that is re-created as its tab is shown asks again; and
 * until the host answers, the page repeats the question, since a message posted while the host
 * side is still being wired up can be dropped.
 */
let answered = false;
window.addEventListener('message', () => { answered = true; }, { once: true });
function sayReady(attempt: number): void {
  if (answered) return;
  vscode.postMessage({ type: 'ready' });
  if (attempt < 40) setTimeout(() => sayReady(attempt + 1), Math.min(2000, 100 * 2 ** attempt));
}
sayReady(0);
