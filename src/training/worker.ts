/**
 * The training worker: a worker thread that owns every run's training session, so Continue never
 * runs on the extension host's thread. On two cores there is one such worker.
 *
 * Continue runs in slices of a few milliseconds; between slices the worker's event loop reads new
 * messages, so Pause, Step Back or an explanation are answered within a slice. Breakpoints are
 * checked inside the slices, with no round trip.
 */
import { parentPort } from 'node:worker_threads';
import { difference, loadNetwork, type Network, NetworkFileError } from '../core';
import { buildFrame, buildStructure, explainView, unitView } from '../session/frame';
import { type Stop, TrainingSession } from '../session/training';
import { ExpressionError } from '../session/expr/parse';
import { layerStats } from '../session/inspect';
import { SAMPLE_BUDGET_MS, SessionCharts } from '../session/charts';
import type { ChartRequest } from '../session/chartTypes';
import type { FromWorker, Reply, RequestKind, RunEvent, ToWorker } from './protocol';

/** How long one round of Continue runs before the worker looks at its messages again. */
const SLICE_MS = 8;
/** The fastest frame rate during Continue; a frame that takes longer to build makes frames rarer. */
const FRAME_MS = 50;
/**
 * The fastest chart rate during Continue: charts cost more than a frame (sweeps, the fit, new
 * samples of the series), and each refresh spends at most a twentieth of the time training.
 */
const CHARTS_MS = 250;
/** While stopped, how soon the charts go on with samples a budgeted call left pending. */
const FOLLOW_UP_MS = 30;
/** During Continue, how soon after a page's request its charts come (with the next frame past it). */
const REQUEST_MS = 100;

interface Entry {
  session: TrainingSession;
  running: boolean;
  nextFrame: number;
  frameCost: number;
  /** Starting parameters the run may take as its own when a file says them: where it started, what it wrote. */
  known: Float64Array[];
  charts: SessionCharts;
  /** What the pages' charts ask for (null: no chart is open), and when Continue next refreshes them. */
  chartRequest: ChartRequest | null;
  nextCharts: number;
  /** A refresh of charts left pending while stopped. */
  followUp: ReturnType<typeof setTimeout> | undefined;
  /** Charts are due after the current message is answered. */
  chartsQueued: boolean;
}

function entryFor(session: TrainingSession, network: Network, chartRequest: ChartRequest | null): Entry {
  return { session, running: false, nextFrame: 0, frameCost: 0, known: [Float64Array.from(network.initialParameters)], charts: new SessionCharts(session), chartRequest, nextCharts: 0, followUp: undefined, chartsQueued: false };
}

const runs = new Map<number, Entry>();
let scheduled = false;

function send(message: FromWorker): void {
  parentPort!.postMessage(message);
}

function emit(run: number, event: RunEvent): void {
  send({ kind: 'event', run, event });
  if (event.type === 'charts') return;
  // After the reply to whatever made this frame (a stop answers Pause before its charts are drawn).
  const entry = runs.get(run);
  if (!entry?.chartRequest || entry.chartsQueued) return;
  entry.chartsQueued = true;
  setImmediate(() => { entry.chartsQueued = false; if (runs.get(run) === entry) chartsAfter(run); });
}

/**
 * The charts after a frame: at once when the run is stopped (or `force`), at most every CHARTS_MS
 * during Continue (less often when they cost more: a refresh takes at most a twentieth of the
 * time). Samples a call left pending follow while the run stays stopped.
 */
function chartsAfter(run: number, force = false): void {
  const entry = runs.get(run);
  if (!entry?.chartRequest) return;
  const started = performance.now();
  if (!force && entry.running && started < entry.nextCharts) return;
  clearTimeout(entry.followUp);
  const charts = entry.charts.compute(entry.chartRequest, SAMPLE_BUDGET_MS);
  const ended = performance.now();
  entry.nextCharts = ended + Math.max(CHARTS_MS, 20 * (ended - started));
  emit(run, { type: 'charts', charts });
  if (charts.pending && !entry.running) {
    entry.followUp = setTimeout(() => { if (runs.get(run) === entry && !entry.running) chartsAfter(run, true); }, FOLLOW_UP_MS);
  }
}

