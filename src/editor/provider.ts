import * as vscode from 'vscode';
import { type TrainingAction, VIEW_TYPE } from '../protocol';
import { TrainingWorker } from '../training/client';
import { EditorSession } from './session';
import { ViewStates } from './viewStates';

/**
 * Context keys for the network editor the training commands act on: VS Code's editor title and
 * keybindings enable Step, Continue, Pause, Step Back and Reset from them, so the title's buttons
 * follow the run's real state as the page's own toolbar does.
 */
const CONTEXT = {
  running: 'backprop.training.running',
  hasNetwork: 'backprop.training.hasNetwork',
  canStepBack: 'backprop.training.canStepBack',
  /** For the walkthrough: a step has been taken, training converged. */
  stepped: 'backprop.training.stepped',
  converged: 'backprop.training.converged',
} as const;

/**
 * The network editor for `*.nn.json`: a CustomTextEditorProvider, so the TextDocument stays the
 * model and VS Code keeps undo/redo, save, dirty state, hot exit and "Reopen Editor With...".
 */
export class NetworkEditorProvider implements vscode.CustomTextEditorProvider, vscode.Disposable {
  readonly sessions = new Set<EditorSession>();
  /**
   * The network editor the training commands act on: the one last focused, while it is open (so
   * the walkthrough's buttons, clicked on the Welcome page, still reach it).
   */
  active: EditorSession | undefined;
  /** One training worker for every editor: on two cores, one thread trains while the other serves. */
  readonly worker: TrainingWorker;

  private readonly views: ViewStates;

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel, storage: vscode.Uri) {
    this.views = new ViewStates(storage);
    this.worker = new TrainingWorker(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath, (m) => log.error(m));
  }

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): NetworkEditorProvider {
    // The workspace's own storage where there is a workspace, else the extension's.
    const provider = new NetworkEditorProvider(context.extensionUri, log, context.storageUri ?? context.globalStorageUri);
    context.subscriptions.push(provider);
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
      // Re-created on show: the page restores its own view state (getState) and asks for the model.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }));
    return provider;
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const session = new EditorSession(document, panel, this.extensionUri, this.log, this.views, (s) => {
      this.sessions.delete(s);
      if (this.active === s) this.setActive([...this.sessions].pop());
    }, this.worker);
    this.sessions.add(session);
    if (panel.active || !this.active) this.setActive(session);
    panel.onDidChangeViewState(() => { if (panel.active) this.setActive(session); });
    session.onDidChangeModel(() => { if (this.active === session) this.updateContext(); });
  }

  /** Runs a training control on the active network editor; false when there is none. */
  control(action: TrainingAction): boolean {
    if (!this.active) return false;
    this.active.control(action);
    return true;
  }

  private setActive(session: EditorSession | undefined): void {
    this.active = session;
    this.updateContext();
  }

  private readonly context = new Map<string, boolean>();

  private updateContext(): void {
    const s = this.active;
    const m = s?.hasNetwork ? s.model : undefined;
    this.setContext(CONTEXT.hasNetwork, m !== undefined);
    this.setContext(CONTEXT.running, m?.training.running ?? false);
    this.setContext(CONTEXT.canStepBack, m !== undefined && m.step > m.training.earliest);
    this.setContext(CONTEXT.stepped, m !== undefined && m.step > 0);
    this.setContext(CONTEXT.converged, m?.training.stopReason === 'converged');
  }

  /** setContext only when a value changes: frames arrive many times a second during Continue. */
  private setContext(key: string, value: boolean): void {
    if (this.context.get(key) === value) return;
    this.context.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    void this.worker.dispose();
  }
}
