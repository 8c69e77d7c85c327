/**
 * One run per network document, in a real VS Code: every editor of a file, the commands and the
 * status bar drive the same run; Pause stops it at once from anywhere; a broken edit pauses it in
 * sight; Step Into walks a step's phases; writing the parameters back is one undoable edit that
 * keeps the run where it is; an edit retrains or restarts, saying why.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadNetwork, Trainer, writeParameters } from '../../src/core';
import { api, closeAllEditors, openNetworkEditor, examplePath, scratchFile, waitFor } from './util';

type Status = { uri: string; step: number; running: boolean; stop: string | null } | undefined;

const editorsOf = (uri: vscode.Uri) => api().editors().filter((e) => e.uri === uri.toString());
const editorOf = (uri: vscode.Uri) => editorsOf(uri)[0];
const runOf = (uri: vscode.Uri) => api().runs().find((r) => r.uri === uri.toString());
const state = (): string => JSON.stringify({ editors: api().editors().map(({ params: _p, ...e }) => e), runs: api().runs() });

/** An example's text as it is, or with some of its training settings changed. */
function network(name: string, training?: Record<string, unknown>): string {
  const text = readFileSync(examplePath(name), 'utf8');
  if (!training) return text;
  const file = JSON.parse(text);
  file.training = { ...file.training, ...training };
  return JSON.stringify(file, null, 2);
}

