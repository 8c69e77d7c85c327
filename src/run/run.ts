/**
 * One run per network document, shared by every surface that shows or drives it: the network
 * editors open on the document (any number of them), the commands, the status bar, VS Code's
 * debugger and the charts. It owns the worker's link, the text it loaded (and that text's document
 * version), the breakpoints, and the last structure and frame, so a view that comes late (a
 * re-created webview) is shown what the run shows, never a reload. No vscode import: the host's glue
 * (src/editor/documentRuns.ts) feeds it the document's text and keeps its breakpoints.
 *
 * Runs are handed out only through the registry's attach (a run with no attachment is disposed),
 * and a debug session drives one only through the claim it holds (DebugClaim), which owns the
 * session's breakpoints and its release: one session ending can never clear another's.
 */
import type { TrainingAction } from '../protocol';
import type { ControlTiming, NetworkStructure, TrainingFrame, UnitView, ExplanationView } from '../session/views';
import type { BreakpointSpec, BreakpointStatus, BuiltinSettings, LogLine } from '../session/breakpointTypes';
import { defaultBuiltins } from '../session/breakpointTypes';
import type { Phase } from '../session/stepper';
import type { Stop } from '../session/training';
import { type TrainingWorker, WorkerError, type WorkerLink } from '../training/client';
import type { Explained, Reply, UpdateReply } from '../training/protocol';
import type { LayerStats } from '../session/inspect';
import { Emitter } from './emitter';
import { CHART_PANELS, type ChartData, type ChartRequest } from '../session/chartTypes';
import { type DataFiles, sameDataFiles } from '../core/dataFile';
import { currentLimits } from '../core/limits';

/** Where a run keeps its breakpoints between sessions (the workspace's storage, never the network file). */
export interface BreakpointStore {
  load(): { specs: BreakpointSpec[]; builtins: BuiltinSettings } | undefined;
  save(specs: BreakpointSpec[], builtins: BuiltinSettings): void;
}

export type TextOutcome = UpdateReply['outcome'] | 'loaded';

/** A debug session's hold on a run: the breakpoints it set, and letting go (once). */
export interface DebugClaim {
  /** VS Code's breakpoints for the run, checked with the editor's own (see Run.allSpecs). */
  setBreakpoints(specs: BreakpointSpec[], builtins: Partial<BuiltinSettings>): Promise<BreakpointStatus[]>;
  /** Lets go: this claim's breakpoints go, and another session may claim the run. Only ever this claim's. */
  release(): Promise<void>;
}

export class Run {
  /** The last structure (names, shape, data) and why it last restarted, if it did. */
  structure: NetworkStructure | undefined;
  restartedBecause: string | null = null;
  /** The last frame and the last stop: what a view that comes late is shown. */
  frame: TrainingFrame | undefined;
  lastStop: Stop | undefined;
  running = false;
  /** The text is not a valid network (the run waits, paused, where it was). */
  problem: string | undefined;
  /** The training worker gave up on this run (it kept stopping): Retry starts it again. */
  failure: string | null = null;
  specs: BreakpointSpec[] = [];
  builtins: BuiltinSettings = defaultBuiltins();
  statuses: BreakpointStatus[] = [];
  /** The latest charts the worker sent, for a page that comes late. */
  charts: ChartData | undefined;
  /** The latest explanations of the parameters the pages show (pinned, hovered), with their step. */
  explained: (Explained & { kind: 'watched' }) | undefined;
  /** Every explanation of the last stop (a teaching network's), for a page that comes late. */
  stopExplained: (Explained & { kind: 'stop' }) | undefined;
  /** Each page's charts request, by the page that made it (see setCharts). */
  private chartRequests = new Map<object, ChartRequest>();
  /** The page that asked last: its selection is the one drawn. */
  private lastAsker: object | undefined;
  /** The parameters each page shows an explanation of (see setWatched). */
  private watched = new Map<object, string[]>();
  /** The debug session's claim on this run, if one holds it, with its breakpoints. */
  private claim: { specs: BreakpointSpec[]; builtins: Partial<BuiltinSettings> } | undefined;

  readonly onStructure = new Emitter<NetworkStructure>();
  readonly onFrame = new Emitter<TrainingFrame>();
  readonly onStopped = new Emitter<Stop>();
  readonly onContinued = new Emitter<void>();
  readonly onBreakpoints = new Emitter<void>();
  readonly onCharts = new Emitter<ChartData>();
  readonly onExplained = new Emitter<Explained>();
  /** What logpoints wrote (coalesced: at most every 100 ms while running, and before each stop). */
  readonly onLogs = new Emitter<{ lines: LogLine[]; dropped: number }>();
  readonly onError = new Emitter<string>();
  /** The worker gave up on the run (a message), or came back (null). */
  readonly onFailure = new Emitter<string | null>();

