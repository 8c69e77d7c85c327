/**
 * What the host sends to put the page in a state a person meets: a network shown at rest, with its
 * explanations; the charts drawn. Shared by the webview suites.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, type Network } from '../../src/core';
import { CHART_PANELS, type ChartData, type ChartPanel, DEFAULT_RACE } from '../../src/session/chartTypes';
import { SessionCharts } from '../../src/session/charts';
import { buildFrame, buildStructure, carriesExplanations, stopExplained } from '../../src/session/frame';
import { TrainingSession } from '../../src/session/training';
import type { BreakpointsView, TrainingFrame } from '../../src/protocol';
import { ROOT } from '../harness/vscode';
import { diskDataReader } from '../../src/diskDataFiles';
import type { WebviewPage } from './page';

export const example = (name: string): Network => {
  const file = path.join(ROOT, 'examples', name);
  return loadNetwork(readFileSync(file, 'utf8'), { readFile: diskDataReader(file) });
};
export const ALL_PANELS: ChartPanel[] = [...CHART_PANELS];

/** What the host sends when it shows `net`: its structure, then a frame of `session` (a new one at step 0 unless given), changed by `tweak`. */
export async function show(view: WebviewPage, net: Network, tweak: (f: TrainingFrame) => TrainingFrame = (f) => f, session = new TrainingSession(net)): Promise<void> {
  const frame = tweak(buildFrame(session, false, [], view.sentCount('frame') + 1));
  await view.send({ type: 'problem', problem: null, notNetwork: false, empty: false });
  await view.send({ type: 'structure', structure: buildStructure(net), why: null });
  await view.send({ type: 'frame', frame });
  // A running frame is drawn on the next animation frame: wait for the page to have drawn this one
  // (it counts the frames it was sent), not one before it at the same step.
  await view.page.locator(`#app[data-frame-seq="${view.sentCount('frame')}"][data-step="${frame.step}"][data-running="${frame.running}"]`).waitFor();
  // A stopped teaching network's explanations follow its frame, as the worker sends them.
  if (!frame.running && carriesExplanations(net)) await view.send({ type: 'explained', explained: stopExplained(session, frame.seq) });
}

/** The charts, sent and drawn. */
export async function sendCharts(view: WebviewPage, charts: ChartData): Promise<void> {
  await view.send({ type: 'charts', charts });
  await view.page.locator(`.chart-strip[data-drawn-seq="${view.sentCount('charts')}"]`).waitFor();
}

/** Shows `session` with `panels` open and the charts the worker would send for `parameters`, drawn. */
export async function showCharts(view: WebviewPage, session: TrainingSession, parameters: string[] = [], panels = ALL_PANELS, charts = new SessionCharts(session)): Promise<ChartData> {
  await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: panels, place: 'below', size: 340, second: parameters[1] ?? null, logScale: false } } });
  await view.send({ type: 'problem', problem: null, notNetwork: false, empty: false });
  await view.send({ type: 'structure', structure: buildStructure(session.network), why: null });
  const frame = buildFrame(session, false, []);
  await view.send({ type: 'frame', frame });
  await view.page.locator(`#app[data-step="${frame.step}"]`).waitFor();
  const data = charts.compute({ panels, parameters, optimizers: [...DEFAULT_RACE] });
  await sendCharts(view, data);
  for (const p of panels) await view.page.locator(`.chart-panel[data-panel="${p}"] canvas[aria-label]`).waitFor({ state: 'attached' });
  return data;
}

/** The breakpoints list the host sends, once the page has drawn it (it handles a message in a task of its own). */
export async function sendBreakpoints(view: WebviewPage, breakpoints: BreakpointsView): Promise<void> {
  await view.send({ type: 'breakpoints', breakpoints });
  await view.page.locator(`#app[data-breakpoints-seq="${view.sentCount('breakpoints')}"]`).waitFor();
}

/** A 64-64-64-10 network: 8,832 weights, past the canvas threshold, so its edges are drawn on the canvas. */
export function canvasNetwork(): Network {
  const widths = [64, 64, 64, 10];
  return loadNetwork(JSON.stringify({
    inputs: Array.from({ length: widths[0] }, (_, k) => `x${k}`), outputs: Array.from({ length: 10 }, (_, k) => `y${k}`),
    layers: widths.slice(1).map((units, l) => ({ units, activation: l === 2 ? 'identity' : 'sigmoid' })),
    data: { inputs: [Array(64).fill(0.5)], targets: [Array(10).fill(0.1)] },
  }));
}
