/** Activation: registers what the extension contributes, nothing else. */
import type * as vscode from 'vscode';
import { NetworkDiagnostics } from './diagnostics';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(new NetworkDiagnostics());
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
