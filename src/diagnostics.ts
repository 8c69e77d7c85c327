import * as vscode from 'vscode';
import { parseDocument } from './documents';
import { dataFileUri, dataFileUris } from './dataFiles';

/**
 * Red squiggles for what the JSON schema cannot see: shapes against `units`, names in
 * `trainable`, data rows against the column names. The schema (contributed through
 * jsonValidation) covers types and enums as you type; this runs the real loader.
 */
export class NetworkDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('backprop');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The data file each network's error was put on (the squiggle is in the CSV), by the network's URI. */
  private readonly dataErrors = new Map<string, vscode.Uri>();

  /** `onDidChangeData`: a data file of a network changed on disk (the open ones are seen here as they are edited). */
  constructor(onDidChangeData?: vscode.Event<string>) {
    this.subscriptions.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        this.schedule(e.document);
        // An edit of a data file is an edit of every open network that names it.
        if (NetworkDiagnostics.isNetworkFile(e.document)) return;
        const changed = e.document.uri.toString();
        for (const d of vscode.workspace.textDocuments) {
          if (NetworkDiagnostics.isNetworkFile(d) && dataFileUris(d.uri, d.getText()).some((u) => u.toString() === changed)) this.schedule(d);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => { this.collection.delete(d.uri); this.clearDataError(d.uri.toString()); }),
      // Trusted now: the data files that waited in Restricted Mode are read.
      vscode.workspace.onDidGrantWorkspaceTrust(() => vscode.workspace.textDocuments.forEach((d) => this.check(d))),
    );
    if (onDidChangeData) {
      this.subscriptions.push(onDidChangeData((uri) => {
        const d = vscode.workspace.textDocuments.find((t) => t.uri.toString() === uri);
        if (d) this.schedule(d);
      }));
    }
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
    const { error, cause } = parseDocument(document);
    this.clearDataError(document.uri.toString());
    if (!error) {
      this.collection.set(document.uri, []);
      return;
    }
    if (cause.file !== undefined) {
      // Where the data file goes wrong: a squiggle there too (line and column: the CSV may not be open).
      const data = dataFileUri(document.uri, cause.file);
      const { line, column, length } = cause.position;
      const at = new vscode.Position(line - 1, column - 1);
      const inData = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, Math.max(length, 1))), cause.message, vscode.DiagnosticSeverity.Error);
      inData.source = 'Backprop Debugger';
      inData.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, document.positionAt(error.position.offset)), 'the network file that reads it')];
      this.collection.set(data, [inData]);
      this.dataErrors.set(document.uri.toString(), data);
    }
    const start = document.positionAt(error.position.offset);
    const end = document.positionAt(error.position.offset + Math.max(error.position.length, 1));
    const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), error.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Backprop Debugger';
    this.collection.set(document.uri, [diagnostic]);
  }

  private clearDataError(network: string): void {
    const data = this.dataErrors.get(network);
    if (!data) return;
    this.dataErrors.delete(network);
    this.collection.delete(data);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.subscriptions.forEach((s) => s.dispose());
  }
}
