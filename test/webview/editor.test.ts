/**
 * The network editor's webview in headless Chromium (Debian's chromium via playwright-core):
 * the real bundle, fed the messages the extension host sends, hovered and clicked as a person would.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { explain, findParameter, loadNetwork, type Network, Trainer } from '../../src/core';
import { buildFrame, buildStructure, explainView, stopExplained, unitView } from '../../src/session/frame';
import { unpackExplanations } from '../../src/session/packing';
import { type Stop, TrainingSession } from '../../src/session/training';
import type { NetworkModel, WebviewMessage } from '../../src/protocol';
import { breakpointsView } from '../../src/session/breakpoints';
import { type BreakpointSpec, defaultBuiltins } from '../../src/session/breakpointTypes';
import { modelOf as viewModel } from '../../webview/store';
import { fmt, signed } from '../../webview/format';
import { ROOT, screenshot } from '../harness/vscode';
import { openWebview, useChromium, type WebviewPage } from './page';
import { canvasNetwork, example, sendBreakpoints, show } from './scenes';

/** What the page draws for `net` at step 0, stopped. */
const modelOf = (net: Network): NetworkModel => {
  const session = new TrainingSession(net);
  const frame = buildFrame(session, false, []);
  const e = stopExplained(session, frame.seq);
  return viewModel(buildStructure(net), frame, { seq: e.seq, explanations: unpackExplanations(e.packed) });
};

/** Continue until something stops it (slices of 10,000 steps by a clock that ticks per reading). */
function runToStop(session: TrainingSession): Stop {
  let t = 0;
  const stop = session.startContinue() ?? (() => { for (;;) { const s = session.advance(5, () => (t += 1)); if (s) return s; } })();
  return stop;
}
/** The host's message for a file that is not (yet) a valid network. */
const broken = (message: string, line: number, column: number, offset: number, length: number, notNetwork = false, empty = false) =>
  ({ type: 'problem', problem: { message, line, column, offset, length }, notNetwork, empty }) as const;
/** The webview's 4-significant-digit form of a number. */
const four = (v: number): string => v.toPrecision(4).replace('-', '−');

