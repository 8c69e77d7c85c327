/**
 * Continue as the editor runs it: the extension's own training worker (dist/worker.js) driven by the
 * same client the extension host uses. Measures the steps per second Continue reaches, how quickly
 * the worker answers a command while it trains, and how long the host's event loop is ever held up.
 */
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TrainingWorker } from '../src/training/client';
import type { NetworkModel } from '../src/protocol';

export interface EditorFigures {
  stepsPerSecond: number;
  medianCommandMs: number;
  maxCommandMs: number;
  maxEventLoopDelayMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `text` is a network file whose stopping rules will not fire during the run. */
export async function benchEditorContinue(text: string, seconds: number): Promise<EditorFigures> {
  const worker = new TrainingWorker(path.resolve(__dirname, '..', 'dist', 'worker.js'), (m) => console.error(m));
  const frames: { at: number; step: number; running: boolean }[] = [];
  let loaded: () => void = () => undefined;
  const first = new Promise<void>((resolve) => { loaded = resolve; });
  const handle = worker.open({
    frame: (m: NetworkModel) => { frames.push({ at: performance.now(), step: m.step, running: m.training.running }); loaded(); },
    error: (m) => console.error(m),
  });
  handle.load(text);
  await first;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  handle.control('continue');
  await sleep(300); // let the worker's JIT settle before measuring
  delay.enable();
  const from = frames.length;
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const { ms, running } = await worker.ping();
    if (running > 0) latencies.push(ms);
    await sleep(10);
  }
  delay.disable();
  handle.control('pause');
  await sleep(50);
  await worker.dispose();
  const during = frames.slice(from).filter((f) => f.running);
  if (during.length < 2) throw new Error('Continue sent fewer than two frames');
  const a = during[0];
  const b = during[during.length - 1];
  latencies.sort((x, y) => x - y);
  return {
    stepsPerSecond: (b.step - a.step) / ((b.at - a.at) / 1000),
    medianCommandMs: latencies[latencies.length >> 1],
    maxCommandMs: latencies[latencies.length - 1],
    maxEventLoopDelayMs: delay.max / 1e6,
  };
}
