/**
 * The debug adapter: VS Code's debugger (the Debug Adapter Protocol) as one more front-end of the
 * run of a network file, as mock-debug's session is of its runtime. It only translates: requests
 * become the run's controls, breakpoints and questions; the run's events become DAP events. The
 * network editor drives the same run, so stepping in one moves the other. As mock-debug's, it is
 * one of three parts: this translation, the Variables view (variables.ts) and the breakpoints'
 * bookkeeping (breakpointBook.ts). It drives the run through the claim it holds, so it can only
 * ever release its own hold and breakpoints. No vscode import: the tests drive it through DAP
 * messages alone.
 */
import {
  BreakpointEvent, CapabilitiesEvent, ContinuedEvent, InvalidatedEvent, DebugSession, InitializedEvent, OutputEvent, ProgressEndEvent, ProgressStartEvent, ProgressUpdateEvent, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { findParameter, loadNetwork, type Network, type ReadFile } from '../core';
import { renderExplanation } from '../cli/explanation';
import type { TrainingAction } from '../protocol';
import type { TrainingFrame } from '../session/views';
import type { DebugClaim, Run } from '../run/run';
import { BUILTINS, type BreakpointStatus, type BuiltinKind, type LogLine } from '../session/breakpointTypes';
import { explainBuiltin, LOG_LINES_KEPT } from '../session/breakpoints';
import type { Stop } from '../session/training';
import { BreakpointBook, dapId } from './breakpointBook';
import { completions } from './completions';
import { exceptionFilters, FILTER_KINDS } from './breakpoints';
import { lineOfPhase, networkLines, type NetworkLines, phasesOnLine, takesBreakpoint } from './positions';
import { describePhase, type Phase, phasesOf, samePhase } from '../session/stepper';
import { fmt, VariablesTree } from './variables';

/** Where the adapter gets a file's run: the extension's runs of open documents, or a test's own. */
export interface NetworkSource {
  /**
   * The run of the network file `program`, attached (release lets go) and loaded; `text` reads the
   * file's text now, `readFile` the data files it names.
   */
  open(program: string): Promise<{ run: Run; text(): string; readFile?: ReadFile; release(): void }>;
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

export { fmt };

export class NetworkDebugSession extends DebugSession {
  private run: Run | undefined;
  /** The session's hold on the run: its breakpoints, and letting go. */
  private claim: DebugClaim | undefined;
  private tree: VariablesTree | undefined;
  private readonly book = new BreakpointBook();
  private program = '';
  private readText: () => string = () => '';
  private readFile: ReadFile = () => undefined;
  private release: () => void = () => undefined;
  private lines: NetworkLines | undefined;
  private network: Network | undefined;
  /** The session ended (or is ending): nothing it opens afterwards is kept. */
  private disposed = false;
  private readonly subscriptions: { dispose(): void }[] = [];
  /** Events the run sent while a request was being answered: DAP wants the response first. */
  private answering = 0;
  private held: DebugProtocol.Event[] = [];
  private stopOnEntry = true;
  private configured = false;
  /** VS Code: its Breakpoints view and the editor's list show one set (see BreakpointSync). */
  private inVSCode = false;
  /** The built-in conditions VS Code's view lists as exception filters (the run's, switched on). */
  private advertised = '';
  /** Requests Cancel may end (a chain rule being expanded), by their sequence number. */
  private readonly cancellable = new Map<number, { progressId: string | undefined; cancel(): void }>();
  /** The client takes InvalidatedEvent (VS Code does): a what-if edit refreshes the views without a stop. */
  private invalidation = false;
  /** The client shows progress (VS Code does): a long jump reports how far it has got. */
  private progressReporting = false;
  /** The progress of the long jump under way, if one is. */
  private progress: { id: string; percent: number } | undefined;
  private progressCount = 0;

  constructor(private readonly source: NetworkSource) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- the session ------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.progressReporting = args.supportsProgressReporting === true;
    this.invalidation = args.supportsInvalidatedEvent === true;
    this.inVSCode = args.clientID === 'vscode';
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsCompletionsRequest: true,
      supportsExceptionInfoRequest: true,
      supportsSetExpression: true,
      supportsExceptionFilterOptions: true,
      // In VS Code the filters are the built-in conditions the run has on (sent once it is known);
      // elsewhere, every one, unchecked.
      exceptionBreakpointFilters: this.inVSCode ? [] : exceptionFilters(),
      supportsDataBreakpoints: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsGotoTargetsRequest: true,
      supportsStepInTargetsRequest: true,
      supportsRestartFrame: true,
      supportsCancelRequest: true,
      supportsBreakpointLocationsRequest: true,
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
      const claim = opened.run.claimDebugger();
      if (!claim) { opened.release(); throw new Error(`${path.basename(this.program)} is already being debugged: one session per network file`); }
      this.run = opened.run;
      this.claim = claim;
      this.tree = new VariablesTree(opened.run);
      this.readText = opened.text;
      this.readFile = opened.readFile ?? this.readFile;
      this.release = opened.release;
      if (!this.run.structure) throw new Error(`${this.program} is not a network yet: ${this.run.problem ?? 'it could not be loaded'}`);
      this.reload();
      this.subscribe(this.run);
      this.sendResponse(response);
      this.advertiseBuiltins();
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
        this.endProgress();
        if (!this.configured) return;
        // Variables references belong to one stop: VS Code asks for scopes again after each.
        this.tree?.reset();
        // Set Value is not a stop: the run is where it was, its numbers changed; the views refresh.
        if (stop.reason === 'set' && this.invalidation) { this.post(new InvalidatedEvent(['variables', 'stacks'], THREAD)); return; }
        this.post(this.stoppedEvent(stop));
        // The Debug Console says why, as a program's output would.
        if (stop.reason !== 'step') this.post(new OutputEvent(`${stop.text}\n`, 'console'));
      }),
      run.onContinued.on(() => { if (this.configured) this.post(new ContinuedEvent(THREAD, true)); }),
      run.onFrame.on((frame) => this.reportProgress(frame)),
      run.onStructure.on(() => { this.reload(); void this.resolveBreakpointsAgain(); }),
      run.onBreakpoints.on(() => this.advertiseBuiltins()),
      run.onLogs.on((logs) => this.writeLogs(logs.lines, logs.dropped)),
    );
  }

  /**
   * What logpoints wrote, in the Debug Console: one output event per run of lines from one
   * logpoint (the worker sends them at most every 100 ms), with its source and line when it is a
   * line of the file, so VS Code links each to where it was set.
   */
  private writeLogs(lines: readonly LogLine[], dropped: number): void {
    if (!this.configured) return;
    let from = 0;
    while (from < lines.length) {
      let to = from + 1;
      while (to < lines.length && lines[to].id === lines[from].id) to++;
      // stdout, as a program's own lines read (VS Code colours 'console' as the debugger's voice).
      const event = new OutputEvent(lines.slice(from, to).map((l) => `${l.text}\n`).join(''), 'stdout') as DebugProtocol.OutputEvent;
      const line = this.book.lineOf(lines[from].id);
      if (line !== undefined) {
        event.body.source = new Source(path.basename(this.program), this.program);
        event.body.line = line;
      }
      this.post(event);
      from = to;
    }
    if (dropped > 0) this.post(new OutputEvent(`… and ${dropped.toLocaleString('en-US')} more logpoint lines, not kept (over ${LOG_LINES_KEPT.toLocaleString('en-US')} at once)\n`, 'console'));
  }

  /**
   * VS Code's Breakpoints view lists the built-in conditions the run has on, checked (the editor's
   * list has them all, with their thresholds): sent again whenever that set changes.
   */
  private advertiseBuiltins(): void {
    const run = this.run;
    if (!this.inVSCode || !run) return;
    const filters = exceptionFilters(run.builtins);
    const key = JSON.stringify(filters);
    if (key === this.advertised) return;
    this.advertised = key;
    this.sendEvent(new CapabilitiesEvent({ exceptionBreakpointFilters: filters }));
  }

  /** A long jump (Go to Step, Step Back, Reverse Continue) under way: VS Code's progress says how far it has got. */
  private reportProgress(frame: TrainingFrame): void {
    const a = frame.running ? frame.activity : null;
    if (!this.progressReporting || !this.configured || !a || a.kind === 'continue' || a.fraction === null) return;
    const percent = Math.floor(a.fraction * 100);
    if (!this.progress) {
      this.progress = { id: `backprop-${++this.progressCount}`, percent };
      const start = new ProgressStartEvent(this.progress.id, a.label) as DebugProtocol.ProgressStartEvent;
      start.body.percentage = percent;
      // Cancel (VS Code's progress notification) stops the jump where Pause would.
      start.body.cancellable = true;
      this.sendEvent(start);
    } else if (percent !== this.progress.percent) {
      this.progress.percent = percent;
      const update = new ProgressUpdateEvent(this.progress.id, `step ${frame.step.toLocaleString('en-US')}`) as DebugProtocol.ProgressUpdateEvent;
      update.body.percentage = percent;
      this.sendEvent(update);
    }
  }

  private endProgress(): void {
    if (!this.progress) return;
    this.sendEvent(new ProgressEndEvent(this.progress.id));
    this.progress = undefined;
  }

  /** The file's text and network, for the Call Stack's sources and line breakpoints (again after each edit). */
  private reload(): void {
    try {
      const text = this.readText();
      this.network = loadNetwork(text, { readFile: this.readFile });
      this.lines = networkLines(text, this.network);
    } catch {
      // A broken text keeps the last lines: the run itself waits for a valid file.
    }
  }

  /**
   * After an edit of the file's layout: the line and data breakpoints resolved again against the
   * new text, and VS Code told of each one's verdict (a line that now holds other numbers, or none).
   */
  private async resolveBreakpointsAgain(): Promise<void> {
    if (!this.claim || !this.book.resolveAgain((line) => this.convertClientLineToDebugger(line) - 1, this.lines, this.network)) return;
    const statuses = await this.sendBreakpoints();
    for (const b of [...this.book.lineVerdicts(statuses), ...this.book.dataVerdicts(statuses)]) this.post(new BreakpointEvent('changed', b));
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
      const ids = stop.hits.map((h) => dapId(h.id)).filter((id): id is number => id !== undefined);
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
  /** Step Into, or (Step Into Target) straight to the phase picked. */
  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): Promise<void> {
    if (args.targetId === undefined) return this.control(response, 'stepInto');
    return this.toPhase(response, this.phaseById(args.targetId));
  }

  /** The phase numbered `id` (from 1, in Step Into's order), or undefined. */
  private phaseById(id: number): Phase | undefined {
    return this.network ? phasesOf(this.network)[id - 1] : undefined;
  }

  /** To a phase of the step shown (null: the step's start). */
  private toPhase(response: DebugProtocol.Response, phase: Phase | null | undefined): Promise<void> {
    const run = this.run;
    if (!run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return Promise.resolve(); }
    if (phase === undefined) { this.sendErrorResponse(response, { id: 13, format: 'no such phase in this network\'s step' }); return Promise.resolve(); }
    return this.answer(response, () => run.goToPhase(phase));
  }

  /** Step Into Target: the phases still ahead in the step shown, each straight to. */
  protected override stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse): void {
    const network = this.network;
    const current = this.run?.frame?.phase ?? null;
    const phases = network ? phasesOf(network) : [];
    const from = current === null ? 0 : phases.findIndex((p) => samePhase(p, current)) + 1;
    response.body = { targets: phases.slice(from).map((p, k) => ({ id: from + k + 1, label: describePhase(p), ...(this.lines ? { line: this.convertDebuggerLineToClient(lineOfPhase(this.lines, p) + 1) } : {}) })) };
    this.sendResponse(response);
  }

  /** Restart Frame on a phase's frame: back to the start of the step (the phases changed nothing). */
  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments): Promise<void> {
    if (args.frameId !== PHASE_FRAME) { this.sendErrorResponse(response, { id: 14, format: 'only a phase of a step can be restarted: Step Back goes back a whole step' }); return Promise.resolve(); }
    return this.toPhase(response, null);
  }

  /** Jump to Cursor: on a layer's line its forward and backward phases, the loss line the loss, the training line the update. */
  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    const lines = this.lines;
    const network = this.network;
    const sameFile = args.source.path !== undefined && path.resolve(args.source.path) === this.program;
    const on = lines && network && sameFile ? phasesOnLine(lines, this.convertClientLineToDebugger(args.line) - 1) : [];
    const all = network ? phasesOf(network) : [];
    response.body = { targets: on.map((p) => ({ id: all.findIndex((q) => samePhase(q, p)) + 1, label: describePhase(p), line: args.line })) };
    this.sendResponse(response);
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): Promise<void> {
    return this.toPhase(response, this.phaseById(args.targetId));
  }

  /**
   * Cancel: a chain rule being expanded is answered as cancelled (by its request or its progress);
   * a long jump (Go to Step, Step Back, Reverse Continue) stops where Pause would.
   */
  protected override async cancelRequest(response: DebugProtocol.CancelResponse, given?: DebugProtocol.CancelArguments): Promise<void> {
    // DAP makes cancel's arguments optional: none cancels whatever is under way.
    const args = given ?? {};
    const expanding = [...this.cancellable.entries()].find(([seq, c]) => seq === args.requestId || (args.progressId !== undefined && c.progressId === args.progressId));
    if (expanding) {
      expanding[1].cancel();
      this.sendResponse(response);
      return;
    }
    const run = this.run;
    const jump = run?.frame?.running && run.frame.activity?.kind !== 'continue';
    if (run && jump && (args.progressId === undefined || args.progressId === this.progress?.id)) await run.control('pause');
    this.sendResponse(response);
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> { return this.control(response, 'stepOut'); }
  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): Promise<void> { return this.control(response, 'stepBack'); }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): Promise<void> { return this.control(response, 'reverseContinue'); }
  /** Restart: back to the file's parameters at step 0, the breakpoints kept. */
  /** Restart: back to the file's parameters, then as launched: stopped there, or (stopOnEntry false) training again. */
  protected override restartRequest(response: DebugProtocol.RestartResponse): Promise<void> {
    const run = this.run;
    if (!run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return Promise.resolve(); }
    return this.answer(response, async () => {
      await run.control('reset');
      if (!this.stopOnEntry) await run.control('continue');
    });
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.end();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.end();
    this.sendResponse(response);
    // `backprop dap` on stdio ends with its client; inside VS Code and on a port this does nothing.
    this.shutdown();
  }

  /** Ending the session leaves the run paused where it is, for the editor to keep showing; its breakpoints go with VS Code's. */
  private async end(): Promise<void> {
    this.disposed = true;
    const run = this.run;
    const claim = this.claim;
    if (!run || !claim) return;
    this.run = undefined;
    this.claim = undefined;
    this.subscriptions.splice(0).forEach((s) => s.dispose());
    try {
      if (run.running) await run.control('pause');
      // This session's breakpoints go; another session's (if one claims the run next) are its own.
      await claim.release();
    } finally {
      this.release();
    }
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: { step?: unknown }): void {
    const run = this.run;
    if (command === 'goToStep' && !run) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    if (command === 'goToStep' && run && typeof args?.step === 'number' && Number.isSafeInteger(args.step) && args.step >= 0) {
      void this.answer(response, () => run.goTo(args.step as number));
      return;
    }
    this.sendErrorResponse(response, { id: 3, format: `unknown request ${command}` });
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    if (!this.claim) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    const program = this.program;
    this.book.setFunctions(args.breakpoints, (file) => program === file || program.endsWith(`${path.sep}${file.split('/').join(path.sep)}`));
    const statuses = await this.sendBreakpoints();
    const run = this.run!;
    response.body = { breakpoints: this.book.functionVerdicts(statuses, { specs: run.specs, statuses: run.statuses }) };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const ref = args.variablesReference !== undefined ? this.tree?.get(args.variablesReference) : undefined;
    const name = args.name;
    const isParameter = this.network !== undefined && findParameter(this.network, name) !== undefined && (ref === undefined || ref.kind === 'parameters');
    response.body = isParameter
      ? { dataId: name, description: `${name} changes (condition: sign, crosses V, moves V)`, accessTypes: ['write'], canPersist: true }
      : { dataId: null, description: 'only a weight or bias can be watched' };
    this.sendResponse(response);
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    if (!this.claim) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    this.book.setData(args.breakpoints, this.network);
    response.body = { breakpoints: this.book.dataVerdicts(await this.sendBreakpoints()) };
    this.sendResponse(response);
  }

  /** A line of the JSON that holds weights or biases watches each of them (a line with none is unverified). */
  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    if (!this.claim) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    const sameFile = args.source.path !== undefined && path.resolve(args.source.path) === this.program;
    if (!sameFile) {
      // Another JSON file's breakpoints: not this session's, and they leave this file's alone.
      response.body = { breakpoints: (args.breakpoints ?? []).map((b) => ({ verified: false, line: b.line, message: 'not the network file this session debugs' })) };
      this.sendResponse(response);
      return;
    }
    this.book.setLines(args.breakpoints ?? [], (line: number) => this.convertClientLineToDebugger(line) - 1, this.lines, this.network);
    response.body = { breakpoints: this.book.lineVerdicts(await this.sendBreakpoints()) };
    this.sendResponse(response);
  }

  /** The lines of the network file that take a breakpoint (VS Code offers only those): layers, loss, training, trainable numbers. */
  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const lines = this.lines;
    const network = this.network;
    const sameFile = args.source.path !== undefined && path.resolve(args.source.path) === this.program;
    const breakpoints: DebugProtocol.BreakpointLocation[] = [];
    if (lines && network && sameFile) {
      for (let line = args.line; line <= (args.endLine ?? args.line); line++) {
        if (takesBreakpoint(lines, network, this.convertClientLineToDebugger(line) - 1)) breakpoints.push({ line });
      }
    }
    response.body = { breakpoints };
    this.sendResponse(response);
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    if (!this.claim) { this.sendErrorResponse(response, { id: 11, format: 'the session has ended' }); return; }
    this.book.setExceptions(args);
    // Before configurationDone, VS Code sends what its view held before it had our list (the
    // conditions on in the editor's list are not in it yet): the list is the truth at the start.
    if (this.inVSCode && this.run && this.configured) {
      // One set: a filter unchecked in VS Code's view switches the run's condition off; a filter's
      // condition sets its thresholds.
      const run = this.run;
      const listed = new Set(JSON.parse(this.advertised || '[]').map((f: DebugProtocol.ExceptionBreakpointsFilter) => f.filter));
      const asked = this.book.builtins;
      const next = { ...run.builtins };
      for (const kind of FILTER_KINDS) {
        if (!listed.has(kind)) continue;
        next[kind] = asked[kind] ?? { ...next[kind], enabled: false };
      }
      if (JSON.stringify(next) !== JSON.stringify(run.builtins)) await run.setBreakpoints(run.specs, next);
    }
    await this.sendBreakpoints();
    response.body = { breakpoints: this.book.exceptionVerdicts(args) };
    this.sendResponse(response);
  }

  /** Every DAP breakpoint, checked by the run with the editor's own (in VS Code the conditions are the run's own). */
  private sendBreakpoints(): Promise<BreakpointStatus[]> {
    return this.claim!.setBreakpoints(this.book.specs, this.inVSCode ? {} : this.book.builtins);
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
        const words = phase.kind === 'update' ? 'update' : phase.kind === 'loss' ? 'loss' : `${phase.kind} › layer ${phase.layer}`;
        // The phase's own line: its layer's, the loss line, the training line. Restart Frame goes back to the step's start.
        const f = new StackFrame(PHASE_FRAME, `step ${frame.step} › ${words}`, source, line(this.lines ? lineOfPhase(this.lines, phase) : 0), 1) as DebugProtocol.StackFrame;
        f.canRestart = true;
        frames.push(f);
      }
      const top = new StackFrame(STEP_FRAME, `step ${frame.step}`, source, line(0), 1) as DebugProtocol.StackFrame;
      top.canRestart = false;
      frames.push(top);
    }
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: this.tree?.scopes() ?? [] };
    this.sendResponse(response);
  }

  /**
   * Variables. Expanding a chain rule (every sample and path: half a second on a large network)
   * reports progress, and Cancel (by request or by progress) answers it at once as cancelled; the
   * worker's late answer is dropped.
   */
  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const ref = this.tree?.get(args.variablesReference);
    const long = ref?.kind === 'terms' || ref?.kind === 'term';
    const seq = response.request_seq;
    const progressId = long && this.progressReporting ? `backprop-chain-${seq}` : undefined;
    let answered = false;
    const answer = (send: () => void): void => {
      if (answered) return;
      answered = true;
      this.cancellable.delete(seq);
      if (progressId) this.sendEvent(new ProgressEndEvent(progressId));
      send();
    };
    if (long) {
      this.cancellable.set(seq, { progressId, cancel: () => answer(() => { response.success = false; response.message = 'cancelled'; this.sendResponse(response); }) });
      if (progressId) {
        const start = new ProgressStartEvent(progressId, 'Expanding the chain rule') as DebugProtocol.ProgressStartEvent;
        start.body.cancellable = true;
        start.body.requestId = seq;
        this.sendEvent(start);
      }
    }
    try {
      const variables = (await this.tree?.children(args.variablesReference, args.start ?? 0, args.count ?? 0)) ?? [];
      answer(() => { response.body = { variables }; this.sendResponse(response); });
    } catch (e) {
      answer(() => this.sendErrorResponse(response, { id: 4, format: (e as Error).message }));
    }
  }

  // ---- what-if and questions --------------------------------------------------------------------

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    const ref = this.tree?.get(args.variablesReference);
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

  /**
   * VS Code's exception widget for a stop by a built-in condition (or the divergence rule): which
   * fired, with its evidence (the first value that stopped being finite, where it came from, and for
   * which sample; the dead unit; the two losses), and what the condition means.
   */
  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const run = this.run;
    const stop = run?.lastStop;
    const hit = stop?.reason === 'breakpoint' ? stop.hits.find((h) => (FILTER_KINDS as readonly string[]).includes(h.id)) : undefined;
    if (!run || !stop || (!hit && stop.reason !== 'diverged')) {
      this.sendErrorResponse(response, { id: 12, format: 'the run did not stop on a built-in condition' });
      return;
    }
    const kind = hit?.id as BuiltinKind | undefined;
    response.body = {
      exceptionId: kind ? BUILTINS[kind].title : 'Diverged',
      description: hit ? `${hit.description} (step ${stop.step})` : stop.text,
      breakMode: 'always',
      details: {
        typeName: kind ? BUILTINS[kind].title : 'Diverged',
        message: kind ? `${BUILTINS[kind].title}: ${explainBuiltin(kind, run.builtins[kind])}` : 'a step size or the loss stopped being a finite number: the learning rate is too large',
        stackTrace: `step ${stop.step}${stop.phase ? ` › ${stop.phase.kind}` : ''}`,
      },
    };
    this.sendResponse(response);
  }

  /** The Debug Console's and the Watch view's completions: the condition language's names for this network. */
  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const network = this.network;
    // DAP does not say whether the Console or the Watch view asks: both are offered `explain`.
    response.body = { targets: network ? completions(network, args.text, args.column) : [] };
    this.sendResponse(response);
  }

  /** Set Value from the Watch view: an expression that names a weight or bias takes the value, as Set Value in Variables. */
  protected override async setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): Promise<void> {
    const run = this.run;
    const name = args.expression.trim();
    const index = run?.structure?.params.findIndex((p) => p.name === name) ?? -1;
    const value = Number(args.value);
    if (!run || index < 0) { this.sendErrorResponse(response, { id: 5, format: `only a weight or bias can be set, not '${name}'`, showUser: true }); return; }
    if (args.value.trim() === '' || !Number.isFinite(value)) { this.sendErrorResponse(response, { id: 6, format: `'${args.value}' is not a number`, showUser: true }); return; }
    await this.answer(response, async () => {
      await run.setParameter(index, value);
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
      // The Debug Console prints the message where it was typed; a toast as well would say it twice.
      this.sendErrorResponse(response, { id: 10, format: reply.message });
      return;
    }
    response.body = { result: fmt(reply.value), variablesReference: 0 };
    this.sendResponse(response);
  }
}
