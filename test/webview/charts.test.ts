/**
 * The chart strip in headless Chromium: the real bundle, fed frames whose charts the core computed
 * (as the worker does), and clicked as a person would. Each panel is checked by what it draws: its
 * number of points, and the numbers its text alternative says.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inputColumns, loadNetwork } from '../../src/core';
import type { ChartPanel } from '../../src/session/chartTypes';
import { SessionCharts } from '../../src/session/charts';
import { buildFrame } from '../../src/session/frame';
import { TrainingSession } from '../../src/session/training';
import { breakpointsView } from '../../src/session/breakpoints';
import { type BreakpointSpec, defaultBuiltins } from '../../src/session/breakpointTypes';
import type { WebviewMessage } from '../../src/protocol';
import { ARTIFACTS, screenshot } from '../harness/vscode';
import { fmt, short } from '../../webview/format';
import { fillScale, type Rgb, SCALE_STEPS, scaleDomain, scaleIndex } from '../../webview/charts/scale';
import { openWebview, useChromium, type WebviewPage } from './page';
import { ALL_PANELS, example, sendBreakpoints, sendCharts, showCharts } from './scenes';
import { type ThemeName, THEMES } from './themes';
import { EXAMPLE_FILES } from '../../src/exampleFiles';

const ALL: ChartPanel[] = ALL_PANELS;

/** Sends charts to the page and waits until every panel has drawn them (one panel per animation frame; the page counts the charts it was sent). */
const label = (view: WebviewPage, panel: ChartPanel): Promise<string> => view.page.locator(`.chart-panel[data-panel="${panel}"] canvas`).getAttribute('aria-label').then((s) => s ?? '');
const data = (view: WebviewPage, panel: ChartPanel, key: string): Promise<string | null> => view.page.locator(`.chart-panel[data-panel="${panel}"]`).getAttribute(`data-${key}`);
const postedOf = async <T extends WebviewMessage['type']>(view: WebviewPage, type: T): Promise<Extract<WebviewMessage, { type: T }>[]> =>
  (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: T }> => m.type === type);

/** A PNG data URL's bytes and its size in pixels, from its header (width and height are bytes 16-23). */
function png(dataUrl: string): { width: number; height: number; bytes: Buffer } {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  assert.ok(m, `a PNG data URL: ${dataUrl.slice(0, 40)}`);
  const bytes = Buffer.from(m[1], 'base64');
  assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bytes };
}

/** Keeps an exported picture with the test results, to be looked at. */
function keep(name: string, bytes: Buffer): string {
  const dir = path.join(ARTIFACTS, 'exports');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  writeFileSync(file, bytes);
  return file;
}

interface Box { text: string; left: number; top: number; right: number; bottom: number }

/** What the panel says about its last picture: its size, and where its title and labels lie (device pixels). */
async function pictureOf(view: WebviewPage, panel: ChartPanel): Promise<{ width: number; height: number; title: Box; labels: Box[] }> {
  return JSON.parse((await data(view, panel, 'picture'))!);
}

const inside = (b: Box, width: number, height: number): boolean => b.left >= 0 && b.top >= 0 && b.right <= width && b.bottom <= height;

/** A theme colour (#rrggbb) as red, green, blue. */
const hex = (colour: string): Rgb => [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as unknown as Rgb;

/** The colours of the fit's canvas at the centres of the dots drawn for `points` (input 1, input 2). */
async function dotColours(view: WebviewPage, points: number[][]): Promise<number[][]> {
  await view.page.locator('.chart-panel[data-panel="fit"] canvas[data-plot][data-range]').waitFor();
  return view.page.evaluate((pts) => {
    const canvas = document.querySelector<HTMLCanvasElement>('.chart-panel[data-panel="fit"] canvas')!;
    const [left, top, right, bottom] = canvas.dataset.plot!.split(',').map(Number);
    const [x0, x1, y0, y1] = canvas.dataset.range!.split(',').map(Number);
    const ratio = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d')!;
    return pts.map(([x, y]) => {
      const px = left + ((x - x0) / (x1 - x0)) * (right - left);
      const py = bottom - ((y - y0) / (y1 - y0)) * (bottom - top);
      return Array.from(ctx.getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data.slice(0, 3));
    });
  }, points);
}

/**
 * The largest step in colour (any channel, 0..255) between neighbouring pixels of the fit's map,
 * away from the dots drawn for `points`: small where the map is drawn smooth, large at stair steps.
 */
async function largestStep(view: WebviewPage, points: number[][]): Promise<number> {
  return view.page.evaluate((pts) => {
    const canvas = document.querySelector<HTMLCanvasElement>('.chart-panel[data-panel="fit"] canvas')!;
    const ratio = canvas.width / canvas.clientWidth;
    const [left, top, right, bottom] = canvas.dataset.plot!.split(',').map((v) => Number(v) * ratio);
    const [x0, x1, y0, y1] = canvas.dataset.range!.split(',').map(Number);
    const dots = pts.map(([x, y]) => [left + ((x - x0) / (x1 - x0)) * (right - left), bottom - ((y - y0) / (y1 - y0)) * (bottom - top)]);
    const l = Math.ceil(left) + 2;
    const t = Math.ceil(top) + 2;
    const w = Math.floor(right) - 2 - l;
    const h = Math.floor(bottom) - 2 - t;
    const pixels = canvas.getContext('2d')!.getImageData(l, t, w, h).data;
    const clear = 10 * ratio;
    let largest = 0;
    for (let y = 0; y < h - 1; y++) {
      for (let x = 0; x < w - 1; x++) {
        if (dots.some(([dx, dy]) => Math.abs(l + x - dx) < clear && Math.abs(t + y - dy) < clear)) continue;
        const at = (y * w + x) * 4;
        for (let c = 0; c < 3; c++) {
          largest = Math.max(largest, Math.abs(pixels[at + c] - pixels[at + 4 + c]), Math.abs(pixels[at + c] - pixels[at + w * 4 + c]));
        }
      }
    }
    return largest;
  }, points);
}

const near = (a: readonly number[], b: readonly number[], tolerance = 3): boolean => a.every((v, i) => Math.abs(v - b[i]) <= tolerance);

/** A regression over two inputs whose five samples have five different targets, far apart on the plane. */
const HEIGHTS = loadNetwork(JSON.stringify({
  name: 'Height over the plane',
  inputs: ['x1', 'x2'],
  outputs: ['height'],
  layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }],
  init: { weights: 'normal', biases: 0, seed: 3 },
  data: [
    { x1: 0, x2: 0, height: -2 }, { x1: 1, x2: 0, height: -0.5 }, { x1: 0.5, x2: 0.5, height: 0.25 },
    { x1: 0, x2: 1, height: 1 }, { x1: 1, x2: 1, height: 3 },
  ],
  loss: 'ssr',
  training: { learningRate: 0.05 },
}));

