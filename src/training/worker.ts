/**
 * The training worker: a worker thread that owns every run's training session, so Continue never
 * runs on the extension host's thread. On two cores there is one such worker.
 *
 * Whatever can take long (Continue, Go to Step, Step Back across a replay, Reverse Continue) runs in
 * slices of a few milliseconds; between slices the worker's event loop reads new messages, so Pause,
 * another file's run or an explanation are answered within a slice. Breakpoints are checked inside
 * the slices, with no round trip.
 *
 * Every request gets a reply (or an error reply: the one request/reply helper, src/rpc.ts). What a
 * request made the run do is sent before its reply (a stop); what comes of what it started comes
 * after (frames, the stop that ends a motion), and what is costly and can wait (charts, the watched
 * explanations) after that, so Pause and Step are answered first.
 */
import { parentPort } from 'node:worker_threads';
import { type DataFiles, difference, type Limits, filesReader, HISTORY_DEFAULTS, loadNetwork, type Network, NetworkFileError, roundParameters, sameArray } from '../core';
import { buildFrame, buildStructure, carriesExplanations, explainingStop, explainView, unitView } from '../session/frame';
import { type Stop, TrainingSession } from '../session/training';
import { ExpressionError } from '../core/expr/parse';
import { layerStats } from '../session/inspect';
import { SAMPLE_BUDGET_MS, SessionCharts } from '../session/charts';
import type { ChartData, ChartRequest } from '../session/chartTypes';
import type { ControlTiming, ExplanationView } from '../session/views';
import { replyTo } from '../rpc';
import type { FromWorker, Reply, RequestKind, RunEvent, ToWorker } from './protocol';

/**
 * How long one round of slices runs before the worker looks at its messages again: what Pause waits
 * for at most (a large network's single step aside), and a tenth of the 50 ms a person's click may take.
 */
const SLICE_MS = 4;
/** The fastest frame rate during Continue; a frame that takes longer to build makes frames rarer. */
const FRAME_MS = 50;
/**
 * The fastest chart rate during Continue: charts cost more than a frame (sweeps, the fit, new
 * samples of the series), and each refresh spends at most a twentieth of the time training.
 */
const CHARTS_MS = 250;
/**
 * The fastest rate of the watched explanations during Continue. Each holds a finite-difference
 * check (two more forward passes) and, deep in a wide network, hundreds of paths, so a refresh
 * spends at most a fortieth of the time: pinning a parameter costs Continue a few percent at most.
 */
const EXPLAINED_MS = 250;
const EXPLAINED_SHARE = 40;
/** After a stop, how long the charts and the explanations wait before they are computed (ms). */
const AFTER_STOP_MS = 120;
/**
 * The fastest rate of logpoints' lines during Continue: coalesced, so a logpoint that fires ten
 * thousand times a second sends ten messages, not ten thousand.
 */
const LOGS_MS = 100;
/** While stopped, how soon the charts go on with samples a budgeted call left pending. */
const FOLLOW_UP_MS = 30;
/** During Continue, how soon after a page's request its charts or explanations come. */
const REQUEST_MS = 100;
/**
 * What the histories of every run this worker holds may keep together: each run's share is this
 * over the number of runs, at most a history's own default cap.
 */
export const HISTORIES_BYTES = 256 * 1024 * 1024;
/** Parameters a run remembers writing (Write Parameters), besides those it started from. */
const KNOWN_WRITES = 8;

interface Entry {
  session: TrainingSession;
  running: boolean;
  nextFrame: number;
  /** Starting parameters the run may take as its own when a file says them: where it started, what it wrote (the latest few). */
  known: Float64Array[];
  charts: SessionCharts;
  /** What the pages' charts ask for (null: no chart is open), and when Continue next refreshes them. */
  chartRequest: ChartRequest | null;
  nextCharts: number;
  /** A refresh of charts left pending while stopped. */
  followUp: ReturnType<typeof setTimeout> | undefined;
  /** The parameters the pages show an explanation of, and when Continue next sends theirs. */
  watched: string[];
  nextExplained: number;
  /** Charts and explanations are due after the current message is answered. */
  afterQueued: boolean;
  /** The stopped frame whose explanations are still to be sent (0: none). */
  unexplained: number;
  /** The last frame built. */
  frameSeq: number;
  /** When Continue next sends what logpoints wrote. */
  nextLogs: number;
  /** The charts and explanations of a stop, waiting their moment. */
  afterStop: ReturnType<typeof setTimeout> | undefined;
}

