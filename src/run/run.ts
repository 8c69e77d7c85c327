/**
 * One run per network document, shared by every surface that shows or drives it: the network
 * editors open on the document (any number of them), the commands, the status bar, and later VS
 * Code's debugger and the charts. It owns the worker's handle, the text it loaded, the breakpoints,
 * and the last structure and frame, so a view that comes late (a re-created webview) is shown what
 * the run shows, never a reload. No vscode import: the host's glue (src/editor/documentRuns.ts)
 * feeds it the document's text and keeps its breakpoints.
 */
import type { NetworkStructure, TrainingAction, TrainingFrame, UnitView, ExplanationView } from '../protocol';
import type { BreakpointSpec, BreakpointStatus, BuiltinSettings } from '../session/breakpointTypes';
import { defaultBuiltins } from '../session/breakpointTypes';
import type { Stop } from '../session/training';
import type { TrainingWorker, WorkerRun } from '../training/client';
import type { Reply, UpdateReply } from '../training/protocol';
import type { LayerStats } from '../session/inspect';
import { Emitter } from './emitter';
import { CHART_PANELS, type ChartData, type ChartRequest } from '../session/chartTypes';

/** Where a run keeps its breakpoints between sessions (the workspace's storage, never the network file). */
export interface BreakpointStore {
  load(): { specs: BreakpointSpec[]; builtins: BuiltinSettings } | undefined;
  save(specs: BreakpointSpec[], builtins: BuiltinSettings): void;
}