  private link: WorkerLink;
  private text: string | undefined;
  /** The texts of the data files the network names, read by the host with `text` (see setText). */
  private files: DataFiles = {};
  /** The document version of the text the worker's network came from (see parameters()). */
  private loadedVersion: number | undefined;
  private loaded = false;
  private attached = 0;
  /** Texts fed in order: one at a time, so an edit never overtakes the load before it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A load or edit is with the worker: its frames wait for its structure. */
  private feeding = false;

  /** @internal Made by the registry, which hands runs out only through attach. */
  constructor(readonly uri: string, worker: TrainingWorker, readonly file: string, private readonly store: BreakpointStore, private readonly onUnused: (run: Run) => void) {
    const saved = store.load();
    if (saved) { this.specs = saved.specs; this.builtins = saved.builtins; }
    this.failure = worker.failure;
    this.link = worker.open({
      event: (e) => {
        switch (e.type) {
          case 'frame': this.show(e.frame); return;
          case 'charts': this.charts = e.charts; this.onCharts.fire(e.charts); return;
          case 'explained':
            if (e.explained.kind === 'stop') this.stopExplained = e.explained;
            else this.explained = e.explained;
            this.onExplained.fire(e.explained);
            return;
          case 'logs': this.onLogs.fire({ lines: e.lines, dropped: e.dropped }); return;
          case 'continued': this.running = true; this.stamp(e.frame); this.show(e.frame); this.onContinued.fire(); return;
          case 'stopped':
            this.stamp(e.frame);
            this.running = false;
            this.lastStop = e.stop;
            this.show(e.frame);
            this.onStopped.fire(e.stop);
            return;
          default: {
            const never: never = e;
            throw new Error(`unknown run event ${JSON.stringify(never)}`);
          }
        }
      },
      // Whatever the worker knew of this run is gone: load again from the text (a new worker), or
      // wait, failed, for Retry (a worker that gave up).
      workerLost: (failure) => {
        this.running = false;
        this.loaded = false;
        this.failure = failure;
        this.onError.fire(failure ?? 'The training worker stopped; training starts again from the file.');
        if (failure) this.onFailure.fire(failure);
        else this.reload();
      },
      workerBack: () => {
        this.failure = null;
        this.onFailure.fire(null);
        this.reload();
      },
    });
  }

  /** A frame that answers a person's control: when the host had it (see ControlTiming). */
  private stamp(frame: TrainingFrame): void {
    if (frame.timing) frame.timing.hostHad = performance.timeOrigin + performance.now();
  }

  private reload(): void {
    if (this.text !== undefined) void this.setText(this.text, this.loadedVersion, this.files).catch((e: Error) => this.onError.fire(e.message));
  }

  private show(frame: TrainingFrame): void {
    this.frame = frame;
    this.statuses = frame.breakpoints;
    // A frame belongs to the structure the load or edit's reply brings: held until it is known,
    // so every view sees a structure before the frames drawn on it.
    if (!this.feeding) this.onFrame.fire(frame);
  }

  // ---- who is attached --------------------------------------------------------------------------

