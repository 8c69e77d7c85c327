/**
 * "Backprop Debugger: New Network...": asks for the inputs, the hidden layers and the outputs with
 * VS Code's quick input, then writes a valid network file (seeded weights written out, a small
 * dataset to edit). Given an empty document (the network editor's "Create a network here"), it
 * fills that document with one undoable edit; otherwise it asks where to save a new file.
 */
import * as vscode from 'vscode';
import { ACTIVATIONS, type NetworkShape, parseColumnNames, parseHiddenLayers, scaffoldNetwork } from './core';
import { VIEW_TYPE } from './protocol';

const STEPS = 3;

export async function newNetwork(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const shape = await askShape();
  if (!shape) return undefined;
  const text = scaffoldNetwork(shape);
  if (target) {
    const document = await vscode.workspace.openTextDocument(target);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(target, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
    await vscode.workspace.applyEdit(edit);
    return target;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    title: 'Save the new network',
    defaultUri: folder ? vscode.Uri.joinPath(folder, 'network.nn.json') : undefined,
    filters: { 'Network files': ['nn.json', 'json'] },
  });
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  return uri;
}

/** The three questions, each validated as it is typed; undefined when the person cancels. */
async function askShape(): Promise<NetworkShape | undefined> {
  const inputs = await ask(1, 'Inputs', 'The input columns, separated by commas', 'dosage', (v) => parseColumnNames(v, 'input'));
  if (!inputs) return undefined;
  const hidden = await ask(2, 'Hidden layers', `Units and activation per layer, e.g. "2 softplus" or "3 tanh, 3 tanh" (${ACTIVATIONS.join(', ')}); empty for none`, '2 softplus', parseHiddenLayers);
  if (!hidden) return undefined;
  const outputs = await ask(3, 'Outputs', 'The output columns (the observed values), separated by commas', 'efficacy', (v) => parseColumnNames(v, 'output'));
  if (!outputs) return undefined;
  const clash = outputs.names.find((n) => inputs.names.includes(n));
  if (clash !== undefined) {
    void vscode.window.showErrorMessage(`"${clash}" is both an input and an output; column names must differ.`);
    return undefined;
  }
  return { inputs: inputs.names, hidden: hidden.layers, outputs: outputs.names };
}

function ask<T extends object>(step: number, title: string, prompt: string, value: string, parse: (text: string) => T | { error: string }): Promise<T | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = `New Network: ${title}`;
    box.step = step;
    box.totalSteps = STEPS;
    box.prompt = prompt;
    box.value = value;
    box.ignoreFocusOut = true;
    const check = (): T | undefined => {
      const result = parse(box.value);
      box.validationMessage = 'error' in result ? result.error : undefined;
      return 'error' in result ? undefined : result;
    };
    box.onDidChangeValue(check);
    box.onDidAccept(() => {
      const result = check();
      if (!result) return;
      resolve(result);
      box.hide();
    });
    box.onDidHide(() => { resolve(undefined); box.dispose(); });
    box.show();
  });
}
