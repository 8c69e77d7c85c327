import * as vscode from 'vscode';
import { checkDigits, loadNetwork, looksLikeNetwork, minimalEdit, NetworkFileError, writeParameters } from '../core';
import { parseDocument } from '../documents';
import { documentDataReader } from '../dataFiles';
import { type FileProblem, type HostMessage, parseWebviewMessage, type TrainingAction, type WebviewMessage } from '../protocol';
import type { Run } from '../run/run';
import type { ControlTiming, TrainingFrame } from '../session/views';
import { breakpointsView } from '../session/breakpoints';
import { WorkerError } from '../training/client';
import { replyLater } from '../rpc';
import { BulkLane } from './bulkLane';
import { ChartExports } from './chartExports';
import { FramePacer } from './framePacer';
import type { DocumentRuns } from './documentRuns';
import { BootWatch } from './bootWatch';
import { renderHtml } from './html';
import { askDigits } from './roundingPick';
import type { ViewStates } from './viewStates';

/** How long after the last keystroke the page learns whether the text is a network. */
const CHECK_DELAY_MS = 40;

/**
 * One open network editor: a view and a controller of its document's run (shared with every other
 * editor of the document, the commands and the status bar). It shows what the run shows (a page
 * that is re-created gets the run's last structure and frame, never a reload), passes the page's
 * controls to the run, tells the page whether the text is a network, and never trusts what the
 * page sends.
 */
