/**
 * Continue and Pause as the editor runs them: the extension's own training worker (dist/worker.js)
 * driven through the same Run the extension host's editors, commands and status bar share. Measures
 * the steps per second Continue reaches (bare, and with breakpoints armed), how quickly the worker
 * answers while it trains, how long Pause takes (in the worker and at the host), and how long the
 * host's event loop is ever held up.
 */
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RunRegistry } from '../src/run/registry';
import type { Run } from '../src/run/run';
import type { BreakpointSpec, BuiltinSettings } from '../src/session/breakpointTypes';
import { TrainingWorker } from '../src/training/client';
import type { ChartRequest } from '../src/session/chartTypes';

export interface EditorFigures {
  stepsPerSecond: number;
  /** How often the charts' data came while Continue ran (0 without charts). */
  chartFrames: number;
  medianCommandMs: number;
  maxCommandMs: number;
  maxEventLoopDelayMs: number;
}

export interface PauseFigures {
  rounds: number;
  /** From the host sending Pause to the worker having stopped (the wait for the slice to end, and the stop's frame). */
  workerMedianMs: number;
  workerWorstMs: number;
  /** From the host sending Pause to the run at the host having the stop (what every view then shows). */
  hostMedianMs: number;
  hostWorstMs: number;
  /** Frames that arrived after a stop: each would move the page past the step it stopped at. */
  framesAfterStop: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** A clock both threads share: performance.now() counts from each thread's own start. */
const wallClock = (): number => performance.timeOrigin + performance.now();

/** A run of `text` in a worker of its own, as an editor holds one. */
async function openRun(text: string, breakpoints: BreakpointSpec[] = []): Promise<{ run: Run; worker: TrainingWorker; close(): Promise<void> }> {
  const worker = new TrainingWorker(path.resolve(__dirname, '..', 'dist', 'worker.js'), (m) => console.error(m));
  let saved: { specs: BreakpointSpec[]; builtins: BuiltinSettings } | undefined;
  const registry = new RunRegistry(worker, () => ({ load: () => saved, save: (specs, builtins) => { saved = { specs, builtins }; } }));
  const attachment = registry.attach('bench:/network.nn.json', 'network.nn.json');
  const { run } = attachment;
  const outcome = await run.setText(text);
  if (outcome !== 'loaded') throw new Error(`the bench's network did not load: ${run.problem}`);
  if (breakpoints.length > 0) {
    const statuses = await run.setBreakpoints(breakpoints);
    const broken = statuses.find((s) => !s.verified);
    if (broken) throw new Error(`a bench breakpoint does not compile: ${broken.message}`);
  }
  return { run, worker, close: async () => { attachment.dispose(); await worker.dispose(); } };
}

/** `text` is a network file whose stopping rules will not fire during the run; `breakpoints` are armed but never hit. */
export async function benchEditorContinue(text: string, seconds: number, breakpoints: BreakpointSpec[] = [], charts: ChartRequest | null = null, watched: string[] = []): Promise<EditorFigures> {
  const { run, worker, close } = await openRun(text, breakpoints);
  if (charts) await run.setCharts(run, charts);
  // A page with these pinned or hovered: their explanations come during Continue.
  if (watched.length) await run.setWatched(run, watched);
  const frames: { at: number; step: number; running: boolean }[] = [];
  run.onFrame.on((f) => frames.push({ at: performance.now(), step: f.step, running: f.running }));
  let chartFrames = 0;
  let measuring = false;
  run.onCharts.on(() => { if (measuring) chartFrames++; });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  await run.control('continue');
  await sleep(300); // let the worker's JIT settle before measuring
  delay.enable();
  measuring = true;
  const from = frames.length;
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const { ms, running } = await worker.ping();
    if (running > 0) latencies.push(ms);
    await sleep(10);
  }
  delay.disable();
  measuring = false;
  const stop = await run.control('pause');
  if (stop?.reason !== 'pause') throw new Error(`Continue stopped by itself (${stop?.text ?? 'nothing to pause'}): the measurement is not of Continue`);
  await close();
  const during = frames.slice(from).filter((f) => f.running);
  if (during.length < 2) throw new Error('Continue sent fewer than two frames');
  const a = during[0];
  const b = during[during.length - 1];
  latencies.sort((x, y) => x - y);
  return {
    stepsPerSecond: (b.step - a.step) / ((b.at - a.at) / 1000),
    chartFrames,
    medianCommandMs: latencies[latencies.length >> 1],
    maxCommandMs: latencies[latencies.length - 1],
    maxEventLoopDelayMs: delay.max / 1e6,
  };
}

