/**
 * "Backprop Debugger: New Network...": asks for the inputs, the hidden layers, the outputs, the
 * loss, the learning rate and the sample data with VS Code's quick input (each answer checked as it
 * is typed, Back to the question before), or, given a CSV/TSV file in the folder, the file, its
 * input columns and target column (the loss and outputs follow from the target), then writes a
 * valid network file (seeded weights written out; a small dataset to edit, or the data file named).
 * Given an empty document (the network editor's "Create a network here"), it fills that document
 * with one undoable edit; otherwise it asks where to save a new file.
 */
import * as vscode from 'vscode';
import {
  ACTIVATIONS, checkCsvColumns, checkCsvInputs, csvFileChoices, csvInputChoices, csvNetworkShape, csvTargetChoices, currentLimits, DATA_KINDS, type DataFileColumn,
  dataFileColumns, type DataKind, dataKindsFor, type DataSource, type Loss, type NetworkShape, NetworkFileError, newNetworkSteps, parseColumnNames, parseHiddenLayers,
  parseLearningRate, scaffoldNetwork,
} from './core';
import { documentDataReader } from './dataFiles';
import { VIEW_TYPE } from './protocol';

/** The person pressed Back: ask the question before again. */
const BACK = Symbol('back');

/** Where a step is in the flow, for the quick input's "2/6". */
interface Place { step: number; total: number }

