/**
 * Pause, Step and Step Back as a person sees them: clicked in the network editor's page in a real
 * VS Code (code-server + Chromium, as the end-to-end tests run it), timed at every hop on the one
 * clock every process here shares (epoch milliseconds): the page's click event, the host reading
 * the page's message, the worker reading the host's request, the worker's answer, the host having
 * it, the host posting it to the page, the page having it, its status line changing, the frame that
 * paints it. The frame that answers a control carries the hops (ControlTiming); the page adds its
 * own and says them in data-control-timing. Run by bench.ts as a process of its own
 * (`node out/bench/vscodePause.js [rounds] [--quick]`, compiled by tsc); prints one JSON object.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXAMPLE_FILES } from '../src/exampleFiles';
import { dataFilesOf, SeededRandom } from '../src/core';
import type { ControlTiming } from '../src/session/views';
import { type Frame, launchVSCode, openGraph, type Page, ROOT, until, waitForWorkbench } from '../test/harness/vscode';
import { HOPS } from './hops';

/** What the page says of the last control it drew (see recordTiming in webview/main.ts). */
type PageTiming = ControlTiming & { pageReceived: number; shown: number; painted: number; step: number; running: boolean };


export interface ControlFigures {
  network: string;
  control: 'pause' | 'step' | 'stepBack' | 'goTo';
  charts: boolean;
  rounds: number;
  /** Click to paint, the person's figure. */
  medianMs: number;
  worstMs: number;
  /** The median of each hop (from the hop before it), by the name of the hop it reaches. */
  hops: Record<string, number>;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** A network file whose stopping rules never fire, so Continue runs until Pause. */
function endless(text: string): string {
  const file = JSON.parse(text);
  file.training = { ...file.training, maxSteps: 1e12, minStepSize: 0 };
  return JSON.stringify(file, null, 2);
}

/** A dense network with seeded data, as bench.ts builds its cases. */
function dense(widths: number[], activation: string, samples: number, seed: number): string {
  const random = new SeededRandom(seed);
  const nIn = widths[0];
  const nOut = widths[widths.length - 1];
  return JSON.stringify({
    inputs: Array.from({ length: nIn }, (_, k) => `x${k + 1}`),
    outputs: Array.from({ length: nOut }, (_, k) => `y${k + 1}`),
    layers: widths.slice(1).map((units, l) => ({ units, activation: l === widths.length - 2 ? 'identity' : activation })),
    init: { weights: 'glorot', biases: 0, seed },
    data: { inputs: Array.from({ length: samples }, () => Array.from({ length: nIn }, () => random.next() * 2 - 1)), targets: Array.from({ length: samples }, () => Array.from({ length: nOut }, () => random.next())) },
    loss: 'ssr',
    training: { learningRate: 0.2 / (samples * nOut), maxSteps: 1e12, minStepSize: 0 },
  });
}

async function timing(frame: Frame, after: number, test: (t: PageTiming) => boolean): Promise<PageTiming> {
  let found: PageTiming | undefined;
  await until('the page to draw the control\'s answer', async () => {
    const raw = await frame.locator('#app').getAttribute('data-control-timing');
    const t = raw ? (JSON.parse(raw) as PageTiming) : undefined;
    if (t && (t.clicked ?? 0) >= after && test(t)) found = t;
    return found !== undefined;
  }, 60_000);
  return found!;
}

const attr = (frame: Frame, name: string): Promise<string | null> => frame.locator('#app').getAttribute(name);

/** Folds or opens every chart panel, as a person would with their headers. */
async function setCharts(frame: Frame, open: boolean): Promise<void> {
  const folds = frame.locator(`.chart-panel .chart-fold[aria-expanded="${open ? 'false' : 'true'}"]`);
  for (let n = await folds.count(); n > 0; n = await folds.count()) await folds.first().click();
}

function figures(network: string, control: ControlFigures['control'], charts: boolean, samples: PageTiming[]): ControlFigures {
  const hops: Record<string, number> = {};
  for (let i = 1; i < HOPS.length; i++) {
    const values = samples.map((t) => (t[HOPS[i]] ?? NaN) - (t[HOPS[i - 1]] ?? NaN)).filter((v) => Number.isFinite(v));
    hops[HOPS[i]] = values.length ? median(values) : NaN;
  }
  const totals = samples.map((t) => t.painted - t.clicked!);
  return { network, control, charts, rounds: samples.length, medianMs: median(totals), worstMs: Math.max(...totals), hops };
}

async function rounds(page: Page, frame: Frame, name: string, charts: boolean, count: number, large: boolean): Promise<ControlFigures[]> {
  await setCharts(frame, charts);
  const pauses: PageTiming[] = [];
  const steps: PageTiming[] = [];
  const backs: PageTiming[] = [];
  for (let i = 0; i < count; i++) {
    const from = Number(await attr(frame, 'data-step'));
    await frame.locator('[data-control="continue"]').click();
    await until('Continue to be under way', async () => (await attr(frame, 'data-running')) === 'true' && Number(await attr(frame, 'data-step')) > from + (large ? 2 : 200), 60_000);
    await page.waitForTimeout(150 + ((i * 53) % 200));
    let before = Date.now();
    await frame.locator('[data-control="pause"]').click();
    pauses.push(await timing(frame, before - 5, (t) => !t.running));
    before = Date.now();
    const at = Number(await attr(frame, 'data-step'));
    await frame.locator('[data-control="step"]').click();
    steps.push(await timing(frame, before - 5, (t) => !t.running && t.step === at + 1));
    before = Date.now();
    await frame.locator('[data-control="step-back"]').click();
    backs.push(await timing(frame, before - 5, (t) => !t.running && t.step === at));
  }
  return [figures(name, 'pause', charts, pauses), figures(name, 'step', charts, steps), figures(name, 'stepBack', charts, backs)];
}

/** Go to Step far ahead on a large network: click (Enter) to the first progress painted, then Pause. */
async function goToRounds(page: Page, frame: Frame, name: string, count: number): Promise<ControlFigures> {
  const firsts: PageTiming[] = [];
  for (let i = 0; i < count; i++) {
    const from = Number(await attr(frame, 'data-step'));
    await frame.locator('[data-control="go-to"]').click();
    const input = frame.locator('.goto-input');
    await input.fill(String(from + 1_000_000));
    const before = Date.now();
    await input.press('Enter');
    firsts.push(await timing(frame, before - 5, (t) => t.running));
    await frame.locator('[data-control="pause"]').click();
    await until('the jump to stop', async () => (await attr(frame, 'data-running')) === 'false', 60_000);
    await page.waitForTimeout(50);
  }
  return figures(name, 'goTo', false, firsts);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 5);
  const workspace = mkdtempSync(path.join(tmpdir(), 'backprop-bench-pause-'));
  const files: { file: string; name: string; large: boolean }[] = [];
  for (const example of EXAMPLE_FILES) {
    const text = readFileSync(path.join(ROOT, 'examples', example), 'utf8');
    writeFileSync(path.join(workspace, example), endless(text));
    // The data files it names (points.csv) go beside it, as Open Example Network copies them.
    for (const data of dataFilesOf(text)) copyFileSync(path.join(ROOT, 'examples', data), path.join(workspace, data));
    files.push({ file: example, name: example.replace('.nn.json', ''), large: false });
  }
  writeFileSync(path.join(workspace, 'two-inputs-2-3-5-3.nn.json'), dense([2, 3, 5, 3], 'tanh', 4, 21));
  files.push({ file: 'two-inputs-2-3-5-3.nn.json', name: '2-3-5-3, 4 samples', large: false });
  writeFileSync(path.join(workspace, 'large-784-128-64-10.nn.json'), dense([784, 128, 64, 10], 'tanh', 256, 13));
  files.push({ file: 'large-784-128-64-10.nn.json', name: '784-128-64-10, 256 samples', large: true });

  // BENCH_NETWORKS=classifier,xor measures those alone (a name's start).
  const only = process.env.BENCH_NETWORKS?.split(',');
  if (only) files.splice(0, files.length, ...files.filter((f) => only.some((o) => f.name.startsWith(o))));
  const session = await launchVSCode({ workspace, installExtension: true, settings: { 'files.autoSave': 'off' } });
  const results: ControlFigures[] = [];
  try {
    const { page } = session;
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(session.url);
    await waitForWorkbench(page);
    for (const f of files) {
      const frame = await openGraph(page, f.file, f.large ? '[data-control="continue"]' : '[data-param="w1"]');
      for (const charts of f.large ? [false] : [true, false]) results.push(...await rounds(page, frame, f.name, charts, f.large ? Math.max(3, count >> 1) : count, f.large));
      if (f.large) results.push(await goToRounds(page, frame, f.name, Math.max(3, count >> 1)));
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+P');
      await page.locator('.quick-input-widget input').fill('>View: Close All Editors');
      await page.keyboard.press('Enter');
    }
  } finally {
    await session.close();
  }
  console.log(JSON.stringify(results));
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exitCode = 1;
});
