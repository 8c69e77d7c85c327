import * as vscode from 'vscode';
import { VIEW_TYPE } from '../protocol';
import { EditorSession } from './session';

/**
 * The network editor for `*.nn.json`: a CustomTextEditorProvider, so the TextDocument stays the
 * model and VS Code keeps undo/redo, save, dirty state, hot exit and "Reopen Editor With...".
 */
export class NetworkEditorProvider implements vscode.CustomTextEditorProvider {
  readonly sessions = new Set<EditorSession>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel, private readonly memory: vscode.Memento) {}

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): NetworkEditorProvider {
    const provider = new NetworkEditorProvider(context.extensionUri, log, context.workspaceState);
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
      // Re-created on show: the page restores its own view state (getState) and asks for the model.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }));
    return provider;
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const session = new EditorSession(document, panel, this.extensionUri, this.log, this.memory, (s) => this.sessions.delete(s));
    this.sessions.add(session);
  }
}
