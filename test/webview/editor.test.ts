/**
 * The network editor's webview in headless Chromium (Debian's chromium via playwright-core):
 * the real bundle, fed the messages the extension host sends, hovered and clicked as a person would.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { explain, findParameter, loadNetwork, type Network, Trainer } from '../../src/core';
import { buildModel, explainView } from '../../src/session/model';
import type { NetworkModel } from '../../src/protocol';
import { launchBrowser, ROOT, screenshot } from '../harness/vscode';
import { openWebview, type WebviewPage } from './page';

const example = (name: string): Network => loadNetwork(readFileSync(path.join(ROOT, 'examples', name), 'utf8'));
const modelOf = (net: Network): NetworkModel => buildModel(net, new Trainer(net));
/** The webview's 4-significant-digit form of a number. */
const four = (v: number): string => v.toPrecision(4).replace('-', '−');

describe('network editor webview (Chromium)', () => {
  let browser: Browser;
  let view: WebviewPage;
  const dosage = example('dosage-b3.nn.json');

  before(async function () {
    this.timeout(5 * 60_000);
    ({ browser } = await launchBrowser());
  });
  after(() => browser?.close());

  beforeEach(async function () {
    // The first page of a fresh Chromium can take long to load its fonts and styles on a cold
    // machine (seen once in a clean CI clone); a limit, not a measure.
    this.timeout(120_000);
    view = await openWebview('dark', browser);
    await view.send({ type: 'model', version: 1, model: modelOf(dosage) });
    await view.page.locator('#app[data-cards-ready]').waitFor();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(view.page, `FAILED-webview-${this.currentTest.title.replace(/\W+/g, '-')}`);
    await view.close();
  });

  it('says ready, then draws every parameter and unit with data attributes and labels', async () => {
    const posted = await view.posted();
    // ready (repeated until answered), then the view it starts with; nothing else unasked.
    assert.equal(posted[0].type, 'ready');
    assert.ok(posted.every((m) => m.type === 'ready' || m.type === 'viewState'), JSON.stringify(posted));
    const params = await view.page.locator('[data-param]').evaluateAll((els) => els.map((e) => e.getAttribute('data-param')));
    assert.deepEqual(params, ['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3']);
    const units = await view.page.locator('[data-unit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit')));
    assert.deepEqual(units, ['0,1', '1,1', '1,2', '2,1']);
    assert.equal(await view.page.locator('[data-param="w3"]').getAttribute('aria-label'), 'weight w3, from h1 to efficacy, value −1.220, gradient dSSR/dw3 −16.11, not trainable');
    assert.equal(await view.page.locator('[data-param="w1"] .edge-label').textContent(), 'w1 +3.34');
    assert.match((await view.page.locator('[data-param="b3"]').getAttribute('aria-label'))!, /^bias b3 of efficacy, value 0, gradient dSSR\/db3 −15.66$/);
  });

  it("hovering w3 shows the chain rule with the core's numbers, within a frame", async () => {
    const { page } = view;
    // Within a frame by construction, not by a clock: the card was built and laid out before the
    // hover, and the pointer event itself shows it, with no message to the host and no await.
    const sync = await page.evaluate(() => {
      const built = document.querySelector('[role="tooltip"] .explanation[data-explains="w3"]');
      document.querySelector('[data-param="w3"]')!.dispatchEvent(new PointerEvent('pointerenter', { clientX: 600, clientY: 420 }));
      const card = document.querySelector('[role="tooltip"]')!;
      return { prebuilt: built !== null, shown: card.classList.contains('shown'), active: card.querySelector('.active') === built };
    });
    assert.deepEqual(sync, { prebuilt: true, shown: true, active: true });
    assert.deepEqual((await view.posted()).filter((m) => m.type === 'explain'), [], 'no round trip to the host');
    const card = page.locator('[role="tooltip"] .active');
    const core = explain(new Trainer(dosage), findParameter(dosage, 'w3')!);
    assert.equal(await card.locator('.card-derivative').getAttribute('data-derivative'), String(core.derivative));
    assert.equal(four(core.derivative), '−16.11');
    for (const term of core.terms) {
      const row = card.locator(`tr[data-sample="${term.sample}"]`);
      const cells = await row.locator('td').allTextContents();
      // i, dosage, observed, predicted, dSSR/dPredicted, dPredicted/dw3, product
      assert.deepEqual(cells, [String(term.sample), String(term.inputs[0]), String(term.observed[0]), four(term.predicted[0]),
        four(term.factors[0].value), four(term.factors[1].value), four(term.value)]);
      assert.equal(await row.locator('.product').getAttribute('title'), String(term.value));
    }
    assert.equal(await card.locator('.sum-value').textContent(), '−16.11');
    assert.match((await card.locator('.check').textContent())!, /finite difference −16\.11 \(agrees to 1e−9\)/);
    assert.match((await card.locator('.next').textContent())!, /w3 is not trainable/);
    assert.match((await card.locator('.formula').textContent())!, /dSSR.*dPredicted/);
    await screenshot(page, 'webview-hover-w3');
  });

  it('shows the next value after one step for a trainable parameter (b3)', async () => {
    await view.page.locator('[data-param="b3"]').hover();
    const next = view.page.locator('[role="tooltip"] .active .next');
    assert.equal(Number(await next.getAttribute('data-next')), 0 - 0.1 * -15.655108380577747);
    assert.match((await next.textContent())!, /b3 − 0\.1000 × \(−15\.66\) = 1\.566|b_{3}|1\.566/);
  });

  it('keeps the card clear of the edge it explains', async () => {
    const { page } = view;
    for (const name of ['w1', 'w2', 'w3', 'w4']) {
      const edge = await page.locator(`[data-param="${name}"] .edge-line`).boundingBox();
      await page.locator(`[data-param="${name}"]`).hover();
      const card = await page.locator('[role="tooltip"] .active').boundingBox();
      assert.ok(card && card.width > 100, `${name}: the card is shown`);
      const overlap = edge && card && !(card.x >= edge.x + edge.width || card.x + card.width <= edge.x || card.y >= edge.y + edge.height || card.y + card.height <= edge.y);
      assert.ok(!overlap, `${name}: card ${JSON.stringify(card)} covers edge ${JSON.stringify(edge)}`);
      await page.mouse.move(5, 5);
    }
  });

  it('hovering a unit shows x_{j,i} and y_{j,i} for every sample', async () => {
    await view.page.locator('[data-unit="1,1"]').hover();
    const card = view.page.locator('[role="tooltip"] .active');
    assert.match((await card.locator('.card-title').textContent())!, /hidden unit 1 of layer 1 \(softplus\)/);
    const rows = await card.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    assert.deepEqual(rows.map((r) => r.slice(0, 3)), [['1', '0', '−1.430'], ['2', '0.5', '0.2400'], ['3', '1', '1.910']]);
  });

  it('switches the edges to gradients, marked with the way gradient descent moves each weight', async () => {
    await view.page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    assert.equal(await view.page.locator('[data-param="w3"] .edge-label').textContent(), 'w3 −16.1 •', 'not trainable: it does not move');
    await view.send({ type: 'model', version: 2, model: modelOf(example('dosage-all.nn.json')) });
    const label = await view.page.locator('[data-param="w3"] .edge-label').textContent();
    const w3 = modelOf(example('dosage-all.nn.json')).params.find((p) => p.name === 'w3')!;
    assert.equal(label, `w3 ${w3.gradient > 0 ? '+' : ''}${w3.gradient.toPrecision(3).replace('-', '−')} ${w3.gradient < 0 ? '▲' : '▼'}`);
    assert.equal(JSON.parse(JSON.stringify(await view.page.evaluate(() => (globalThis as unknown as { __state: { mode: string } }).__state.mode))), 'gradients', 'the mode is saved with setState');
    await screenshot(view.page, 'webview-gradients');
  });

  it("switches the card to 3Blue1Brown's notation with the same numbers", async () => {
    await view.page.locator('vscode-toolbar-button[title^="3Blue1Brown"]').click();
    await view.page.locator('[data-param="w1"]').hover();
    const card = view.page.locator('[role="tooltip"] .active');
    const math = await card.locator('.formula .katex-mathml annotation').allTextContents();
    assert.match(math[0], /\\partial C.*\\partial w\^\{\(1\)\}_\{00\}/);
    assert.equal(await card.locator('.sum-value').textContent(), four(explain(new Trainer(dosage), findParameter(dosage, 'w1')!).derivative));
  });

  it('pins on click into the inspector, which follows new models, and unpins on Escape', async () => {
    const { page } = view;
    await page.locator('[data-param="w3"]').click();
    const pinned = page.locator('.inspector .explanation[data-explains="w3"]');
    await pinned.waitFor();
    const edited = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8').replace('-1.22', '-1.5'));
    await view.send({ type: 'model', version: 2, model: modelOf(edited) });
    assert.equal(await page.locator('.inspector .card-title').getAttribute('data-value'), '-1.5');
    await page.keyboard.press('Escape');
    await pinned.waitFor({ state: 'detached' });
  });

  it('opens a summed factor into its paths in the pinned inspector', async () => {
    const { page } = view;
    await view.send({ type: 'model', version: 2, model: modelOf(example('classifier.nn.json')) });
    await page.locator('[data-param="w1"]').click();
    const inspector = page.locator('.inspector .explanation[data-explains="w1"]');
    const first = inspector.locator('tr[data-sample="1"] .expand');
    assert.equal(await first.getAttribute('aria-expanded'), 'false');
    await first.click();
    assert.equal(await first.getAttribute('aria-expanded'), 'true');
    const paths = inspector.locator('tr.paths:not([hidden])').first().locator('li');
    assert.equal(await paths.count(), 4, 'three paths (one per output) and their total');
    assert.match((await paths.last().textContent())!, /\+.*\+/);
    await screenshot(page, 'webview-paths');
  });

  it('walks the parameters with Tab in w1.., b1.. order and pins with Enter', async () => {
    const { page } = view;
    await page.locator('[data-param="w1"]').focus();
    const order = [await page.evaluate(() => document.activeElement?.getAttribute('data-param'))];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.getAttribute('data-param')));
    }
    assert.deepEqual(order, ['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3']);
    assert.equal(await page.locator('[role="tooltip"] .active').isVisible(), true, 'focus shows the card');
    await page.keyboard.press('Enter');
    await page.locator('.inspector .explanation[data-explains="b3"]').waitFor();
  });

  it('shows an invalid file as a banner with its position, keeps the graph dimmed, and asks the host to go there', async () => {
    const { page } = view;
    await view.send({ type: 'invalid', version: 2, problem: { message: 'unknown activation "softplu"', line: 7, column: 38, offset: 200, length: 9 }, notNetwork: false });
    const banner = page.locator('.banner[role="alert"]');
    assert.match((await banner.textContent())!, /unknown activation "softplu".*line 7, column 38/);
    assert.equal(await page.locator('#app.stale').count(), 1, 'the last graph stays, dimmed');
    assert.equal(await page.locator('[data-param="w3"]').count(), 1);
    await banner.locator('vscode-button').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'goToError' });
    await screenshot(page, 'webview-invalid');
    await view.send({ type: 'model', version: 3, model: modelOf(dosage) });
    assert.equal(await banner.isVisible(), false);
    assert.equal(await page.locator('#app.stale').count(), 0);
  });

  it('explains what a network file is when the file is something else', async () => {
    const fresh = await openWebview('light', browser);
    try {
      await fresh.send({ type: 'invalid', version: 1, problem: { message: 'the file must be a network object, not an array', line: 1, column: 1, offset: 0, length: 1 }, notNetwork: true });
      const panel = fresh.page.locator('.not-network');
      assert.match((await panel.textContent())!, /This file is not a network.*"inputs", "outputs", "layers"/);
      await panel.locator('vscode-button', { hasText: 'Open an example network' }).click();
      assert.deepEqual((await fresh.posted()).at(-1), { type: 'openExample' });
    } finally {
      await fresh.close();
    }
  });

  it('asks the host for explanations of a large network, one at a time', async () => {
    // 1-30-30-1: 960 edges (still SVG), 1021 parameters x 10 samples: past EXPLAIN_ALL_LIMIT.
    const big = loadNetwork(JSON.stringify({ inputs: ['x'], outputs: ['y'], layers: [{ units: 30, activation: 'tanh' }, { units: 30, activation: 'tanh' }, { units: 1, activation: 'identity' }], data: Array.from({ length: 10 }, (_, i) => ({ x: i / 10, y: i / 10 })) }));
    const trainer = new Trainer(big);
    await view.send({ type: 'model', version: 2, model: buildModel(big, trainer) });
    await view.page.locator('[data-param="w45"]').focus();
    const request = (await view.posted()).at(-1) as { type: string; requestId: number; parameter: string };
    assert.deepEqual([request.type, request.parameter], ['explain', 'w45']);
    await view.send({ type: 'explanation', requestId: request.requestId, explanation: explainView(big, trainer, 'w45') });
    await view.page.locator('[role="tooltip"] .active.explanation[data-explains="w45"]').waitFor();
  });

  it('draws thousands of edges on a canvas and still hovers them', async () => {
    const widths = [64, 64, 64, 10];
    const big = loadNetwork(JSON.stringify({
      inputs: Array.from({ length: widths[0] }, (_, k) => `x${k}`), outputs: Array.from({ length: 10 }, (_, k) => `y${k}`),
      layers: widths.slice(1).map((units, l) => ({ units, activation: l === 2 ? 'identity' : 'sigmoid' })),
      data: { inputs: [Array(64).fill(0.5)], targets: [Array(10).fill(0.1)] },
    }));
    await view.send({ type: 'model', version: 2, model: buildModel(big, new Trainer(big)) });
    assert.equal(await view.page.locator('canvas.edge-canvas').isVisible(), true);
    assert.equal(await view.page.locator('.edge').count(), 0, 'no SVG edges');
    assert.equal(await view.page.locator('.bias').count(), 64 + 64 + 10);
    await screenshot(view.page, 'webview-large');
  });

  it('draws a 150,000-weight network on the canvas and switches it to gradients', async function () {
    // A 21 MB model crosses the Chrome DevTools protocol and is drawn: seconds on a quiet machine,
    // many more on a busy one. A limit, not a measure (speed belongs in the bench).
    this.timeout(120_000);
    const huge = loadNetwork(JSON.stringify({
      inputs: Array.from({ length: 1000 }, (_, k) => `x${k}`), outputs: ['y'],
      layers: [{ units: 150, activation: 'tanh' }, { units: 1, activation: 'identity' }],
      data: { inputs: [Array(1000).fill(0.01)], targets: [[0]] },
    }));
    await view.send({ type: 'model', version: 2, model: buildModel(huge, new Trainer(huge)) });
    await view.page.locator('[data-unit="2,1"]').waitFor();
    await view.page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    assert.equal(await view.page.locator('canvas.edge-canvas').isVisible(), true);
  });
});