export async function newNetwork(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const folder = target ? vscode.Uri.joinPath(target, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  const csvFiles = folder ? await findDataFiles(folder) : [];
  const answer = await askShape(folder, csvFiles, target);
  if (!answer) return undefined;
  let { shape } = answer;
  if (target) {
    const text = scaffoldNetwork(shape);
    const document = await vscode.workspace.openTextDocument(target);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(target, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
    await vscode.workspace.applyEdit(edit);
    return target;
  }
  const uri = await vscode.window.showSaveDialog({
    title: 'Save the new network',
    defaultUri: folder ? vscode.Uri.joinPath(folder, 'network.nn.json') : undefined,
    filters: { 'Network files': ['nn.json', 'json'] },
  });
  if (!uri) return undefined;
  if (shape.file && answer.csv) {
    // The data file is named relative to where the network is saved: it must be in that folder or below.
    const relative = relativePath(vscode.Uri.joinPath(uri, '..'), answer.csv);
    if (relative === undefined) {
      void vscode.window.showErrorMessage(`New Network: a network reads its data file from its own folder or below it; save it in the folder of ${vscode.workspace.asRelativePath(answer.csv)} or a folder above it.`);
      return undefined;
    }
    shape = { ...shape, file: { ...shape.file, path: relative } };
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(scaffoldNetwork(shape)));
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  return uri;
}

/** The .csv and .tsv files in `folder` and a few folders below it (csvFileChoices), relative to it; none in Restricted Mode, where data files are not read. */
async function findDataFiles(folder: vscode.Uri): Promise<string[]> {
  if (!vscode.workspace.isTrusted) return [];
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.{csv,tsv,CSV,TSV}'), '**/{node_modules,.git}/**', 500);
  return csvFileChoices(found.map((u) => relativePath(folder, u)).filter((p): p is string => p !== undefined));
}

/** `file`'s path relative to `folder`, `/`-separated, when it is inside it. */
function relativePath(folder: vscode.Uri, file: vscode.Uri): string | undefined {
  const base = folder.path.endsWith('/') ? folder.path : `${folder.path}/`;
  if (folder.scheme !== file.scheme || folder.authority !== file.authority || !file.path.startsWith(base)) return undefined;
  return file.path.slice(base.length);
}

interface Answers {
  source?: DataSource;
  file?: { path: string; uri: vscode.Uri; columns: DataFileColumn[] };
  csvInputs?: string[];
  target?: string;
  inputs?: string[];
  hidden?: NetworkShape['hidden'];
  outputs?: string[];
  loss?: Loss;
  learningRate?: number;
  data?: DataKind;
}

/**
 * The questions (newNetworkSteps), each validated as it is typed, Back going to the one before;
 * undefined when the person cancels. With data files in the folder the first asks where the samples
 * come from; a CSV's columns are then picked rather than typed.
 */
async function askShape(folder: vscode.Uri | undefined, csvFiles: string[], target: vscode.Uri | undefined): Promise<{ shape: NetworkShape; csv?: vscode.Uri } | undefined> {
  const answers: Answers = {};
  const typed: Record<string, string> = { inputs: 'dosage', hidden: '2 softplus', outputs: 'efficacy', learningRate: '0.1' };
  // Where the network will be, for reading the data file as the network will (trust, links, size limit).
  const networkUri = target ?? (folder ? vscode.Uri.joinPath(folder, 'network.nn.json') : undefined);
  for (let i = 0; ;) {
    const steps = newNetworkSteps(csvFiles.length > 0, answers.source);
    if (i >= steps.length) break;
    const place = { step: i + 1, total: steps.length };
    const name = steps[i];
    let answer: unknown;
    switch (name) {
      case 'source': answer = await choose(place, 'Samples', [
        { label: 'A CSV file in this folder...', detail: `${csvFiles.length === 1 ? csvFiles[0] : `${csvFiles.length} .csv/.tsv files`}: the inputs and outputs come from its columns`, value: 'csv' as const },
        { label: 'Sample data to edit', detail: "StatQuest's bump, a line, XOR or Playground's datasets, written into the network file: you name the columns", value: 'sample' as const },
      ], answers.source); break;
      case 'file': answer = await choose(place, 'Data file', csvFiles.map((f) => ({ label: f, value: f })), answers.file?.path); break;
      case 'csvInputs': {
        const columns = answers.file!.columns;
        const { choices, preferred } = csvInputChoices(columns);
        answer = await chooseMany(place, 'Input columns', choices, answers.csvInputs ?? preferred, (picked) => checkCsvInputs(columns, picked));
        break;
      }
      case 'target': {
        const columns = answers.file!.columns;
        const { choices, preferred } = csvTargetChoices(columns, answers.csvInputs!);
        const describe = (n: string): string => {
          const c = columns.find((x) => x.name === n)!;
          return c.numeric ? 'numbers: a regression with one output (SSR)' : `text: a classifier, one output per class (${c.labels.slice(0, 6).join(', ')}${c.labels.length > 6 ? ', ...' : ''}), cross-entropy`;
        };
        answer = await choose(place, 'Target column', choices.map((n) => ({ label: n, detail: describe(n), value: n })), answers.target && choices.includes(answers.target) ? answers.target : preferred);
        break;
      }
      case 'inputs': answer = await ask(place, 'Inputs', 'The input columns, separated by commas', typed, name, (v) => parseColumnNames(v, 'input')); break;
      case 'hidden': answer = await ask(place, 'Hidden layers', `Units and activation per layer, e.g. "2 softplus" or "3 tanh, 3 tanh" (${ACTIVATIONS.join(', ')}); empty for none`, typed, name, parseHiddenLayers); break;
      case 'outputs': answer = await ask(place, 'Outputs', 'The output columns (the observed values; with cross-entropy, one per class), separated by commas', typed, name, (v) => {
        const outputs = parseColumnNames(v, 'output');
        const clash = 'names' in outputs ? outputs.names.find((n) => answers.inputs!.includes(n)) : undefined;
        return clash === undefined ? outputs : { error: `"${clash}" is also an input; column names must differ` };
      }); break;
      case 'loss': answer = await choose(place, 'Loss', lossItems(answers.outputs!.length), answers.loss); break;
      case 'learningRate': answer = await ask(place, 'Learning rate', "Gradient descent's step size: each step moves a parameter by the learning rate times its slope", typed, name, parseLearningRate); break;
      case 'data': answer = await choose(place, 'Data', DATA_KINDS.filter((d) => dataKindsFor(answers.inputs!.length, answers.outputs!.length, answers.loss).includes(d.kind)).map((d) => ({ label: d.label, detail: d.detail, value: d.kind })), answers.data); break;
    }
    if (answer === undefined) return undefined;
    if (answer === BACK) { i = Math.max(0, i - 1); continue; }
    const a = answer as Record<string, unknown>;
    switch (name) {
      case 'source': answers.source = answer as DataSource; break;
      case 'file': {
        const path = answer as string;
        const read = readColumns(networkUri!, path);
        if ('error' in read) { void vscode.window.showErrorMessage(`New Network: ${read.error}`); continue; }
        if (answers.file?.path !== path) { answers.csvInputs = undefined; answers.target = undefined; }
        answers.file = { path, uri: vscode.Uri.joinPath(folder!, ...path.split('/')), columns: read.columns };
        break;
      }
      case 'csvInputs': answers.csvInputs = answer as string[]; break;
      case 'target': {
        // Whether these columns make a network (a target of one class does not): said here, where it is chosen.
        try { csvNetworkShape(answers.file!.path, answers.file!.columns, answers.csvInputs!, answer as string, { hidden: [] }); } catch (e) {
          void vscode.window.showErrorMessage(`New Network: ${(e as Error).message}`);
          answers.target = answer as string;
          continue;
        }
        answers.target = answer as string;
        break;
      }
      case 'inputs': answers.inputs = a.names as string[]; break;
      case 'hidden': answers.hidden = a.layers as NetworkShape['hidden']; break;
      case 'outputs': answers.outputs = a.names as string[]; break;
      case 'loss': answers.loss = answer as Loss; break;
      case 'learningRate': answers.learningRate = a.learningRate as number; break;
      case 'data': answers.data = answer as DataKind; break;
    }
    i++;
  }
  if (answers.source === 'csv') return { shape: csvNetworkShape(answers.file!.path, answers.file!.columns, answers.csvInputs!, answers.target!, { hidden: answers.hidden!, learningRate: answers.learningRate }), csv: answers.file!.uri };
  return { shape: { inputs: answers.inputs!, hidden: answers.hidden!, outputs: answers.outputs!, loss: answers.loss, learningRate: answers.learningRate, data: answers.data } };
}


/** The columns of the data file `path` (relative to the network at `networkUri`), read as the network will read it (trust, links, size limit); or what is wrong with it, with its position. */
function readColumns(networkUri: vscode.Uri, path: string): { columns: DataFileColumn[] } | { error: string } {
  try {
    const text = documentDataReader(networkUri)(path);
    if (text === undefined) return { error: `${path} cannot be read: it is no longer there` };
    const { columns } = dataFileColumns(path, text, currentLimits());
    checkCsvColumns(path, text, columns);
    return { columns };
  } catch (e) {
    return { error: e instanceof NetworkFileError ? e.format(path) : `${path} cannot be read: ${(e as Error).message}` };
  }
}

function lossItems(outputs: number): { label: string; detail: string; value: Loss }[] {
  const items: { label: string; detail: string; value: Loss }[] = [
    { label: 'SSR: the sum of squared residuals', detail: "StatQuest's loss: each output against its observed value", value: 'ssr' },
    { label: 'MSE: the mean squared error', detail: 'SSR divided by the number of samples: the same fit, a learning rate that does not grow with the data', value: 'mse' },
  ];
  if (outputs >= 2) items.push({ label: 'Cross-entropy: classes', detail: 'softmax over the outputs, one per class; each sample is one class', value: 'cross-entropy' });
  return items;
}

/** One typed answer (`typed[key]` holds and keeps what was typed, for Back); BACK, or undefined if cancelled. */
function ask<T extends object>(place: Place, title: string, prompt: string, typed: Record<string, string>, key: string, parse: (text: string) => T | { error: string }): Promise<T | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = `New Network: ${title}`;
    box.step = place.step;
    box.totalSteps = place.total;
    box.prompt = prompt;
    box.value = typed[key] ?? '';
    box.ignoreFocusOut = true;
    if (place.step > 1) box.buttons = [vscode.QuickInputButtons.Back];
    const check = (): T | undefined => {
      const result = parse(box.value);
      box.validationMessage = 'error' in result ? result.error : undefined;
      return 'error' in result ? undefined : result;
    };
    let done = false;
    const finish = (v: T | typeof BACK | undefined): void => { if (done) return; done = true; typed[key] = box.value; resolve(v); box.hide(); };
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

/** One answer picked from `items` (`current`, the answer before, highlighted); BACK, or undefined if cancelled. */
function choose<V>(place: Place, title: string, items: { label: string; detail?: string; value: V }[], current?: V): Promise<V | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: V }>();
    pick.title = `New Network: ${title}`;
    pick.step = place.step;
    pick.totalSteps = place.total;
    pick.items = items;
    const active = items.find((i) => i.value === current);
    if (active) pick.activeItems = [active];
    pick.ignoreFocusOut = true;
    if (place.step > 1) pick.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: V | typeof BACK | undefined): void => { if (done) return; done = true; resolve(v); pick.hide(); };
    pick.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) finish(BACK); });
    pick.onDidAccept(() => { const item = pick.selectedItems[0] ?? pick.activeItems[0]; if (item) finish(item.value); });
    pick.onDidHide(() => { finish(undefined); pick.dispose(); });
    pick.show();
  });
}

