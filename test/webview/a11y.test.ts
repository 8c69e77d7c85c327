/**
 * The network editor against the rules accessibility testers use: axe-core run on the real bundle
 * in headless Chromium, with its default rules (best practices included), in every state a person
 * meets. Each state is its own test, failing with the violations it finds.
 */
import assert from 'node:assert/strict';
import { EXAMPLE_FILES } from '../../src/exampleFiles';
import { breakpointsView } from '../../src/session/breakpoints';
import { type BreakpointSpec, defaultBuiltins } from '../../src/session/breakpointTypes';
import { TrainingSession } from '../../src/session/training';
import { SessionCharts } from '../../src/session/charts';
import { axeViolations, describeViolations } from './axe';
import { openWebview, useChromium, type WebviewPage } from './page';
import { ALL_PANELS, canvasNetwork, example, sendBreakpoints, show, showCharts } from './scenes';
import type { ThemeName } from './themes';

/** Fails with every violation axe finds in the page as it is now. */
async function expectAccessible(view: WebviewPage, state: string, disabled: Record<string, string> = {}): Promise<void> {
  const violations = await axeViolations(view, disabled);
  assert.equal(violations.length, 0, `${state}:\n${describeViolations(violations)}`);
}

/** The host's message for a file that is not (yet) a valid network. */
const problem = (message: string, notNetwork: boolean, empty: boolean) =>
  ({ type: 'problem', problem: { message, line: 1, column: 1, offset: 0, length: 1 }, notNetwork, empty }) as const;

