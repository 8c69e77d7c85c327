/**
 * The chart strip drawing in headless Chromium (the real webview bundle, as the webview tests load
 * it): a dosage run with a million steps of history, every panel open, refreshed as Continue
 * refreshes it. Measures how long the page takes to draw the charts it is sent (the loss thinned
 * to 1,000 points in the worker) while Continue runs: a frame is 16 ms. Run by bench.ts as a process of its own
 * (`node out/bench/webview.js`, compiled by tsc) so it finds the test harness's files where tsc
 * put them; prints one JSON object.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork } from '../src/core';
import { SessionCharts } from '../src/session/charts';
import { buildFrame, buildStructure } from '../src/session/frame';
import { TrainingSession } from '../src/session/training';
import { launchBrowser, ROOT } from '../test/harness/vscode';
import { openWebview } from '../test/webview/page';
import { EVERY_PANEL } from './charts';
import type { ChartPanel, ChartRequest } from '../src/session/chartTypes';

/** The longest a panel took to draw in each refresh (one panel is drawn per animation frame). */
export interface DrawFigures {
  panels: string[];
  steps: number;
  draws: number;
  medianMs: number;
  worstMs: number;
}

async function main(): Promise<void> {
  const draws = Number(process.argv[2] ?? 20);
  const panels = (process.argv[3] ?? EVERY_PANEL.panels.join(',')).split(',') as ChartPanel[];
  const request: ChartRequest = { panels, parameters: EVERY_PANEL.parameters };
  const file = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8'));
  file.training = { ...file.training, maxSteps: 1e12, minStepSize: 0 };
  const net = loadNetwork(JSON.stringify(file));
  const session = new TrainingSession(net);
  session.goTo(1_000_000);
  const charts = new SessionCharts(session);
  const { browser } = await launchBrowser();
  try {
    const view = await openWebview('dark', browser);
    await view.page.setViewportSize({ width: 1600, height: 1000 });
    await view.send({ type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, charts: { open: panels, place: 'below', size: 360, second: 'b3', logScale: false } } });
    await view.send({ type: 'problem', problem: null, notNetwork: false, empty: false });
    await view.send({ type: 'structure', structure: buildStructure(net), why: null });
    const times: number[] = [];
    for (let i = 0; i <= draws; i++) {
      if (i > 0) for (let k = 0; k < 1000; k++) session.step();
      // Frames as Continue sends them: running (the page draws them in animation frames, and builds no cards).
      const frame = buildFrame(session, i > 0, []);
      await view.send({ type: 'frame', frame });
      await view.send({ type: 'charts', charts: charts.compute(request) });
      await view.page.locator(`.chart-strip[data-drawn-step="${frame.step}"]`).waitFor();
      // The first draw creates the charts; the rest update them, as Continue does.
      if (i > 0) times.push(Number(await view.page.locator('.chart-strip').getAttribute('data-draw-ms')));
    }
    times.sort((a, b) => a - b);
    const figures: DrawFigures = { panels, steps: session.trainer.stepCount, draws: times.length, medianMs: times[times.length >> 1], worstMs: times[times.length - 1] };
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
