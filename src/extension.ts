/** Activation: registers what the extension contributes, nothing else. */
import * as vscode from 'vscode';
import { NetworkDiagnostics } from './diagnostics';
import { openExample } from './examples';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    new NetworkDiagnostics(),
    vscode.commands.registerCommand('backprop.openExample', (name?: string) => openExample(context.extensionUri, typeof name === 'string' ? name : undefined)),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