export class NetworkEditorPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Frames go to the page at the pace it draws them (see FramePacer). */
  private readonly pacer = new FramePacer((frame) => {
    if (frame.timing) frame.timing.hostPosted = performance.timeOrigin + performance.now();
    this.post({ type: 'frame', frame: forMode(frame, this.mode) });
    // A stop has the channel to itself for a moment: the person may step again at once.
    if (!frame.running) this.bulk.quiet();
  });
  /** What is large and can wait (charts, a stop's explanations) goes in parts, beside the frames (see BulkLane). */
  private readonly bulk = new BulkLane((part) => this.post(part));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly attachment: { run: Run; dispose(): void };
  private problem: { problem: FileProblem; notNetwork: boolean; empty: boolean; waitsForTrust?: string } | undefined;
  /** The parameter pinned in the inspector, as the page last reported it. */
  pinned: string | null = null;
  /** What the page's edges show, as it last reported it (null until it has). */
  private mode: 'weights' | 'gradients' | null = null;
  /** For tests and status: whether the page said ready (and how often: a re-created webview says it again). */
  ready = false;
  readies = 0;
  /** Loads the page again if it never starts. */
  readonly boot: BootWatch;
  /** Fires when what the editor shows changes (a frame, a problem): the provider's context keys follow it. */
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  /** Saving the charts the page drew (beside the network file by default). */
  readonly exports: ChartExports;

  constructor(
    readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly views: ViewStates,
    private readonly runs: DocumentRuns,
    /** The extension's storage folders: no place for a person's pictures. */
    hidden: readonly vscode.Uri[],
    private readonly onDispose: (s: NetworkEditorPanel) => void,
  ) {
    this.exports = new ChartExports(document, hidden, log);
    this.attachment = runs.attach(document);
    const run = this.run;
    const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [bundle] };
    const render = (): string => BootWatch.html((script) => renderHtml(panel.webview, bundle, script));
    panel.webview.html = render();
    this.boot = new BootWatch(panel, render, log);
    this.subscriptions.push(
      run.onStructure.on((structure) => { this.post({ type: 'structure', structure, why: run.restartedBecause }); this.changeEmitter.fire(); }),
      run.onFrame.on((frame) => {
        this.pacer.offer(frame);
        this.changeEmitter.fire();
      }),
      run.onBreakpoints.on(() => this.postBreakpoints()),
      run.onCharts.on((charts) => this.bulk.put('charts', { type: 'charts', charts })),
      run.onExplained.on((explained) => {
        if (explained.kind === 'stop') this.bulk.put('explained', { type: 'explained', explained });
        else this.post({ type: 'explained', explained });
      }),
      run.onFailure.on((failure) => this.post({ type: 'worker', failure })),
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length > 0) this.schedule();
      }),
      // An edit of a data file the network names (in an editor or on disk) is checked as an edit of the network is.
      runs.onDidChangeData((uri) => { if (uri === document.uri.toString()) this.schedule(); }),
      // Trusted now: the data files the network names are read, without reopening the editor.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.check()),
      panel.onDidDispose(() => this.dispose()),
    );
    this.check();
  }

  get run(): Run {
    return this.attachment.run;
  }

  /** What the page shows: nothing yet, the network, or the problem with the text. */
  get shown(): 'nothing' | 'model' | 'invalid' {
    if (this.problem) return 'invalid';
    return this.run.structure && this.run.frame ? 'model' : 'nothing';
  }

  /** Whether the file is a valid network and its graph is up: the training controls can act. */
  get hasNetwork(): boolean {
    return this.shown === 'model';
  }

  /** Whether Continue is under way. */
  get running(): boolean {
    return this.run.running;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), CHECK_DELAY_MS);
  }

  /** Parses the text (once per version, shared with the diagnostics) and tells the page whether it is a network. */
  private check(): void {
    clearTimeout(this.timer);
    const parsed = parseDocument(this.document);
    if (parsed.network) this.problem = undefined;
    else {
      const { line, column, offset, length } = parsed.error.position;
      const text = this.document.getText();
      this.problem = { problem: { message: parsed.error.message, line, column, offset, length }, notNetwork: !looksLikeNetwork(text), empty: text.trim().length === 0, ...(parsed.waitsForTrust === undefined ? {} : { waitsForTrust: parsed.waitsForTrust }) };
    }
    this.postProblem();
    this.changeEmitter.fire();
  }

  private postProblem(): void {
    this.post(this.problem ? { type: 'problem', ...this.problem } : { type: 'problem', problem: null, notNetwork: false, empty: false });
  }

  private postBreakpoints(): void {
    const run = this.run;
    this.post({ type: 'breakpoints', breakpoints: breakpointsView(run.specs, run.builtins, run.statuses) });
  }

  /** A message from the page: validated, then handled; resolves when it has been. */
  receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`ignored a malformed message from the network editor of ${this.document.uri.fsPath}: ${safeDescribe(raw)}`);
      return Promise.resolve();
    }
    return this.handle(message).catch((e: Error) => {
      if (e instanceof WorkerError) this.log.error(`network editor: ${e.message}`);
      else this.log.error(`network editor: ${e.stack ?? e.message}`);
    });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const run = this.run;
    switch (message.type) {
      case 'drawn':
        this.pacer.drawn(message.seq);
        return;
      case 'got':
        this.bulk.got(message.id, message.part);
        return;
      case 'ready': {
        this.log.debug(`network editor ready: ${this.document.uri.toString()}`);
        this.ready = true;
        this.readies++;
        this.boot.ready();
        const state = await this.views.get(this.viewKey);
        if (state) { this.pinned = state.pinned; this.post({ type: 'viewState', state }); }
        // What the run shows now, never a reload: a page re-created as its tab shows again picks up here.
        this.postProblem();
        this.pacer.reset();
        this.bulk.reset();
        if (run.structure) this.post({ type: 'structure', structure: run.structure, why: run.restartedBecause });
        if (run.frame) this.post({ type: 'frame', frame: run.frame });
        // A teaching network's explanations of the stop shown, for its hover cards.
        if (run.stopExplained && run.frame?.seq === run.stopExplained.seq) this.bulk.put('explained', { type: 'explained', explained: run.stopExplained });
        // The latest charts, when some page has charts open (this page asks for its own next).
        if (run.chartRequest && run.charts) this.bulk.put('charts', { type: 'charts', charts: run.charts });
        if (run.failure) this.post({ type: 'worker', failure: run.failure });
        this.postBreakpoints();
        return;
      }
      case 'viewState':
        this.pinned = message.state.pinned;
        if (message.state.mode !== this.mode) {
          this.mode = message.state.mode;
          // A large network's frame carries the bytes of the edges the page draws: the other mode's now.
          if (run.frame?.weightStyles) this.post({ type: 'frame', frame: forMode(run.frame, this.mode) });
        }
        await this.views.set(this.viewKey, message.state);
        this.post({ type: 'viewStateSaved', state: message.state });
        return;
      case 'request':
        // Every request is answered, with its value or an error the page shows (never a silence).
        this.post(await replyLater(message, async () => {
          switch (message.kind) {
            case 'explain': return this.problem ? null : run.explain(message.params.parameter);
            case 'unit': return run.unit(message.params.layer, message.params.unit);
          }
        }));
        return;
      case 'watch':
        await run.setWatched(this, message.parameters);
        return;
      case 'retryWorker':
        this.runs.retryWorker();
        return;
      case 'control':
        await this.control(message.action, this.timing(message.at, message.sent));
        return;
      case 'goTo':
        if (this.hasNetwork) await run.goTo(message.step, this.timing(message.at, message.sent));
        return;
      case 'setBreakpoints':
        await run.setBreakpoints(message.specs, message.builtins);
        return;
      case 'writeParameters':
        await this.writeParameters();
        return;
      case 'charts':
        await run.setCharts(this, message.panels.length > 0 || message.units ? { panels: message.panels, parameters: message.parameters, optimizers: message.optimizers ?? [], units: message.units === true } : null);
        return;
      case 'export':
        await this.exports.saveOne(message.format, message.name, message.data);
        return;
      case 'exportAll':
        await this.exports.saveAll(message.pictures);
        return;
      case 'copyFailed':
        // Not awaited: the warning may stay unanswered; the page saves the picture if the person asks.
        void this.exports.copyFailed(message.panel, message.reason).then(
          (save) => { if (save) this.post({ type: 'savePicture', panel: message.panel }); },
          (e: Error) => this.log.warn(`after a failed copy: ${e.message}`),
        );
        return;
      case 'goToError':
        await this.revealProblem();
        return;
      case 'openText':
        await openTextBeside(this.document.uri);
        return;
      case 'manageTrust':
        await vscode.commands.executeCommand('workbench.trust.manage');
        return;
      case 'openExample':
        await vscode.commands.executeCommand('backprop.openExample');
        return;
      case 'newNetwork':
        await vscode.commands.executeCommand('backprop.newNetwork', this.document.uri);
        return;
      default: {
        const never: never = message;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /** A training control; Pause always reaches the run, the others only while the file is a valid network. */
  async control(action: TrainingAction, timing?: ControlTiming): Promise<void> {
    if (action !== 'pause' && !this.hasNetwork) return;
    await this.run.control(action, timing);
  }

  /** The timing a page's control starts with: its click, and the host reading it now (see ControlTiming). */
  private timing(clicked: number | undefined, pageSent: number | undefined): ControlTiming | undefined {
    return clicked === undefined ? undefined : { clicked, pageSent, hostReceived: performance.timeOrigin + performance.now() };
  }

  /**
   * Write Parameters to File: the run's parameters into the document as one edit (undo takes it
   * back), the file's formatting and comments kept byte for byte outside the numbers. The run
   * keeps its step and history: it takes the file that holds its own parameters as its own.
   *
   * The parameters come tagged with the document version the run's network came from, and are
   * written into that version only: the edit is computed on the text read right before it is
   * applied, with no await between (VS Code itself refuses an edit of a document that changed
   * since). A keystroke not yet sent to the run goes first, so what a person typed is never
   * overwritten by older numbers; if the text keeps changing, nothing is written and they are told.
   *
   * `round`: rounded to that many significant digits, or to as many as the person picks ('ask')
   * from choices that each say how far the loss moves; what is written is what the pick described.
   */
  async writeParameters(round?: number | 'ask'): Promise<boolean> {
    if (!this.hasNetwork) {
      void vscode.window.showWarningMessage('The file has an error; fix it before writing the parameters into it.');
      return false;
    }
    let digits = round === 'ask' ? undefined : round;
    if (digits !== undefined) {
      try {
        checkDigits(digits);
      } catch (e) {
        void vscode.window.showErrorMessage(`Backprop Debugger: cannot write the parameters: ${(e as Error).message}`);
        return false;
      }
    }
    let described: number[] | undefined;
    if (round === 'ask') {
      this.runs.flush(this.document.uri);
      described = (await this.run.parameters()).values;
      let network;
      try {
        network = loadNetwork(this.currentDocument().getText(), { readFile: documentDataReader(this.document.uri) });
      } catch (e) {
        if (!(e instanceof NetworkFileError)) throw e;
        void vscode.window.showWarningMessage('The file has an error; fix it before writing the parameters into it.');
        return false;
      }
      digits = await askDigits(network, described);
      if (digits === undefined) return false;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      this.runs.flush(this.document.uri);
      const { values, version } = await this.run.parameters(digits);
      const document = this.currentDocument();
      if (document.version !== version) continue;
      if (described && values.some((v, i) => !Object.is(v, described[i]))) {
        void vscode.window.showWarningMessage('Backprop Debugger: the parameters changed while the digits were chosen, so nothing was written. Write them again to see what rounding them does now.');
        return false;
      }
      const text = document.getText();
      let next: string;
      try {
        next = writeParameters(text, values, { digits, readFile: documentDataReader(this.document.uri) });
      } catch (e) {
        if (!(e instanceof RangeError || e instanceof NetworkFileError)) throw e;
        void vscode.window.showErrorMessage(`Backprop Debugger: cannot write the parameters: ${e.message}`);
        return false;
      }
      const change = minimalEdit(text, next);
      if (change.length === 0 && change.content === '') return true;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(change.offset), document.positionAt(change.offset + change.length)), change.content);
      if (await vscode.workspace.applyEdit(edit)) return true;
    }
    void vscode.window.showWarningMessage('Backprop Debugger: the file kept changing while the parameters were read, so nothing was written. Write them again when it is still.');
    return false;
  }

  /** The document as VS Code has it now (the provider's may be an older object for the same file). */
  private currentDocument(): vscode.TextDocument {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.document.uri.toString()) ?? this.document;
  }

  /**
   * Pins `parameter`'s explanation in the page's inspector, showing the editor if it is hidden. The
   * stored view holds the pin too, so a webview that is re-created to be shown starts with it.
   */
  async pin(parameter: string): Promise<void> {
    const state = await this.views.get(this.viewKey) ?? { mode: 'weights' as const, notation: this.run.structure?.notation ?? 'statquest', pinned: null };
    await this.views.set(this.viewKey, { ...state, pinned: parameter });
    this.pinned = parameter;
    if (!this.panel.visible) this.panel.reveal(undefined, true);
    this.post({ type: 'pin', parameter });
  }

  private get viewKey(): string {
    return this.document.uri.toString();
  }

  /** Shows the text beside the graph with the problem selected. */
  private async revealProblem(): Promise<void> {
    const problem = this.problem?.problem;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.document.uri.toString());
    const editor = await vscode.window.showTextDocument(this.document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: false });
    if (!problem) return;
    const start = this.document.positionAt(problem.offset);
    const end = this.document.positionAt(problem.offset + Math.max(problem.length, 1));
    editor.selection = new vscode.Selection(start, end);
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.boot.dispose();
    this.pacer.dispose();
    this.bulk.dispose();
    this.changeEmitter.dispose();
    this.subscriptions.forEach((s) => s.dispose());
    this.subscriptions.length = 0;
    // This page's charts and explanations are no longer wanted (the run may live on in another editor).
    void this.run.setCharts(this, null).catch(() => undefined);
    void this.run.setWatched(this, []).catch(() => undefined);
    this.attachment.dispose();
    this.onDispose(this);
  }
}

/** The document's text in the ordinary text editor, beside the active group. */
export async function openTextBeside(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', uri, 'default', vscode.ViewColumn.Beside);
}

function safeDescribe(raw: unknown): string {
  try {
    return JSON.stringify(raw).slice(0, 200);
  } catch {
    return typeof raw;
  }
}

/**
 * A large network's frame for a page whose edges show `mode`: the bytes of the other mode's edges
 * stay behind (half the frame, a hundred kilobytes on a 100,000-weight network), since the page
 * draws only these; it is sent the other's when it switches. Exact values (biases, small networks)
 * are untouched.
 */
function forMode(frame: TrainingFrame, mode: 'weights' | 'gradients' | null): TrainingFrame {
  const styles = frame.weightStyles;
  // Inside a step, the phase panel shows both (a layer's values and the gradients it receives).
  if (!styles || mode === null || frame.phase !== null) return frame;
  return { ...frame, weightStyles: mode === 'weights' ? { ...styles, gradients: '' } : { ...styles, values: '' } };
}