describe('accessible by axe-core in every state of the network editor (Chromium)', function () {
  // axe reads the whole page each time (a few seconds with a card open): a limit, not a measure.
  this.timeout(180_000);
  let view: WebviewPage;
  const chromium = useChromium('a11y', () => view);

  afterEach(async () => {
    await view.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as ThemeName[]) {
    it(`at rest in each example, in the ${theme} theme`, async () => {
      view = await openWebview(theme, chromium());
      for (const name of EXAMPLE_FILES) {
        await show(view, example(name));
        await view.page.locator('#app[data-cards-ready]').waitFor();
        await expectAccessible(view, `${name} (${theme})`);
      }
    });
  }

  it('with a parameter hovered, and pinned with its data folded and unfolded and a factor opened into its paths', async () => {
    view = await openWebview('dark', chromium());
    await show(view, example('classifier.nn.json'));
    await view.page.locator('#app[data-cards-ready]').waitFor();
    const { page } = view;
    await page.locator('.edge-label[data-for="w1"]').hover({ timeout: 5000 });
    await page.locator('[role="tooltip"] .active').waitFor({ timeout: 5000 });
    await expectAccessible(view, 'w1 hovered');
    await page.locator('[data-param="w1"]').first().focus();
    await page.keyboard.press('Enter');
    const pinned = page.locator('.inspector .explanation[data-explains="w1"]');
    await pinned.waitFor({ timeout: 5000 });
    await expectAccessible(view, 'w1 pinned, data folded');
    await pinned.locator('.fold').first().click({ timeout: 5000 });
    await expectAccessible(view, 'w1 pinned, data unfolded');
    await pinned.locator('tr[data-sample="1"] .expand').click({ timeout: 5000 });
    await pinned.locator('tr[data-sample="1"] .expand[aria-expanded="true"]').waitFor();
    await expectAccessible(view, 'w1 pinned, a factor opened into its paths');
  });

  it("inside each of Step Into's phases", async () => {
    view = await openWebview('dark', chromium());
    const net = example('dosage-all.nn.json');
    const session = new TrainingSession(net);
    await show(view, net, (f) => f, session);
    for (let i = 0; i < 5; i++) {
      const stop = session.stepInto();
      await show(view, net, (f) => f, session);
      await view.page.locator('#app[data-phase]:not([data-phase=""])').waitFor();
      await expectAccessible(view, stop.text);
    }
  });

  it('with the breakpoints list adding, editing, showing a malformed condition, and a condition that holds', async () => {
    view = await openWebview('dark', chromium());
    const net = example('dosage-all.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 10; i++) session.step();
    await show(view, net, (f) => f, session);
    const send = async (specs: BreakpointSpec[]): Promise<void> => sendBreakpoints(view, breakpointsView(specs, defaultBuiltins(), session.setBreakpoints(specs, defaultBuiltins())));
    await send([]);
    const { page } = view;
    await expectAccessible(view, 'no breakpoints');
    await page.locator('.bp-panel button[aria-label^="Add a breakpoint"]').click();
    await page.locator('.bp-input').waitFor();
    await expectAccessible(view, 'adding a breakpoint');
    await send([
      { id: 'bp1', kind: 'step', step: 175, enabled: true },
      { id: 'bp2', kind: 'condition', expression: 'loss <', enabled: true },
      { id: 'bp3', kind: 'condition', expression: 'loss < 100', enabled: true },
    ]);
    // Whether a condition holds now comes with the frame.
    await show(view, net, (f) => ({ ...f, breakpoints: session.breakpointStatus() }), session);
    await page.locator('.bp-error').waitFor();
    await page.locator('.bp-note button').waitFor();
    await expectAccessible(view, 'a malformed condition, and one that holds now');
    await page.locator('.bp-row[data-breakpoint="bp1"] .bp-label').dblclick();
    await page.locator('.bp-input').waitFor();
    await expectAccessible(view, 'editing a breakpoint');
    await page.locator('.bp-builtins-section > summary').click();
    await expectAccessible(view, 'the built-in conditions unfolded');
  });

  it("with each unit's picture drawn, a unit's enlarged picture shown by hover and by focus, and curves for one input", async () => {
    for (const [name, theme] of [['xor.nn.json', 'dark'], ['classifier.nn.json', 'light'], ['dosage-all.nn.json', 'high-contrast']] as [string, ThemeName][]) {
      view = await openWebview(theme, chromium());
      const session = new TrainingSession(example(name));
      for (let i = 0; i < 100; i++) session.step();
      await show(view, session.network, (f) => f, session);
      await view.send({ type: 'charts', charts: new SessionCharts(session).compute({ panels: [], parameters: [], units: true }) });
      await view.page.locator(`svg.graph[data-maps-seq="${view.sentCount('charts')}"]`).waitFor();
      await view.page.locator('#app[data-cards-ready]').waitFor();
      await expectAccessible(view, `${name}'s pictures (${theme})`);
      const last = `${session.network.layers.length},1`;
      await view.page.locator(`.node[data-unit="${last}"] ${name.startsWith('dosage') ? '> .node-shape' : '.unit-map'}`).hover();
      await view.page.locator(`[role="tooltip"] .active .unit-zoom[data-unit="${last}"]`).waitFor();
      await expectAccessible(view, `${name}'s output's picture enlarged by hover (${theme})`);
      await view.page.mouse.move(2, 2);
      await view.page.locator('.node[data-unit="1,1"]').focus();
      await view.page.locator('[role="tooltip"] .active .unit-zoom[data-unit="1,1"]').waitFor();
      await expectAccessible(view, `${name}'s first unit's picture enlarged by focus (${theme})`);
      if (name !== 'dosage-all.nn.json') await view.close();
    }
  });

  it('with every chart panel open, and after exporting one', async () => {
    view = await openWebview('dark', chromium());
    const session = new TrainingSession(example('dosage-all.nn.json'));
    for (let i = 0; i < 50; i++) session.step();
    await showCharts(view, session, ['b3'], ALL_PANELS);
    await expectAccessible(view, 'every panel open');
    await view.page.locator('.chart-panel[data-panel="loss"] button[aria-label="Save the chart as a PNG picture"]').click();
    await view.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'export'));
    await expectAccessible(view, 'after an export');
    await showCharts(view, new TrainingSession(example('xor.nn.json')), [], ALL_PANELS);
    await expectAccessible(view, 'every panel open, a two-input heat map');
  });

  it('with the problem banner, and in the not-a-network and empty-file states', async () => {
    view = await openWebview('dark', chromium());
    await show(view, example('dosage-b3.nn.json'));
    await view.send(problem("invalid JSON: expected ',', found '\"training\"'", false, false));
    await view.page.locator('.banner[role="alert"]').waitFor();
    await expectAccessible(view, 'the problem banner over the last graph', {
      // The last graph stays, dimmed and inert under the banner that says why (its controls are
      // disabled): WCAG 1.4.3 exempts the text of inactive components from the contrast minimum.
      // Everything else in this state is checked, the banner's own contrast included.
      'color-contrast': 'the stale graph is inactive',
    });
    const fresh = await openWebview('light', chromium());
    try {
      await fresh.send(problem('the file must be a network object, not an array', true, false));
      await fresh.page.locator('.not-network').waitFor();
      await expectAccessible(fresh, 'not a network');
      await fresh.send(problem('the file is empty: expected a network object', true, true));
      await fresh.page.locator('.not-network', { hasText: 'This file is empty' }).waitFor();
      await expectAccessible(fresh, 'an empty file');
      await fresh.send({ ...problem('cannot read "points.csv": this folder is in Restricted Mode', false, false), waitsForTrust: 'points.csv' });
      await fresh.page.locator('.not-network[data-waits-for-trust="points.csv"]').waitFor();
      await expectAccessible(fresh, 'a data file waiting for Workspace Trust');
    } finally {
      await fresh.close();
    }
  });

  it('with thousands of edges drawn on the canvas', async () => {
    view = await openWebview('dark', chromium());
    const big = canvasNetwork();
    await show(view, big);
    await view.page.locator('canvas.edge-canvas').waitFor();
    await expectAccessible(view, 'a 64-64-64-10 network');
  });
});