export type TextOutcome = UpdateReply['outcome'] | 'loaded';

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
  specs: BreakpointSpec[] = [];
  builtins: BuiltinSettings = defaultBuiltins();
  statuses: BreakpointStatus[] = [];
  /** The latest charts the worker sent, for a page that comes late. */
  charts: ChartData | undefined;
  /** Each page's charts request, by the page that made it (see setCharts). */
  private chartRequests = new Map<object, ChartRequest>();
  /** The page that asked last: its selection is the one drawn. */
  private lastAsker: object | undefined;
  /** A debug session drives this run (one at a time: the debugger's breakpoints have one slot). */
  debugged = false;
  /** VS Code's debugger's breakpoints and conditions (see setDebuggerBreakpoints). */
  private debuggerSpecs: BreakpointSpec[] = [];
  private debuggerBuiltins: Partial<BuiltinSettings> = {};

  readonly onStructure = new Emitter<NetworkStructure>();
  readonly onFrame = new Emitter<TrainingFrame>();
  readonly onStopped = new Emitter<Stop>();
  readonly onContinued = new Emitter<void>();
  readonly onBreakpoints = new Emitter<void>();
  readonly onCharts = new Emitter<ChartData>();
  readonly onError = new Emitter<string>();

  private handle: WorkerRun;
  private text: string | undefined;
  private loaded = false;
  private attached = 0;
  /** Texts fed in order: one at a time, so an edit never overtakes the load before it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A load or edit is with the worker: its frames wait for its structure. */
  private feeding = false;

  constructor(readonly uri: string, private readonly worker: TrainingWorker, readonly file: string, private readonly store: BreakpointStore, private readonly onUnused: (run: Run) => void) {
    const saved = store.load();
    if (saved) { this.specs = saved.specs; this.builtins = saved.builtins; }
    this.handle = this.open();
  }

  private open(): WorkerRun {
    return this.worker.open({
      event: (e) => {
        switch (e.type) {
          case 'frame': this.show(e.frame); return;
          case 'charts': this.charts = e.charts; this.onCharts.fire(e.charts); return;
          case 'continued': this.running = true; this.show(e.frame); this.onContinued.fire(); return;
          case 'stopped':
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
      workerRestarted: (again, message) => {
        this.running = false;
        this.onError.fire(message);
        if (again && this.text !== undefined) { this.loaded = false; void this.setText(this.text); }
      },
    });
  }

  private show(frame: TrainingFrame): void {
    this.frame = frame;
    this.statuses = frame.breakpoints;
    // A frame belongs to the structure the load or edit's reply brings: held until it is known,
    // so every view sees a structure before the frames drawn on it.
    if (!this.feeding) this.onFrame.fire(frame);
  }

  // ---- who is attached --------------------------------------------------------------------------

  /** Something shows or drives this run; when the last lets go, the run ends. */
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

  // ---- the document -----------------------------------------------------------------------------

  /**
   * The document's text, after each edit. The first loads it; later ones keep the run, retrain it
   * from its step (training settings only) or restart it (anything else), as the worker decides. A
   * text that is not a network pauses Continue and leaves the run where it was.
   */
  setText(text: string): Promise<TextOutcome> {
    const next = this.queue.then(() => this.feed(text));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async feed(text: string): Promise<TextOutcome> {
    if (this.loaded && text === this.text) return 'kept';
    this.text = text;
    this.feeding = true;
    const framed = this.frame;
    const structured = this.structure;
    try {
      return await this.apply(text);
    } finally {
      this.feeding = false;
      // A view drops its frame when a structure comes, so a new structure is always followed by one.
      if (this.frame && (this.frame !== framed || this.structure !== structured)) this.onFrame.fire(this.frame);
    }
  }

  private async apply(text: string): Promise<TextOutcome> {
    if (!this.loaded) {
      const reply = await this.handle.request('load', { text, file: this.file, breakpoints: this.allSpecs(), builtins: this.allBuiltins(), charts: this.chartRequest });
      if (!reply.ok) { this.problem = reply.message; return 'failed'; }
      this.loaded = true;
      this.problem = undefined;
      this.setStructure(reply.structure, null);
      return 'loaded';
    }
    const reply = await this.handle.request('update', { text });
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
    return this.loaded;
  }

  /** A control (Pause included); the stop it came to, null when it started Continue or there was nothing to do. */
  async control(action: TrainingAction): Promise<Stop | null> {
    // Pause is never kept waiting behind an edit: it goes at once.
    if (action === 'pause') return this.loaded ? this.handle.request('control', { action }) : null;
    return (await this.settled()) ? this.handle.request('control', { action }) : null;
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
  async goTo(step: number): Promise<Stop | null> {
    return (await this.settled()) ? this.handle.request('goTo', { step }) : null;
  }

  async setBreakpoints(specs: BreakpointSpec[], builtins: BuiltinSettings = this.builtins): Promise<BreakpointStatus[]> {
    this.specs = specs;
    this.builtins = builtins;
    this.store.save(specs, builtins);
    return this.sendBreakpoints();
  }

  /**
   * VS Code's debugger's breakpoints (function, data and line breakpoints, and the built-in
   * conditions it switched on as exception filters): checked with the editor's own, but kept by VS
   * Code, so neither stored here nor listed in the editor. `builtins` switches conditions on
   * (with its thresholds); it never switches off one the editor's list has on.
   */
  async setDebuggerBreakpoints(specs: BreakpointSpec[], builtins: Partial<BuiltinSettings>): Promise<BreakpointStatus[]> {
    this.debuggerSpecs = specs;
    this.debuggerBuiltins = builtins;
    return this.sendBreakpoints();
  }

  private allSpecs(): BreakpointSpec[] {
    return [...this.specs, ...this.debuggerSpecs];
  }

  private allBuiltins(): BuiltinSettings {
    const all = { ...this.builtins };
    for (const [kind, setting] of Object.entries(this.debuggerBuiltins) as [keyof BuiltinSettings, BuiltinSettings[keyof BuiltinSettings]][]) {
      if (setting?.enabled && !all[kind].enabled) all[kind] = setting;
    }
    return all;
  }

  private async sendBreakpoints(): Promise<BreakpointStatus[]> {
    const specs = this.allSpecs();
    if (await this.settled()) this.statuses = await this.handle.request('setBreakpoints', { breakpoints: specs, builtins: this.allBuiltins() });
    else this.statuses = specs.map((s) => ({ id: s.id, verified: true, hits: 0 }));
    this.onBreakpoints.fire();
    return this.statuses;
  }

  async explain(parameter: string): Promise<ExplanationView | null> {
    return (await this.settled()) ? this.handle.request('explain', { parameter }) : null;
  }

  async unit(layer: number, unit: number): Promise<UnitView | null> {
    return (await this.settled()) ? this.handle.request('unit', { layer, unit }) : null;
  }

  /** An expression of the condition language on the state shown now (see WorkerRequests.evaluate). */
  async evaluate(expression: string): Promise<Reply<'evaluate'> | null> {
    return (await this.settled()) ? this.handle.request('evaluate', { expression }) : null;
  }

  /** Set Value: a what-if edit of the run's parameter `index`; the file is not touched. */
  async setParameter(index: number, value: number): Promise<Stop | null> {
    return (await this.settled()) ? this.handle.request('setParameter', { index, value }) : null;
  }

  /**
   * What the charts of a page showing this run need (null: none of its panels is open, or it
   * closed). Every page's panels are computed (each page is sent all the charts); the selected
   * parameters are those of the page that asked last, so two editors of one file show one curve.
   */
  async setCharts(asker: object, request: ChartRequest | null): Promise<void> {
    if (request) { this.chartRequests.set(asker, request); this.lastAsker = asker; }
    else this.chartRequests.delete(asker);
    if (await this.settled()) await this.handle.request('charts', { request: this.chartRequest });
  }

  /** The pages' requests together: the union of their panels, the last asker's parameters; null when no page wants charts. */
  get chartRequest(): ChartRequest | null {
    if (this.chartRequests.size === 0) return null;
    const panels = CHART_PANELS.filter((p) => [...this.chartRequests.values()].some((r) => r.panels.includes(p)));
    const last = (this.lastAsker && this.chartRequests.get(this.lastAsker)) ?? [...this.chartRequests.values()].pop()!;
    return { panels, parameters: last.parameters };
  }

  async layerStats(): Promise<LayerStats[]> {
    return (await this.settled()) ? this.handle.request('layerStats', {}) : [];
  }

  /** Parameters and gradients from `start` (a debugger paging through a large network). */
  async slice(start: number, count: number): Promise<Reply<'slice'> | null> {
    return (await this.settled()) ? this.handle.request('slice', { start, count }) : null;
  }

  /** The parameters now, by index: what Write Parameters to File writes (the run then takes that file as its own). */
  async parameters(): Promise<number[]> {
    if (!(await this.settled())) throw new Error('the file is not a network yet: there are no parameters to write');
    return this.handle.request('parameters', {});
  }

  dispose(): void {
    this.handle.close();
    for (const e of [this.onStructure, this.onFrame, this.onStopped, this.onContinued, this.onBreakpoints, this.onCharts, this.onError]) (e as Emitter<unknown>).dispose();
  }
}
