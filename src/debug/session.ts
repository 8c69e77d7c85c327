/**
 * The debug adapter: VS Code's debugger (the Debug Adapter Protocol) as one more front-end of the
 * run of a network file, as mock-debug's session is of its runtime. It only translates: requests
 * become the run's controls, breakpoints and questions; the run's events become DAP events. The
 * network editor drives the same run, so stepping in one moves the other. No vscode import: the
 * tests drive it through DAP messages alone.
 */
import {
  Breakpoint, ContinuedEvent, DebugSession, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent,
  TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { findParameter, formatNumber, loadNetwork, type Network, plural } from '../core';
import { renderExplanation } from '../cli/explanation';
import type { NetworkStructure, TrainingAction, TrainingFrame } from '../protocol';
import type { Run } from '../run/run';
import type { BreakpointSpec, BreakpointStatus } from '../session/breakpointTypes';
import { describePhase } from '../session/stepper';
import type { Stop } from '../session/training';
import { exceptionFilters, exceptionSettings, FILTER_KINDS, functionBreakpoint, type Translated, watchBreakpoint } from './breakpoints';
import { networkLines, type NetworkLines, parametersOnLine } from './positions';

/** Where the adapter gets a file's run: the extension's runs of open documents, or a test's own. */
export interface NetworkSource {
  /** The run of the network file `program`, attached (release lets go) and loaded; `text` reads the file's text now. */
  open(program: string): Promise<{ run: Run; text(): string; release(): void }>;
}

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The network file to debug. */
  program: string;
  /** Stop at the current step before training (default true); false runs until a breakpoint or a stopping rule. */
  stopOnEntry?: boolean;
}

const THREAD = 1;
/** Frame ids: the step, and the phase inside it (when Step Into is in one). */
const STEP_FRAME = 1;
const PHASE_FRAME = 2;
/** Children listed at once before VS Code pages them (indexedVariables). */
const PAGE = 100;

/** What a variables reference stands for. */
type Ref =
  | { kind: 'training' } | { kind: 'parameters' } | { kind: 'parameter'; index: number } | { kind: 'terms'; index: number }
  | { kind: 'term'; index: number; sample: number } | { kind: 'layers' } | { kind: 'layer'; layer: number }
  | { kind: 'samples' } | { kind: 'sample'; sample: number };

/**
 * Variables references: cleared on each stop, numbered on (never reused), so a reference VS Code
 * kept from before a stop misses instead of naming something else.
 */
class References {
  private readonly map = new Map<number, Ref>();
  private next = 1000;
  create(ref: Ref): number { this.map.set(this.next, ref); return this.next++; }
  get(id: number): Ref | undefined { return this.map.get(id); }
  reset(): void { this.map.clear(); }
}

/** A number as the debugger's views show it: `digits` significant digits, no trailing zeros. */
export const fmt = (v: number, digits = 6): string => formatNumber(v, { digits });

export class NetworkDebugSession extends DebugSession {
  private run: Run | undefined;
  private program = '';
  private readText: () => string = () => '';
  private release: () => void = () => undefined;
  private lines: NetworkLines | undefined;
  private network: Network | undefined;
  private readonly refs = new References();
  /** The session ended (or is ending): nothing it opens afterwards is kept. */
  private disposed = false;
  /** Stable numbers for DAP breakpoints, by what they are, so re-sending them keeps their hit counts. */
  private readonly ids = new Map<string, number>();
  private readonly subscriptions: { dispose(): void }[] = [];
  /** DAP's breakpoints (numbered) and the run's specs behind them, by kind of breakpoint. */
  private nextId = 1;
  private functionSpecs: { id: number; t: Translated }[] = [];
  private dataSpecs: { id: number; t: Translated }[] = [];
  private lineSpecs: { id: number; line: number; t: Translated[] }[] = [];
  /** Events the run sent while a request was being answered: DAP wants the response first. */
  private answering = 0;
  private held: DebugProtocol.Event[] = [];
  private stopOnEntry = true;
  private configured = false;