function frameOf(entry: Entry): RunEvent & { type: 'frame' } {
  const started = performance.now();
  const frame = buildFrame(entry.session, entry.running, entry.session.breakpoints.status());
  const ended = performance.now();
  entry.frameCost = ended - started;
  entry.nextFrame = ended + Math.max(FRAME_MS, 10 * entry.frameCost);
  return { type: 'frame', frame };
}

/** A control that ended at once: its stop, shown. */
function done(run: number, entry: Entry, stop: Stop): Stop {
  stopped(run, entry, stop);
  return stop;
}

function stopped(run: number, entry: Entry, stop: Stop): void {
  entry.running = false;
  if (stop.reason === 'breakpoint') entry.charts.hit(stop.step);
  stop.stoppedAt = performance.timeOrigin + performance.now();
  emit(run, { type: 'stopped', stop, frame: frameOf(entry).frame });
}

const clock = (): number => performance.now();

function tick(): void {
  scheduled = false;
  const running = [...runs].filter(([, e]) => e.running);
  if (running.length === 0) return;
  const slice = SLICE_MS / running.length;
  for (const [id, entry] of running) {
    const stop = entry.session.advance(slice, clock);
    if (stop) stopped(id, entry, stop);
    else if (performance.now() >= entry.nextFrame) emit(id, frameOf(entry));
  }
  schedule();
}

/**
 * What a control that may take long (Go to Step, Step Back, Reverse Continue) came to: its stop
 * when it ended at once, or null when it goes on in slices, as Continue does (its stop is an event).
 * Its first slice is worked here, so a short jump answers with its stop and no flash of "running".
 */
function started(run: number, entry: Entry, stop: Stop | null): Stop | null {
  const done = stop ?? entry.session.advance(SLICE_MS, clock);
  if (done) { stopped(run, entry, done); return done; }
  entry.running = true;
  entry.nextFrame = performance.now() + FRAME_MS;
  emit(run, { type: 'continued', frame: frameOf(entry).frame });
  schedule();
  return null;
}

function schedule(): void {
  if (scheduled || ![...runs.values()].some((e) => e.running)) return;
  scheduled = true;
  setImmediate(tick);
}

function entryOf(run: number): Entry {
  const entry = runs.get(run);
  if (!entry) throw new Error(`no network is loaded for run ${run}`);
  return entry;
}

function load(text: string, file: string): Network {
  try {
    return loadNetwork(text);
  } catch (e) {
    if (e instanceof NetworkFileError) throw new LoadError(e.format(file));
    throw e;
  }
}

class LoadError extends Error {}