/**
 * Pause under Continue, `rounds` times: Continue, let it run a while, Pause. The worker's figure is
 * from sending Pause to the worker's stop (its `stoppedAt`, on the clock both threads share); the
 * host's is to the moment the run at the host has the stop. Then waits a while for frames that
 * should not come.
 */
export async function benchPause(text: string, rounds: number): Promise<PauseFigures> {
  const { run, close } = await openRun(text);
  const worker: number[] = [];
  const host: number[] = [];
  let framesAfterStop = 0;
  let stopped = false;
  run.onFrame.on(() => { if (stopped) framesAfterStop++; });
  for (let i = 0; i < rounds; i++) {
    stopped = false;
    await run.control('continue');
    await sleep(20 + ((i * 37) % 60));
    const sent = wallClock();
    const atHost = new Promise<number>((resolve) => { const once = run.onStopped.on(() => { once.dispose(); resolve(wallClock()); }); });
    const stop = await run.control('pause');
    const hostAt = await atHost;
    stopped = true;
    if (stop?.reason !== 'pause' || stop.stoppedAt === undefined) throw new Error(`Pause did not pause: ${stop?.text ?? 'nothing was running'}`);
    worker.push(stop.stoppedAt - sent);
    host.push(hostAt - sent);
    await sleep(60); // a frame still on its way would arrive in this time
  }
  await close();
  return {
    rounds,
    workerMedianMs: median(worker), workerWorstMs: Math.max(...worker),
    hostMedianMs: median(host), hostWorstMs: Math.max(...host),
    framesAfterStop,
  };
}

/**
 * Pause while Go to Step trains far ahead (a jump of a million steps past the newest), `rounds`
 * times: the same figures as benchPause, for a motion that is not Continue. On a large network one
 * step is one uninterruptible engine call, so a slice holds at least one step.
 */
export async function benchPauseDuringGoTo(text: string, rounds: number): Promise<PauseFigures> {
  const { run, close } = await openRun(text);
  const worker: number[] = [];
  const host: number[] = [];
  let framesAfterStop = 0;
  let stopped = false;
  run.onFrame.on(() => { if (stopped) framesAfterStop++; });
  for (let i = 0; i < rounds; i++) {
    stopped = false;
    const from = run.frame?.step ?? 0;
    const started = await run.goTo(from + 1_000_000);
    if (started) throw new Error(`Go to Step ended at once: ${started.text}`);
    await sleep(100 + ((i * 37) % 100));
    const sent = wallClock();
    const atHost = new Promise<number>((resolve) => { const once = run.onStopped.on(() => { once.dispose(); resolve(wallClock()); }); });
    const stop = await run.control('pause');
    const hostAt = await atHost;
    stopped = true;
    if (stop?.reason !== 'pause' || stop.stoppedAt === undefined) throw new Error(`Pause did not stop the jump: ${stop?.text ?? 'nothing was under way'}`);
    worker.push(stop.stoppedAt - sent);
    host.push(hostAt - sent);
    await sleep(60);
  }
  await close();
  return {
    rounds,
    workerMedianMs: median(worker), workerWorstMs: Math.max(...worker),
    hostMedianMs: median(host), hostWorstMs: Math.max(...host),
    framesAfterStop,
  };
}
