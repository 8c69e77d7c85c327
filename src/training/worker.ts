/**
 * The training worker: a worker thread that owns every network editor's training session, so
 * Continue never runs on the extension host's thread. On two cores there is one such worker.
 *
 * Continue runs in slices of a few milliseconds; between slices the worker's event loop reads new
 * messages, so Pause, Step Back or an explanation are answered within a slice.
 */
import { parentPort } from 'node:worker_threads';
import { loadNetwork, NetworkFileError } from '../core';
import { TrainingSession } from '../session/training';
import { buildModel, explainView } from '../session/model';
import type { FromWorker, ToWorker } from './protocol';

/** How long one round of Continue runs before the worker looks at its messages again. */
const SLICE_MS = 8;
/** The fastest frame rate during Continue; a frame that takes longer to build makes frames rarer. */
const FRAME_MS = 50;

interface Entry {
  session: TrainingSession;
  running: boolean;
  nextFrame: number;
  frameCost: number;
}

const sessions = new Map<number, Entry>();
let scheduled = false;

function send(message: FromWorker): void {
  parentPort!.postMessage(message);
}

function frame(id: number, entry: Entry): void {
  const started = performance.now();
  const { session } = entry;
  const model = buildModel(session.network, session.trainer, {
    running: entry.running, stopReason: session.stopReason, earliest: session.history.baseStep, maxSteps: session.network.training.maxSteps,
  });
  send({ type: 'frame', id, model });
  const ended = performance.now();
  entry.frameCost = ended - started;
  entry.nextFrame = ended + Math.max(FRAME_MS, 10 * entry.frameCost);
}

function tick(): void {
  scheduled = false;
  const running = [...sessions].filter(([, e]) => e.running);
  if (running.length === 0) return;
  const slice = SLICE_MS / running.length;
  for (const [id, entry] of running) {
    const reason = entry.session.run(slice, () => performance.now());
    if (reason) entry.running = false;
    if (reason || performance.now() >= entry.nextFrame) frame(id, entry);
  }
  schedule();
}

function schedule(): void {
  if (scheduled || ![...sessions.values()].some((e) => e.running)) return;
  scheduled = true;
  setImmediate(tick);
}

function handle(m: ToWorker): void {
  if (m.type === 'ping') {
    send({ type: 'pong', requestId: m.requestId, running: [...sessions.values()].filter((e) => e.running).length });
    return;
  }
  if (m.type === 'load') {
    try {
      const session = new TrainingSession(loadNetwork(m.text));
      const entry: Entry = { session, running: false, nextFrame: 0, frameCost: 0 };
      sessions.set(m.id, entry);
      frame(m.id, entry);
    } catch (e) {
      sessions.delete(m.id);
      // The host shows the file's problems itself; this only happens if the text changed in between.
      send({ type: 'error', id: m.id, message: e instanceof NetworkFileError ? e.format(m.file) : (e as Error).message });
    }
    return;
  }
  if (m.type === 'close') {
    sessions.delete(m.id);
    return;
  }
  const entry = sessions.get(m.id);
  if (!entry) {
    if (m.type === 'explain') send({ type: 'explanation', id: m.id, requestId: m.requestId, explanation: null });
    return;
  }
  const { session } = entry;
  if (m.type === 'explain') {
    send({ type: 'explanation', id: m.id, requestId: m.requestId, explanation: explainView(session.network, session.trainer, m.parameter) });
    return;
  }
  switch (m.action) {
    case 'continue':
      if (entry.running) return;
      entry.running = true;
      entry.nextFrame = performance.now() + FRAME_MS;
      frame(m.id, entry);
      schedule();
      return;
    case 'pause':
      if (!entry.running) return;
      entry.running = false;
      session.stopReason = null;
      break;
    case 'step':
      entry.running = false;
      session.step();
      break;
    case 'stepBack':
      entry.running = false;
      session.stepBack(1);
      break;
    case 'reset':
      entry.running = false;
      session.reset();
      break;
  }
  frame(m.id, entry);
}

parentPort!.on('message', (m: ToWorker) => {
  try {
    handle(m);
  } catch (e) {
    send({ type: 'error', id: 'id' in m ? m.id : -1, message: (e as Error).stack ?? String(e) });
  }
});
