/**
 * Each unit's picture in the graph, in headless Chromium on the real bundle: fed the charts the
 * worker computes (SessionCharts with the pictures asked for), and hovered and focused as a person
 * would. Checked by what is drawn: an image per unit, the output's boundary and samples, the
 * enlarged picture with its words, curves for one input, and new pictures after a step.
 */
import assert from 'node:assert/strict';
import type { ChartData, ChartPanel } from '../../src/session/chartTypes';
import { SessionCharts } from '../../src/session/charts';
import { buildFrame } from '../../src/session/frame';
import { TrainingSession } from '../../src/session/training';
import type { WebviewMessage } from '../../src/protocol';
import { screenshot } from '../harness/vscode';
import { openWebview, useChromium, type WebviewPage } from './page';
import { example, show } from './scenes';

/** Sends the charts the worker would (the pictures only) and waits until the graph has drawn them. */
async function sendMaps(view: WebviewPage, session: TrainingSession, charts = new SessionCharts(session), panels: ChartPanel[] = []): Promise<ChartData> {
  const data = charts.compute({ panels, parameters: [], units: true });
  await view.send({ type: 'charts', charts: data });
  await view.page.locator(`svg.graph[data-maps-step="${data.step}"][data-maps-seq="${view.sentCount('charts')}"]`).waitFor();
  return data;
}

const postedOf = async <T extends WebviewMessage['type']>(view: WebviewPage, type: T): Promise<Extract<WebviewMessage, { type: T }>[]> =>
  (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: T }> => m.type === type);