describe('network editor webview (Chromium)', () => {
  let view: WebviewPage;
  const dosage = example('dosage-b3.nn.json');

  const chromium = useChromium('webview', () => view);

  beforeEach(async function () {
    // The first page of a fresh Chromium can take long to load its fonts and styles on a cold
    // machine (seen once in a clean CI clone); a limit, not a measure.
    this.timeout(120_000);
    view = await openWebview('dark', chromium());
    await show(view, dosage);
    await view.page.locator('#app[data-cards-ready]').waitFor();
  });
  afterEach(async function () {
    await view.close();
  });

  it('says ready, then draws every parameter and unit with data attributes and labels', async () => {
    const posted = await view.posted();
    // ready (repeated until answered), the view it starts with, what its open charts need, and
    // that it drew the frame (so the host sends the next); nothing else unasked.
    assert.equal(posted[0].type, 'ready');
    assert.ok(posted.every((m) => m.type === 'ready' || m.type === 'viewState' || m.type === 'charts' || m.type === 'drawn'), JSON.stringify(posted));
    assert.deepEqual(posted.filter((m) => m.type === 'drawn'), [{ type: 'drawn', seq: view.sentCount('frame') }]);
    const params = await view.page.locator('[data-param]').evaluateAll((els) => els.map((e) => e.getAttribute('data-param')));
    assert.deepEqual(params, ['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3']);
    const units = await view.page.locator('[data-unit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit')));
    assert.deepEqual(units, ['0,1', '1,1', '1,2', '2,1']);
    assert.equal(await view.page.locator('[data-param="w3"]').getAttribute('aria-label'), 'weight w3, from hidden unit 1 to output efficacy, value −1.220, gradient dSSR/dw3 −16.11, not trainable');
    assert.equal(await view.page.locator('.edge-label[data-for="w1"]').textContent(), 'w1 +3.34');
    assert.match((await view.page.locator('[data-param="b3"]').getAttribute('aria-label'))!, /^\+ b3 0: bias b3 of output efficacy, value 0, gradient dSSR\/db3 −15.66$/);
    // The graph names a hidden unit as the cards do (StatQuest's y_1), its activation beside it.
    assert.equal(await view.page.locator('[data-unit="1,1"] .node-label').textContent(), 'y1 softplus');
  });

  it("hovering w3 shows the chain rule with the core's numbers, within a frame", async () => {
    const { page } = view;
    // Within a frame by construction, not by a clock: the card was built and laid out before the
    // hover, and the pointer event itself shows it, with no message to the host and no await.
    const sync = await page.evaluate(() => {
      const built = document.querySelector('[role="tooltip"] .explanation[data-explains="w3"]');
      const label = document.querySelector('.edge-label[data-for="w3"]')!;
      const r = label.getBoundingClientRect();
      label.dispatchEvent(new PointerEvent('pointermove', { clientX: r.x + r.width / 2, clientY: r.y + r.height / 2, bubbles: true }));
      const card = document.querySelector('[role="tooltip"]')!;
      return { prebuilt: built !== null, shown: card.classList.contains('shown'), active: card.querySelector('.active') === built };
    });
    assert.deepEqual(sync, { prebuilt: true, shown: true, active: true });
    assert.deepEqual((await view.posted()).filter((m) => m.type === 'request'), [], 'no round trip to the host');
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

  it('names each sample\'s class in the card when the targets were a CSV\'s class labels', async () => {
    const { page } = view;
    // A small one, whose every explanation follows its stop (points.nn.json's are asked for one by one).
    const csv = 'x1,x2,label\n0,0,red\n1,0,blue\n0,1,red\n';
    const points = loadNetwork(JSON.stringify({
      inputs: ['x1', 'x2'], outputs: ['a', 'b'], layers: [{ units: 2, activation: 'identity' }], loss: 'cross-entropy',
      data: { file: 'points.csv', inputs: ['x1', 'x2'], targets: ['label'] },
    }), { readFile: () => csv });
    await show(view, points);
    await page.locator('#app[data-cards-ready]').waitFor();
    await page.locator('[data-param="w1"]').first().focus();
    await page.keyboard.press('Enter');
    const card = page.locator('.inspector .explanation[data-explains="w1"]');
    await card.waitFor({ timeout: 5000 });
    assert.equal(await card.locator('th.col-data', { hasText: 'class' }).count(), 1);
    const shown = await card.locator('tr[data-sample] td.class').allTextContents();
    const expected = Array.from({ length: points.data.samples }, (_, i) => points.classes![points.data.targets[2 * i] === 1 ? 0 : 1]);
    assert.deepEqual(shown, expected);
    assert.deepEqual(shown, ['red', 'blue', 'red']);
  });

  it('shows the next value after one step for a trainable parameter (b3)', async () => {
    await view.page.locator('[data-param="b3"]').hover();
    const next = view.page.locator('[role="tooltip"] .active .next');
    assert.equal(Number(await next.getAttribute('data-next')), 0 - 0.1 * -15.655108380577747);
    assert.match((await next.textContent())!, /b3 − 0\.1000 × \(−15\.66\) = 1\.566|b_{3}|1\.566/);
  });

  it("writes the optimizer's update with its numbers, the batch's samples and the regularization term (Adam, batches of 2, L2)", async () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-adam.nn.json'), 'utf8'));
    const adam = loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, batchSize: 2, regularization: { l2: 0.1 } } }));
    const session = new TrainingSession(adam);
    for (let i = 0; i < 3; i++) session.step();
    await show(view, adam, undefined, session);
    await view.page.locator('#app[data-cards-ready]').waitFor();
    await view.page.locator('[data-param="w3"]').hover();
    const card = view.page.locator('[role="tooltip"] .active');
    const e = explainView(adam, session.trainer, 'w3')!;
    // The batch of step 4, its samples' rows only, and the penalty's row.
    assert.match((await card.locator('.batch').textContent())!, new RegExp(`over the batch of step 4: samples? ${e.batch!.join(', ')}`));
    assert.deepEqual(await card.locator('tr[data-sample]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-sample')))), e.batch);
    assert.equal(await card.locator('tr.regularization').count(), 1);
    // Adam's quantities, each with its number; the next value is Adam's, beside plain gradient descent's.
    const terms = await card.locator('.update-term').evaluateAll((items) => items.map((i) => [i.getAttribute('data-label'), Number(i.getAttribute('data-value'))]));
    assert.deepEqual(terms.map(([label]) => label), ['t', 'g', 'm before', 'v before', 'm', 'v', '1 − β1^t', '1 − β2^t', 'm̂', 'v̂', 'lr × m̂ / (√v̂ + ε)']);
    assert.deepEqual(terms.find(([label]) => label === 't'), ['t', 4]);
    const next = new Trainer(adam);
    for (let i = 0; i < 4; i++) next.step();
    const w3 = findParameter(adam, 'w3')!.index;
    assert.ok(Math.abs(Number(await card.locator('.next').getAttribute('data-next')) - next.params[w3]) < 1e-12, 'the next value is the one the step gives');
    assert.match((await card.locator('.update-rule').textContent())!, /^update \(Adam\) m = β1 × m/);
    assert.match((await card.locator('.next').textContent())!, /plain gradient descent would step by/);
    await screenshot(view.page, 'webview-hover-adam');
    // In Gradients mode each arrow says which way Adam moves the parameter (its running mean's way, not g's).
    await view.page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    for (const p of adam.parameters) {
      const x = explainView(adam, session.trainer, p.name)!;
      const arrow = x.nextValue > x.value ? '▲' : x.nextValue < x.value ? '▼' : '•';
      const label = view.page.locator(`.edge-label[data-for="${p.name}"], [data-param="${p.name}"].bias text`).first();
      assert.ok((await label.textContent())!.endsWith(arrow), `${p.name}: ${await label.textContent()} should end with ${arrow}`);
    }
  });

  it('says under the input node how normalize rescales it, and reads it to a screen reader', async () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8'));
    await show(view, loadNetwork(JSON.stringify({ ...doc, normalize: 'standard' })));
    const input = view.page.locator('[data-unit="0,1"]');
    assert.equal(await input.locator('.node-note').textContent(), '(dosage − 0.5) / 0.408');
    assert.equal(await input.getAttribute('aria-label'), 'input dosage, rescaled to (dosage − 0.5) / 0.408');
    const [box, note] = await Promise.all([input.locator('.node-shape').boundingBox(), input.locator('.node-note').boundingBox()]);
    assert.ok(box && note && note.y >= box.y + box.height, 'under the box, not over it');
  });

  it('keeps the card clear of the parameter and its whole chain to the loss', async () => {
    const { page } = view;
    await page.setViewportSize({ width: 1600, height: 1000 });
    await show(view, example('dosage-all.nn.json'));
    await page.locator('#app[data-cards-ready]').waitFor();
    // What each explanation multiplies along: the parameter, its unit, and every edge and unit to the output.
    const chains: Record<string, string[]> = {
      w1: ['[data-param="w1"]', '[data-unit="1,1"]', '[data-param="w3"]', '[data-unit="2,1"]'],
      w2: ['[data-param="w2"]', '[data-unit="1,2"]', '[data-param="w4"]', '[data-unit="2,1"]'],
      w3: ['[data-param="w3"]', '[data-unit="2,1"]'],
      b1: ['[data-param="b1"]', '[data-unit="1,1"]', '[data-param="w3"]', '[data-unit="2,1"]'],
      b2: ['[data-param="b2"]', '[data-unit="1,2"]', '[data-param="w4"]', '[data-unit="2,1"]'],
    };
    for (const [name, chain] of Object.entries(chains)) {
      await page.locator(`.edge-label[data-for="${name}"], .bias[data-param="${name}"]`).first().hover();
      const card = await page.locator('[role="tooltip"] .active').boundingBox();
      assert.ok(card && card.width > 100, `${name}: the card is shown`);
      // Lines are tested along their length (their bounding boxes would claim whole rectangles).
      const covered = await page.evaluate(({ chain, card }) => chain.filter((selector) => {
        const el = document.querySelector(selector)!;
        const inside = (x: number, y: number): boolean => x > card.x && x < card.x + card.width && y > card.y && y < card.y + card.height;
        const line = el.querySelector('line.edge-line') as SVGLineElement | null;
        if (line) {
          const m = line.getScreenCTM()!;
          const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => Number(line.getAttribute(a)));
          return Array.from({ length: 21 }, (_, i) => i / 20).some((t) => inside(m.a * (x1 + (x2 - x1) * t) + m.e, m.d * (y1 + (y2 - y1) * t) + m.f));
        }
        const r = el.getBoundingClientRect();
        return r.x < card.x + card.width && r.x + r.width > card.x && r.y < card.y + card.height && r.y + r.height > card.y;
      }), { chain, card });
      assert.deepEqual(covered, [], `${name}: the card covers part of its chain`);
      await page.mouse.move(1590, 990);
    }
  });

  it('keeps the whole card inside the page, at any size of the editor', async () => {
    const { page } = view;
    await show(view, example('dosage-all.nn.json'));
    await page.locator('#app[data-cards-ready]').waitFor();
    for (const [width, height] of [[1030, 760], [1600, 1000], [820, 640]]) {
      await page.setViewportSize({ width, height });
      for (const name of ['w1', 'w4', 'b3']) {
        await page.locator(`.edge-label[data-for="${name}"], .bias[data-param="${name}"]`).first().hover();
        const card = (await page.locator('[role="tooltip"] .active').boundingBox())!;
        const toolbar = (await page.locator('.toolbar').boundingBox())!;
        assert.ok(card.x >= 0 && card.x + card.width <= width + 0.5, `${name} at ${width}: x ${card.x.toFixed(0)}..${(card.x + card.width).toFixed(0)}`);
        assert.ok(card.y >= toolbar.y + toolbar.height - 0.5, `${name} at ${width}: below the toolbar`);
        await page.mouse.move(1, height - 1);
      }
    }
  });

  it('answers for an edge along its whole visible length, where edges cross too', async () => {
    const { page } = view;
    await show(view, example('xor.nn.json'));
    await page.locator('#app[data-cards-ready]').waitFor();
    // Points along w2 (x2 to the first hidden unit, crossing w3): each nearer to w2 than to any
    // other line, and not on a label or unit, hovers w2.
    const points = await page.evaluate(() => {
      const lines = Array.from(document.querySelectorAll<SVGLineElement>('line.edge-line')).map((l) => {
        const m = l.getScreenCTM()!;
        const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a)));
        return { name: l.closest('[data-param]')!.getAttribute('data-param')!, x1: m.a * x1 + m.e, y1: m.d * y1 + m.f, x2: m.a * x2 + m.e, y2: m.d * y2 + m.f };
      });
      const distance = (l: typeof lines[number], x: number, y: number): number => {
        const dx = l.x2 - l.x1; const dy = l.y2 - l.y1;
        const t = Math.max(0, Math.min(1, ((x - l.x1) * dx + (y - l.y1) * dy) / (dx * dx + dy * dy)));
        return Math.hypot(l.x1 + t * dx - x, l.y1 + t * dy - y);
      };
      const w2 = lines.find((l) => l.name === 'w2')!;
      return Array.from({ length: 19 }, (_, i) => (i + 1) / 20).map((t) => ({ x: w2.x1 + (w2.x2 - w2.x1) * t, y: w2.y1 + (w2.y2 - w2.y1) * t }))
        .filter(({ x, y }) => {
          const on = document.elementFromPoint(x, y);
          if (on?.closest('.edge-label, .node, .bias')) return false;
          return lines.every((l) => l.name === 'w2' || distance(l, x, y) > 1);
        });
    });
    assert.ok(points.length >= 10, `most of w2 is visible (${points.length} points)`);
    for (const p of points) {
      await page.mouse.move(p.x, p.y);
      assert.equal(await page.locator('[role="tooltip"] .active').getAttribute('data-explains'), 'w2', `at ${p.x.toFixed(0)},${p.y.toFixed(0)}`);
    }
  });

  it('places every label clear of the others and of the units, in every example', async () => {
    const { page } = view;
    for (const name of ['dosage-all.nn.json', 'xor.nn.json', '3b1b-chain.nn.json', 'classifier.nn.json']) {
      await show(view, example(name));
      for (const mode of ['Edges show weights', 'Edges show gradients']) {
        await page.locator(`vscode-toolbar-button[title^="${mode}"]`).click();
        const clashes = await page.evaluate(() => {
          const labels = Array.from(document.querySelectorAll('.edge-label')).map((l) => ({ name: l.getAttribute('data-for'), r: l.getBoundingClientRect() }));
          const others = Array.from(document.querySelectorAll('.node, .bias')).map((e) => ({ name: e.getAttribute('data-unit') ?? e.getAttribute('data-param'), r: e.getBoundingClientRect() }));
          // A turned label's bounding box claims more than its text: where two boxes meet, ask the
          // page (on a grid of points) whether both really are drawn there.
          const found: string[] = [];
          const clash = (a: DOMRect, b: DOMRect, both: (at: Element[]) => boolean): boolean => {
            const x0 = Math.max(a.x, b.x) + 1; const y0 = Math.max(a.y, b.y) + 1;
            const x1 = Math.min(a.right, b.right) - 1; const y1 = Math.min(a.bottom, b.bottom) - 1;
            if (x0 >= x1 || y0 >= y1) return false;
            for (let i = 0; i <= 6; i++) for (let j = 0; j <= 3; j++) {
              if (both(document.elementsFromPoint(x0 + ((x1 - x0) * i) / 6, y0 + ((y1 - y0) * j) / 3))) return true;
            }
            return false;
          };
          labels.forEach((a, i) => {
            const isA = (e: Element): boolean => e.classList.contains('edge-label') && e.getAttribute('data-for') === a.name;
            for (const o of others) {
              const isO = (e: Element): boolean => e.closest('.node, .bias') !== null && (e.closest('[data-unit]')?.getAttribute('data-unit') ?? e.closest('[data-param]')?.getAttribute('data-param')) === o.name;
              if (clash(a.r, o.r, (at) => at.some(isA) && at.some(isO))) found.push(`${a.name} on ${o.name}`);
            }
            for (const b of labels.slice(i + 1)) {
              if (clash(a.r, b.r, (at) => at.some(isA) && at.some((e) => e.classList.contains('edge-label') && e.getAttribute('data-for') === b.name))) found.push(`${a.name} on ${b.name}`);
            }
          });
          return { found, count: labels.length };
        });
        assert.deepEqual(clashes.found, [], `${name}, ${mode}`);
        assert.ok(clashes.count >= Math.min(6, (await page.locator('.edge').count())), `${name}, ${mode}: labels shown (${clashes.count})`);
      }
    }
  });

  it('hovering a unit shows x_{j,i} and y_{j,i} for every sample', async () => {
    await view.page.locator('[data-unit="1,1"]').hover();
    const card = view.page.locator('[role="tooltip"] .active');
    assert.match((await card.locator('.card-title').textContent())!, /hidden unit 1 of layer 1 \(softplus\)/);
    const rows = await card.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    assert.deepEqual(rows.map((r) => r.slice(0, 3)), [['1', '0', '−1.430'], ['2', '0.5', '0.2400'], ['3', '1', '1.910']]);
  });

  it("labels the input column with a network's input features, and an input's card shows its feature's values", async () => {
    const spiral = example('spiral.nn.json');
    await show(view, spiral);
    await view.page.locator('#app[data-cards-ready]').waitFor();
    const labels = await view.page.locator('.node.input .node-label').allTextContents();
    assert.deepEqual(labels, ['x1', 'x2', 'x1²', 'x2²', 'x1·x2', 'sin(x1)', 'sin(x2)']);
    assert.equal(await view.page.locator('[data-unit="0,5"]').getAttribute('aria-label'), 'input feature x1·x2 (x1*x2)');
    await view.page.locator('[data-unit="0,5"]').hover();
    // 200 samples through 14 units is past what travels with each frame: the card asks the host, as for any large network.
    await view.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'request'));
    const request = (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: 'request' }> => m.type === 'request').at(-1)!;
    assert.deepEqual([request.kind, request.params], ['unit', { layer: 0, unit: 4 }]);
    await view.send({ type: 'reply', channel: request.channel, id: request.id, ok: true, value: unitView(spiral, new Trainer(spiral), 0, 4) });
    const card = view.page.locator('[role="tooltip"] .active');
    assert.equal(await card.locator('.card-title').textContent(), 'input x1·x2');
    assert.match((await card.locator('.card-note').textContent())!, /x1\*x2, computed from x1, x2/);
    // The card's x values are the feature's: x1 times x2 of the generated points, not either column.
    const values = await card.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    assert.equal(values.length, spiral.data.samples);
    const nIn = spiral.inputNames.length;
    values.slice(0, 20).forEach((row, i) => {
      const x1 = spiral.data.inputs[i * nIn];
      const x2 = spiral.data.inputs[i * nIn + 1];
      assert.equal(row[0], String(i + 1));
      assert.ok(Math.abs(Number(row[1]!.replace('−', '-')) - x1 * x2) <= 1e-3 * Math.max(1, Math.abs(x1 * x2)), `sample ${i + 1}: ${row[1]} is x1·x2 = ${x1 * x2}`);
    });
    await screenshot(view.page, 'webview-features');
  });

  it('switches the edges to gradients, marked with the way gradient descent moves each weight', async () => {
    await view.page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    assert.equal(await view.page.locator('.edge-label[data-for="w3"]').textContent(), 'w3 −16.1 •', 'not trainable: it does not move');
    await show(view, example('dosage-all.nn.json'));
    const label = await view.page.locator('.edge-label[data-for="w3"]').textContent();
    const w3 = modelOf(example('dosage-all.nn.json')).params.find((p) => p.name === 'w3')!;
    assert.equal(label, `w3 ${w3.gradient > 0 ? '+' : ''}${w3.gradient.toPrecision(3).replace('-', '−')} ${w3.gradient < 0 ? '▲' : '▼'}`);
    assert.equal(JSON.parse(JSON.stringify(await view.page.evaluate(() => (globalThis as unknown as { __state: { mode: string } }).__state.mode))), 'gradients', 'the mode is saved with setState');
    await screenshot(view.page, 'webview-gradients');
  });

  it("switches the card to 3Blue1Brown's notation with the same numbers", async () => {
    await sendBreakpoints(view, breakpointsView([], defaultBuiltins(), new TrainingSession(dosage).setBreakpoints([], defaultBuiltins())));
    await view.page.locator('vscode-toolbar-button[title^="3Blue1Brown"]').click();
    await view.page.locator('.edge-label[data-for="w1"]').hover();
    const card = view.page.locator('[role="tooltip"] .active');
    const math = await card.locator('.formula .katex-mathml annotation').allTextContents();
    assert.match(math[0], /\\partial C.*\\partial w\^\{\(1\)\}_\{00\}/);
    assert.equal(await card.locator('.sum-value').textContent(), four(explain(new Trainer(dosage), findParameter(dosage, 'w1')!).derivative));
    // One name per thing: the graph's labels, the card's title (with the plain name beside it,
    // the one expressions use) and the breakpoints list all say w⁽¹⁾₀₀ for w1.
    assert.match((await view.page.locator('.edge-label[data-for="w1"]').textContent())!, /^w⁽¹⁾₀₀ [+−]/);
    assert.match((await view.page.locator('.edge-label[data-for="w3"]').textContent())!, /^w⁽²⁾₀₀ [+−]/);
    assert.match((await view.page.locator('.bias[data-param="b3"] .bias-label').textContent())!, /^\+ b⁽²⁾₀ /);
    assert.equal(await card.locator('.card-alias').textContent(), ' (w1)');
    assert.equal(await view.page.locator('.bp-alias').textContent(), 'Conditions and watches use the plain names: w3 is w⁽²⁾₀₀; the cards give both.');
    assert.match((await view.page.locator('.edge[data-param="w1"]').getAttribute('aria-label'))!, /^weight w⁽¹⁾₀₀ \(w1\), from/);
    // And back: StatQuest's plain names, no note.
    await view.page.locator('vscode-toolbar-button[title^="StatQuest"]').click();
    assert.match((await view.page.locator('.edge-label[data-for="w1"]').textContent())!, /^w1 [+−]/);
    assert.equal(await view.page.locator('.bp-alias').count(), 0);
  });

  it('pins on click into the inspector, which follows new models, and unpins on Escape', async () => {
    const { page } = view;
    await page.locator('.edge-label[data-for="w3"]').click();
    const pinned = page.locator('.inspector .explanation[data-explains="w3"]');
    await pinned.waitFor();
    const edited = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8').replace('-1.22', '-1.5'));
    await show(view, edited);
    assert.equal(await page.locator('.inspector .card-title').getAttribute('data-value'), '-1.5');
    await page.keyboard.press('Escape');
    await pinned.waitFor({ state: 'detached' });
  });

  it('opens a summed factor into its paths in the pinned inspector', async () => {
    const { page } = view;
    await show(view, example('classifier.nn.json'));
    await page.locator('[data-param="w1"]').focus();
    await page.keyboard.press('Enter');
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

  it('in Restricted Mode says which data file waits for trust, and asks the host for Manage Workspace Trust', async () => {
    const message = 'cannot read "data/points.csv": this folder is in Restricted Mode, and a data file a network names is read only once you trust the folder (Manage Workspace Trust)';
    const waits = { type: 'problem', problem: { message, line: 5, column: 13, offset: 80, length: 16 }, notNetwork: false, empty: false, waitsForTrust: 'data/points.csv' } as const;
    // A network that never loaded (what Restricted Mode gives): the page says it, with a heading.
    const fresh = await openWebview('dark', chromium());
    try {
      const { page } = fresh;
      await fresh.send(waits);
      const notice = page.locator('.not-network[data-waits-for-trust="data/points.csv"]');
      await notice.waitFor();
      assert.equal(await notice.locator('h1').textContent(), 'Restricted Mode: the data waits for trust');
      assert.match((await notice.textContent())!, /This network's samples are in "data\/points\.csv", which is read once you trust this folder/);
      await notice.getByRole('button', { name: 'Manage Workspace Trust' }).click();
      assert.deepEqual((await fresh.posted()).at(-1), { type: 'manageTrust' });
      await notice.getByRole('button', { name: 'Show in the text' }).click();
      assert.deepEqual((await fresh.posted()).at(-1), { type: 'goToError' });
      await screenshot(page, 'webview-waits-for-trust');
      // Trusted: the host's next check has no problem, and the notice goes.
      await fresh.send({ type: 'problem', problem: null, notNetwork: false, empty: false });
      assert.equal(await page.locator('[data-waits-for-trust]').count(), 0);
      assert.equal(await notice.isVisible(), false);
    } finally {
      await fresh.close();
    }
    // Over a graph shown before: a banner saying the same, with the same action.
    await view.send(waits);
    const banner = view.page.locator('.banner[role="alert"][data-waits-for-trust="data/points.csv"]');
    await banner.waitFor();
    assert.match((await banner.textContent())!, /^Restricted Mode: This network's samples are in "data\/points\.csv"/);
    await banner.getByRole('button', { name: 'Manage Workspace Trust' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'manageTrust' });
  });

  it('shows an invalid file as a banner with its position, keeps the graph dimmed, and asks the host to go there', async () => {
    const { page } = view;
    await view.send(broken('unknown activation "softplu"', 7, 38, 200, 9));
    const banner = page.locator('.banner[role="alert"]');
    assert.match((await banner.textContent())!, /unknown activation "softplu".*line 7, column 38/);
    assert.equal(await page.locator('#app.stale').count(), 1, 'the last graph stays, dimmed');
    assert.equal(await page.locator('[data-param="w3"]').count(), 1);
    await banner.locator('vscode-button').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'goToError' });
    await screenshot(page, 'webview-invalid');
    await show(view, dosage);
    assert.equal(await banner.isVisible(), false);
    assert.equal(await page.locator('#app.stale').count(), 0);
  });

  it('explains what a network file is when the file is something else', async () => {
    const fresh = await openWebview('light', chromium());
    try {
      await fresh.send(broken('the file must be a network object, not an array', 1, 1, 0, 1, true));
      const panel = fresh.page.locator('.not-network');
      assert.match((await panel.textContent())!, /This file is not a network.*"inputs", "outputs", "layers"/);
      await panel.locator('vscode-button', { hasText: 'Open an example network' }).click();
      assert.deepEqual((await fresh.posted()).at(-1), { type: 'openExample' });
    } finally {
      await fresh.close();
    }
  });

  it('keeps the answer in view in the pinned inspector: the products and the sum, whatever folds', async () => {
    const { page } = view;
    await page.setViewportSize({ width: 1600, height: 1000 });
    for (const [name, param] of [['dosage-all.nn.json', 'w1'], ['classifier.nn.json', 'w1'], ['xor.nn.json', 'w1']]) {
      await show(view, example(name));
      await view.send({ type: 'pin', parameter: param });
      const pinned = page.locator(`.inspector .explanation[data-explains="${param}"]`);
      await pinned.waitFor();
      // Open every summed factor's paths: they must not push the answer out of view either.
      for (const button of await pinned.locator('.expand').all()) await button.click();
      const inspector = (await page.locator('.inspector').boundingBox())!;
      const answers = await pinned.locator('.product, .sum-value').all();
      assert.ok(answers.length > 2);
      for (const cell of answers) {
        const box = (await cell.boundingBox())!;
        assert.ok(box.x >= inspector.x && box.x + box.width <= inspector.x + inspector.width + 0.5, `${name}: ${await cell.textContent()} at x ${box.x.toFixed(0)}..${(box.x + box.width).toFixed(0)}, inspector ${inspector.x.toFixed(0)}..${(inspector.x + inspector.width).toFixed(0)}`);
      }
      // The folded data columns come back on request.
      const fold = pinned.locator('button.fold');
      if (await pinned.evaluate((e) => e.classList.contains('fold-data'))) {
        await fold.click();
        assert.equal(await pinned.locator('th.col-data').first().isVisible(), true);
      }
      await screenshot(page, `webview-inspector-${name.replace('.nn.json', '')}`);
    }
  });

  it('writes nothing on a card smaller than the editor font less 2 px (scripts in proportion)', async () => {
    const { page } = view;
    await show(view, example('dosage-all.nn.json'));
    await view.send({ type: 'pin', parameter: 'w1' });
    await page.locator('.inspector .explanation[data-explains="w1"]').waitFor();

    const smallest = await page.evaluate(() => {
      let min = { size: Infinity, text: '' };
      for (const root of Array.from(document.querySelectorAll('.inspector .explanation, [role="tooltip"] .card-content'))) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement!;
          if (!/[^\s\u200b]/.test(n.textContent!) || el.closest('.katex-mathml') || el.getClientRects().length === 0) continue;
          const size = parseFloat(getComputedStyle(el).fontSize);
          if (size < min.size) min = { size, text: n.textContent! };
        }
      }
      return min;
    });
    // The editor font is 14 px in the test theme: text at 12 px or more, math scripts at 70% of that.
    assert.ok(smallest.size >= 12 * 0.7 - 0.05, `"${smallest.text}" at ${smallest.size} px`);
  });

  it('writes powers of ten as ×10^n in formulas, never as "e"', async () => {
    const { page } = view;
    const tiny = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8').replace('[[-1.22, -2.30]]', '[[-1.22e-7, -2.30]]'));
    await show(view, tiny);
    await view.send({ type: 'pin', parameter: 'w3' });
    const title = page.locator('.inspector .card-title');
    await title.waitFor();
    assert.match((await title.locator('annotation').textContent())!, /-1\.220 \\times 10\^\{-7\}/);
    assert.doesNotMatch((await page.locator('.inspector .explanation .katex-html').allTextContents()).join(' '), /\de\s*[−-]\s*\d/);
  });

  it('keeps the toolbar one size whatever the status says, with the legend beside the graph', async () => {
    const { page } = view;
    await page.setViewportSize({ width: 1600, height: 1000 });
    const heights = async (): Promise<number[]> => [(await page.locator('.toolbar').boundingBox())!.height, (await page.locator('.graph-host').boundingBox())!.y];
    const quiet = await heights();
    await show(view, dosage, (f) => ({ ...f, step: 1234567, loss: 1.2345678e-12, stopReason: 'diverged' }));
    await page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    assert.deepEqual(await heights(), quiet, 'no jump for a long status or gradients mode');
    assert.equal(await page.locator('.toolbar .legend, .toolbar .mode-label').count(), 0, 'no legend in the toolbar');
    const legend = page.locator('.graph-host details.legend');
    await legend.locator('summary').click();
    assert.match((await legend.textContent())!, /positive gradient dSSR\/dw.*▲ ▼ the way gradient descent moves it/);
    // <details> fires its toggle event as a task after the click: wait for the state it saves.
    await page.waitForFunction(() => (globalThis as unknown as { __state?: { legend?: boolean } }).__state?.legend === true);
  });

  it('enables the controls only where they can act', async () => {
    const { page } = view;
    const disabled = (): Promise<Record<string, boolean>> => page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('[data-control]'), (b) => [b.getAttribute('data-control'), b.hasAttribute('disabled')])));
    const all = (on: boolean): Record<string, boolean> => Object.fromEntries(['continue', 'step', 'step-into', 'step-out', 'step-back', 'reverse-continue', 'reset', 'go-to', 'write'].map((c) => [c, !on]));
    assert.deepEqual(await disabled(), { ...all(true), 'step-out': true, 'step-back': true, 'reverse-continue': true, reset: true }, 'at step 0: nothing to step back to, no step to step out of');
    await show(view, dosage, (f) => ({ ...f, step: 3 }));
    assert.deepEqual(await disabled(), { ...all(true), 'step-out': true });
    await show(view, dosage, (f) => ({ ...f, step: 3, phase: { kind: 'forward', layer: 1 } }));
    assert.deepEqual(await disabled(), all(true), 'inside a step: Step Out finishes it');
    await show(view, dosage, (f) => ({ ...f, step: 3, running: true }));
    const others = Object.fromEntries(Object.entries(all(false)).filter(([c]) => c !== 'continue'));
    assert.deepEqual(await disabled(), { ...others, pause: false }, 'while running: only Pause (Continue turned into it)');
    assert.equal(await page.locator('[data-control="pause"]').getAttribute('title'), 'Pause (F6)');
    await show(view, dosage, (f) => ({ ...f, step: 3 }));
    // The exact write (the rounded one is in the editor's title menu and the palette: the
    // toolbar keeps one line at 1280 px).
    await page.locator('[data-control="write"]').click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'writeParameters' });
    await view.send(broken('invalid JSON', 1, 2, 1, 1));
    assert.deepEqual(await disabled(), all(false), 'a broken file: nothing to train');
    await page.locator('[data-control="step"]').click({ force: true });
    assert.ok((await view.posted()).every((m) => m.type !== 'control'), 'a disabled control posts nothing');
  });

  it("opens in the notation the file asks for, unless the person chose one", async () => {
    const fresh = await openWebview('dark', chromium());
    try {
      await show(fresh, example('3b1b-chain.nn.json'));
      assert.equal(await fresh.page.locator('vscode-toolbar-button[title^="3Blue1Brown"]').evaluate((b) => (b as unknown as { checked: boolean }).checked), true);
      assert.equal(await fresh.page.locator('[data-unit="1,1"] .node-label').textContent(), 'a(1)0 sigmoid');
      // The person's choice wins over the file's, and is saved.
      await fresh.page.locator('vscode-toolbar-button[title^="StatQuest"]').click();
      await show(fresh, example('3b1b-chain.nn.json'));
      assert.equal(await fresh.page.locator('[data-unit="1,1"] .node-label').textContent(), 'y(1)1 sigmoid');
    } finally {
      await fresh.close();
    }
  });

  it('offers to create a network in an empty file', async () => {
    const fresh = await openWebview('light', chromium());
    try {
      await fresh.send(broken('the file is empty: expected a network object', 1, 1, 0, 0, true, true));
      const panel = fresh.page.locator('.not-network');
      assert.match((await panel.textContent())!, /This file is empty/);
      await panel.locator('vscode-button', { hasText: 'Create a network here' }).click();
      assert.deepEqual((await fresh.posted()).at(-1), { type: 'newNetwork' });
      await screenshot(fresh.page, 'webview-empty-file');
    } finally {
      await fresh.close();
    }
  });

  it('shows the softmax probabilities beside the scores of a cross-entropy network', async () => {
    const { page } = view;
    const classifier = example('classifier.nn.json');
    await show(view, classifier);
    await view.send({ type: 'pin', parameter: 'w1' });
    const pinned = page.locator('.inspector .explanation[data-explains="w1"]');
    await pinned.waitFor();
    if (await pinned.evaluate((e) => e.classList.contains('fold-data'))) await pinned.locator('button.fold').click();
    const probabilities = await pinned.locator('tr[data-sample="1"] .probability').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('title'))));
    assert.equal(probabilities.length, 3);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    const headers = await pinned.locator('th.col-data').evaluateAll((ths) => ths.map((th) => th.getAttribute('title')));
    assert.ok(headers.some((h) => /score before the softmax/.test(h ?? '')) && headers.some((h) => /softmax's probability of red/.test(h ?? '')), headers.join(' | '));
  });

  it('marks the view the host has saved, so a reload keeps it', async () => {
    await view.send({ type: 'viewStateSaved', state: { mode: 'gradients', notation: 'statquest', pinned: 'w3' } });
    assert.equal(await view.page.locator('#app').getAttribute('data-view-saved'), JSON.stringify({ mode: 'gradients', notation: 'statquest', pinned: 'w3' }));
  });

  // 1-30-30-1: 960 edges (still SVG), 1021 parameters x 10 samples: past EXPLAIN_ALL_LIMIT.
  const big = (): Network => loadNetwork(JSON.stringify({ inputs: ['x'], outputs: ['y'], layers: [{ units: 30, activation: 'tanh' }, { units: 30, activation: 'tanh' }, { units: 1, activation: 'identity' }], data: Array.from({ length: 10 }, (_, i) => ({ x: i / 10, y: i / 10 })) }));
  /** The page's last request to the host, once it has made one. */
  const lastRequest = async (): Promise<Extract<WebviewMessage, { type: 'request' }>> => {
    await view.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'request'));
    return (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: 'request' }> => m.type === 'request').at(-1)!;
  };

  it('asks the host for explanations of a large network, one at a time, on a channel of its own', async () => {
    const net = big();
    const trainer = new Trainer(net);
    await show(view, net);
    await view.page.locator('[data-param="w45"]').focus();
    const request = await lastRequest();
    assert.deepEqual([request.kind, request.params], ['explain', { parameter: 'w45' }]);
    // A reply on another channel (a page this one replaced) with the same number settles nothing.
    await view.send({ type: 'reply', channel: 'an-older-page-1', id: request.id, ok: true, value: explainView(net, trainer, 'w1') });
    await view.send({ type: 'reply', channel: request.channel, id: request.id, ok: true, value: explainView(net, trainer, 'w45') });
    await view.page.locator('[role="tooltip"] .active.explanation[data-explains="w45"]').waitFor();
    assert.equal(await view.page.locator('[role="tooltip"] .explanation[data-explains="w1"]').count(), 0);
  });

  it('says so when a request fails, instead of computing for ever', async () => {
    await show(view, big());
    await view.page.locator('[data-param="w45"]').focus();
    const request = await lastRequest();
    await view.send({ type: 'reply', channel: request.channel, id: request.id, ok: false, error: 'no network is loaded for run 3\n    at handle (worker.js:1:1)' });
    await view.page.locator('[role="tooltip"] .active.card-waiting', { hasText: 'w45: could not be computed (no network is loaded for run 3)' }).waitFor();
  });

  it('while training runs, asks nothing and shows the watched explanations the host sends, saying their step', async () => {
    const net = big();
    const session = new TrainingSession(net);
    await show(view, net, (f) => ({ ...f, running: true }));
    await view.page.locator('[data-param="w45"]').focus();
    await view.page.locator('[role="tooltip"] .active.card-waiting', { hasText: 'its numbers come with the next update' }).waitFor();
    const watched = (await view.posted()).filter((m) => m.type === 'watch').at(-1);
    assert.deepEqual(watched, { type: 'watch', parameters: ['w45'] });
    for (let i = 0; i < 5; i++) session.step();
    const at5 = explainView(net, session.trainer, 'w45')!;
    for (let i = 0; i < 5; i++) session.step();
    await view.send({ type: 'frame', frame: { ...buildFrame(session, true, []) } });
    await view.page.locator('#app[data-step="10"]').waitFor();
    await view.send({ type: 'explained', explained: { kind: 'watched', step: 5, explanations: { w45: at5 } } });
    const card = view.page.locator('[role="tooltip"] .active.explanation[data-explains="w45"]');
    await card.locator('.card-step', { hasText: 'At step 5: training has gone on' }).waitFor();
    assert.equal(await card.getAttribute('data-step'), '5');
    assert.deepEqual((await view.posted()).filter((m) => m.type === 'request'), [], 'no request while training runs');
  });

  it('draws thousands of edges on a canvas and still hovers them', async () => {
    const big = canvasNetwork();
    await show(view, big);
    assert.equal(await view.page.locator('canvas.edge-canvas').isVisible(), true);
    assert.equal(await view.page.locator('.edge').count(), 0, 'no SVG edges');
    assert.equal(await view.page.locator('.bias').count(), 64 + 64 + 10);
    await screenshot(view.page, 'webview-large');
    // The keyboard reaches canvas edges as it reaches SVG ones: Tab walks w1, w2, ... and each is
    // explained as it is reached; Enter pins; Tab past the last weight goes on to the biases.
    const { page } = view;
    const proxy = page.locator('.edge-proxy');
    await proxy.focus();
    // Explained as hovering explains it: the page asks the host for that parameter's explanation.
    const watched = async (): Promise<string[] | undefined> => (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: 'watch' }> => m.type === 'watch').at(-1)?.parameters;
    assert.deepEqual(await watched(), ['w1']);
    assert.equal(await proxy.getAttribute('data-param'), 'w1');
    await page.keyboard.press('Tab');
    assert.equal(await proxy.getAttribute('data-param'), 'w2');
    assert.deepEqual(await watched(), ['w2']);
    assert.match((await proxy.getAttribute('aria-label'))!, /^weight w2 of 8,832, value /);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await proxy.getAttribute('data-param'), 'w1');
    await page.keyboard.press('End');
    assert.equal(await proxy.getAttribute('data-param'), 'w8832');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#app').getAttribute('data-pinned'), 'w8832');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-param')), 'b1');
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
    await show(view, huge);
    await view.page.locator('[data-unit="2,1"]').waitFor();
    await view.page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    assert.equal(await view.page.locator('canvas.edge-canvas').isVisible(), true);
  });

  it("Step Into with Adam on batches: the forward pass dims the samples outside the batch, the update shows Adam's state and the new values", async () => {
    const { page } = view;
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-adam.nn.json'), 'utf8'));
    const net = loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, batchSize: 2 } }));
    const session = new TrainingSession(net);
    session.step();
    // The batch step 2 trains on (the second of epoch 1: one sample, as three do not split in twos).
    const rows = new Int32Array(3);
    const batch = Array.from(rows.subarray(0, session.trainer.batches.batchOf(1, rows)), (i) => i + 1);
    session.stepInto();
    await show(view, net, (f) => f, session);
    const panel = page.locator('section.phase-panel');
    assert.match((await panel.locator('.batch-note').textContent())!, new RegExp(`batch of samples? ${batch.join(', ')}`));
    const dimmed = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.classList.contains('out-of-batch')));
    assert.deepEqual(dimmed, [1, 2, 3].map((i) => !batch.includes(i)));
    while (session.phase?.kind !== 'update') session.stepInto();
    await show(view, net, (f) => f, session);
    await page.locator('#app[data-phase="update"]').waitFor();
    assert.match((await panel.locator('p.card-note').first().textContent())!, /^Adam \(learning rate 0\.05\), batches of 2 shuffled \(seed 0\): m = β1 × m/);
    assert.deepEqual(await panel.locator('thead th').allTextContents(), ['parameter', 'old', 'g', 'm before', 'v before', 'm', 'v', 'm̂', 'v̂', 'lr × m̂ / (√v̂ + ε)', 'new']);
    const next = new Trainer(net);
    next.step();
    next.step();
    const w3 = (await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')))).find((r) => r[0] === 'w3')!;
    assert.equal(w3[w3.length - 1], fmt(next.params[findParameter(net, 'w3')!.index]), 'the new value is the one the step gives');
    // The graph's labels move each parameter by Adam's rule, not by lr × g.
    for (const name of ['w1', 'w3', 'b3']) {
      const after = next.params[findParameter(net, name)!.index];
      assert.match((await page.locator(`.edge-label[data-for="${name}"], [data-param="${name}"] text`).first().textContent())!, new RegExp(`→ ${signed(after, 3).replace(/[+.]/g, '\\$&')}$`), name);
    }
    await screenshot(page, 'webview-step-into-adam-update');
  });

  it("walks Step Into's phases: the layer at work in the current-line colour, what is not computed yet faded, and cards that say so", async () => {
    const { page } = view;
    const net = example('dosage-all.nn.json');
    const session = new TrainingSession(net);
    const at = async (): Promise<{ phase: string; current: string[]; pending: string[]; band: string | null; status: string | null }> => page.evaluate(() => ({
      phase: document.querySelector('#app')!.getAttribute('data-phase') ?? '',
      current: Array.from(document.querySelectorAll('.phase-current'), (e) => e.getAttribute('data-unit') ?? e.getAttribute('data-param') ?? '?'),
      pending: Array.from(document.querySelectorAll('.pending'), (e) => e.getAttribute('data-unit') ?? e.getAttribute('data-param') ?? '?'),
      band: document.querySelector('.phase-band')!.getAttribute('visibility'),
      status: document.querySelector('[role="status"]')!.textContent,
    }));
    const into = async (): Promise<void> => { const stop = session.stepInto(); await show(view, net, (f) => f, session); assert.equal((await at()).status, stop.text); };

    await into();
    let s = await at();
    assert.deepEqual([s.phase, s.current, s.pending, s.band], ['forward 1', ['1,1', '1,2'], ['2,1'], 'visible']);
    assert.equal(s.status, 'Paused at step 0, in the forward pass, layer 1');
    // Beside the graph, the layer's x and y for every sample, as the trainer computed them.
    const panel = page.locator('section.phase-panel');
    const rows = async (): Promise<string[][]> => panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')));
    assert.equal(await panel.locator('.inspector-heading').textContent(), 'Forward pass, layer 1');
    assert.deepEqual(await panel.locator('thead th').allTextContents(), ['i', 'x1', 'y1', 'x2', 'y2']);
    const [x1, y1] = [session.trainer.x[0], session.trainer.y[0]];
    assert.deepEqual((await rows())[1], ['2', fmt(x1[2]), fmt(y1[2]), fmt(x1[3]), fmt(y1[3])]);
    // The output's card: the forward pass has not reached it. The pointer goes to the circle (where
    // its own Σ is drawn), not to the middle of the unit and its wide caption.
    await page.locator('[data-unit="2,1"] .node-shape').hover({ force: true });
    assert.match((await page.locator('[role="tooltip"] .active').textContent())!, /has not reached layer 2 yet/);

    await into();
    assert.deepEqual((await at()).current, ['2,1'], 'forward, layer 2: the output');
    await into();
    assert.equal((await at()).phase, 'loss');
    // Each sample's residual, observed − predicted, and its square.
    assert.deepEqual((await rows()).map((r) => r[3]), [0, 1, 2].map((i) => fmt(net.data.targets[i] - session.trainer.y[1][i])));
    // Gradients mode: the error flows backwards, layer 2 first; layer 1 waits, faded, and its cards say so.
    await page.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    await into();
    s = await at();
    assert.deepEqual([s.phase, s.current.sort(), s.pending.sort()], ['backward 2', ['b3', 'w3', 'w4'], ['b1', 'b2', 'w1', 'w2']]);
    await page.locator('.edge-label[data-for="w1"]').hover();
    const card = page.locator('[role="tooltip"] .active');
    assert.match((await card.textContent())!, /backward pass, which has not reached layer 1 yet/);
    assert.equal(await card.locator('.card-derivative').count(), 0, 'no derivative before it is computed');
    await into();
    s = await at();
    assert.deepEqual([s.phase, s.current.sort(), s.pending], ['backward 1', ['b1', 'b2', 'w1', 'w2'], []]);
    await screenshot(page, 'webview-step-into-backward');

    // The update: every trainable parameter moves, old -> new, in its label.
    await into();
    s = await at();
    assert.equal(s.phase, 'update');
    const b3 = session.trainer.params[findParameter(net, 'b3')!.index];
    const db3 = session.trainer.gradients[findParameter(net, 'b3')!.index];
    const next = b3 - net.training.learningRate * db3;
    assert.ok((await page.locator('.edge-label[data-for="w3"], [data-param="b3"] .bias-label').allTextContents()).includes(`b3 ${signed(b3, 3)} → ${signed(next, 3)}`));
    assert.deepEqual((await rows()).find((r) => r[0] === 'b3'), ['b3', fmt(b3), fmt(next - b3), fmt(next)]);
    await screenshot(page, 'webview-step-into-update');
    // Past the update the step is taken: step 1, no phase, nothing highlighted.
    await into();
    s = await at();
    assert.deepEqual([s.phase, s.current, s.pending, s.band, s.status], ['', [], [], 'hidden', 'Paused at step 1']);
    assert.equal(await page.locator('#app').getAttribute('data-step'), '1');
  });

  it('keeps the breakpoints the host sends: add, edit in place with the error under it, hit condition, toggle, remove, built-ins', async () => {
    const { page } = view;
    const session = new TrainingSession(dosage);
    const posted = async (): Promise<WebviewMessage & { type: 'setBreakpoints' }> => {
      const m = (await view.posted()).filter((x) => x.type === 'setBreakpoints').at(-1);
      assert.ok(m && m.type === 'setBreakpoints', 'the page sent its breakpoints');
      return m;
    };
    /** The host's part: set what the page sent, send back the list with the worker's verdicts. */
    const answer = async (specs: BreakpointSpec[], builtins = defaultBuiltins()): Promise<void> => {
      const statuses = session.setBreakpoints(specs, builtins);
      await sendBreakpoints(view, breakpointsView(specs, builtins, statuses));
    };
    await answer([]);
    const panel = page.locator('.bp-panel');
    assert.match((await panel.locator('.bp-empty').textContent())!, /No breakpoints/);

    await panel.locator('button[aria-label^="Add a breakpoint"]').click();
    await page.locator('.bp-input').fill('abs(dw1) > 10 && step > 100');
    await page.locator('.bp-hit-input').fill('>= 2');
    await page.locator('.bp-input').press('Enter');
    let sent = await posted();
    assert.deepEqual(sent.specs, [{ id: 'bp1', enabled: true, hitCondition: '>= 2', kind: 'condition', expression: 'abs(dw1) > 10 && step > 100' }]);
    await answer(sent.specs, sent.builtins);
    const row = panel.locator('.bp-row[data-breakpoint="bp1"]');
    assert.deepEqual(await row.locator('.bp-label, .bp-hits').allTextContents(), ['abs(dw1) > 10 && step > 100', 'on hit >= 2 · hits 0']);

    // Edit in place: a malformed condition keeps its row, with the error and its column under it.
    await row.locator('.bp-label').dblclick();
    await page.locator('.bp-input').fill('abs(dw1 > 10');
    await page.locator('.bp-input').press('Enter');
    sent = await posted();
    await answer(sent.specs, sent.builtins);
    assert.equal(await row.getAttribute('class'), 'bp-row unverified');
    assert.match((await panel.locator('.bp-error[role="alert"]').textContent())!, /column \d+: expected/);
    await row.locator('.bp-label').dblclick();
    await page.locator('.bp-input').fill('dw9 > 1');
    await page.locator('.bp-input').press('Enter');
    sent = await posted();
    await answer(sent.specs, sent.builtins);
    assert.match((await panel.locator('.bp-error').textContent())!, /did you mean dw\d\?/);
    // Escape leaves an edit as it was.
    await row.locator('.bp-label').dblclick();
    await page.locator('.bp-input').fill('step > 5');
    const before = (await view.posted()).length;
    await page.locator('.bp-input').press('Escape');
    assert.equal((await view.posted()).length, before, 'Escape sends nothing');
    assert.equal(await row.locator('.bp-label').textContent(), 'dw9 > 1');

    // A step breakpoint and a watch, typed as a person would.
    await panel.locator('button[aria-label^="Add a breakpoint"]').click();
    await page.locator('.bp-input').fill('10');
    await page.locator('.bp-input').press('Enter');
    sent = await posted();
    await answer(sent.specs, sent.builtins);
    await panel.locator('button[aria-label^="Add a breakpoint"]').click();
    await page.locator('.bp-input').fill('watch w3 crosses 0.5');
    await page.locator('.bp-input').press('Enter');
    sent = await posted();
    assert.deepEqual(sent.specs.slice(1), [{ id: 'bp2', enabled: true, kind: 'step', step: 10 }, { id: 'bp3', enabled: true, kind: 'watch', parameter: 'w3', watch: 'cross', value: 0.5 }]);
    await answer(sent.specs, sent.builtins);
    assert.deepEqual(await panel.locator('.bp-label').allTextContents(), ['dw9 > 1', 'step 10', 'w3 crosses 0.5']);

    // Toggle and remove, each by a named control.
    await panel.locator('.bp-row[data-breakpoint="bp2"] [role="checkbox"]').click();
    sent = await posted();
    assert.equal(sent.specs.find((x) => x.id === 'bp2')!.enabled, false);
    await answer(sent.specs, sent.builtins);
    assert.equal(await panel.locator('.bp-row[data-breakpoint="bp2"] [role="checkbox"]').getAttribute('aria-checked'), 'false');
    await panel.locator('button[aria-label="Remove the breakpoint dw9 > 1"]').click();
    sent = await posted();
    assert.deepEqual(sent.specs.map((x) => x.id), ['bp2', 'bp3']);
    await answer(sent.specs, sent.builtins);

    // A built-in condition: switched on, its threshold changed; a threshold that is not a number is refused where it was typed.
    // They are folded under one line that says which are on.
    assert.equal(await panel.locator('.bp-builtins-section > summary').textContent(), 'Built-in conditions: Converged');
    await panel.locator('.bp-builtins-section > summary').click();
    await panel.locator('[data-builtin="plateau"] input[type="checkbox"]').check();
    sent = await posted();
    assert.equal(sent.builtins.plateau.enabled, true);
    await answer(sent.specs, sent.builtins);
    const threshold = panel.locator('[data-builtin="plateau"] .bp-threshold');
    await threshold.fill('lots');
    await threshold.press('Enter');
    assert.equal(await threshold.getAttribute('aria-invalid'), 'true');
    await threshold.fill('500');
    await threshold.press('Enter');
    sent = await posted();
    assert.equal(sent.builtins.plateau.threshold, 500);
    await answer(sent.specs, sent.builtins);

    // The breakpoint the run stopped on is marked, and the stop says why.
    const specs = sent.specs.map((x) => ({ ...x, enabled: true }));
    session.setBreakpoints(specs, sent.builtins);
    const stop = runToStop(session);
    await show(view, dosage, (f) => f, session);
    await answer(specs, sent.builtins);
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(await panel.locator('.bp-row.hit').getAttribute('data-breakpoint'), stop.hits[0].id);
    assert.match((await panel.locator('.bp-row.hit .bp-hits').textContent())!, /hits 1$/, 'the count comes with the frame');
    assert.equal(await page.locator('[role="status"]').textContent(), stop.text);
    await screenshot(page, 'webview-breakpoints');
  });

  it('leaves a breakpoint being typed alone while Continue sends frames', async () => {
    const { page } = view;
    const session = new TrainingSession(dosage);
    await sendBreakpoints(view, breakpointsView([], defaultBuiltins(), session.setBreakpoints([], defaultBuiltins())));
    await page.locator('.bp-panel button[aria-label^="Add a breakpoint"]').click();
    const input = page.locator('.bp-input');
    await input.pressSequentially('loss <');
    for (let i = 1; i <= 3; i++) {
      session.step();
      await show(view, dosage, (f) => ({ ...f, running: true }), session);
    }
    assert.equal(await input.inputValue(), 'loss <');
    assert.equal(await input.evaluate((e) => e === document.activeElement), true, 'still focused');
    await input.pressSequentially(' 0.5');
    assert.equal(await input.inputValue(), 'loss < 0.5');
  });

  it('says a condition holds already, so it will not stop until it next becomes true, and offers to stop while it holds', async () => {
    const { page } = view;
    const session = new TrainingSession(dosage);
    const specs: BreakpointSpec[] = [{ id: 'bp1', enabled: true, kind: 'condition', expression: 'loss < 100' }, { id: 'bp2', enabled: true, kind: 'condition', expression: 'loss < 0.01' }];
    await sendBreakpoints(view, breakpointsView(specs, defaultBuiltins(), session.setBreakpoints(specs, defaultBuiltins())));
    await show(view, dosage, (f) => ({ ...f, breakpoints: session.breakpointStatus() }), session);
    const note = page.locator('.bp-note');
    await note.waitFor();
    assert.equal(await note.count(), 1, 'only the condition that holds');
    assert.match((await note.textContent())!, /^true now: stops when it next becomes true/);
    await note.locator('button', { hasText: 'stop while true' }).click();
    const sent = (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: 'setBreakpoints' }> => m.type === 'setBreakpoints').at(-1)!;
    assert.deepEqual(sent.specs[0], { id: 'bp1', enabled: true, kind: 'condition', expression: 'loss < 100', whileTrue: true });
    assert.deepEqual(sent.specs[1], specs[1]);
  });

  it('draws a phase and the breakpoints list in the light theme too, in its own colours', async () => {
    const light = await openWebview('light', chromium());
    try {
      const net = example('dosage-all.nn.json');
      const session = new TrainingSession(net);
      const specs: BreakpointSpec[] = [{ id: 'bp1', enabled: true, kind: 'condition', expression: 'abs(dw1 > 10' }, { id: 'bp2', enabled: false, kind: 'step', step: 175 }];
      await sendBreakpoints(light, breakpointsView(specs, defaultBuiltins(), session.setBreakpoints(specs, defaultBuiltins())));
      for (let i = 0; i < 4; i++) session.stepInto();
      await show(light, net, (f) => f, session);
      const colours = await light.page.evaluate(() => ({
        band: getComputedStyle(document.querySelector('.phase-band')!).fill,
        background: getComputedStyle(document.body).backgroundColor,
        error: getComputedStyle(document.querySelector('.bp-error')!).color,
      }));
      // The light theme's current-line colour (not the dark one's), and an error colour that is not the page's.
      assert.notEqual(colours.band, 'none');
      assert.notEqual(colours.error, colours.background);
      assert.equal(await light.page.locator('#app').getAttribute('data-phase'), 'backward 2');
      await screenshot(light.page, 'webview-debugger-light');
    } finally {
      await light.close();
    }
  });

  it('says where Continue paused, and asks for a step to go to', async () => {
    const { page } = view;
    const session = new TrainingSession(dosage);
    session.goTo(40);
    await show(view, dosage, (f) => ({ ...f, running: true }), session);
    assert.equal(await page.locator('[role="status"]').textContent(), 'Running from step 40');
    const stop = session.pause();
    await show(view, dosage, (f) => f, session);
    assert.equal(await page.locator('[role="status"]').textContent(), 'Paused at step 40');
    assert.equal(stop.text, 'Paused at step 40');
    await page.locator('[data-control="go-to"]').click();
    const input = page.locator('input[aria-label="Go to step"]');
    const hint = page.locator('#' + (await input.getAttribute('aria-describedby'))!);
    assert.equal(await hint.textContent(), '0 to 40 kept; beyond trains on');
    await input.fill('ten');
    await input.press('Enter');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await hint.textContent(), 'a whole number, 0 or more');
    await input.fill('900');
    assert.equal(await hint.textContent(), 'Trains on from step 40 to 900');
    assert.equal(await input.getAttribute('aria-invalid'), null);
    await input.fill('12');
    await input.press('Enter');
    const goTo = (await view.posted()).at(-1) as Extract<WebviewMessage, { type: 'goTo' }>;
    assert.deepEqual({ ...goTo, at: undefined, sent: undefined }, { type: 'goTo', step: 12, at: undefined, sent: undefined });
    // When the person pressed Enter and when the page sent it, for measuring where the time goes
    // (ControlTiming): a moment ago, in that order, on the clock every process shares.
    assert.ok(goTo.at! <= goTo.sent! && goTo.sent! <= Date.now() + 1 && goTo.at! > Date.now() - 60_000, JSON.stringify(goTo));
  });
});
