import * as vscode from 'vscode';
import { looksLikeNetwork } from '../core';
import { parseDocument } from '../documents';
import { type FileProblem, type HostMessage, type NetworkModel, parseWebviewMessage, type TrainingAction, type WebviewMessage } from '../protocol';
import type { TrainingHandle, TrainingWorker } from '../training/client';
import { renderHtml } from './html';
import type { ViewStates } from './viewStates';

/** How long after the last keystroke the graph follows the text: well inside the 100 ms budget. */
const UPDATE_DELAY_MS = 40;

/**
 * One open network editor: keeps its webview in step with the text document (the source of truth:
 * undo, save, dirty state and hot exit stay VS Code's), answers the webview's requests, and never
 * trusts what the webview sends.
 *
 * Training runs in the training worker: an edit reloads the network there (training starts again
 * from the file), and the worker's frames become the webview's model. Training never writes to the
 * document.
 */
export class EditorSession implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly training: TrainingHandle;
  private problem: FileProblem | undefined;
  private notNetwork = false;
  private empty = false;
  /** The parameter pinned in the inspector, as the page last reported it. */
  pinned: string | null = null;
  private version = 0;
  /** The document version last parsed and sent to the worker: a `ready` for it is answered, not reloaded. */
  private loadedVersion: number | undefined;
  /** For tests and status: whether the page said ready (and how often: a re-created webview says it again), and what it was sent last. */
  ready = false;
  readies = 0;
  shown: 'nothing' | 'model' | 'invalid' = 'nothing';
  /** The last model the worker sent (the training state shown). */
  model: NetworkModel | undefined;
  /** Fires with each model the worker sends, and with undefined when the file stops being a network. */
  private readonly modelEmitter = new vscode.EventEmitter<NetworkModel | undefined>();
  readonly onDidChangeModel = this.modelEmitter.event;

  constructor(
    readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly views: ViewStates,
    private readonly onDispose: (s: EditorSession) => void,
    worker: TrainingWorker,
  ) {
    this.training = worker.open({
      frame: (model) => {
        if (this.shown === 'invalid') return;
        this.model = model;
        this.post({ type: 'model', version: this.version, model });
        this.shown = 'model';
        this.modelEmitter.fire(model);
      },
      error: (message) => {
        this.log.error(`training ${this.document.uri.fsPath}: ${message}`);
        void vscode.window.showErrorMessage(`Backprop Debugger: ${message}`);
      },
    });
    const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [bundle] };
    panel.webview.html = renderHtml(panel.webview, bundle);
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length > 0) this.schedule();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), UPDATE_DELAY_MS);
  }

  /** Parses the document and sends the webview either the model or the problem. */
  update(): void {
    clearTimeout(this.timer);
    this.version++;
    this.loadedVersion = this.document.version;
    const parsed = parseDocument(this.document);
    if (parsed.network) {
      this.problem = undefined;
      // The model arrives as the worker's first frame.
      if (this.shown === 'invalid') this.shown = 'nothing';
      this.training.load(this.document.getText(), this.document.uri.fsPath);
    } else {
      const { line, column, offset, length } = parsed.error.position;
      this.problem = { message: parsed.error.message, line, column, offset, length };
      const text = this.document.getText();
      this.notNetwork = !looksLikeNetwork(text);
      this.empty = text.trim().length === 0;
      this.postProblem();
      this.shown = 'invalid';
    }
    this.modelEmitter.fire(undefined);
  }

  private postProblem(): void {
    if (this.problem) this.post({ type: 'invalid', version: this.version, problem: this.problem, notNetwork: this.notNetwork, empty: this.empty });
  }

  /**
   * Answers a page's `ready`. The page repeats it until it hears from the host, and a re-created
   * webview sends it again: neither is an edit, so training is not reloaded; the page gets what is
   * shown now (the model arrives with the worker's next frame if none has yet).
   */
  private answerReady(): void {
    if (this.loadedVersion !== this.document.version) { this.update(); return; }
    if (this.problem) this.postProblem();
    else if (this.model) this.post({ type: 'model', version: this.version, model: this.model });
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`ignored a malformed message from the network editor of ${this.document.uri.fsPath}: ${safeDescribe(raw)}`);
      return;
    }
    this.handle(message).catch((e: Error) => this.log.error(`network editor: ${e.message}`));
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.log.debug(`network editor ready: ${this.document.uri.toString()}`);
        this.ready = true;
        this.readies++;
        const state = await this.views.get(this.viewKey);
        if (state) { this.pinned = state.pinned; this.post({ type: 'viewState', state }); }
        this.answerReady();
        return;
      }
      case 'viewState':
        this.pinned = message.state.pinned;
        await this.views.set(this.viewKey, message.state);
        this.post({ type: 'viewStateSaved', state: message.state });
        return;
      case 'explain': {
        const explanation = this.problem ? null : await this.training.explain(message.parameter);
        this.post({ type: 'explanation', requestId: message.requestId, explanation });
        return;
      }
      case 'control':
        this.control(message.action);
        return;
      case 'goToError':
        await this.revealProblem();
        return;
      case 'openText':
        await openTextBeside(this.document.uri);
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

  /** Step, Continue, Pause, Step Back or Reset; nothing while the file is not a valid network. */
  control(action: TrainingAction): void {
    if (this.problem || this.shown !== 'model') return;
    this.training.control(action);
  }

  /**
   * Pins `parameter`'s explanation in the page's inspector, showing the editor if it is hidden. The
   * stored view holds the pin too, so a webview that is re-created to be shown starts with it.
   */
  async pin(parameter: string): Promise<void> {
    const state = await this.views.get(this.viewKey) ?? { mode: 'weights', notation: this.model?.notation ?? 'statquest', pinned: null };
    await this.views.set(this.viewKey, { ...state, pinned: parameter });
    this.pinned = parameter;
    if (!this.panel.visible) this.panel.reveal(undefined, true);
    this.post({ type: 'pin', parameter });
  }

  /** Whether the file is a valid network and its graph is up: the training controls can act. */
  get hasNetwork(): boolean {
    return !this.problem && this.shown === 'model' && this.model !== undefined;
  }

  /** Whether Continue is under way, as of the last frame. */
  get running(): boolean {
    return this.model?.training.running ?? false;
  }

  private get viewKey(): string {
    return this.document.uri.toString();
  }

  /** Shows the text beside the graph with the problem selected. */
  private async revealProblem(): Promise<void> {
    const problem = this.problem;
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
    this.training.close();
    this.modelEmitter.dispose();
    this.subscriptions.forEach((s) => s.dispose());
    this.subscriptions.length = 0;
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