  /** @internal The registry's: something shows or drives this run; when the last lets go, the run ends. */
  attach(): { dispose(): void } {
    this.attached++;
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        if (--this.attached === 0) this.onUnused(this);
      },
    };
  }

  get attachments(): number {
    return this.attached;
  }

  /**
   * A debug session's hold on the run, or undefined when another session holds it (one session per
   * file). The claim sets VS Code's breakpoints and releases only itself.
   */
  claimDebugger(): DebugClaim | undefined {
    if (this.claim) return undefined;
    const mine = { specs: [] as BreakpointSpec[], builtins: {} as Partial<BuiltinSettings> };
    this.claim = mine;
    let released = false;
    return {
      setBreakpoints: (specs, builtins) => {
        if (released || this.claim !== mine) return Promise.resolve([]);
        mine.specs = specs;
        mine.builtins = builtins;
        return this.sendBreakpoints();
      },
      release: async () => {
        if (released) return;
        released = true;
        if (this.claim !== mine) return;
        this.claim = undefined;
        await this.sendBreakpoints();
      },
    };
  }

  /** Whether a debug session holds the run. */
  get debugged(): boolean {
    return this.claim !== undefined;
  }

  // ---- the document -----------------------------------------------------------------------------

  /**
   * The document's text (at document `version`), after each edit. The first loads it; later ones
   * keep the run, retrain it from its step (training settings only) or restart it (anything else),
   * as the worker decides. A text that is not a network pauses Continue and leaves the run where it
   * was (and its version where it was: the network in the worker is still the older text's).
   *
   * `files`: the texts of the data files the text names (readDataFiles), read by the host now: an
   * edit of one of them is fed as an edit of the network is (the same text with other files).
   */
  setText(text: string, version?: number, files: DataFiles = {}): Promise<TextOutcome> {
    const next = this.queue.then(() => this.feed(text, version, files));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async feed(text: string, version: number | undefined, files: DataFiles): Promise<TextOutcome> {
    if (this.loaded && text === this.text && sameDataFiles(files, this.files)) { this.loadedVersion = version; return 'kept'; }
    if (this.failure) return 'failed';
    this.text = text;
    this.files = files;
    this.feeding = true;
    const framed = this.frame;
    const structured = this.structure;
    try {
      const outcome = await this.apply(text, files);
      if (outcome !== 'failed') this.loadedVersion = version;
      return outcome;
    } finally {
      this.feeding = false;
      // A view drops its frame when a structure comes, so a new structure is always followed by one.
      if (this.frame && (this.frame !== framed || this.structure !== structured)) this.onFrame.fire(this.frame);
    }
  }

  private async apply(text: string, files: DataFiles): Promise<TextOutcome> {
    if (!this.loaded) {
      const reply = await this.link.request('load', { text, files, limits: currentLimits(), file: this.file, breakpoints: this.allSpecs(), builtins: this.allBuiltins(), charts: this.chartRequest, watched: this.watchedNames });
      if (!reply.ok) { this.problem = reply.message; return 'failed'; }
      this.loaded = true;
      this.problem = undefined;
      this.setStructure(reply.structure, null);
      return 'loaded';
    }
    const reply = await this.link.request('update', { text, files, limits: currentLimits() });
    switch (reply.outcome) {
      case 'failed': this.problem = reply.message; return 'failed';
      case 'restarted': this.problem = undefined; this.setStructure(reply.structure, reply.why); return 'restarted';
      case 'retrained':
      case 'kept': this.problem = undefined; this.setStructure(reply.structure, this.restartedBecause); return reply.outcome;
    }
  }

  private setStructure(structure: NetworkStructure, why: string | null): void {
    this.structure = structure;
    this.restartedBecause = why;
    this.onStructure.fire(structure);
  }

  // ---- training ---------------------------------------------------------------------------------

  /**
   * Waits for the texts fed so far (a load, an edit, a reload after the worker restarted), so a
   * request acts on the run they made; whether a network is loaded.
   */
  private async settled(): Promise<boolean> {
    await this.queue;
    // A worker that gave up answers nothing: say why rather than act as if there were no network.
    if (this.failure) throw new WorkerError(this.failure);
    return this.loaded;
  }

  /** settled() for what is kept here too (breakpoints, what the pages show): a failed worker just gets none. */
  private async loadedNow(): Promise<boolean> {
    await this.queue;
    return this.loaded && !this.failure;
  }

  /** A control (Pause included); the stop it came to, null when it started Continue or there was nothing to do. */
  /** `timing` (a page's control) is carried to the frame that answers it, stamped at each hop. */
  async control(action: TrainingAction, timing?: ControlTiming): Promise<Stop | null> {
    // Pause is never kept waiting behind an edit: it goes at once.
    if (action === 'pause') return this.loaded ? this.link.request('control', { action, timing }) : null;
    return (await this.settled()) ? this.link.request('control', { action, timing }) : null;
  }

  /**
   * The stop a control came to: its reply when it ended at once, else the stop that ends what it
   * started (Continue, or a long Step Back, Go to Step or Reverse Continue).
   */
  async untilStopped(reply: Promise<Stop | null>): Promise<Stop> {
    // The worker sends a control's reply before any event of what it started, and this listens
    // before the next message is read.
    const stop = await reply;
    if (stop) return stop;
    return new Promise<Stop>((resolve) => { const sub = this.onStopped.on((s) => { sub.dispose(); resolve(s); }); });
  }

  /** Go to Step: its stop if it ended at once, null when it goes on in slices (its stop is an event). */
  async goTo(step: number, timing?: ControlTiming): Promise<Stop | null> {
    return (await this.settled()) ? this.link.request('goTo', { step, timing }) : null;
  }

  /** To a phase of the step shown (null: the step's start), without training ahead. */
  async goToPhase(phase: Phase | null): Promise<Stop | null> {
    return (await this.settled()) ? this.link.request('goToPhase', { phase }) : null;
  }

  async setBreakpoints(specs: BreakpointSpec[], builtins: BuiltinSettings = this.builtins): Promise<BreakpointStatus[]> {
    this.specs = specs;
    this.builtins = builtins;
    this.store.save(specs, builtins);
    return this.sendBreakpoints();
  }

  /**
   * The breakpoints checked: the editor's list, and VS Code's (function, data and line
   * breakpoints) while a debug session holds the run. VS Code's are kept by VS Code, so neither
   * stored here nor listed in the editor.
   */
  private allSpecs(): BreakpointSpec[] {
    return [...this.specs, ...(this.claim?.specs ?? [])];
  }

  private allBuiltins(): BuiltinSettings {
    const all = { ...this.builtins };
    // VS Code's exception filters switch conditions on (with their thresholds), never off.
    for (const [kind, setting] of Object.entries(this.claim?.builtins ?? {}) as [keyof BuiltinSettings, BuiltinSettings[keyof BuiltinSettings]][]) {
      if (setting?.enabled && !all[kind].enabled) all[kind] = setting;
    }
    return all;
  }

  private async sendBreakpoints(): Promise<BreakpointStatus[]> {
    const specs = this.allSpecs();
    if (await this.loadedNow()) this.statuses = await this.link.request('setBreakpoints', { breakpoints: specs, builtins: this.allBuiltins() });
    else this.statuses = specs.map((s) => ({ id: s.id, verified: true, hits: 0 }));
    this.onBreakpoints.fire();
    return this.statuses;
  }

  async explain(parameter: string): Promise<ExplanationView | null> {
    return (await this.settled()) ? this.link.request('explain', { parameter }) : null;
  }

  async unit(layer: number, unit: number): Promise<UnitView | null> {
    return (await this.settled()) ? this.link.request('unit', { layer, unit }) : null;
  }

  /** An expression of the condition language on the state shown now (see WorkerRequests.evaluate). */
  async evaluate(expression: string): Promise<Reply<'evaluate'> | null> {
    return (await this.settled()) ? this.link.request('evaluate', { expression }) : null;
  }

  /** Set Value: a what-if edit of the run's parameter `index`; the file is not touched. */
  async setParameter(index: number, value: number): Promise<Stop | null> {
    return (await this.settled()) ? this.link.request('setParameter', { index, value }) : null;
  }

  /**
   * What the charts of a page showing this run need (null: none of its panels is open, or it
   * closed). Every page's panels are computed (each page is sent all the charts); the selected
   * parameters and the optimizers compared are those of the page that asked last, so two editors
   * of one file show one curve.
   */
  async setCharts(asker: object, request: ChartRequest | null): Promise<void> {
    if (request) { this.chartRequests.set(asker, request); this.lastAsker = asker; }
    else this.chartRequests.delete(asker);
    if (await this.loadedNow()) await this.link.request('charts', { request: this.chartRequest });
  }

  /** The pages' requests together: the union of their panels, the last asker's parameters, the units' pictures if any page shows them; null when no page wants charts. */
  get chartRequest(): ChartRequest | null {
    if (this.chartRequests.size === 0) return null;
    const panels = CHART_PANELS.filter((p) => [...this.chartRequests.values()].some((r) => r.panels.includes(p)));
    const last = (this.lastAsker && this.chartRequests.get(this.lastAsker)) ?? [...this.chartRequests.values()].pop()!;
    const units = [...this.chartRequests.values()].some((r) => r.units === true);
    return { panels, parameters: last.parameters, optimizers: last.optimizers ?? [], ...(units ? { units } : {}) };
  }

  /**
   * The parameters a page shows an explanation of (pinned, hovered; none when it closed): the
   * worker sends theirs with each stop and, while training, a few times a second, each tagged with
   * its step. Every page's are sent.
   */
  async setWatched(asker: object, parameters: string[]): Promise<void> {
    if (parameters.length) this.watched.set(asker, parameters);
    else this.watched.delete(asker);
    if (await this.loadedNow()) await this.link.request('watch', { parameters: this.watchedNames });
  }

  private get watchedNames(): string[] {
    return [...new Set([...this.watched.values()].flat())];
  }

  async layerStats(): Promise<LayerStats[]> {
    return (await this.settled()) ? this.link.request('layerStats', {}) : [];
  }

  /** Parameters and gradients from `start` (a debugger paging through a large network). */
  async slice(start: number, count: number): Promise<Reply<'slice'> | null> {
    return (await this.settled()) ? this.link.request('slice', { start, count }) : null;
  }

  /**
   * The parameters now, by index, and the document version of the text the run's network came
   * from: what Write Parameters to File writes, into that version only (the run then takes the
   * file that holds its own parameters as its own, or them rounded to `digits` significant digits,
   * keeping its step).
   */
  async parameters(digits?: number): Promise<{ values: number[]; version: number | undefined }> {
    if (!(await this.settled())) throw new Error('the file is not a network yet: there are no parameters to write');
    const values = await this.link.request('parameters', digits === undefined ? {} : { digits });
    return { values, version: this.loadedVersion };
  }

  dispose(): void {
    this.link.close();
    for (const e of [this.onStructure, this.onFrame, this.onStopped, this.onContinued, this.onBreakpoints, this.onCharts, this.onExplained, this.onError, this.onFailure]) (e as Emitter<unknown>).dispose();
  }
}