const runs = new Map<number, Entry>();
let scheduled = false;
/** Frames numbered across every run, so explanations name the very frame they explain. */
let frames = 0;
const clock = (): number => performance.now();

function entryFor(network: Network, specs: Parameters<TrainingSession['setBreakpoints']>, chartRequest: ChartRequest | null, watched: string[]): Entry {
  const session = new TrainingSession(network, { maxBytes: historyShare(runs.size + 1) });
  session.setBreakpoints(...specs);
  return { session, running: false, nextFrame: 0, known: [Float64Array.from(network.initialParameters)], charts: new SessionCharts(session), chartRequest, nextCharts: 0, followUp: undefined, watched, nextExplained: 0, afterQueued: false, unexplained: 0, frameSeq: 0, nextLogs: 0, afterStop: undefined };
}

/** Each run's share of HISTORIES_BYTES when there are `count` runs. */
function historyShare(count: number): number {
  return Math.min(HISTORY_DEFAULTS.maxBytes, Math.floor(HISTORIES_BYTES / Math.max(1, count)));
}

/** Gives every run its share again (a run came or went). */
function rebalance(): void {
  const share = historyShare(runs.size);
  for (const entry of runs.values()) entry.session.timeline.setMaxBytes(share);
}

function send(message: FromWorker): void {
  parentPort!.postMessage(message);
}

function emit(run: number, event: RunEvent): void {
  send({ type: 'event', run, event });
  if (event.type === 'charts' || event.type === 'explained' || event.type === 'logs') return;
  // After the reply to whatever made this frame: during Continue, right after; after a stop, a
  // moment later (the page takes them only after a moment too: see BulkLane), so a control that
  // follows at once (Step, Step, Step) is answered before their computing begins.
  const entry = runs.get(run);
  if (!entry || (!entry.chartRequest && entry.watched.length === 0 && entry.unexplained === 0)) return;
  const after = (): void => {
    entry.afterQueued = false;
    entry.afterStop = undefined;
    if (runs.get(run) !== entry) return;
    chartsAfter(run);
    explainedAfter(run);
  };
  if (!entry.running) {
    // Each stop pushes the moment back: stepping again and again is never held up by the last stop's charts.
    clearTimeout(entry.afterStop);
    entry.afterQueued = true;
    entry.afterStop = setTimeout(after, AFTER_STOP_MS);
    return;
  }
  if (entry.afterQueued) return;
  entry.afterQueued = true;
  setImmediate(after);
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
  const sent = (charts: ChartData): void => {
    const ended = performance.now();
    entry.nextCharts = ended + Math.max(CHARTS_MS, 20 * (ended - started));
    emit(run, { type: 'charts', charts });
    if (charts.pending && !entry.running) {
      entry.followUp = setTimeout(() => { if (runs.get(run) === entry && !entry.running) chartsAfter(run, true); }, FOLLOW_UP_MS);
    }
  };
  if (entry.running) { sent(entry.charts.compute(entry.chartRequest, SAMPLE_BUDGET_MS)); return; }
  // Stopped: a part at a time, so a control that comes meanwhile is answered between parts (and
  // makes these charts of a state that is gone: they are dropped, and that control's own follow).
  const seq = entry.frameSeq;
  const work = entry.charts.computing(entry.chartRequest, SAMPLE_BUDGET_MS);
  const slice = (): void => {
    if (runs.get(run) !== entry || entry.frameSeq !== seq || entry.running) return;
    const r = work.next();
    if (r.done) sent(r.value);
    else setImmediate(slice);
  };
  slice();
}

/**
 * Explanations after a frame. After a stop of a network whose explanations are cheap, every
 * parameter's (the page builds every hover card from them, so a hover answers within a frame); else
 * the watched parameters' (pinned, hovered): at once when stopped, at most every EXPLAINED_MS during
 * Continue (less often when they cost more). Each is tagged with its step. They come after the
 * stop's own frame, which is light, so the page shows the stop before it reads them.
 */
