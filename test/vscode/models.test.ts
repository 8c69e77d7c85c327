/**
 * Import Model... and Export... in real VS Code: an ONNX file the test builds becomes a new network
 * file beside it (never over one) that opens in the network editor; a network being trained is
 * exported with the run's current parameters beside its file (never over one).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadNetwork } from '../../src/core';
import { onnxExporter, readOnnx } from '../../src/core/models/onnx';
import { py } from '../../src/core/models/pythonScript';
import { writeSafetensors } from '../../src/core/models/safetensors';
import { readTfjs } from '../../src/core/models/tfjs';
import { denseModelOf, kerasFromModel, loadHdf5 } from '../unit/modelFiles';
import { api, closeAllEditors, examplePath, openNetworkEditor, waitFor } from './util';

const state = (): string => JSON.stringify(api().editors().map(({ params: _p, ...e }) => e));

describe('models through VS Code', () => {
  afterEach(closeAllEditors);

  it('Import Model... writes the ONNX model as a new network beside it, never over one, and opens it in the network editor', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'backprop-import-'));
    const xor = loadNetwork(readFileSync(examplePath('xor.nn.json'), 'utf8'));
    const [file] = onnxExporter.write(xor, xor.initialParameters, { steps: 0, baseName: 'mlp' });
    const model = path.join(folder, 'mlp.onnx');
    writeFileSync(model, file.contents);
    const first = await vscode.commands.executeCommand<vscode.Uri | undefined>('backprop.importModel', vscode.Uri.file(model));
    assert.equal(first?.fsPath, path.join(folder, 'mlp.nn.json'));
    await waitFor('the imported network in the network editor', () => api().editors().some((e) => e.uri === first!.toString() && e.ready && e.shown === 'model'), 30_000, state);
    const imported = loadNetwork(readFileSync(first!.fsPath, 'utf8'));
    assert.deepEqual(Array.from(imported.initialParameters, Math.fround), Array.from(xor.initialParameters, Math.fround));
    assert.deepEqual([imported.inputNames, imported.outputNames], [xor.inputNames, xor.outputNames]);
    // Again: a new file, the first left as it is.
    const before = readFileSync(first!.fsPath, 'utf8');
    const second = await vscode.commands.executeCommand<vscode.Uri | undefined>('backprop.importModel', vscode.Uri.file(model));
    assert.equal(second?.fsPath, path.join(folder, 'mlp-2.nn.json'));
    assert.equal(readFileSync(first!.fsPath, 'utf8'), before);
  });

  it('Import Model... says what is wrong with a model it cannot read, and writes nothing', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'backprop-import-'));
    const model = path.join(folder, 'cut.onnx');
    const xor = loadNetwork(readFileSync(examplePath('xor.nn.json'), 'utf8'));
    const bytes = onnxExporter.write(xor, xor.initialParameters, { steps: 0, baseName: 'cut' })[0].contents as Uint8Array;
    writeFileSync(model, bytes.subarray(0, bytes.length >> 1));
    assert.equal(await vscode.commands.executeCommand('backprop.importModel', vscode.Uri.file(model)), undefined);
    assert.deepEqual((await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder))).map(([name]) => name), ['cut.onnx']);
  });

  it('Export... writes the run\'s current parameters beside the network file, as ONNX and as TensorFlow.js, never over a file', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'backprop-export-'));
    const network = path.join(folder, 'xor.nn.json');
    writeFileSync(network, readFileSync(examplePath('xor.nn.json')));
    const uri = vscode.Uri.file(network);
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('backprop.step');
    await vscode.commands.executeCommand('backprop.step');
    const editor = await waitFor('step 2', () => api().editors().find((e) => e.uri === uri.toString() && e.step === 2 && e.params), 20_000, state);
    const params = editor.params!;

    const onnxFiles = await vscode.commands.executeCommand<vscode.Uri[] | undefined>('backprop.export', uri, 'onnx');
    assert.deepEqual(onnxFiles?.map((f) => f.fsPath), [path.join(folder, 'xor.onnx')]);
    const model = readOnnx(readFileSync(onnxFiles![0].fsPath), 'xor.onnx');
    const exported = model.layers.flatMap((l) => Array.from(l.weights)).concat(model.layers.flatMap((l) => Array.from(l.biases)));
    assert.deepEqual(exported, params.map(Math.fround));
    assert.notDeepEqual(exported, Array.from(loadNetwork(readFileSync(network, 'utf8')).initialParameters, Math.fround), 'the run\'s parameters, not the file\'s');

    const again = await vscode.commands.executeCommand<vscode.Uri[] | undefined>('backprop.export', uri, 'onnx');
    assert.deepEqual(again?.map((f) => f.fsPath), [path.join(folder, 'xor-2.onnx')]);

    const tfjs = await vscode.commands.executeCommand<vscode.Uri[] | undefined>('backprop.export', uri, 'tfjs');
    assert.deepEqual(tfjs?.map((f) => path.basename(f.fsPath)), ['xor.model.json', 'xor.weights.bin']);
    const read = readTfjs({ name: tfjs![0].fsPath, bytes: readFileSync(tfjs![0].fsPath), sibling: (p) => readFileSync(path.join(folder, p)) });
    assert.deepEqual(read.layers.flatMap((l) => Array.from(l.biases)), params.slice(-4).map(Math.fround));
    // The network file itself is untouched.
    assert.equal(readFileSync(network, 'utf8'), readFileSync(examplePath('xor.nn.json'), 'utf8'));
  });

  it('Import Model... reads a Keras 3 .keras file, and a safetensors file with the activations passed to the command (softmax last: cross-entropy)', async () => {
    await loadHdf5();
    const folder = mkdtempSync(path.join(tmpdir(), 'backprop-import-'));
    const classifier = loadNetwork(readFileSync(examplePath('classifier.nn.json'), 'utf8'));
    writeFileSync(path.join(folder, 'clf.keras'), kerasFromModel(denseModelOf(classifier)));
    const keras = await vscode.commands.executeCommand<vscode.Uri | undefined>('backprop.importModel', vscode.Uri.file(path.join(folder, 'clf.keras')));
    assert.equal(keras?.fsPath, path.join(folder, 'clf.nn.json'));
    await waitFor('the Keras network in the network editor', () => api().editors().some((e) => e.uri === keras!.toString() && e.ready && e.shown === 'model'), 30_000, state);
    const fromKeras = loadNetwork(readFileSync(keras!.fsPath, 'utf8'));
    // Float32 weights are written as their shortest float32 text: each reads back as the same float32.
    assert.deepEqual(Array.from(fromKeras.initialParameters, Math.fround), Array.from(classifier.initialParameters, Math.fround), 'float32 in the .keras file');
    assert.deepEqual([fromKeras.layers.map((l) => l.activation), fromKeras.loss], [['relu', 'identity'], 'cross-entropy']);

    writeFileSync(path.join(folder, 'clf.safetensors'), writeSafetensors(denseModelOf(classifier), 'F64'));
    const safetensors = await vscode.commands.executeCommand<vscode.Uri | undefined>('backprop.importModel', vscode.Uri.file(path.join(folder, 'clf.safetensors')), { activations: 'relu,softmax' });
    assert.equal(safetensors?.fsPath, path.join(folder, 'clf-2.nn.json'), 'beside the model, never over the Keras import');
    await waitFor('the safetensors network in the network editor', () => api().editors().some((e) => e.uri === safetensors!.toString() && e.ready && e.shown === 'model'), 30_000, state);
    const fromSafetensors = loadNetwork(readFileSync(safetensors!.fsPath, 'utf8'));
    assert.deepEqual(Array.from(fromSafetensors.initialParameters), Array.from(classifier.initialParameters), 'float64: the same numbers');
    assert.deepEqual([fromSafetensors.layers.map((l) => l.activation), fromSafetensors.loss], [['relu', 'identity'], 'cross-entropy']);
    // Activations that do not fit the file: nothing is written.
    assert.equal(await vscode.commands.executeCommand('backprop.importModel', vscode.Uri.file(path.join(folder, 'clf.safetensors')), { activations: 'relu' }), undefined);
    assert.deepEqual((await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder))).map(([name]) => name).sort(), ['clf-2.nn.json', 'clf.keras', 'clf.nn.json', 'clf.safetensors']);
  });

  it('Export... writes the NumPy script beside the network file, training for the file\'s maxSteps from the run\'s parameters', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'backprop-export-'));
    const network = path.join(folder, 'xor.nn.json');
    writeFileSync(network, readFileSync(examplePath('xor.nn.json')));
    const uri = vscode.Uri.file(network);
    await openNetworkEditor(uri);
    await vscode.commands.executeCommand('backprop.step');
    const editor = await waitFor('step 1', () => api().editors().find((e) => e.uri === uri.toString() && e.step === 1 && e.params), 20_000, state);
    const files = await vscode.commands.executeCommand<vscode.Uri[] | undefined>('backprop.export', uri, 'numpy');
    assert.deepEqual(files?.map((f) => f.fsPath), [path.join(folder, 'xor.py')]);
    const script = readFileSync(files![0].fsPath, 'utf8');
    assert.match(script, /^import numpy as np$/m);
    assert.match(script, new RegExp(`^STEPS = ${loadNetwork(readFileSync(network, 'utf8')).training.maxSteps}$`, 'm'));
    // The run's parameters after its step, as Python reads them back.
    for (const value of editor.params!) assert.ok(script.includes(py(value)), `the script holds ${py(value)}`);
  });
});