/** Replaces the first `from` in the document with `to`, as one edit. */
async function replace(uri: vscode.Uri, from: string, to: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const at = document.getText().indexOf(from);
  assert.ok(at >= 0, `${from} is in the file`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(document.positionAt(at), document.positionAt(at + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

describe('one run per network document', () => {
  afterEach(closeAllEditors);

  it('two editors of one file show and drive one run, whichever was focused last', async () => {
    const uri = scratchFile('run-two.nn.json', network('dosage-all.nn.json'));
    await openNetworkEditor(uri);
    await openNetworkEditor(uri, vscode.ViewColumn.Beside);
    await waitFor('two editors of the file', () => editorsOf(uri).length === 2 && editorsOf(uri).every((e) => e.ready), 30_000, state);
    assert.equal(runOf(uri)?.attachments, 2, 'one run, attached twice');
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('backprop.step');
    // Focus goes back to the first group: the commands act on the same run, and both show it.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('backprop.stepBack');
    await waitFor('both editors at step 2', () => editorsOf(uri).every((e) => e.step === 2), undefined, state);
    assert.equal(new Set(editorsOf(uri).map((e) => e.run)).size, 1);
    const reference = new Trainer(loadNetwork(network('dosage-all.nn.json')));
    reference.step(); reference.step();
    for (const e of editorsOf(uri)) assert.deepEqual(e.params, Array.from(reference.params));
  });

  it('Pause from the command palette stops a 50,000,000-step Continue at once, and no step comes after', async () => {
    const uri = scratchFile('run-pause.nn.json', network('xor.nn.json', { minStepSize: 0, maxSteps: 50_000_000 }));
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('backprop.continue');
    await waitFor('Continue to be under way', () => runOf(uri)?.running && (runOf(uri)!.step ?? 0) > 20_000, 30_000, state);
    await vscode.commands.executeCommand('backprop.pause');
    // The command resolves once the worker has stopped: the run already says so.
    assert.equal(runOf(uri)?.running, false, state());
    const stopped = editorOf(uri)!.step!;
    assert.equal(editorOf(uri)!.stop, `Paused at step ${stopped}`);
    await api().sync();
    assert.equal(editorOf(uri)!.step, stopped, 'no step after Pause');
    assert.equal((await vscode.commands.executeCommand<Status>('backprop.trainingStatus'))?.running, false);
  });

  it('a broken edit during Continue pauses the run where it is, in sight; the repaired file goes on from there', async () => {
    const text = network('xor.nn.json', { minStepSize: 0, maxSteps: 50_000_000 });
    const uri = scratchFile('run-broken.nn.json', text);
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('backprop.continue');
    await waitFor('Continue to be under way', () => runOf(uri)?.running && (runOf(uri)!.step ?? 0) > 1000, 30_000, state);
    await replace(uri, '"layers"', '"layers');
    await waitFor('the broken edit to pause the run', () => runOf(uri)?.running === false && editorOf(uri)?.shown === 'invalid', 20_000, state);
    await api().sync();
    const at = editorOf(uri)!.step!;
    assert.ok(at > 1000, state());
    // Pause has nothing left to stop, and nothing trains out of sight.
    await vscode.commands.executeCommand('backprop.pause');
    await api().sync();
    assert.equal(runOf(uri)?.step, at);
    await replace(uri, '"layers', '"layers"');
    await waitFor('the graph again, at the same step', () => editorOf(uri)?.shown === 'model', 20_000, state);
    assert.equal(editorOf(uri)!.step, at, 'repairing the text keeps the run');
    assert.equal(editorOf(uri)!.running, false);
  });

  it('a tab hidden and shown again keeps its run, its step and its place inside a step', async () => {
    const uri = scratchFile('run-hidden.nn.json', network('dosage-all.nn.json'));
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('backprop.step');
    await vscode.commands.executeCommand('backprop.stepInto');
    await waitFor('inside step 1', () => editorOf(uri)?.step === 1 && editorOf(uri)?.phase !== null);
    const readies = editorOf(uri)!.readies;
    await vscode.commands.executeCommand('vscode.open', scratchFile('run-other.txt', 'another file'));
    await waitFor('the run to outlive its hidden webview', () => runOf(uri)?.attachments === 1);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'backprop.networkEditor');
    await waitFor('the re-created webview to say ready', () => (editorOf(uri)?.readies ?? 0) > readies);
    await api().sync();
    assert.equal(editorOf(uri)!.step, 1);
    assert.deepEqual(editorOf(uri)!.phase, { kind: 'forward', layer: 1 });
  });

  it('loads a page that never starts again, and the network shows (seldom, a reloaded window shows a page whose script never runs)', async () => {
    const uri = scratchFile('run-silent-page.nn.json', network('dosage-b3.nn.json'));
    // The next two pages come without their script: silent, as the page seen stuck was.
    api().pageBoot({ broken: 2, patienceMs: 3_000 });
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'backprop.networkEditor');
      await waitFor('the third page to start', () => editorOf(uri)?.ready === true && editorOf(uri)?.shown === 'model', 30_000);
      // Once for each silent page (a whole page slower than the patience on a busy machine may add one).
      assert.ok(editorOf(uri)!.reloads >= 2, `reloads ${editorOf(uri)!.reloads}`);
    } finally {
      api().pageBoot({ broken: 0, patienceMs: 15_000 });
    }
  });

  it('Step Into walks the forward pass, the loss, the backward pass and the update; Step Out finishes the step', async () => {
    const text = network('dosage-all.nn.json');
    const uri = scratchFile('run-step-into.nn.json', text);
    await openNetworkEditor(uri);
    const phases: unknown[] = [];
    for (let i = 0; i < 7; i++) {
      await vscode.commands.executeCommand('backprop.stepInto');
      await api().sync();
      phases.push(editorOf(uri)!.phase);
    }
    assert.deepEqual(phases, [
      { kind: 'forward', layer: 1 }, { kind: 'forward', layer: 2 }, { kind: 'loss' },
      { kind: 'backward', layer: 2 }, { kind: 'backward', layer: 1 }, { kind: 'update' }, null,
    ]);
    assert.equal(editorOf(uri)!.step, 1);
    const reference = new Trainer(loadNetwork(text));
    reference.step();
    assert.deepEqual(editorOf(uri)!.params, Array.from(reference.params), 'the phases make exactly one step');
    await vscode.commands.executeCommand('backprop.stepInto');
    await vscode.commands.executeCommand('backprop.stepInto');
    await vscode.commands.executeCommand('backprop.stepOut');
    await api().sync();
    assert.deepEqual([editorOf(uri)!.step, editorOf(uri)!.phase], [2, null]);
    reference.step();
    assert.deepEqual(editorOf(uri)!.params, Array.from(reference.params));
  });

  it('Write Parameters to File is one edit that undo takes back, and the run keeps its step', async () => {
    const text = network('dosage-b3.nn.json');
    const uri = scratchFile('run-write.nn.json', text);
    await openNetworkEditor(uri);
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    const trained = editorOf(uri)!.params!;
    await vscode.commands.executeCommand('backprop.writeParameters');
    const document = await vscode.workspace.openTextDocument(uri);
    await waitFor('the parameters in the file', () => document.isDirty && loadNetwork(document.getText()).initialParameters.every((v, i) => v === trained[i]), 20_000, () => document.getText());
    // Only the numbers changed: the rest of the text is as it was, line for line.
    assert.equal(document.getText().split('\n').length, text.split('\n').length);
    await api().sync();
    assert.equal(editorOf(uri)!.step, 3, 'writing is not an edit that restarts the run');
    await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to take the edit back', () => document.getText() === text && !document.isDirty, 20_000, () => document.getText());
    await api().sync();
    assert.equal(editorOf(uri)!.step, 3, 'nor is its undo');
  });

  it('Write Parameters on a network given by init writes a row of weights per unit, each number exact: the 18 lines of dosage-all stay 18', async () => {
    const text = network('dosage-all.nn.json');
    const uri = scratchFile('run-write-init.nn.json', text);
    await openNetworkEditor(uri);
    for (let i = 0; i < 5; i++) await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    const trained = editorOf(uri)!.params!;
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(await vscode.commands.executeCommand<boolean>('backprop.writeParameters'), true);
    await waitFor('the trained parameters in the file', () => document.isDirty && document.getText() !== text, 20_000, () => document.getText());
    // Bit for bit: the shortest text of each double reads back as that double.
    assert.deepEqual(Array.from(loadNetwork(document.getText()).initialParameters), trained);
    assert.ok(trained.every((v, i) => Object.is(v, loadNetwork(document.getText()).initialParameters[i])));
    assert.equal(document.lineCount, text.split('\n').length, 'the layers keep their lines');
    const [hidden, output] = [7, 8].map((l) => document.lineAt(l - 1).text);
    assert.ok(hidden.includes(`"weights": [[${trained[0]}], [${trained[1]}]], "biases": [${trained[4]}, ${trained[5]}]`), hidden);
    assert.ok(output.includes(`"weights": [[${trained[2]}, ${trained[3]}]], "biases": [${trained[6]}]`), output);
    await api().sync();
    assert.equal(editorOf(uri)!.step, 5, 'writing is not an edit that restarts the run');
    await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
    await vscode.commands.executeCommand('undo');
    await waitFor('one undo to give back the text exactly', () => document.getText() === text && !document.isDirty, 20_000, () => document.getText());
  });

  it('Write Parameters rounded: to the digits given, or picked (4 by default), each one edit that one undo takes back exactly', async () => {
    // xor's layers are given by init: writing them out gives rows, and rounded ones keep its 19 lines.
    const text = network('xor.nn.json');
    const uri = scratchFile('run-write-rounded.nn.json', text);
    await openNetworkEditor(uri);
    for (let i = 0; i < 5; i++) await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    const trained = editorOf(uri)!.params!;
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(await vscode.commands.executeCommand<boolean>('backprop.writeParametersRounded', 3), true);
    const three = writeParameters(text, trained, { digits: 3 });
    await waitFor('the parameters to 3 digits in the file', () => document.getText() === three && document.isDirty, 20_000, () => document.getText());
    assert.equal(document.lineCount, text.split('\n').length);
    await api().sync();
    assert.equal(editorOf(uri)!.step, 5, 'writing is not an edit that restarts the run');
    await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
    await vscode.commands.executeCommand('undo');
    await waitFor('one undo to give back the text exactly', () => document.getText() === text && !document.isDirty, 20_000, () => document.getText());
    // From the editor's title menu or the palette, without digits: a pick asks, opening on the default.
    // On a busy window the focus reaches the network editor after the command has run (it then
    // says there is no network editor and writes nothing): the command is run again until it writes.
    const pickDefault = async (): Promise<unknown> => {
      await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
      let settled = false;
      const writing = Promise.resolve(vscode.commands.executeCommand('backprop.writeParametersRounded')).finally(() => { settled = true; });
      await waitFor('the pick to be open and accepted', async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      });
      return writing;
    };
    await waitFor('the picked digits to be written', async () => (await pickDefault()) === true);
    const four = writeParameters(text, trained, { digits: 4 });
    await waitFor('the parameters to 4 digits in the file', () => document.getText() === four, 20_000, () => document.getText());
    await api().sync();
    assert.equal(editorOf(uri)!.step, 5, 'nor is the picked one');
    await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
    await vscode.commands.executeCommand('undo');
    await waitFor('one undo to give back the text exactly', () => document.getText() === text && !document.isDirty, 20_000, () => document.getText());
    // The command from the palette asks too; turning the pick away writes nothing.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    let answer: unknown;
    let answered = false;
    const asking = Promise.resolve(vscode.commands.executeCommand('backprop.writeParametersRounded')).then((r) => { answer = r; answered = true; });
    await waitFor('the pick to be open and turned away', async () => {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return answered;
    });
    await asking;
    assert.equal(answer, false, 'nothing written');
    assert.equal(document.getText(), text);
    assert.ok(!document.isDirty);
  });

  it('a long Go to Step runs in slices: it shows its progress, another file is answered, Pause stops it, closing the tab cancels it', async () => {
    const far = scratchFile('run-goto-far.nn.json', network('xor.nn.json', { minStepSize: 0, maxSteps: 1e12 }));
    const other = scratchFile('run-goto-other.nn.json', network('dosage-all.nn.json'));
    await openNetworkEditor(other);
    await openNetworkEditor(far);
    // Two thousand million steps: hours of work, which no single call could hold the worker for.
    await vscode.commands.executeCommand('backprop.goToStep', 2_000_000_000);
    const going = await waitFor('the jump to show its progress', () => {
      const a = editorOf(far)?.activity;
      return a && a.kind === 'goto' && (editorOf(far)!.step ?? 0) > 1000 ? a : undefined;
    }, 30_000, state);
    assert.equal(going.label, 'Going to step 2,000,000,000');
    const status = await waitFor('the status bar to say how far', async () => (await vscode.commands.executeCommand<Status>('backprop.trainingStatus'))?.running);
    assert.equal(status, true);
    // Closing the tab ends the run, and with it the jump in the worker.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor('the run to end with its last editor', () => runOf(far) === undefined, 20_000, state);
    assert.equal(await api().workerRunning(), 0, 'closing the tab cancelled the jump in the worker');
    // Again, and this time another file's run is answered between the jump's slices, then Pause
    // stops the jump where it got, and says so.
    await openNetworkEditor(far);
    await vscode.commands.executeCommand('backprop.goToStep', 2_000_000_000);
    await waitFor('the jump under way again', () => editorOf(far)?.activity?.kind === 'goto' && (editorOf(far)!.step ?? 0) > 1000, 30_000, state);
    await vscode.commands.executeCommand('vscode.openWith', other, 'backprop.networkEditor');
    await waitFor('the other file in front', async () => (await vscode.commands.executeCommand<Status>('backprop.trainingStatus'))?.uri === other.toString());
    await vscode.commands.executeCommand('backprop.step');
    await waitFor('the other file to step while the jump goes on', () => editorOf(other)?.step === 1 && runOf(far)?.running, 20_000, state);
    await vscode.commands.executeCommand('vscode.openWith', far, 'backprop.networkEditor');
    await waitFor('the jumping file in front', async () => (await vscode.commands.executeCommand<Status>('backprop.trainingStatus'))?.uri === far.toString());
    await vscode.commands.executeCommand('backprop.pause');
    assert.equal(runOf(far)?.running, false, state());
    const at = editorOf(far)!.step!;
    assert.match(editorOf(far)!.stop!, new RegExp(`^Paused at step ${at} \\(going to step 2,000,000,000 stopped at \\d+%\\)$`));
    await api().sync();
    assert.equal(editorOf(far)!.step, at, 'nothing trains after Pause');
    assert.equal(await api().workerRunning(), 0);
  });

  it('Write Parameters never overwrites what is typed meanwhile: a setting typed during the write stays, and so does a number typed just before', async () => {
    const text = network('dosage-b3.nn.json');
    const uri = scratchFile('run-write-typing.nn.json', text);
    await openNetworkEditor(uri);
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    const trained = editorOf(uri)!.params!;
    const document = await vscode.workspace.openTextDocument(uri);
    // Typed while the write waits for the run's parameters: the write goes into the new text.
    const writing = vscode.commands.executeCommand<boolean>('backprop.writeParameters');
    await replace(uri, '"learningRate": 0.1', '"learningRate": 0.05');
    assert.equal(await writing, true);
    await waitFor('both in the file', () => document.getText().includes('"learningRate": 0.05') && loadNetwork(document.getText()).initialParameters.every((v, i) => v === trained[i]), 20_000, () => document.getText());
    // A parameter typed a moment before the command (still in the 40 ms before the run follows the
    // text): the run takes the typed number first, and the write does not put an older one back.
    const now = loadNetwork(document.getText());
    const b3 = now.parameters.find((p) => p.name === 'b3')!;
    const at = now.parameterPositions[b3.index]!;
    const written = document.getText().slice(at.offset, at.offset + at.length);
    await replace(uri, written, '2.5');
    assert.equal(await vscode.commands.executeCommand<boolean>('backprop.writeParameters'), true);
    const after = loadNetwork(document.getText());
    assert.equal(after.initialParameters[b3.index], 2.5, document.getText());
  });

  it('an edit of the training settings goes on from the step; an edit of anything else restarts, saying why', async () => {
    const text = network('dosage-b3.nn.json');
    const uri = scratchFile('run-edit.nn.json', text);
    await openNetworkEditor(uri);
    for (let i = 0; i < 2; i++) await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    // Spaces change nothing the run depends on.
    await replace(uri, '"loss": "ssr"', '"loss":   "ssr"');
    await api().sync();
    await replace(uri, '"learningRate": 0.1', '"learningRate": 0.05');
    await api().sync();
    await waitFor('the new learning rate to be taken', () => editorOf(uri)?.step === 2, 20_000, state);
    await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    assert.equal(editorOf(uri)!.step, 3, 'retrained from step 2');
    assert.equal(editorOf(uri)!.restartedBecause, null);
    await replace(uri, '"dosage": 0.5,', '"dosage": 0.55,');
    await waitFor('the run to restart from the file', () => editorOf(uri)?.step === 0 && editorOf(uri)?.restartedBecause !== null, 20_000, state);
    assert.match(editorOf(uri)!.restartedBecause!, /data/);
    await (await vscode.workspace.openTextDocument(uri)).save();
  });
});