function explainedAfter(run: number, force = false): void {
  const entry = runs.get(run);
  if (!entry) return;
  if (!entry.running && entry.unexplained !== 0) {
    const seq = entry.unexplained;
    entry.unexplained = 0;
    // A few milliseconds at a time: a control that comes meanwhile is answered between them, and
    // makes these explanations of a stop that is gone, so they are dropped.
    const work = explainingStop(entry.session, seq);
    const slice = (): void => {
      if (runs.get(run) !== entry || entry.frameSeq !== seq) return;
      const until = performance.now() + 2;
      for (;;) {
        const r = work.next();
        if (r.done) { emit(run, { type: 'explained', explained: r.value }); return; }
        if (performance.now() >= until) { setImmediate(slice); return; }
      }
    };
    slice();
    return;
  }
  if (entry.watched.length === 0) return;
  const started = performance.now();
  // While stopped, the stop's own explanations hold these already.
  if (entry.running ? !force && started < entry.nextExplained : carriesExplanations(entry.session.network)) return;
  const { network, trainer } = entry.session;
  const explanations: Record<string, ExplanationView> = {};
  for (const name of entry.watched) {
    const e = explainView(network, trainer, name);
    if (e) explanations[name] = e;
  }
  const ended = performance.now();
  entry.nextExplained = ended + Math.max(EXPLAINED_MS, EXPLAINED_SHARE * (ended - started));
  emit(run, { type: 'explained', explained: { kind: 'watched', step: trainer.stepCount, explanations } });
}

/** Epoch milliseconds, the clock the page and the host share with this thread. */
const epoch = (): number => performance.timeOrigin + performance.now();

function frameOf(entry: Entry, timing?: ControlTiming): RunEvent & { type: 'frame' } {
  const started = performance.now();
  const frame = buildFrame(entry.session, entry.running, entry.session.breakpointStatus(), ++frames);
  entry.frameSeq = frame.seq;
  if (timing) frame.timing = { ...timing, workerAnswered: epoch() };
  // A stopped teaching network's every explanation follows this frame (see explainedAfter).
  entry.unexplained = !entry.running && carriesExplanations(entry.session.network) ? frame.seq : 0;
  const ended = performance.now();
  entry.nextFrame = ended + Math.max(FRAME_MS, 10 * (ended - started));
  return { type: 'frame', frame };
}

/** A control that ended at once: its stop, shown (with the control's timing, when it came with one). */
function done(run: number, entry: Entry, stop: Stop, timing?: ControlTiming): Stop {
  stopped(run, entry, stop, timing);
  return stop;
}

/** What logpoints wrote, sent: at a stop (`now`), else at most every LOGS_MS. */
function logsOf(run: number, entry: Entry, now: boolean): void {
  const at = performance.now();
  if (!now && at < entry.nextLogs) return;
  const taken = entry.session.breakpoints.takeLogs();
  if (!taken) return;
  entry.nextLogs = at + LOGS_MS;
  emit(run, { type: 'logs', lines: taken.lines, dropped: taken.dropped });
}

function stopped(run: number, entry: Entry, stop: Stop, timing?: ControlTiming): void {
  entry.running = false;
  // Before the stop: the lines written on the way come first.
  logsOf(run, entry, true);
  if (stop.reason === 'breakpoint') entry.charts.hit(stop.step);
  stop.stoppedAt = epoch();
  emit(run, { type: 'stopped', stop, frame: frameOf(entry, timing).frame });
}

function tick(): void {
  scheduled = false;
  const running = [...runs].filter(([, e]) => e.running);
  if (running.length === 0) return;
  const slice = SLICE_MS / running.length;
  for (const [id, entry] of running) {
    const stop = entry.session.advance(slice, clock);
    if (stop) { stopped(id, entry, stop); continue; }
    logsOf(id, entry, false);
    if (performance.now() >= entry.nextFrame) emit(id, frameOf(entry));
  }
  schedule();
}

function schedule(): void {
  if (scheduled || ![...runs.values()].some((e) => e.running)) return;
  scheduled = true;
  setImmediate(tick);
}

/**
 * What a control that may take long came to: its stop when it ended at once, or null when it goes
 * on in slices (its stop comes as an event). A jump's first slice is worked here, so a short one
 * answers with its stop and no flash of "running"; Continue's first slice comes after its reply.
 */
