/** Training from the network editor in a real VS Code: the commands, the worker, and the file left alone. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadNetwork, Trainer } from '../../src/core';
import { defaultBuiltins } from '../../src/session/breakpointTypes';
import { api, closeAllEditors, openNetworkEditor, examplePath, scratchFile, waitFor } from './util';

type Status = { uri: string; step: number; loss: number; running: boolean; stopReason: string | null } | undefined;

function editorOf(uri: vscode.Uri) {
  return api().editors().find((e) => e.uri === uri.toString());
}

describe('training from the network editor', () => {
  afterEach(closeAllEditors);

  it("switches a built-in condition on from the page's list, and Continue stops on it", async () => {
    const doc = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    doc.training = { ...doc.training, learningRate: 1000 };
    const uri = scratchFile('training-builtin.nn.json', JSON.stringify(doc, null, 2));
    await openNetworkEditor(uri);
    const builtins = defaultBuiltins();
    builtins.nan.enabled = true;
    // As the page sends it: through postMessage, so JSON's shape (thresholds left out where none).
    await api().fromPage(uri.toString(), JSON.parse(JSON.stringify({ type: 'setBreakpoints', specs: [], builtins })));
    await waitFor('NaN or Infinity on', () => editorOf(uri)?.builtinsOn.includes('nan'), 20_000, () => JSON.stringify(editorOf(uri)?.builtinsOn));
    await vscode.commands.executeCommand('backprop.continue');
    await waitFor('the NaN stop', () => /not a finite number/.test(editorOf(uri)?.stop ?? ''), 20_000, () => String(editorOf(uri)?.stop));
  });

  it('steps, steps back and resets with the exact numbers, and never touches the file', async () => {
    const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
    const uri = scratchFile('training-steps.nn.json', text);
    await openNetworkEditor(uri);
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('backprop.step');
    await waitFor('step 3', () => editorOf(uri)?.step === 3);
    const reference = new Trainer(loadNetwork(text));
    for (let i = 0; i < 3; i++) reference.step();
    assert.deepEqual(editorOf(uri)!.params, Array.from(reference.params));
    await vscode.commands.executeCommand('backprop.stepBack');
    await waitFor('step 2', () => editorOf(uri)?.step === 2);
    await vscode.commands.executeCommand('backprop.reset');
    await waitFor('step 0', () => editorOf(uri)?.step === 0);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.isDirty, false);
    assert.equal(document.getText(), text);
  });

  it('Continue runs in the worker: commands answer while it trains, Pause stops it', async () => {
    const file = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    file.training = { learningRate: 0.01, maxSteps: 1e12, minStepSize: 0 };
    const uri = scratchFile('training-continue.nn.json', JSON.stringify(file, null, 2));
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('backprop.continue');
    await waitFor('Continue to be under way', () => editorOf(uri)?.running && editorOf(uri)!.step! > 10_000);
    // A command issued during Continue is answered, and training is still going when it is.
    const status = await vscode.commands.executeCommand<Status>('backprop.trainingStatus');
    assert.equal(status?.running, true);
    await waitFor('more steps after the command answered', () => (editorOf(uri)?.step ?? 0) > status!.step);
    await vscode.commands.executeCommand('backprop.pause');
    await waitFor('Pause', () => editorOf(uri)?.running === false);
    const stopped = editorOf(uri)!.step;
    // A round trip through the worker: every frame it sent before answering has arrived.
    await api().sync();
    assert.equal(editorOf(uri)!.step, stopped, 'no step after Pause');
    assert.equal((await vscode.workspace.openTextDocument(uri)).isDirty, false);
  });

  it('the commands reach the network editor from elsewhere (the walkthrough\'s buttons): Explain pins a parameter', async () => {
    const uri = scratchFile('training-explain.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('vscode.open', scratchFile('elsewhere.txt', 'focus is here now'));
    await vscode.commands.executeCommand('backprop.explainParameter', 'b3');
    await waitFor('b3 pinned', () => editorOf(uri)?.pinned === 'b3', 20_000, () => JSON.stringify(api().editors()));
  });
});
