import * as vscode from 'vscode';
import { type TrainingAction, VIEW_TYPE } from '../protocol';
import { TrainingWorker } from '../training/client';
import { EditorSession } from './session';

/** Set while the active network editor is running Continue: the editor toolbar shows Pause then. */
const RUNNING_CONTEXT = 'backprop.training.running';

/**
 * The network editor for `*.nn.json`: a CustomTextEditorProvider, so the TextDocument stays the
 * model and VS Code keeps undo/redo, save, dirty state, hot exit and "Reopen Editor With...".
 */
export class NetworkEditorProvider implements vscode.CustomTextEditorProvider, vscode.Disposable {
  readonly sessions = new Set<EditorSession>();
  /** The network editor last focused, which the training commands act on. */
  active: EditorSession | undefined;
  /** One training worker for every editor: on two cores, one thread trains while the other serves. */
  readonly worker: TrainingWorker;

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel, private readonly memory: vscode.Memento) {
    this.worker = new TrainingWorker(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath, (m) => log.error(m));
  }

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): NetworkEditorProvider {
    const provider = new NetworkEditorProvider(context.extensionUri, log, context.workspaceState);
    context.subscriptions.push(provider);
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
      // Re-created on show: the page restores its own view state (getState) and asks for the model.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }));
    return provider;
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const session = new EditorSession(document, panel, this.extensionUri, this.log, this.memory, (s) => {
      this.sessions.delete(s);
      if (this.active === s) this.setActive(undefined);
    }, this.worker);
    this.sessions.add(session);
    if (panel.active) this.setActive(session);
    panel.onDidChangeViewState(() => {
      if (panel.active) this.setActive(session);
      else if (this.active === session) this.setActive(undefined);
    });
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

  private running: boolean | undefined;

  private updateContext(): void {
    const running = this.active?.running ?? false;
    if (running === this.running) return;
    this.running = running;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, running);
  }

  dispose(): void {
    void this.worker.dispose();
  }
}