/** Several of `names` ticked (`ticked` to start with), `check` saying why a choice cannot be taken; BACK, or undefined if cancelled. */
function chooseMany(place: Place, title: string, names: string[], ticked: string[], check: (picked: string[]) => string | undefined): Promise<string[] | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
    pick.title = `New Network: ${title}`;
    pick.step = place.step;
    pick.totalSteps = place.total;
    pick.canSelectMany = true;
    pick.items = names.map((label) => ({ label }));
    pick.selectedItems = pick.items.filter((item) => ticked.includes(item.label));
    const hint = 'The columns of numbers the network takes as its inputs; Enter when done';
    pick.placeholder = hint;
    pick.ignoreFocusOut = true;
    if (place.step > 1) pick.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: string[] | typeof BACK | undefined): void => { if (done) return; done = true; resolve(v); pick.hide(); };
    const picked = (): string[] => names.filter((n) => pick.selectedItems.some((item) => item.label === n));
    pick.onDidChangeSelection(() => { pick.placeholder = check(picked()) ?? hint; });
    pick.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) finish(BACK); });
    pick.onDidAccept(() => {
      const problem = check(picked());
      if (problem === undefined) finish(picked());
      else pick.placeholder = problem;
    });
    pick.onDidHide(() => { finish(undefined); pick.dispose(); });
    pick.show();
  });
}
