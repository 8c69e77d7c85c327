/** Activation: registers what the extension contributes, nothing else. */
import * as vscode from 'vscode';
import { NetworkDiagnostics } from './diagnostics';
import { NetworkEditorProvider } from './editor/provider';
import { openTextBeside } from './editor/session';
import { openExample } from './examples';
import { type TrainingAction, VIEW_TYPE } from './protocol';

/** What the extension hands to whoever asks for its exports: the integration tests look inside. */
export interface BackpropApi {
  editors(): { uri: string; ready: boolean; shown: 'nothing' | 'model' | 'invalid'; step: number | null; running: boolean; loss: number | null; params: number[] | null }[];
}

/** The training controls, as commands: the editor toolbar's buttons and keys call these. */
const TRAINING_COMMANDS: [string, TrainingAction][] = [
  ['backprop.step', 'step'], ['backprop.continue', 'continue'], ['backprop.pause', 'pause'],
  ['backprop.stepBack', 'stepBack'], ['backprop.reset', 'reset'],
];

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
    ...TRAINING_COMMANDS.map(([command, action]) => vscode.commands.registerCommand(command, () => {
      if (!editors.control(action)) void vscode.window.showInformationMessage('Open a network in the Network Debugger to train it.');
    })),
    // What the active network editor shows: its step, loss and whether Continue is under way.
    vscode.commands.registerCommand('backprop.trainingStatus', () => {
      const m = editors.active?.model;
      return m ? { uri: editors.active!.document.uri.toString(), step: m.step, loss: m.lossValue, running: m.training.running, stopReason: m.training.stopReason } : undefined;
    }),
  );
  return {
    editors: () => [...editors.sessions].map((s) => ({
      uri: s.document.uri.toString(), ready: s.ready, shown: s.shown,
      step: s.model?.step ?? null, running: s.running, loss: s.model?.lossValue ?? null, params: s.model?.params.map((p) => p.value) ?? null,
    })),
  };
}

function activeCustomEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === VIEW_TYPE ? input.uri : undefined;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