/** Where on the page the loss chart draws step `step`, on its axis (the gutter) or in the plot. */
async function lossPoint(view: WebviewPage, step: number, where: 'gutter' | 'plot'): Promise<{ x: number; y: number }> {
  const canvas = view.page.locator('.chart-panel[data-panel="loss"] canvas');
  await view.page.locator('.chart-panel[data-panel="loss"] canvas[data-plot]').waitFor();
  const box = (await canvas.boundingBox())!;
  const [left, top, right, bottom] = (await canvas.getAttribute('data-plot'))!.split(',').map(Number);
  const [min, max] = (await canvas.getAttribute('data-range'))!.split(',').map(Number);
  const x = box.x + left + ((step - min) / (max - min)) * (right - left);
  return { x, y: box.y + (where === 'gutter' ? bottom + 7 : (top + bottom) / 2) };
}

describe('chart strip (Chromium)', () => {
  let view: WebviewPage;

  const chromium = useChromium('charts', () => view);
  beforeEach(async function () {
    this.timeout(120_000);
    view = await openWebview('dark', chromium());
  });
  afterEach(async function () {
    await view.close();
  });

  it('draws real training on the loss chart: the batch losses faint, the training set and the validation set as lines of their own', async () => {
    const session = new TrainingSession(example('classifier-batches.nn.json'));
    for (let i = 0; i < 90; i++) session.step();
    const charts = await showCharts(view, session, [], ['loss']);
    const sampled = charts.loss!.sampled!;
    const loss = await label(view, 'loss');
    const last = sampled.steps.length - 1;
    assert.match(loss, /The thin line is each step's batch loss;/);
    assert.ok(loss.includes(`on the whole training set CE ${fmt(sampled.training[0])} at step 0 and ${fmt(sampled.training[last])} at step 90, on the validation set ${fmt(sampled.validation![0])} and ${fmt(sampled.validation![last])}`), loss);
    await screenshot(view.page, 'charts-loss-batches-validation');
  });

  it("races optimizers from the same start: the file's and those picked, each line the race's numbers, picks kept and sent", async () => {
    await view.page.setViewportSize({ width: 1400, height: 900 });
    const session = new TrainingSession(example('dosage-all.nn.json'));
    const charts = new SessionCharts(session);
    const first = await showCharts(view, session, [], ['loss', 'compare'], charts);
    const race = first.compare!;
    assert.equal(await data(view, 'compare', 'lines'), 'sgd,momentum,adam');
    const said = await label(view, 'compare');
    for (const line of race.lines) {
      const last = line.steps.length - 1;
      assert.ok(said.includes(`${line.own ? `${line.label} (the file's)` : line.label}: SSR ${fmt(line.losses[0])} at step 0, ${fmt(line.losses[last])} at step 200`), said);
    }
    assert.match(said, /learning rate 0\.1, full batch/);
    const lowest = race.lines.reduce((a, b) => (b.losses[b.losses.length - 1] < a.losses[a.losses.length - 1] ? b : a));
    assert.ok(said.includes(`Lowest at step 200: ${lowest.label}.`), said);
    await screenshot(view.page, 'charts-compare-optimizers');
    // The picker: the file's optimizer fixed, the defaults checked, a fourth line allowed, no fifth.
    const box = (kind: string) => view.page.locator(`.chart-panel[data-panel="compare"] vscode-checkbox[data-optimizer="${kind}"]`);
    const state = (kind: string) => box(kind).evaluate((b: HTMLElement & { checked: boolean; disabled: boolean }) => [b.checked, b.disabled]);
    assert.deepEqual(await state('sgd'), [true, true]);
    assert.equal(await box('sgd').getAttribute('label'), "SGD (the file's)");
    assert.deepEqual(await state('adam'), [true, false]);
    assert.deepEqual(await state('rmsprop'), [false, false]);
    await box('rmsprop').click();
    assert.deepEqual(await state('adamw'), [false, true], 'four lines at most');
    await box('momentum').click();
    assert.deepEqual(await state('adamw'), [false, false]);
    const asked = await postedOf(view, 'charts');
    assert.deepEqual(asked[asked.length - 1].optimizers, ['sgd', 'adam', 'rmsprop']);
    const views = await postedOf(view, 'viewState');
    assert.deepEqual(views[views.length - 1].state.charts!.compare, ['sgd', 'adam', 'rmsprop']);
    // The worker's answer to the new picks is drawn.
    const next = charts.compute({ panels: ['loss', 'compare'], parameters: [], optimizers: asked[asked.length - 1].optimizers });
    await sendCharts(view, next);
    assert.equal(await data(view, 'compare', 'lines'), 'sgd,adam,rmsprop');
    // Its data as CSV: one row per optimizer and recorded step.
    await view.page.locator('.chart-panel[data-panel="compare"] button[aria-label="Save the chart\'s data as CSV"]').click();
    const csv = (await postedOf(view, 'export')).pop()!;
    const rows = csv.data.trim().split('\n');
    assert.equal(rows[0], 'optimizer,step,SSR (training set)');
    assert.equal(rows.length, 1 + next.compare!.lines.reduce((n, l) => n + l.steps.length, 0));
    assert.equal(rows[1], `sgd,0,${next.compare!.lines[0].losses[0]}`);
  });

  it('brings back the optimizers picked and the log axis of Compare optimizers from the view the host kept', async () => {
    const session = new TrainingSession(example('dosage-adam.nn.json'));
    await showCharts(view, session, [], ['compare']);
    await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: ['compare'], place: 'below', size: 340, second: null, logScale: false, compare: ['rmsprop'], compareLog: false } } });
    await view.page.locator('.chart-panel[data-panel="compare"] button[aria-label="Logarithmic loss axis"][aria-pressed="false"]').waitFor();
    const checked = await view.page.$$eval('.chart-panel[data-panel="compare"] vscode-checkbox', (boxes) =>
      boxes.filter((b) => (b as HTMLElement & { checked: boolean }).checked).map((b) => (b as HTMLElement).dataset.optimizer));
    assert.deepEqual(checked, ['rmsprop', 'adam'], "the file's Adam, and RMSProp as kept");
    const asked = await postedOf(view, 'charts');
    assert.deepEqual(asked[asked.length - 1].optimizers, ['rmsprop']);
  });

  it("puts the sharpness beside the file's optimizer's limit: 2 (1 + momentum) / lr with momentum, none with Adam", async () => {
    const net = example('dosage-all.nn.json');
    const momentum = new TrainingSession({ ...net, training: { ...net.training, optimizer: { type: 'momentum', momentum: 0.9, dampening: 0, nesterov: false } } });
    for (let i = 0; i < 20; i++) momentum.step();
    await showCharts(view, momentum, [], ['instruments']);
    assert.match(await label(view, 'instruments'), /against 2 \(1 \+ momentum\) \/ learning rate = 38\.00: below it: stable/);
    assert.ok((await view.page.locator('.chart-panel[data-panel="instruments"] .legend-item').allTextContents()).includes('2 (1 + momentum) / learning rate'));
    const adam = new TrainingSession(example('dosage-adam.nn.json'));
    for (let i = 0; i < 20; i++) adam.step();
    await sendCharts(view, new SessionCharts(adam).compute({ panels: ['instruments'], parameters: [] }));
    assert.match(await label(view, 'instruments'), /\(limit: none: Adam rescales each parameter's step, so no limit on the plain sharpness holds\)\./);
    assert.ok(!(await view.page.locator('.chart-panel[data-panel="instruments"] .legend-item').allTextContents()).some((t) => /learning rate$/.test(t)), 'no limit line');
  });

  it('draws the learning rate over steps in the instruments when a schedule changes it', async () => {
    const net = example('dosage-all.nn.json');
    const session = new TrainingSession({ ...net, training: { ...net.training, schedule: { type: 'step', every: 10, factor: 0.5 } } });
    for (let i = 0; i < 25; i++) session.step();
    await showCharts(view, session, [], ['instruments']);
    assert.match(await label(view, 'instruments'), /at step 25: .*learning rate 0\.02500 \(the schedule's\)/);
  });

  it("draws StatQuest's pictures for the dosage network: the pink curve's slope -15.7, the squiggle's SSR 20.4", async () => {
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    await showCharts(view, session, ['b3']);
    const profile = await label(view, 'profile');
    assert.match(profile, /^SSR against b3, the other parameters held: b3 = 0, SSR = 20\.42, slope dSSR\/db3 = −15\.66\./);
    assert.match(profile, /b3 = 1\.566/);
    assert.equal(Number(/lowest point: b3 = ([\d.]+)/.exec(profile)![1]).toFixed(2), '2.61');
    assert.equal(Number(await data(view, 'profile', 'slope')).toFixed(1), '-15.7');
    assert.equal(await data(view, 'profile', 'points'), '121');
    assert.equal(await view.page.locator('.chart-panel[data-panel="profile"] .chart-title').textContent(), 'SSR against b3');
    const fit = await label(view, 'fit');
    assert.match(fit, /dosage 0: observed efficacy 0, predicted −2\.604; dosage 0\.5: observed efficacy 1, predicted −1\.609; dosage 1: observed efficacy 0, predicted −2\.615/);
    assert.match(fit, /add up to SSR 20\.42/);
    assert.match(fit, /green = w3 × y1 \+ w4 × y2 \+ b3 \(0\)/);
    assert.equal(await data(view, 'fit', 'samples'), '3');
    const loss = await label(view, 'loss');
    assert.match(loss, /^Loss over steps: SSR 20\.42 at step 0, SSR 20\.42 at the current step 0/);
    assert.equal(await data(view, 'loss', 'points'), '1');
    // The page asked for what it shows.
    const asked = await postedOf(view, 'charts');
    assert.ok(asked.length > 0);
    assert.deepEqual(asked[asked.length - 1].panels, ALL);
  });

  it('moves the point down the curve and extends the loss as training steps', async () => {
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    const charts = new SessionCharts(session);
    await showCharts(view, session, ['b3'], ALL, charts);
    for (let i = 0; i < 40; i++) session.step();
    await view.send({ type: 'frame', frame: buildFrame(session, false, []) });
    await sendCharts(view, charts.compute({ panels: ALL, parameters: ['b3'] }));
    await view.page.locator('.chart-panel[data-panel="loss"][data-current="40"]').waitFor();
    assert.equal(await data(view, 'loss', 'points'), '41');
    assert.match(await label(view, 'profile'), /held: b3 = 2\.6\d*, SSR = \d\.\d+e−5/);
    assert.match(await label(view, 'trajectories'), /b3 from 0 to 2\.6/);
    assert.equal(await data(view, 'trajectories', 'points'), '41');
    // Sharpness 6 (d²SSR/db3² over three samples) against 2 / 0.1 = 20: stable.
    assert.match(await label(view, 'instruments'), /Sharpness \(the largest eigenvalue of the loss's Hessian\) 6\.000 against 2 \/ learning rate = 20\.00: below it: stable, /);
  });

  it('says what a sharpness above 2 / learning rate means: overshooting, and oscillating once the steps turn against each other', async () => {
    const session = new TrainingSession(example('dosage-all.nn.json'));
    // Converged by step size at 642: sharpness 20.84 > 20, but the steps still agree.
    for (let i = 0; i < 642; i++) session.step();
    await showCharts(view, session, [], ['instruments']);
    assert.match(await label(view, 'instruments'), /20\.8\d against 2 \/ learning rate = 20\.00: above it: along the sharpest direction each step overshoots \(that part is multiplied by 1 − learning rate × sharpness = −1\.08 per step\), but little of the step lies along it yet \(successive steps agree, cosine 1\.0/);
    // Trained on to 1000: each step undoes the last.
    for (let i = 0; i < 358; i++) session.step();
    await view.send({ type: 'frame', frame: buildFrame(session, false, []) });
    await sendCharts(view, new SessionCharts(session).compute({ panels: ['instruments'], parameters: [] }));
    await view.page.locator('.chart-panel[data-panel="instruments"][data-turn^="-"]').waitFor();
    // By then the sharpness is back under the line (19.28): the oscillation dies out.
    assert.match(await label(view, 'instruments'), /19\.28 against 2 \/ learning rate = 20\.00: below it: stable, yet along the sharpest direction each step overshoots the bottom and comes back \(that part is multiplied by 1 − learning rate × sharpness = −0\.928 per step\), so successive steps turn against each other \(cosine −(0\.9\d|1\.0)\): an oscillation that dies out/);
    await screenshot(view.page, 'charts-edge-of-stability');
  });

  it('sets a step breakpoint with a click on the loss axis, and clears it with another', async () => {
    const session = new TrainingSession(example('dosage-all.nn.json'));
    for (let i = 0; i < 200; i++) session.step();
    const specs: BreakpointSpec[] = [];
    await sendBreakpoints(view, breakpointsView(specs, defaultBuiltins(), []));
    await showCharts(view, session, ['w3']);
    const at = await lossPoint(view, 120, 'gutter');
    await view.page.mouse.click(at.x, at.y);
    const sent = await postedOf(view, 'setBreakpoints');
    assert.equal(sent.length, 1);
    const added = sent[0].specs[0];
    assert.equal(added.kind, 'step');
    assert.ok(added.kind === 'step' && Math.abs(added.step - 120) <= 1, `a breakpoint at ${JSON.stringify(added)}`);
    // The host answers with the list; the gutter draws its dot, and a click there clears it.
    await sendBreakpoints(view, breakpointsView(sent[0].specs, defaultBuiltins(), []));
    await view.page.locator(`.chart-panel[data-panel="loss"][data-breakpoints="${added.kind === 'step' ? added.step : ''}"]`).waitFor();
    assert.match(await label(view, 'loss'), /Breakpoints at steps 1[12]\d\./);
    await view.page.mouse.click(at.x, at.y);
    const again = await postedOf(view, 'setBreakpoints');
    assert.equal(again.length, 2);
    assert.deepEqual(again[1].specs, []);
    await sendBreakpoints(view, breakpointsView([], defaultBuiltins(), []));
    // The axis reaches past the newest step (200): a breakpoint still ahead is set the same way.
    const [, end] = (await view.page.locator('.chart-panel[data-panel="loss"] canvas').getAttribute('data-range'))!.split(',').map(Number);
    assert.equal(end, 300);
    const ahead = await lossPoint(view, 260, 'gutter');
    await view.page.mouse.click(ahead.x, ahead.y);
    const third = (await postedOf(view, 'setBreakpoints'))[2].specs[0];
    assert.ok(third.kind === 'step' && Math.abs(third.step - 260) <= 1, JSON.stringify(third));
  });

  it('goes to a step when the current-step line is dragged, and with the arrow keys', async () => {
    const session = new TrainingSession(example('dosage-all.nn.json'));
    for (let i = 0; i < 200; i++) session.step();
    await showCharts(view, session, ['w3']);
    const from = await lossPoint(view, 200, 'plot');
    const to = await lossPoint(view, 50, 'plot');
    await view.page.mouse.move(from.x - 1, from.y);
    await view.page.mouse.down();
    await view.page.mouse.move(to.x, to.y, { steps: 8 });
    await view.page.mouse.up();
    const goes = await postedOf(view, 'goTo');
    assert.ok(goes.length >= 1);
    assert.ok(Math.abs(goes[goes.length - 1].step - 50) <= 1, `last went to ${goes[goes.length - 1].step}`);
    await view.page.locator('.chart-panel[data-panel="loss"] canvas').focus();
    await view.page.keyboard.press('ArrowLeft');
    const after = await postedOf(view, 'goTo');
    assert.equal(after[after.length - 1].step, 199);
  });

  it('draws the contour map over two parameters with the path gradient descent took', async () => {
    const session = new TrainingSession(example('dosage-w3-w4-b3.nn.json'));
    for (let i = 0; i < 60; i++) session.step();
    await showCharts(view, session, ['w3', 'b3']);
    assert.equal(await view.page.locator('.chart-panel[data-panel="profile"] .chart-title').textContent(), 'SSR over w3 and b3');
    assert.equal(await data(view, 'profile', 'points'), String(41 * 41));
    assert.match(await label(view, 'profile'), /path starts at w3 = 1\.123, b3 = 0 \(61 points\)/);
    // Choosing "alone" asks for the curve again.
    await view.page.locator('.chart-panel[data-panel="profile"] select').selectOption('');
    const asked = await postedOf(view, 'charts');
    assert.deepEqual(asked[asked.length - 1].parameters.length, 1);
  });

  it('draws every panel for every example: a heat map for two inputs, probabilities for classes', async function () {
    this.timeout(120_000);
    for (const name of EXAMPLE_FILES) {
      const net = example(name);
      const session = new TrainingSession(net);
      for (let i = 0; i < 30; i++) session.step();
      await showCharts(view, session, [net.parameters[0].name]);
      assert.equal(await data(view, 'fit', 'samples'), String(net.data.samples), name);
      assert.match(await label(view, 'fit'), new RegExp(inputColumns(net).length === 2 ? 'output over the plane' : net.outputNames.length === 1 ? "network's curve" : 'predicted against observed'), name);
      assert.equal(await data(view, 'loss', 'current'), '30', name);
      assert.match(await label(view, 'instruments'), /gradient norm/, name);
      await screenshot(view.page, `charts-every-panel-${name.replace('.nn.json', '')}`);
    }
  });

  it('exports a chart as a PNG and its data as CSV through the host', async () => {
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    for (let i = 0; i < 10; i++) session.step();
    await showCharts(view, session, ['b3']);
    await view.page.locator('.chart-panel[data-panel="profile"] button[aria-label="Save the chart as a PNG picture"]').click();
    await view.page.locator('.chart-panel[data-panel="loss"] button[aria-label="Save the chart\'s data as CSV"]').click();
    const exports = await postedOf(view, 'export');
    assert.equal(exports.length, 2);
    assert.equal(exports[0].format, 'png');
    assert.equal(exports[0].name, 'loss-against-b3');
    assert.ok(png(exports[0].data).width >= 1200);
    assert.equal(exports[1].format, 'csv');
    const lines = exports[1].data.trim().split('\n');
    assert.equal(lines[0], 'step,SSR');
    assert.equal(lines.length, 12);
    assert.equal(Number(lines[1].split(',')[1]).toFixed(4), '20.4236');
  });

  it('exports a picture a person can use from a small panel: 1200 px wide at least, titled, no label cut off', async () => {
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    // Near the bottom of the curve: the slope is small and long ("slope −0.0009633" was cut off).
    for (let i = 0; i < 25; i++) session.step();
    for (const [place, size] of [['below', 340], ['beside', 300]] as const) {
      await showCharts(view, session, ['b3']);
      await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: ALL, place, size, second: null, logScale: false } } });
      await view.page.locator(`.chart-strip[data-place="${place}"]`).waitFor();
      const onPage = (await view.page.locator('.chart-panel[data-panel="profile"] canvas').boundingBox())!;
      for (const panel of ['profile', 'loss', 'fit'] as ChartPanel[]) {
        const before = (await postedOf(view, 'export')).length;
        await view.page.locator(`.chart-panel[data-panel="${panel}"] button[aria-label="Save the chart as a PNG picture"]`).click();
        const sent = (await postedOf(view, 'export'))[before];
        const { width, height, bytes } = png(sent.data);
        const where = `${panel}, strip ${place} (${Math.round(onPage.width)}x${Math.round(onPage.height)} px on the page): ${width}x${height}`;
        assert.ok(width >= 1200, where);
        assert.ok(height >= 800 && height <= width * 1.25, where);
        keep(`${panel}-${place}`, bytes);
        const picture = await pictureOf(view, panel);
        assert.deepEqual([picture.width, picture.height], [width, height]);
        // The panel's title heads the picture; every label the panel wrote lies whole inside it.
        assert.equal(picture.title.text, await view.page.locator(`.chart-panel[data-panel="${panel}"] .chart-title`).textContent());
        assert.ok(inside(picture.title, width, height) && picture.title.top < height / 8, `${where}: ${JSON.stringify(picture.title)}`);
        for (const b of picture.labels) assert.ok(inside(b, width, height), `${where}: "${b.text}" at ${JSON.stringify(b)}`);
        if (panel === 'profile') assert.ok(picture.labels.some((b) => /^slope /.test(b.text)), JSON.stringify(picture.labels));
      }
    }
    // The page's own charts are as they were: a picture is drawn off the page.
    assert.ok(await view.page.locator('.chart-panel[data-panel="profile"] canvas').evaluate((c: HTMLCanvasElement) => c.width < 1200));
  });

  it('exports every open chart at once: one picture per open panel, each named, in one message to the host', async () => {
    const session = new TrainingSession(example('dosage-all.nn.json'));
    for (let i = 0; i < 20; i++) session.step();
    const open: ChartPanel[] = ['loss', 'profile', 'fit', 'instruments'];
    await showCharts(view, session, ['w3'], open);
    const button = view.page.locator('.chart-strip-head button[aria-label="Export all charts as PNG pictures"]');
    await button.click();
    const all = await postedOf(view, 'exportAll');
    assert.equal(all.length, 1);
    const { pictures } = all[0];
    assert.deepEqual(pictures.map((p) => p.name), ['loss-over-steps', 'loss-against-w3', 'fit', 'instruments']);
    for (const p of pictures) {
      const { width, bytes } = png(p.data);
      assert.ok(width >= 1200, p.name);
      keep(`all-${p.name}`, bytes);
    }
    // A folded panel is left out.
    await view.page.locator('.chart-panel[data-panel="instruments"] .chart-fold').click();
    await button.click();
    assert.deepEqual((await postedOf(view, 'exportAll'))[1].pictures.map((p) => p.name), ['loss-over-steps', 'loss-against-w3', 'fit']);
  });

  it('copies a chart as a picture onto the clipboard, and offers to save it where the clipboard refuses', async () => {
    await view.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    for (let i = 0; i < 10; i++) session.step();
    await showCharts(view, session, ['b3']);
    const copy = view.page.locator('.chart-panel[data-panel="profile"] button[aria-label="Copy the chart as a picture"]');
    await copy.click();
    await view.page.locator('.chart-strip-note', { hasText: 'Copied “SSR against b3” as a picture.' }).waitFor();
    const copied = await view.page.evaluate(async () => {
      const [item] = await navigator.clipboard.read();
      const blob = await item.getType('image/png');
      const bitmap = await createImageBitmap(blob);
      return { types: item.types, width: bitmap.width };
    });
    assert.deepEqual(copied.types, ['image/png']);
    assert.ok(copied.width >= 1200, String(copied.width));
    assert.equal((await postedOf(view, 'copyFailed')).length, 0);
    // Where the clipboard is refused, the page says so and the host offers to save the picture instead.
    await view.page.evaluate(() => { navigator.clipboard.write = () => Promise.reject(new DOMException('refused', 'NotAllowedError')); });
    await copy.click();
    await view.page.locator('.chart-strip-note', { hasText: 'Could not copy “SSR against b3”' }).waitFor();
    assert.deepEqual(await postedOf(view, 'copyFailed'), [{ type: 'copyFailed', panel: 'profile', reason: 'denied' }]);
    await view.send({ type: 'savePicture', panel: 'profile' });
    const saved = await postedOf(view, 'export');
    assert.equal(saved.length, 1);
    assert.equal(saved[0].name, 'loss-against-b3');
    assert.ok(png(saved[0].data).width >= 1200);
  });

  for (const theme of ['light', 'dark'] as ThemeName[]) {
    it(`colours each sample of a two-input regression by its target on the map's scale, with the scale's ends in a key (${theme})`, async () => {
      const themed = await openWebview(theme, chromium());
      try {
        const session = new TrainingSession(HEIGHTS);
        for (let i = 0; i < 20; i++) session.step();
        await themed.page.setViewportSize({ width: 1800, height: 1000 });
        const charts = await showCharts(themed, session, ['w1']);
        const fit = charts.fit!;
        const targets = fit.samples.observed.map((o) => o[0]);
        const [lo, hi] = scaleDomain(fit.plane!.values[0], targets);
        const colours = THEMES[theme];
        const table = fillScale(hex(colours['--vscode-charts-orange']), hex(colours['--vscode-charts-blue']), hex(colours['--vscode-editor-background']), new Uint8ClampedArray(SCALE_STEPS * 4));
        const seen = await dotColours(themed, fit.samples.inputs);
        targets.forEach((t, i) => {
          const at = scaleIndex(t, lo, hi) * 4;
          const expected = [table[at], table[at + 1], table[at + 2]];
          assert.ok(near(seen[i], expected), `the sample with target ${t}: ${seen[i]} on the page, ${expected} on the scale`);
        });
        // Five targets, five colours: the lowest orange, the highest blue.
        assert.equal(new Set(seen.map((c) => c.join())).size, 5);
        const lowest = seen[targets.indexOf(Math.min(...targets))];
        const highest = seen[targets.indexOf(Math.max(...targets))];
        assert.ok(lowest[0] > lowest[2] && highest[2] > highest[0], `${lowest} / ${highest}`);
        // The key says what the colours mean: the output's name and the value at each end of the scale.
        const key = themed.page.locator('.chart-panel[data-panel="fit"] .chart-key');
        assert.deepEqual(await key.locator(':scope > span').allTextContents(), ['height', short(lo), '', short(hi)]);
        assert.match((await key.getAttribute('aria-label'))!, new RegExp(`height from ${short(lo)} \\(orange\\) to ${short(hi)} \\(blue\\)`));
        assert.ok(lo <= -2 && hi >= 3, `${lo}..${hi}`);
        await themed.page.locator('.chart-panel[data-panel="fit"]').screenshot({ path: path.join(ARTIFACTS, 'screenshots', `charts-heat-map-targets-${theme}.png`) });
        // Its picture carries the key too, whole.
        await themed.page.locator('.chart-panel[data-panel="fit"] button[aria-label="Save the chart as a PNG picture"]').click();
        const [sent] = await postedOf(themed, 'export');
        keep(`fit-heights-${theme}`, png(sent.data).bytes);
        const picture = await pictureOf(themed, 'fit');
        const written = picture.labels.map((b) => b.text);
        assert.deepEqual(written, ['height', short(lo), short(hi)]);
        for (const b of picture.labels) assert.ok(inside(b, picture.width, picture.height), JSON.stringify(b));
      } finally {
        await themed.close();
      }
    });
  }

  it("colours a classifier's samples by their class, names the classes in a key, and draws the map without stair steps", async () => {
    const session = new TrainingSession(example('classifier.nn.json'));
    for (let i = 0; i < 150; i++) session.step();
    await view.page.setViewportSize({ width: 1800, height: 1000 });
    const charts = await showCharts(view, session, ['w1']);
    const fit = charts.fit!;
    const seen = await dotColours(view, fit.samples.inputs);
    const colours = THEMES.dark;
    const named: Record<string, string> = { red: colours['--vscode-charts-red'], green: colours['--vscode-charts-green'], blue: colours['--vscode-charts-blue'] };
    fit.samples.observed.forEach((o, i) => {
      const name = fit.outputs[o.indexOf(Math.max(...o))];
      assert.ok(near(seen[i], hex(named[name])), `sample ${i} of class ${name}: ${seen[i]}`);
    });
    assert.deepEqual(await view.page.locator('.chart-panel[data-panel="fit"] .chart-key-class').allTextContents(), ['red', 'green', 'blue']);
    // Smooth: no step in colour between neighbouring pixels of the map, even across a border between
    // classes (the map drawn in flat cells had steps of 74 there; this one has 16 at most).
    const step = await largestStep(view, fit.samples.inputs);
    assert.ok(step <= 20, `a step of ${step} in colour between neighbouring pixels`);
    await view.page.locator('.chart-panel[data-panel="fit"]').screenshot({ path: path.join(ARTIFACTS, 'screenshots', 'charts-heat-map-classes.png') });
    await view.page.locator('.chart-panel[data-panel="fit"] button[aria-label="Save the chart as a PNG picture"]').click();
    keep('fit-classes', png((await postedOf(view, 'export'))[0].data).bytes);
  });

  it('brings back the view the host kept: the log-scale loss axis, the strip beside the graph, a folded panel', async () => {
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    await showCharts(view, session, ['b3']);
    await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: ['loss', 'profile'], place: 'beside', size: 400, second: null, logScale: true } } });
    await view.page.locator('.chart-panel[data-panel="loss"] button[aria-label="Logarithmic loss axis"][aria-pressed="true"]').waitFor();
    assert.equal(await view.page.locator('.chart-strip').getAttribute('data-place'), 'beside');
    assert.equal(await view.page.locator('.chart-panel[data-panel="fit"] .chart-fold').getAttribute('aria-expanded'), 'false');
    // Restoring is not a change of the person's: nothing is sent back.
    assert.ok((await postedOf(view, 'viewState')).every((m) => m.state.charts?.logScale !== true));
  });

  it('folds a panel, keeps the choice with the host, and moves the strip beside the graph', async () => {
    const session = new TrainingSession(example('dosage-b3.nn.json'));
    await showCharts(view, session, ['b3']);
    await view.page.locator('.chart-panel[data-panel="fit"] .chart-fold').click();
    assert.equal(await view.page.locator('.chart-panel[data-panel="fit"] .chart-fold').getAttribute('aria-expanded'), 'false');
    await view.page.locator('.chart-strip-head button[aria-label="Move the charts beside the graph"]').click();
    const views = await postedOf(view, 'viewState');
    const last = views[views.length - 1].state.charts!;
    assert.deepEqual(last.open, ['loss', 'profile', 'trajectories', 'instruments', 'compare']);
    assert.equal(last.place, 'beside');
    const asked = await postedOf(view, 'charts');
    assert.ok(!asked[asked.length - 1].panels.includes('fit'), 'a folded panel is not computed');
    // Every control in the strip has a name: its label, or (a legend's toggle) the words it shows.
    const unnamed = await view.page.$$eval('.chart-strip button, .chart-strip select, .chart-strip [role="separator"]', (els) =>
      els.filter((e) => !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.textContent?.trim())).map((e) => e.outerHTML.slice(0, 120)));
    assert.deepEqual(unnamed, []);
  });

  it('keeps the graph readable with the strip open: half the height at least, no label under the editor font less 2 px', async () => {
    for (const [width, height] of [[1280, 600], [1600, 1000], [1280, 420]]) {
      await view.page.setViewportSize({ width, height });
      const session = new TrainingSession(example('dosage-all.nn.json'));
      await showCharts(view, session, ['b3']);
      // The strip gives way once the page has measured its room (a resize is observed, not timed).
      await view.page.waitForFunction(() => {
        const host = document.querySelector('.graph-host')!.getBoundingClientRect().height;
        const workspace = document.querySelector('.workspace')!.getBoundingClientRect().height;
        return host >= workspace * 0.5 - 1;
      });
      const measured = await view.page.evaluate(() => {
        const host = document.querySelector('.graph-host')!.getBoundingClientRect();
        const workspace = document.querySelector('.workspace')!.getBoundingClientRect();
        let smallest = { size: Infinity, text: '', script: false };
        for (const el of Array.from(document.querySelectorAll<SVGGraphicsElement>('.graph-host svg text, .graph-host svg tspan'))) {
          if (!el.textContent?.trim() || el.getClientRects().length === 0) continue;
          const size = parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM()?.a ?? 1);
          const script = el.classList.contains('script');
          if (size / (script ? 10 / 12 : 1) < smallest.size / (smallest.script ? 10 / 12 : 1)) smallest = { size, text: el.textContent, script };
        }
        const strip = document.querySelector('.chart-strip')!;
        return { host: host.height, workspace: workspace.height, smallest, folded: strip.hasAttribute('data-folded'), place: strip.getAttribute('data-place') };
      });
      const where = `${width}x${height}: ${JSON.stringify(measured)}`;
      assert.ok(measured.host >= measured.workspace * 0.5 - 1, `the graph keeps half the height (${where})`);
      // The test theme's editor font is 14 px: labels at 12 px at least, subscripts in proportion (10 of 12).
      const least = measured.smallest.script ? 12 * 10 / 12 : 12;
      assert.ok(measured.smallest.size >= least - 0.05, `"${measured.smallest.text}" at ${measured.smallest.size.toFixed(2)} px (${where})`);
      await screenshot(view.page, `charts-room-${width}x${height}`);
    }
  });

  it("names parameters and the loss in the notation chosen: 'C against w⁽²⁾₀₀ (w3)' in 3Blue1Brown's", async () => {
    await view.page.setViewportSize({ width: 1100, height: 700 });
    const session = new TrainingSession(example('dosage-all.nn.json'));
    await showCharts(view, session, ['w3'], ['loss', 'profile', 'fit']);
    const title = view.page.locator('.chart-panel[data-panel="profile"] .chart-title');
    assert.equal(await title.textContent(), 'SSR against w3');
    await view.page.locator('vscode-toolbar-button[title^="3Blue1Brown"]').click();
    await view.page.locator('.chart-panel[data-panel="profile"] .chart-title', { hasText: 'C against w⁽²⁾₀₀ (w3)' }).waitFor();
    assert.match(await label(view, 'profile'), /^C against w⁽²⁾₀₀ \(w3\), the other parameters held: w⁽²⁾₀₀ \(w3\) = /);
    assert.match(await label(view, 'loss'), /^Loss over steps: C 11\.11 at step 0/);
    // Folded panels stand on end beside the open ones: their titles wrap rather than run off the panel.
    const clipped = await view.page.$$eval('.chart-panel.folded .chart-title', (els) => els.filter((e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().bottom > e.closest('.chart-panel')!.getBoundingClientRect().bottom + 1).map((e) => e.textContent));
    assert.deepEqual(clipped, []);
    await screenshot(view.page, 'charts-3b1b-names');
  });

  it('clips nothing a person must read with every panel open: titles, captions and legends wrap or fold, lists scroll with a bar', async () => {
    for (const [width, height] of [[1280, 600], [1600, 1000]]) {
      await view.page.setViewportSize({ width, height });
      const session = new TrainingSession(example('dosage-all.nn.json'));
      for (let i = 0; i < 200; i++) session.step();
      await sendBreakpoints(view, breakpointsView([{ id: 'a', enabled: true, kind: 'step', step: 175 }, { id: 'b', enabled: true, kind: 'condition', expression: 'abs(dw1) > 10 && step > 100' }], defaultBuiltins(), []));
      await showCharts(view, session, ['b3']);
      await view.send({ type: 'pin', parameter: 'w1' });
      const clipped = await view.page.evaluate(() => {
        const out: string[] = [];
        for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
          if (el.getClientRects().length === 0 || el.closest('.katex, svg')) continue;
          if (!Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())) continue;
          const style = getComputedStyle(el);
          // A scroll container shows its bar (main.css styles them): what it holds is reachable.
          if (/auto|scroll/.test(style.overflowX + style.overflowY)) continue;
          if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) out.push(`${el.className}: "${el.textContent!.trim().slice(0, 40)}"`);
        }
        return out;
      });
      assert.deepEqual(clipped, [], `${width}x${height}`);
      // The scroll bars are drawn (VS Code's colours), not overlays that hide until hovered.
      assert.equal(await view.page.evaluate(() => getComputedStyle(document.querySelector('.bp-panel')!, '::-webkit-scrollbar').width), '10px');
      await screenshot(view.page, `charts-every-panel-${width}x${height}`);
    }
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as ThemeName[]) {
    it(`draws the strip in the ${theme} theme's colours`, async () => {
      const themed = await openWebview(theme, chromium());
      try {
        const session = new TrainingSession(example('dosage-all.nn.json'));
        for (let i = 0; i < 300; i++) session.step();
        await themed.page.setViewportSize({ width: 1800, height: 1000 });
        await showCharts(themed, session, ['b3']);
        const shot = await screenshot(themed.page, `charts-${theme}`);
        assert.ok(shot.endsWith('.png'));
        // The canvas's pixels under the fit are the theme's background, not a fixed colour.
        const background = await themed.page.evaluate(() => {
          const canvas = document.querySelector('.chart-panel[data-panel="fit"] canvas') as HTMLCanvasElement;
          const [r, g, b] = canvas.getContext('2d')!.getImageData(2, 2, 1, 1).data;
          return `rgb(${r}, ${g}, ${b})`;
        });
        assert.equal(background, await themed.page.evaluate(() => getComputedStyle(document.body).backgroundColor));
      } finally {
        await themed.close();
      }
    });
  }
});
