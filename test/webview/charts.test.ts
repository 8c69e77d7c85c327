/**
 * The chart strip in headless Chromium: the real bundle, fed frames whose charts the core computed
 * (as the worker does), and clicked as a person would. Each panel is checked by what it draws: its
 * number of points, and the numbers its text alternative says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, type Network } from '../../src/core';
import { CHART_PANELS, type ChartData, type ChartPanel, type ChartRequest } from '../../src/session/chartTypes';
import { SessionCharts } from '../../src/session/charts';
import { buildFrame, buildStructure } from '../../src/session/frame';
import { TrainingSession } from '../../src/session/training';
import { breakpointsView } from '../../src/session/breakpoints';
import { type BreakpointSpec, defaultBuiltins } from '../../src/session/breakpointTypes';
import type { WebviewMessage } from '../../src/protocol';
import { ROOT, screenshot } from '../harness/vscode';
import { openWebview, useChromium, type WebviewPage } from './page';
import type { ThemeName } from './themes';
import { EXAMPLE_FILES } from '../../src/exampleFiles';

const example = (name: string): Network => loadNetwork(readFileSync(path.join(ROOT, 'examples', name), 'utf8'));
const ALL: ChartPanel[] = [...CHART_PANELS];

/** Sends charts to the page and waits until every panel has drawn them (one panel per animation frame; the page counts the charts it was sent). */
async function sendCharts(view: WebviewPage, charts: ChartData): Promise<void> {
  await view.send({ type: 'charts', charts });
  await view.page.locator(`.chart-strip[data-drawn-seq="${view.sentCount('charts')}"]`).waitFor();
}

/** Shows `session` with every panel open and the charts the worker would send for `parameters`, drawn. */
async function showCharts(view: WebviewPage, session: TrainingSession, parameters: string[] = [], panels = ALL, charts = new SessionCharts(session)): Promise<void> {
  const net = session.network;
  await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: panels, place: 'below', size: 340, second: parameters[1] ?? null, logScale: false } } });
  await view.send({ type: 'problem', problem: null, notNetwork: false, empty: false });
  await view.send({ type: 'structure', structure: buildStructure(net), why: null });
  const frame = buildFrame(session, false, []);
  const request: ChartRequest = { panels, parameters };
  await view.send({ type: 'frame', frame });
  await view.page.locator(`#app[data-step="${frame.step}"]`).waitFor();
  await sendCharts(view, charts.compute(request));
  for (const p of panels) await view.page.locator(`.chart-panel[data-panel="${p}"] canvas[aria-label]`).waitFor({ state: 'attached' });
}

const label = (view: WebviewPage, panel: ChartPanel): Promise<string> => view.page.locator(`.chart-panel[data-panel="${panel}"] canvas`).getAttribute('aria-label').then((s) => s ?? '');
const data = (view: WebviewPage, panel: ChartPanel, key: string): Promise<string | null> => view.page.locator(`.chart-panel[data-panel="${panel}"]`).getAttribute(`data-${key}`);
const postedOf = async <T extends WebviewMessage['type']>(view: WebviewPage, type: T): Promise<Extract<WebviewMessage, { type: T }>[]> =>
  (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: T }> => m.type === type);

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
    await view.send({ type: 'breakpoints', breakpoints: breakpointsView(specs, defaultBuiltins(), []) });
    await showCharts(view, session, ['w3']);
    const at = await lossPoint(view, 120, 'gutter');
    await view.page.mouse.click(at.x, at.y);
    const sent = await postedOf(view, 'setBreakpoints');
    assert.equal(sent.length, 1);
    const added = sent[0].specs[0];
    assert.equal(added.kind, 'step');
    assert.ok(added.kind === 'step' && Math.abs(added.step - 120) <= 1, `a breakpoint at ${JSON.stringify(added)}`);
    // The host answers with the list; the gutter draws its dot, and a click there clears it.
    await view.send({ type: 'breakpoints', breakpoints: breakpointsView(sent[0].specs, defaultBuiltins(), []) });
    await view.page.locator(`.chart-panel[data-panel="loss"][data-breakpoints="${added.kind === 'step' ? added.step : ''}"]`).waitFor();
    assert.match(await label(view, 'loss'), /Breakpoints at steps 1[12]\d\./);
    await view.page.mouse.click(at.x, at.y);
    const again = await postedOf(view, 'setBreakpoints');
    assert.equal(again.length, 2);
    assert.deepEqual(again[1].specs, []);
    await view.send({ type: 'breakpoints', breakpoints: breakpointsView([], defaultBuiltins(), []) });
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
      assert.match(await label(view, 'fit'), new RegExp(net.inputNames.length === 2 ? 'output over the plane' : net.outputNames.length === 1 ? "network's curve" : 'predicted against observed'), name);
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
    assert.match(exports[0].data, /^data:image\/png;base64,[A-Za-z0-9+/]{1000,}/);
    assert.equal(exports[1].format, 'csv');
    const lines = exports[1].data.trim().split('\n');
    assert.equal(lines[0], 'step,SSR');
    assert.equal(lines.length, 12);
    assert.equal(Number(lines[1].split(',')[1]).toFixed(4), '20.4236');
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
    assert.deepEqual(last.open, ['loss', 'profile', 'trajectories', 'instruments']);
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

  it('clips nothing a person must read with every panel open: titles, captions and legends wrap or fold, lists scroll with a bar', async () => {
    for (const [width, height] of [[1280, 600], [1600, 1000]]) {
      await view.page.setViewportSize({ width, height });
      const session = new TrainingSession(example('dosage-all.nn.json'));
      for (let i = 0; i < 200; i++) session.step();
      await view.send({ type: 'breakpoints', breakpoints: breakpointsView([{ id: 'a', enabled: true, kind: 'step', step: 175 }, { id: 'b', enabled: true, kind: 'condition', expression: 'abs(dw1) > 10 && step > 100' }], defaultBuiltins(), []) });
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
