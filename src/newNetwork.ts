/**
 * "Backprop Debugger: New Network...": asks for the inputs, the hidden layers, the outputs, the
 * loss, the learning rate and the sample data with VS Code's quick input (each answer checked as it
 * is typed, Back to the question before), then writes a valid network file (seeded weights written
 * out, a small dataset to edit). Given an empty document (the network editor's "Create a network here"), it
 * fills that document with one undoable edit; otherwise it asks where to save a new file.
 */
import * as vscode from 'vscode';
import { ACTIVATIONS, DATA_KINDS, type DataKind, dataKindsFor, type Loss, type NetworkShape, parseColumnNames, parseHiddenLayers, parseLearningRate, scaffoldNetwork } from './core';
import { VIEW_TYPE } from './protocol';

const STEPS = 6;

/** The person pressed Back: ask the question before again. */
const BACK = Symbol('back');

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

/** The six questions, each validated as it is typed, Back going to the one before; undefined when the person cancels. */
async function askShape(): Promise<NetworkShape | undefined> {
  const answers: { inputs?: string[]; hidden?: NetworkShape['hidden']; outputs?: string[]; loss?: Loss; learningRate?: number; data?: DataKind } = {};
  const typed: string[] = ['dosage', '2 softplus', 'efficacy', '', '0.1', ''];
  for (let step = 1; step <= STEPS;) {
    let answer: unknown;
    switch (step) {
      case 1: answer = await ask(1, 'Inputs', 'The input columns, separated by commas', typed, (v) => parseColumnNames(v, 'input')); break;
      case 2: answer = await ask(2, 'Hidden layers', `Units and activation per layer, e.g. "2 softplus" or "3 tanh, 3 tanh" (${ACTIVATIONS.join(', ')}); empty for none`, typed, parseHiddenLayers); break;
      case 3: answer = await ask(3, 'Outputs', 'The output columns (the observed values; with cross-entropy, one per class), separated by commas', typed, (v) => {
        const outputs = parseColumnNames(v, 'output');
        const clash = 'names' in outputs ? outputs.names.find((n) => answers.inputs!.includes(n)) : undefined;
        return clash === undefined ? outputs : { error: `"${clash}" is also an input; column names must differ` };
      }); break;
      case 4: answer = await choose(4, 'Loss', lossItems(answers.outputs!.length)); break;
      case 5: answer = await ask(5, 'Learning rate', "Gradient descent's step size: each step moves a parameter by the learning rate times its slope", typed, parseLearningRate); break;
      case 6: answer = await choose(6, 'Data', DATA_KINDS.filter((d) => dataKindsFor(answers.inputs!.length, answers.outputs!.length, answers.loss).includes(d.kind)).map((d) => ({ label: d.label, detail: d.detail, value: d.kind }))); break;
    }
    if (answer === undefined) return undefined;
    if (answer === BACK) { step--; continue; }
    const a = answer as Record<string, unknown>;
    if (step === 1) answers.inputs = a.names as string[];
    if (step === 2) answers.hidden = a.layers as NetworkShape['hidden'];
    if (step === 3) answers.outputs = a.names as string[];
    if (step === 4) answers.loss = answer as Loss;
    if (step === 5) answers.learningRate = a.learningRate as number;
    if (step === 6) answers.data = answer as DataKind;
    step++;
  }
  return { inputs: answers.inputs!, hidden: answers.hidden!, outputs: answers.outputs!, loss: answers.loss, learningRate: answers.learningRate, data: answers.data };
}

function lossItems(outputs: number): { label: string; detail: string; value: Loss }[] {
  const items: { label: string; detail: string; value: Loss }[] = [
    { label: 'SSR: the sum of squared residuals', detail: "StatQuest's loss: each output against its observed value", value: 'ssr' },
    { label: 'MSE: the mean squared error', detail: 'SSR divided by the number of samples: the same fit, a learning rate that does not grow with the data', value: 'mse' },
  ];
  if (outputs >= 2) items.push({ label: 'Cross-entropy: classes', detail: 'softmax over the outputs, one per class; each sample is one class', value: 'cross-entropy' });
  return items;
}

/** One typed answer (`typed[step - 1]` holds and keeps what was typed, for Back); BACK, or undefined if cancelled. */
function ask<T extends object>(step: number, title: string, prompt: string, typed: string[], parse: (text: string) => T | { error: string }): Promise<T | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = `New Network: ${title}`;
    box.step = step;
    box.totalSteps = STEPS;
    box.prompt = prompt;
    box.value = typed[step - 1];
    box.ignoreFocusOut = true;
    if (step > 1) box.buttons = [vscode.QuickInputButtons.Back];
    const check = (): T | undefined => {
      const result = parse(box.value);
      box.validationMessage = 'error' in result ? result.error : undefined;
      return 'error' in result ? undefined : result;
    };
    let done = false;
    const finish = (v: T | typeof BACK | undefined): void => { if (done) return; done = true; typed[step - 1] = box.value; resolve(v); box.hide(); };
    box.onDidChangeValue(check);
    box.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) finish(BACK); });
    box.onDidAccept(() => {
      const result = check();
      if (result) finish(result);
    });
    box.onDidHide(() => { finish(undefined); box.dispose(); });
    box.show();
  });
}

/** One answer picked from `items`; BACK, or undefined if cancelled. */
function choose<V>(step: number, title: string, items: { label: string; detail: string; value: V }[]): Promise<V | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: V }>();
    pick.title = `New Network: ${title}`;
    pick.step = step;
    pick.totalSteps = STEPS;
    pick.items = items;
    pick.ignoreFocusOut = true;
    pick.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: V | typeof BACK | undefined): void => { if (done) return; done = true; resolve(v); pick.hide(); };
    pick.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) finish(BACK); });
    pick.onDidAccept(() => { const item = pick.selectedItems[0] ?? pick.activeItems[0]; if (item) finish(item.value); });
    pick.onDidHide(() => { finish(undefined); pick.dispose(); });
    pick.show();
  });
}