describe("each unit's picture in the graph (Chromium)", function () {
  this.timeout(60_000);
  let view: WebviewPage;
  const chromium = useChromium('unit-maps', () => view);
  afterEach(async () => { await view.close(); });

  it('asks for the pictures of a two-input network, draws a map in each unit of xor, and the boundary and samples on the output', async () => {
    view = await openWebview('dark', chromium());
    const session = new TrainingSession(example('xor.nn.json'));
    for (let i = 0; i < 400; i++) session.step();
    // The loss and the fit open beside the pictures (the fit's map is the output's, larger).
    await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: ['loss', 'fit'], place: 'below', size: 300, second: null, logScale: false } } });
    await show(view, session.network, (f) => f, session);
    const asked = await postedOf(view, 'charts');
    assert.equal(asked[asked.length - 1].units, true, 'the page asks for the pictures');
    const data = await sendMaps(view, session, new SessionCharts(session), ['loss', 'fit']);
    const { page } = view;
    for (const id of ['1,1', '1,2', '1,3', '2,1']) {
      const node = page.locator(`.node[data-unit="${id}"]`);
      assert.equal(await node.locator('.unit-map image.unit-map-image').count(), 1, `unit ${id} has its map`);
      assert.match((await node.locator('image').getAttribute('href'))!, /^data:image\/png;base64,/);
      assert.equal(await node.getAttribute('tabindex'), '0');
      assert.match((await node.getAttribute('aria-label'))!, /its picture: .* over x1 from −0\.1 to 1\.1 and x2 from −0\.1 to 1\.1: /);
    }
    assert.equal(await page.locator('.node[data-unit="0,1"] .unit-map').count(), 0, 'inputs have none');
    const output = page.locator('.node[data-unit="2,1"]');
    assert.equal(await output.locator('.unit-map-sample').count(), 4);
    const boundary = await output.locator('.unit-map-boundary').getAttribute('d');
    assert.ok(boundary && boundary.split('M').length - 1 === data.units!.units[3].boundary!.length / 4, 'every segment of the boundary is drawn');
    assert.equal(await page.locator('.node[data-unit="1,1"] .unit-map-boundary').count(), 0, 'hidden units decide nothing');
    // A trained xor puts (0, 1) and (1, 0) in class 1: their dots are blue (the high end), the others orange.
    const fills = await output.locator('.unit-map-sample').evaluateAll((dots) => dots.map((d) => d.getAttribute('fill')));
    assert.equal(fills[1], fills[2]);
    assert.equal(fills[0], fills[3]);
    assert.notEqual(fills[0], fills[1]);
    await screenshot(page, 'unit-maps-xor');

    // Hovering the output enlarges its map in its card, with the axes' ranges, a colour key and its words.
    await output.hover();
    const zoom = page.locator('[role="tooltip"] .card-content.active .unit-zoom[data-unit="2,1"]');
    await zoom.waitFor();
    assert.equal(await zoom.getAttribute('role'), 'img');
    const words = (await zoom.getAttribute('aria-label'))!;
    assert.match(words, /^The picture of output xor over x1 from −0\.1 to 1\.1 and x2 from −0\.1 to 1\.1: above 0\.5 on \d+% of the plane/);
    assert.match(words, /decision boundary \(where it crosses 0\.5\) is drawn across it, with 4 samples/);
    assert.match(words, /lowest 0\.\d+, highest 0\.\d+/);
    assert.deepEqual(await zoom.locator('.unit-zoom-x span').allTextContents(), ['−0.1', 'x1', '1.1']);
    assert.deepEqual(await zoom.locator('.unit-zoom-key .chart-key-value').allTextContents(), ['0', '1']);
    const size = await zoom.locator('canvas').boundingBox();
    assert.ok(size && size.width >= 170 && size.height >= 170, `enlarged: ${JSON.stringify(size)}`);
    await screenshot(page, 'unit-maps-xor-hover');

    // The keyboard: Tab reaches a unit, whose focus shows its enlarged map the same way.
    await page.mouse.move(5, 5);
    await page.locator('.node[data-unit="1,2"]').focus();
    await page.locator('[role="tooltip"] .card-content.active .unit-zoom[data-unit="1,2"]').waitFor();
    assert.match((await page.locator('.unit-zoom').getAttribute('aria-label'))!, /^The picture of hidden unit 2 over x1/);
  });

  it('draws new pictures after a step', async () => {
    view = await openWebview('light', chromium());
    const session = new TrainingSession(example('classifier.nn.json'));
    await show(view, session.network, (f) => f, session);
    const charts = new SessionCharts(session);
    await sendMaps(view, session, charts);
    const href = (id: string) => view.page.locator(`.node[data-unit="${id}"] image`).getAttribute('href');
    const before = await Promise.all(['1,1', '2,1', '2,3'].map(href));
    assert.equal(await view.page.locator('.node[data-unit="2,1"] .unit-map-sample').count(), 12);
    for (let i = 0; i < 40; i++) session.step();
    await view.send({ type: 'frame', frame: buildFrame(session, false, [], view.sentCount('frame') + 1) });
    await sendMaps(view, session, charts);
    const after = await Promise.all(['1,1', '2,1', '2,3'].map(href));
    before.forEach((b, k) => assert.notEqual(after[k], b, `unit ${k} drawn again`));
    assert.match((await view.page.locator('.node[data-unit="2,1"]').getAttribute('aria-label'))!, /the probability of output red over x1/);
    await screenshot(view.page, 'unit-maps-classifier-light');
  });

  it("draws one input's units as curves, and hides every picture when the toggle is off (and says so to the host)", async () => {
    view = await openWebview('high-contrast', chromium());
    const session = new TrainingSession(example('dosage-all.nn.json'));
    for (let i = 0; i < 200; i++) session.step();
    await show(view, session.network, (f) => f, session);
    await sendMaps(view, session);
    const { page } = view;
    for (const [id, colour] of [['1,1', 'curve-blue'], ['1,2', 'curve-orange'], ['2,1', 'curve-green']]) {
      const curve = page.locator(`.node[data-unit="${id}"] path.unit-curve`);
      assert.equal(await curve.count(), 1, `unit ${id} has its curve`);
      assert.match((await curve.getAttribute('class'))!, new RegExp(colour));
      assert.equal((await curve.getAttribute('d'))!.split('L').length, 64);
    }
    assert.match((await page.locator('.node[data-unit="1,1"]').getAttribute('aria-label'))!, /its picture: hidden unit 1 over dosage from −0\.1 to 1\.1: from/);
    await page.locator('.node[data-unit="1,1"]').hover();
    await page.locator('[role="tooltip"] .card-content.active .unit-zoom[data-unit="1,1"]').waitFor();
    await screenshot(page, 'unit-maps-dosage-hc');
    await page.locator('vscode-toolbar-button[title^="Each unit\'s picture"]').click();
    await page.locator('svg.graph[data-unit-maps="0"]').waitFor();
    assert.equal(await page.locator('.unit-map').count(), 0);
    const asked = await postedOf(view, 'charts');
    assert.equal(asked[asked.length - 1].units, undefined, 'no longer asked for');
    const views = await postedOf(view, 'viewState');
    assert.equal(views[views.length - 1].state.unitMaps, false, 'kept with the view');
    // The view the host kept brings them back, without the page sending it back.
    await view.send({ type: 'viewState', state: { ...views[views.length - 1].state, unitMaps: true } });
    await page.locator('svg.graph[data-unit-maps="3"]').waitFor();
    assert.equal((await postedOf(view, 'viewState')).length, views.length);
    assert.equal((await postedOf(view, 'charts')).pop()!.units, true);
  });
});