function started(run: number, entry: Entry, stop: Stop | null, firstSlice: boolean, timing?: ControlTiming): Stop | null {
  const ended = stop ?? (firstSlice ? entry.session.advance(SLICE_MS, clock) : null);
  if (ended) return done(run, entry, ended, timing);
  entry.running = true;
  entry.nextFrame = performance.now() + FRAME_MS;
  emit(run, { type: 'continued', frame: frameOf(entry, timing).frame });
  schedule();
  return null;
}

function entryOf(run: number): Entry {
  const entry = runs.get(run);
  if (!entry) throw new Error(`no network is loaded for run ${run}`);
  return entry;
}

function load(text: string, files: DataFiles, limits: Limits, file: string): Network {
  try {
    // The data files' texts came with the network's: the worker reads no disk (see dataFile.ts).
    // The limits are the host's (its setting or --limits), sent with every text.
    return loadNetwork(text, { readFile: filesReader(files), limits });
  } catch (e) {
    if (e instanceof NetworkFileError) throw new LoadError(e.format(file));
    throw e;
  }
}

class LoadError extends Error {}

/** Handles one request; its reply, typed by the request's kind. */
function handle<K extends RequestKind>(m: ToWorker & { kind: K }): Reply<K>;
function handle(m: ToWorker): unknown {
  const run = m.params.run;
  switch (m.kind) {
    case 'ping':
      return { running: [...runs.values()].filter((e) => e.running).length };
    case 'load': {
      let network: Network;
      try {
        network = load(m.params.text, m.params.files, m.params.limits, m.params.file);
      } catch (e) {
        if (e instanceof LoadError) return { ok: false, message: e.message };
        throw e;
      }
      const previous = runs.get(run);
      if (previous) previous.running = false;
      const entry = entryFor(network, [m.params.breakpoints, m.params.builtins], m.params.charts, m.params.watched);
      runs.set(run, entry);
      rebalance();
      emit(run, { type: 'stopped', stop: entry.session.lastStop, frame: frameOf(entry).frame });
      return { ok: true, structure: buildStructure(network) };
    }
    case 'update': {
      const entry = entryOf(run);
      let network: Network;
      try {
        network = load(m.params.text, m.params.files, m.params.limits, 'network');
      } catch (e) {
        if (!(e instanceof LoadError)) throw e;
        // A broken edit stops Continue, in sight: the run waits where it is for a valid file.
        if (entry.running) stopped(run, entry, entry.session.pause());
        return { outcome: 'failed', message: e.message };
      }
      const d = difference(entry.session.network, network, entry.known);
      if (d.kind === 'restart') {
        const { session } = entry;
        const fresh = entryFor(network, [session.breakpointSpecs, session.builtinSettings], entry.chartRequest, entry.watched);
        clearTimeout(entry.followUp);
        clearTimeout(entry.afterStop);
        runs.set(run, fresh);
        rebalance();
        emit(run, { type: 'stopped', stop: fresh.session.lastStop, frame: frameOf(fresh).frame });
        return { outcome: 'restarted', structure: buildStructure(network), why: d.why };
      }
      if (d.kind === 'training') {
        // Continue goes on with the new settings; a jump through the old history ends here.
        const ended = entry.session.retrain(network);
        if (ended) stopped(run, entry, ended);
      } else entry.session.rename(network);
      emit(run, frameOf(entry));
      return { outcome: d.kind === 'training' ? 'retrained' : 'kept', structure: buildStructure(entry.session.network) };
    }
    case 'control': {
      const entry = entryOf(run);
      const s = entry.session;
      const action = m.params.action;
      const timing = m.params.timing && { ...m.params.timing, workerReceived: epoch() };
      if (action === 'pause') return entry.running ? done(run, entry, s.pause(), timing) : null;
      if (action === 'continue') return entry.running ? null : started(run, entry, s.startContinue(), false, timing);
      // Any other control ends what is under way first (a jump is put back or stopped where it got).
      if (entry.running) stopped(run, entry, s.pause());
      switch (action) {
        case 'step': return done(run, entry, s.step(), timing);
        case 'stepInto': return done(run, entry, s.stepInto(), timing);
        case 'stepOut': return done(run, entry, s.stepOut(), timing);
        case 'reset': return done(run, entry, s.reset(), timing);
        case 'stepBack': return started(run, entry, s.startStepBack(1), true, timing);
        case 'reverseContinue': return started(run, entry, s.startReverseContinue(), true, timing);
        default: {
          const never: never = action;
          throw new Error(`unknown action ${String(never)}`);
        }
      }
    }
    case 'goTo': {
      const entry = entryOf(run);
      const timing = m.params.timing && { ...m.params.timing, workerReceived: epoch() };
      if (entry.running) stopped(run, entry, entry.session.pause());
      return started(run, entry, entry.session.startGoTo(m.params.step), true, timing);
    }
    case 'goToPhase': {
      const entry = entryOf(run);
      if (entry.running) stopped(run, entry, entry.session.pause());
      return done(run, entry, entry.session.goToPhase(m.params.phase));
    }
    case 'setBreakpoints':
      return entryOf(run).session.setBreakpoints(m.params.breakpoints, m.params.builtins);
    case 'explain': {
      const entry = entryOf(run);
      return explainView(entry.session.network, entry.session.trainer, m.params.parameter);
    }
    case 'unit': {
      const entry = entryOf(run);
      return unitView(entry.session.network, entry.session.trainer, m.params.layer, m.params.unit);
    }
    case 'evaluate': {
      const entry = entryOf(run);
      try {
        return { ok: true, value: entry.session.evaluate(m.params.expression) };
      } catch (e) {
        if (e instanceof ExpressionError) return { ok: false, message: e.describe(), column: e.column };
        throw e;
      }
    }
    case 'setParameter': {
      const entry = entryOf(run);
      if (entry.running) stopped(run, entry, entry.session.pause());
      return done(run, entry, entry.session.setParameter(m.params.index, m.params.value));
    }
    case 'charts': {
      const entry = entryOf(run);
      entry.chartRequest = m.params.request;
      // A page that opens a panel or selects a parameter sees it at once; during Continue, with the
      // next frame at least REQUEST_MS after the last charts (hovering asks often).
      if (!m.params.request) clearTimeout(entry.followUp);
      else if (entry.running) entry.nextCharts = Math.min(entry.nextCharts, performance.now() + REQUEST_MS);
      else setImmediate(() => { if (runs.get(run) === entry) chartsAfter(run, true); });
      return null;
    }
    case 'watch': {
      const entry = entryOf(run);
      const added = m.params.parameters.some((p) => !entry.watched.includes(p));
      entry.watched = m.params.parameters;
      if (added && entry.running) entry.nextExplained = Math.min(entry.nextExplained, performance.now() + REQUEST_MS);
      else if (added) setImmediate(() => { if (runs.get(run) === entry) explainedAfter(run, true); });
      return null;
    }
    case 'layerStats': {
      const { session } = entryOf(run);
      session.trainer.evaluate();
      const s = session.builtinSettings?.saturated;
      return layerStats(session.network, session.trainer.gradients, session.trainer.y, s?.threshold, s?.threshold2);
    }
    case 'slice': {
      const { trainer } = entryOf(run).session;
      const end = Math.min(trainer.params.length, m.params.start + m.params.count);
      return { values: Array.from(trainer.params.subarray(m.params.start, end)), gradients: Array.from(trainer.gradients.subarray(m.params.start, end)) };
    }
    case 'parameters': {
      const entry = entryOf(run);
      const params = Float64Array.from(entry.session.trainer.params);
      // The file may come back holding these (or these rounded, as they are to be written): the run
      // takes it as its own then, keeping its step (the start and the latest few writes are
      // remembered, not every write).
      const digits = m.params.digits;
      for (const written of digits === undefined ? [params] : [params, roundParameters(params, digits)]) {
        if (entry.known.some((k) => sameArray(k, written))) continue;
        entry.known.push(written);
        if (entry.known.length > KNOWN_WRITES + 1) entry.known.splice(1, 1);
      }
      return Array.from(params);
    }
    case 'close':
      clearTimeout(runs.get(run)?.followUp);
      clearTimeout(runs.get(run)?.afterStop);
      runs.delete(run);
      rebalance();
      return null;
    default: {
      const never: never = m;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

parentPort!.on('message', (m: ToWorker) => {
  // Answered at once: events a request caused (a stop) are sent before its reply, and the events
  // of what it started (slices of Continue) after it.
  send(replyTo(m, () => handle(m)));
});
