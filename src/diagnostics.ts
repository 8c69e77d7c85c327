import * as vscode from 'vscode';
import { parseDocument } from './documents';

/**
 * Red squiggles for what the JSON schema cannot see: shapes against `units`, names in
 * `trainable`, data rows against the column names. The schema (contributed through
 * jsonValidation) covers types and enums as you type; this runs the real loader.
 */
export class NetworkDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('backprop');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    this.subscriptions.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    );
    vscode.workspace.textDocuments.forEach((d) => this.check(d));
  }

  static isNetworkFile(document: vscode.TextDocument): boolean {
    return document.uri.path.endsWith('.nn.json');
  }

  /** Re-checks shortly after typing stops, so a half-typed number is not flagged mid-keystroke. */
  private schedule(document: vscode.TextDocument): void {
    if (!NetworkDiagnostics.isNetworkFile(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.check(document); }, 150));
  }

  check(document: vscode.TextDocument): void {
    if (!NetworkDiagnostics.isNetworkFile(document)) return;
    const { error } = parseDocument(document);
    if (!error) {
      this.collection.set(document.uri, []);
      return;
    }
    const start = document.positionAt(error.position.offset);
    const end = document.positionAt(error.position.offset + Math.max(error.position.length, 1));
    const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), error.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Backprop Debugger';
    this.collection.set(document.uri, [diagnostic]);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.subscriptions.forEach((s) => s.dispose());
  }
}