  constructor(private readonly source: NetworkSource) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- the session ------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: exceptionFilters(),
      supportsDataBreakpoints: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsGotoTargetsRequest: false,
      supportsValueFormattingOptions: false,
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
    try {
      if (typeof args.program !== 'string' || args.program === '') throw new Error("the launch configuration needs a 'program': the network file to debug");
      this.program = path.resolve(args.program);
      this.stopOnEntry = args.stopOnEntry !== false;
      const opened = await this.source.open(this.program);
      if (this.disposed) { opened.release(); return; }
      if (opened.run.debugged) { opened.release(); throw new Error(`${path.basename(this.program)} is already being debugged: one session per network file`); }
      this.run = opened.run;
      this.run.debugged = true;
      this.readText = opened.text;
      this.release = opened.release;
      if (!this.run.structure) throw new Error(`${this.program} is not a network yet: ${this.run.problem ?? 'it could not be loaded'}`);
      this.reload();
      this.subscribe(this.run);
      this.sendResponse(response);
      // VS Code now sends the breakpoints, then configurationDone.
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      this.sendErrorResponse(response, { id: 1, format: (e as Error).message, showUser: true });
    }
  }

  protected override async configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): Promise<void> {
    this.configured = true;
    this.sendResponse(response);
    const run = this.run;
    if (!run) return;
    if (run.running) {
      // Continue was under way (from the editor): stopping it is the session's entry.
      if (this.stopOnEntry) await run.control('pause');
      return;
    }
    if (this.stopOnEntry) {
      this.sendEvent(this.stoppedEvent(run.lastStop ?? null, 'entry'));
      this.output(`${path.basename(this.program)}: ${run.frame?.stop?.text ?? `at step ${run.frame?.step ?? 0}`}\n`);
    } else {
      await run.control('continue');
    }
  }

  /** The run stops, goes on, or is edited: VS Code's views follow, whichever front-end drove it. */
  private subscribe(run: Run): void {
    this.subscriptions.push(
      run.onStopped.on((stop) => {
        if (!this.configured) return;
        // Variables references belong to one stop: VS Code asks for scopes again after each.
        this.refs.reset();
        this.post(this.stoppedEvent(stop));
        // The Debug Console says why, as a program's output would.
        if (stop.reason !== 'step') this.post(new OutputEvent(`${stop.text}\n`, 'console'));
      }),
      run.onContinued.on(() => { if (this.configured) this.post(new ContinuedEvent(THREAD, true)); }),
      run.onStructure.on(() => this.reload()),
    );
  }

  /** The file's text and network, for the Call Stack's sources and line breakpoints (again after each edit). */
  private reload(): void {
    try {
      const text = this.readText();
      this.network = loadNetwork(text);
      this.lines = networkLines(text, this.network);
    } catch {
      // A broken text keeps the last lines: the run itself waits for a valid file.
    }
  }

  private post(event: DebugProtocol.Event): void {
    if (this.answering > 0) this.held.push(event);
    else this.sendEvent(event);
  }

  /** Answers a request that makes the run move, then the events it caused, in DAP's order. */
  private async answer(response: DebugProtocol.Response, work: () => Promise<unknown>): Promise<void> {
    this.answering++;
    try {
      await work();
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2, format: (e as Error).message, showUser: true });
    } finally {
      if (--this.answering === 0) {
        const held = this.held;
        this.held = [];
        for (const e of held) this.sendEvent(e);
      }
    }
  }

  private stoppedEvent(stop: Stop | null, reason?: string): StoppedEvent {
    const kind = reason ?? (stop ? this.stopReason(stop) : 'pause');
    const event = new StoppedEvent(kind, THREAD) as DebugProtocol.StoppedEvent;
    event.body.description = stop?.text;
    event.body.text = stop?.text;
    event.body.allThreadsStopped = true;
    if (stop?.reason === 'breakpoint') {
      const ids = stop.hits.map((h) => this.dapId(h.id)).filter((id): id is number => id !== undefined);
      if (ids.length) event.body.hitBreakpointIds = ids;
    }
    return event;
  }

  /** DAP's reason for a stop: where a person would look for it in VS Code. */
  private stopReason(stop: Stop): string {
    switch (stop.reason) {
      case 'breakpoint': {
        const id = stop.hits[0]?.id ?? '';
        if ((FILTER_KINDS as readonly string[]).includes(id)) return 'exception';
        if (id.startsWith('dap-data-')) return 'data breakpoint';
        if (id.startsWith('dap-function-')) return 'function breakpoint';
        return 'breakpoint';
      }
      case 'diverged': return 'exception';
      case 'step': return 'step';
      case 'entry': case 'reset': return 'entry';
      case 'goto': case 'reverse': case 'set': return 'goto';
      default: return 'pause';
    }
  }

  private output(text: string, category: 'console' | 'stdout' = 'console'): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  // ---- controls ---------------------------------------------------------------------------------

  private control(response: DebugProtocol.Response, action: TrainingAction): Promise<void> {
    const run = this.run;
    if (!run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return Promise.resolve(); }
    return this.answer(response, () => run.control(action));
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    response.body = { allThreadsContinued: true };
    return this.control(response, 'continue');
  }
  protected override pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> { return this.control(response, 'pause'); }
  /** Step Over: one whole step (inside a step, the next phase, as a debugger goes to the next line of the function it is in). */
  protected override nextRequest(response: DebugProtocol.NextResponse): Promise<void> { return this.control(response, 'step'); }
  protected override stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> { return this.control(response, 'stepInto'); }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> { return this.control(response, 'stepOut'); }
  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): Promise<void> { return this.control(response, 'stepBack'); }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): Promise<void> { return this.control(response, 'reverseContinue'); }
  /** Restart: back to the file's parameters at step 0, the breakpoints kept. */
  protected override restartRequest(response: DebugProtocol.RestartResponse): Promise<void> { return this.control(response, 'reset'); }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.end();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.end();
    this.sendResponse(response);
  }

  /** Ending the session leaves the run paused where it is, for the editor to keep showing; its breakpoints go with VS Code's. */
  private async end(): Promise<void> {
    this.disposed = true;
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.debugged = false;
    this.subscriptions.splice(0).forEach((s) => s.dispose());
    try {
      if (run.running) await run.control('pause');
      await run.setDebuggerBreakpoints([], {});
    } finally {
      this.release();
    }
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: { step?: unknown }): void {
    if (command === 'goToStep' && typeof args?.step === 'number' && Number.isSafeInteger(args.step) && args.step >= 0) {
      void this.answer(response, () => this.run!.goTo(args.step as number));
      return;
    }
    this.sendErrorResponse(response, { id: 3, format: `unknown request ${command}` });
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    if (!this.run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    this.functionSpecs = args.breakpoints.map((b) => { const id = this.idFor(`f|${b.name}|${b.condition ?? ''}|${b.hitCondition ?? ''}`); return { id, t: functionBreakpoint(b, `dap-function-${id}`) }; });
    const statuses = await this.sendBreakpoints();
    response.body = { breakpoints: this.functionSpecs.map((s) => this.verdict(s.id, s.t, statuses)) };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const ref = args.variablesReference !== undefined ? this.refs.get(args.variablesReference) : undefined;
    const name = args.name;
    const isParameter = this.network !== undefined && findParameter(this.network, name) !== undefined && (ref === undefined || ref.kind === 'parameters');
    response.body = isParameter
      ? { dataId: name, description: `${name} changes (condition: sign, crosses V, moves V)`, accessTypes: ['write'], canPersist: true }
      : { dataId: null, description: 'only a weight or bias can be watched' };
    this.sendResponse(response);
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    if (!this.run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    this.dataSpecs = args.breakpoints.map((b) => {
      const id = this.idFor(`d|${b.dataId}|${b.condition ?? ''}|${b.hitCondition ?? ''}`);
      return { id, t: this.watch(b.dataId, b.condition, b.hitCondition, `dap-data-${id}`) };
    });
    const statuses = await this.sendBreakpoints();
    response.body = { breakpoints: this.dataSpecs.map((s) => this.verdict(s.id, s.t, statuses)) };
    this.sendResponse(response);
  }

  /** A line of the JSON that holds weights or biases watches each of them (a line with none is unverified). */
  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    if (!this.run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    const sameFile = args.source.path !== undefined && path.resolve(args.source.path) === this.program;
    if (!sameFile) {
      // Another JSON file's breakpoints: not this session's, and they leave this file's alone.
      response.body = { breakpoints: (args.breakpoints ?? []).map((b) => ({ verified: false, line: b.line, message: 'not the network file this session debugs' })) };
      this.sendResponse(response);
      return;
    }
    this.lineSpecs = (args.breakpoints ?? []).map((b) => {
      const id = this.idFor(`l|${b.line}|${b.condition ?? ''}|${b.hitCondition ?? ''}`);
      const line = this.convertClientLineToDebugger(b.line) - 1;
      const indices = this.lines ? parametersOnLine(this.lines, line) : [];
      // The line's trainable parameters (the others never change).
      const trainable = indices.filter((i) => this.network!.training.trainable[i] === 1).map((i) => this.network!.parameters[i].name);
      const t: Translated[] = trainable.length
        ? trainable.map((name, k) => this.watch(name, b.condition, b.hitCondition, `dap-line-${id}-${k}`))
        : [{ error: indices.length ? `${indices.map((i) => this.network!.parameters[i].name).join(', ')} ${indices.length === 1 ? 'is' : 'are'} not trainable: nothing on this line changes` : 'no weight or bias is written on this line: a line breakpoint watches the parameters on its line' }];
      return { id, line: b.line, t };
    });
    const statuses = await this.sendBreakpoints();
    response.body = {
      breakpoints: this.lineSpecs
        .map((s) => {
          const verdicts = s.t.map((t) => this.verdict(s.id, t, statuses));
          const bad = verdicts.find((v) => !v.verified);
          const bp = bad ?? verdicts[0];
          if (!bad && this.network) bp.message = `watches ${s.t.map((t) => ('spec' in t && t.spec.kind === 'watch' ? t.spec.parameter : '')).join(', ')}`;
          bp.line = s.line;
          return bp;
        }),
    };
    this.sendResponse(response);
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    if (!this.run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    const { builtins, errors } = exceptionSettings(args);
    this.exceptionBuiltins = builtins;
    await this.sendBreakpoints();
    const order = [...(args.filterOptions ?? []).map((o) => o.filterId), ...args.filters];
    response.body = {
      breakpoints: order.map((f) => {
        const error = errors.get(f);
        const b = new Breakpoint(error === undefined) as DebugProtocol.Breakpoint;
        if (error) b.message = error;
        return b;
      }),
    };
    this.sendResponse(response);
  }

  private exceptionBuiltins: ReturnType<typeof exceptionSettings>['builtins'] = {};

  /** A watch on `name`, unless it can never fire: an unknown or untrainable parameter never changes. */
  private watch(name: string, condition: string | undefined, hitCondition: string | undefined, id: string): Translated {
    const p = this.network && findParameter(this.network, name);
    if (!p) return { error: `${name} is not a parameter of this network` };
    if (this.network!.training.trainable[p.index] !== 1) return { error: `${name} is not trainable (see "trainable" in the file): its value never changes` };
    return watchBreakpoint(name, condition, hitCondition, id);
  }

  /** Every DAP breakpoint the run checks, with the editor's own. */
  private sendBreakpoints(): Promise<BreakpointStatus[]> {
    const specs: BreakpointSpec[] = [];
    for (const s of [...this.functionSpecs, ...this.dataSpecs]) if ('spec' in s.t) specs.push(s.t.spec);
    for (const s of this.lineSpecs) for (const t of s.t) if ('spec' in t) specs.push(t.spec);
    return this.run!.setDebuggerBreakpoints(specs, this.exceptionBuiltins);
  }

  private verdict(id: number, t: Translated, statuses: BreakpointStatus[]): DebugProtocol.Breakpoint {
    const status = 'spec' in t ? statuses.find((s) => s.id === t.spec.id) : undefined;
    const message = 'error' in t ? t.error : status?.verified === false ? status.message : undefined;
    const b = new Breakpoint(message === undefined) as DebugProtocol.Breakpoint;
    b.id = id;
    if (message !== undefined) b.message = message;
    return b;
  }

  /** The DAP id of the run's breakpoint `specId` (`dap-function-3`, `dap-line-7-0`: 3, 7). */
  private idFor(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) { id = this.nextId++; this.ids.set(key, id); }
    return id;
  }

  private dapId(specId: string): number | undefined {
    const m = /^dap-(?:function|data|line)-(\d+)/.exec(specId);
    return m ? Number(m[1]) : undefined;
  }

  // ---- where the run is -------------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD, 'training')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const frame = this.run?.frame;
    const source = new Source(path.basename(this.program), this.program);
    const line = (l: number | undefined): number => this.convertDebuggerLineToClient((l ?? 0) + 1);
    const frames: StackFrame[] = [];
    if (frame) {
      const phase = frame.phase;
      if (phase) {
        const layer = 'layer' in phase ? phase.layer : phase.kind === 'loss' ? this.network?.layers.length ?? 1 : 1;
        const words = phase.kind === 'update' ? 'update' : phase.kind === 'loss' ? 'loss' : `${phase.kind} › layer ${layer}`;
        const f = new StackFrame(PHASE_FRAME, `step ${frame.step} › ${words}`, source, line(this.lines?.layers[layer - 1]), 1);
        frames.push(f);
      }
      frames.push(new StackFrame(STEP_FRAME, `step ${frame.step}`, source, line(0), 1));
    }
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    const s = this.run?.structure;
    const scope = (name: string, ref: Ref, named?: number, indexed?: number): DebugProtocol.Scope => {
      const sc = new Scope(name, this.refs.create(ref), false) as DebugProtocol.Scope;
      if (named !== undefined) sc.namedVariables = named;
      if (indexed !== undefined) sc.indexedVariables = indexed;
      return sc;
    };
    response.body = {
      scopes: s ? [
        scope('Training', { kind: 'training' }),
        s.params.length > PAGE ? scope('Parameters', { kind: 'parameters' }, undefined, s.params.length) : scope('Parameters', { kind: 'parameters' }, s.params.length),
        scope('Layers', { kind: 'layers' }, s.layers.length),
        s.samples > PAGE ? scope('Samples', { kind: 'samples' }, undefined, s.samples) : scope('Samples', { kind: 'samples' }, s.samples),
      ] : [],
    };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    try {
      const ref = this.refs.get(args.variablesReference);
      response.body = { variables: ref ? await this.variables(ref, args.start ?? 0, args.count ?? 0) : [] };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 4, format: (e as Error).message });
    }
  }

  private variable(name: string, value: string, more: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
    return { name, value, variablesReference: 0, ...more };
  }

  /** Parameters and gradients from `start`: the frame's own when it carries them, else the worker's. */
  private async parameterValues(start: number, count: number): Promise<{ values: number[]; gradients: number[] }> {
    const f = this.run!.frame!;
    if (f.values && f.gradients) return { values: f.values.slice(start, start + count), gradients: f.gradients.slice(start, start + count) };
    return (await this.run!.slice(start, count)) ?? { values: [], gradients: [] };
  }

  private async variables(ref: Ref, start: number, count: number): Promise<DebugProtocol.Variable[]> {
    const run = this.run;
    const s = run?.structure;
    const f = run?.frame;
    if (!run || !s || !f) return [];
    const sym = s.lossSymbol;
    switch (ref.kind) {
      case 'training': {
        const stepSize = await run.evaluate('stepSize');
        return [
          this.variable('step', String(f.step), { evaluateName: 'step' }),
          this.variable('loss', fmt(f.loss), { evaluateName: 'loss', type: sym }),
          this.variable('step size', stepSize?.ok ? fmt(stepSize.value) : '?', { evaluateName: 'stepSize' }),
          this.variable('learning rate', fmt(s.learningRate), { evaluateName: 'learningRate' }),
          this.variable('phase', f.phase ? describePhase(f.phase) : 'between steps'),
          this.variable('stop', f.stop?.text ?? (f.running ? 'running' : ''), { presentationHint: { attributes: ['readOnly'] } }),
          this.variable('stop reason', f.stopReason ?? 'none'),
        ];
      }
      case 'parameters': {
        const total = s.params.length;
        const from = Math.min(start, total);
        const n = count > 0 ? Math.min(count, total - from) : total - from;
        const { values, gradients } = await this.parameterValues(from, n);
        return values.map((v, k) => {
          const p = s.params[from + k];
          return this.variable(p.name, fmt(v), {
            evaluateName: p.name, type: `${p.kind}${p.trainable ? '' : ', not trainable'}; d${sym}/d${p.name} = ${fmt(gradients[k])}`,
            variablesReference: this.refs.create({ kind: 'parameter', index: from + k }), namedVariables: 4,
          });
        });
      }
      case 'parameter': {
        // Cheap children first; the chain rule (an explanation over every sample and path, half a
        // second on a 100,000-parameter network) is worked out only when it is expanded.
        const p = s.params[ref.index];
        const { values, gradients } = await this.parameterValues(ref.index, 1);
        const next = p.trainable ? values[0] - s.learningRate * gradients[0] : values[0];
        return [
          this.variable(`d${sym}/d${p.name}`, fmt(gradients[0]), { evaluateName: `d${p.name}` }),
          this.variable('next value', fmt(next), { evaluateName: p.trainable ? `${p.name} - learningRate * d${p.name}` : p.name, type: p.trainable ? `${p.name} − ${fmt(s.learningRate)} × d${sym}/d${p.name}` : 'not trainable: it stays' }),
          this.variable('chain rule', `Σ over ${plural(s.samples, 'sample')}, factor by factor`, { variablesReference: this.refs.create({ kind: 'terms', index: ref.index }) }),
        ];
      }
      case 'terms': {
        const e = await run.explain(s.params[ref.index].name);
        if (!e) return [];
        return [
          this.variable('formula', e.formula, { type: e.expandedFormula }),
          this.variable('finite difference', fmt(e.finiteDifference), { type: `the independent check of ${e.derivativeLabel} = ${fmt(e.derivative)}` }),
          ...e.terms.map((t) => this.variable(`i = ${t.sample}`, fmt(t.value), {
            type: t.factors.map((x) => `${x.label} ${fmt(x.value)}`).join(' × '),
            variablesReference: this.refs.create({ kind: 'term', index: ref.index, sample: t.sample }), namedVariables: t.factors.length + 1,
          })),
        ];
      }
      case 'term': {
        const e = await run.explain(s.params[ref.index].name);
        const t = e?.terms.find((x) => x.sample === ref.sample);
        if (!t) return [];
        return [...t.factors.map((x) => this.variable(x.label, fmt(x.value), { type: x.expression })), this.variable('product', fmt(t.value))];
      }
      case 'layers': {
        const stats = await run.layerStats();
        return stats.map((l) => this.variable(`layer ${l.layer}`, `${l.activation}, ‖d${sym}/d·‖ ${fmt(l.gradientNorm)}`, { variablesReference: this.refs.create({ kind: 'layer', layer: l.layer }), namedVariables: 4 }));
      }
      case 'layer': {
        const l = (await run.layerStats())[ref.layer - 1];
        if (!l) return [];
        const share = (v: number): string => `${Math.round(v * 1000) / 10}%`;
        return [
          this.variable('gradient norm', fmt(l.gradientNorm), { evaluateName: `norm(dW${l.layer})` }),
          this.variable('mean |gradient|', fmt(l.meanAbsGradient)),
          this.variable('dead units', l.activation === 'relu' ? share(l.dead) : 'none (not ReLU)'),
          this.variable('saturated units', l.activation === 'sigmoid' || l.activation === 'tanh' ? share(l.saturated) : 'none (not sigmoid or tanh)'),
        ];
      }
      case 'samples': {
        const from = Math.min(start, s.samples);
        const n = count > 0 ? Math.min(count, s.samples - from) : s.samples - from;
        return Array.from({ length: n }, (_, k) => {
          const i = from + k;
          return this.variable(`i = ${i + 1}`, s.inputs.map((name, c) => `${name} ${fmt(s.data.inputs[i][c])}`).join(', '), { variablesReference: this.refs.create({ kind: 'sample', sample: i }) });
        });
      }
      case 'sample': return this.sample(s, f, ref.sample);
    }
  }

  /** Sample i: its inputs, observed and predicted values, and every unit's x_{j,i} and y_{j,i}. */
  private async sample(s: NetworkStructure, f: TrainingFrame, i: number): Promise<DebugProtocol.Variable[]> {
    const out: DebugProtocol.Variable[] = [];
    s.inputs.forEach((name, c) => out.push(this.variable(name, fmt(s.data.inputs[i][c]), { type: 'input' })));
    const last = s.layers.length;
    const unitValues = async (layer: number, unit: number): Promise<{ x: number; y: number } | undefined> => {
      const u = f.units?.find((x) => x.layer === layer && x.unit === unit) ?? await this.run!.unit(layer, unit);
      return u ? { x: u.x[i], y: u.y[i] } : undefined;
    };
    for (let k = 0; k < s.outputs.length; k++) {
      const predicted = await unitValues(last, k);
      out.push(this.variable(`observed ${s.outputs[k]}`, fmt(s.data.targets[i][k])));
      out.push(this.variable(`predicted ${s.outputs[k]}`, predicted ? fmt(predicted.y) : '?'));
    }
    for (let l = 1; l < last; l++) {
      const units = s.layers[l - 1].units;
      for (let j = 0; j < Math.min(units, PAGE); j++) {
        const v = await unitValues(l, j);
        if (!v) continue;
        out.push(this.variable(`x${l === 1 && last === 2 ? '' : `(${l})`}_${j + 1},${i + 1}`, fmt(v.x), { type: `layer ${l}, unit ${j + 1}: the weighted sum` }));
        out.push(this.variable(`y${l === 1 && last === 2 ? '' : `(${l})`}_${j + 1},${i + 1}`, fmt(v.y), { type: `${s.layers[l - 1].activation}(x)` }));
      }
    }
    return out;
  }

  // ---- what-if and questions --------------------------------------------------------------------

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    const ref = this.refs.get(args.variablesReference);
    const s = this.run?.structure;
    const index = s?.params.findIndex((p) => p.name === args.name) ?? -1;
    const value = Number(args.value);
    if (ref?.kind !== 'parameters' || index < 0) { this.sendErrorResponse(response, { id: 5, format: 'only a weight or bias can be set' }); return; }
    if (args.value.trim() === '' || !Number.isFinite(value)) { this.sendErrorResponse(response, { id: 6, format: `'${args.value}' is not a number`, showUser: true }); return; }
    await this.answer(response, async () => {
      await this.run!.setParameter(index, value);
      response.body = { value: fmt(value) };
    });
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const run = this.run;
    const text = args.expression.trim();
    if (!run) { this.sendErrorResponse(response, { id: 7, format: 'no network is being debugged' }); return; }
    const explainMatch = /^explain\s+(\S+)$/.exec(text);
    if (explainMatch && args.context === 'repl') {
      const e = await run.explain(explainMatch[1]);
      if (!e || !this.network) { this.sendErrorResponse(response, { id: 8, format: `unknown parameter '${explainMatch[1]}'` }); return; }
      this.output(`${renderExplanation(this.network, e, run.frame?.step ?? 0)}\n`);
      response.body = { result: `${e.derivativeLabel} = ${fmt(e.derivative)}`, variablesReference: 0 };
      this.sendResponse(response);
      return;
    }
    // Hovering the JSON text asks for words such as "weights": only what the language knows is answered.
    const reply = await run.evaluate(text);
    if (!reply) { this.sendErrorResponse(response, { id: 9, format: run.problem ?? 'the file is not a network yet' }); return; }
    if (!reply.ok) {
      if (args.context === 'hover') { this.sendErrorResponse(response, { id: 10, format: '' }); return; }
      this.sendErrorResponse(response, { id: 10, format: reply.message, showUser: args.context === 'repl' });
      return;
    }
    response.body = { result: fmt(reply.value), variablesReference: 0 };
    this.sendResponse(response);
  }
}
