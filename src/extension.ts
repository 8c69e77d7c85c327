/** Activation: registers what the extension contributes, nothing else. */
import * as vscode from 'vscode';
import { NetworkDiagnostics } from './diagnostics';
import { NetworkEditorProvider } from './editor/provider';
import { openTextBeside } from './editor/session';
import { openExample } from './examples';
import { VIEW_TYPE } from './protocol';

/** What the extension hands to whoever asks for its exports: the integration tests look inside. */
export interface BackpropApi {
  editors(): { uri: string; ready: boolean; shown: 'nothing' | 'model' | 'invalid' }[];
}

export function activate(context: vscode.ExtensionContext): BackpropApi {
  const log = vscode.window.createOutputChannel('Backprop Debugger', { log: true });
  const editors = NetworkEditorProvider.register(context, log);
  context.subscriptions.push(
    log,
    new NetworkDiagnostics(),
    vscode.commands.registerCommand('backprop.openExample', (name?: string) => openExample(context.extensionUri, typeof name === 'string' ? name : undefined)),
    vscode.commands.registerCommand('backprop.openInNetworkDebugger', (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) return vscode.window.showInformationMessage('Open a network file (.nn.json or .json) first.');
      return vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
    }),
    vscode.commands.registerCommand('backprop.openTextBeside', (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : activeCustomEditorUri();
      if (!target) return vscode.window.showInformationMessage('Open a network in the Network Debugger first.');
      return openTextBeside(target);
    }),
  );
  return {
    editors: () => [...editors.sessions].map((s) => ({ uri: s.document.uri.toString(), ready: s.ready, shown: s.shown })),
  };
}

function activeCustomEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === VIEW_TYPE ? input.uri : undefined;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