/** Handles one request; its reply, typed by the request's kind. */
function handle<K extends RequestKind>(m: ToWorker & { kind: K }): Reply<K>;
function handle(m: ToWorker): unknown {
  switch (m.kind) {
    case 'ping':
      return { running: [...runs.values()].filter((e) => e.running).length };
    case 'load': {
      let network: Network;
      try {
        network = load(m.params.text, m.params.file);
      } catch (e) {
        if (e instanceof LoadError) return { ok: false, message: e.message };
        throw e;
      }
      const previous = runs.get(m.run);
      const session = new TrainingSession(network);
      session.setBreakpoints(m.params.breakpoints, m.params.builtins);
      const entry = entryFor(session, network, m.params.charts);
      runs.set(m.run, entry);
      if (previous?.running) previous.running = false;
      emit(m.run, { type: 'stopped', stop: session.lastStop, frame: frameOf(entry).frame });
      return { ok: true, structure: buildStructure(network) };
    }
    case 'update': {
      const entry = entryOf(m.run);
      let network: Network;
      try {
        network = load(m.params.text, 'network');
      } catch (e) {
        if (!(e instanceof LoadError)) throw e;
        // A broken edit stops Continue, in sight: the run waits where it is for a valid file.
        if (entry.running) stopped(m.run, entry, entry.session.pause());
        return { outcome: 'failed', message: e.message };
      }
      const d = difference(entry.session.network, network, entry.known);
      if (d.kind === 'restart') {
        const session = new TrainingSession(network);
        session.setBreakpoints(entry.session.breakpointSpecs, entry.session.builtinSettings);
        const fresh = entryFor(session, network, entry.chartRequest);
        runs.set(m.run, fresh);
        emit(m.run, { type: 'stopped', stop: session.lastStop, frame: frameOf(fresh).frame });
        return { outcome: 'restarted', structure: buildStructure(network), why: d.why };
      }
      if (d.kind === 'training') {
        // Continue goes on with the new settings; a jump through the old history ends here.
        const ended = entry.session.retrain(network);
        if (ended) stopped(m.run, entry, ended);
      } else entry.session.rename(network);
      emit(m.run, frameOf(entry));
      return { outcome: d.kind === 'training' ? 'retrained' : 'kept', structure: buildStructure(entry.session.network) };
    }
    case 'control': {
      const entry = entryOf(m.run);
      const s = entry.session;
      const action = m.params.action;
      if (action === 'continue') {
        if (entry.running) return null;
        const stop = s.startContinue();
        if (stop) { stopped(m.run, entry, stop); return stop; }
        entry.running = true;
        entry.nextFrame = performance.now() + FRAME_MS;
        emit(m.run, { type: 'continued', frame: frameOf(entry).frame });
        schedule();
        return null;
      }
      if (action === 'pause') {
        if (!entry.running) return null;
        const stop = s.pause();
        stopped(m.run, entry, stop);
        return stop;
      }
      if (entry.running) stopped(m.run, entry, s.pause());
      switch (action) {
        case 'step': return done(m.run, entry, s.step());
        case 'stepInto': return done(m.run, entry, s.stepInto());
        case 'stepOut': return done(m.run, entry, s.stepOut());
        case 'reset': return done(m.run, entry, s.reset());
        case 'stepBack': return started(m.run, entry, s.startStepBack(1));
        case 'reverseContinue': return started(m.run, entry, s.startReverseContinue());
        default: {
          const never: never = action;
          throw new Error(`unknown action ${String(never)}`);
        }
      }
    }
    case 'goTo': {
      const entry = entryOf(m.run);
      if (entry.running) stopped(m.run, entry, entry.session.pause());
      return started(m.run, entry, entry.session.startGoTo(m.params.step));
    }
    case 'setBreakpoints':
      return entryOf(m.run).session.setBreakpoints(m.params.breakpoints, m.params.builtins);
    case 'explain': {
      const entry = entryOf(m.run);
      return explainView(entry.session.network, entry.session.trainer, m.params.parameter);
    }
    case 'unit': {
      const entry = entryOf(m.run);
      return unitView(entry.session.network, entry.session.trainer, m.params.layer, m.params.unit);
    }
    case 'evaluate': {
      const entry = entryOf(m.run);
      try {
        return { ok: true, value: entry.session.evaluate(m.params.expression) };
      } catch (e) {
        if (e instanceof ExpressionError) return { ok: false, message: e.describe(), column: e.column };
        throw e;
      }
    }
    case 'setParameter': {
      const entry = entryOf(m.run);
      return done(m.run, entry, entry.session.setParameter(m.params.index, m.params.value));
    }
    case 'charts': {
      const entry = entryOf(m.run);
      entry.chartRequest = m.params.request;
      // A page that opens a panel or selects a parameter sees it at once; during Continue, with the
      // next frame at least REQUEST_MS after the last charts (hovering asks often).
      if (!m.params.request) clearTimeout(entry.followUp);
      else if (entry.running) entry.nextCharts = Math.min(entry.nextCharts, performance.now() + REQUEST_MS);
      else chartsAfter(m.run, true);
      return null;
    }
    case 'layerStats': {
      const { session } = entryOf(m.run);
      session.trainer.evaluate();
      const s = session.builtinSettings?.saturated;
      return layerStats(session.network, session.trainer.gradients, session.trainer.y, s?.threshold, s?.threshold2);
    }
    case 'slice': {
      const { trainer } = entryOf(m.run).session;
      const end = Math.min(trainer.params.length, m.params.start + m.params.count);
      return { values: Array.from(trainer.params.subarray(m.params.start, end)), gradients: Array.from(trainer.gradients.subarray(m.params.start, end)) };
    }
    case 'parameters': {
      const entry = entryOf(m.run);
      const params = Array.from(entry.session.trainer.params);
      entry.known.push(Float64Array.from(params));
      return params;
    }
    case 'close':
      clearTimeout(runs.get(m.run)?.followUp);
      runs.delete(m.run);
      return null;
    default: {
      const never: never = m;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

parentPort!.on('message', (m: ToWorker) => {
  try {
    send({ kind: 'reply', requestId: m.requestId, ok: true, value: handle(m) });
  } catch (e) {
    send({ kind: 'reply', requestId: m.requestId, ok: false, error: (e as Error).stack ?? String(e) });
  }
});
