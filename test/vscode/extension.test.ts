/** The extension in a real VS Code: activation, schema validation, diagnostics, commands. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAllEditors, errors, examplePath, ROOT, scratchFile, waitFor } from './util';

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('Backprop Debugger in VS Code', () => {
  afterEach(closeAllEditors);

  it('validates every example without an error', async () => {
    for (const name of ['dosage-b3.nn.json', 'dosage-w3-w4-b3.nn.json', 'dosage-all.nn.json', '3b1b-chain.nn.json', 'xor.nn.json', 'classifier.nn.json']) {
      const uri = vscode.Uri.file(examplePath(name));
      await vscode.window.showTextDocument(uri);
      // Give the JSON language service time to report, then expect silence.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(errors(uri).map((d) => d.message), [], name);
    }
  });

  it('shows the schema\'s diagnostics for a broken file (unknown activation)', async () => {
    const text = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8').replace('"softplus"', '"swish"');
    const uri = scratchFile('bad-activation.nn.json', text);
    await vscode.window.showTextDocument(uri);
    const schema = await waitFor(
      'a JSON schema diagnostic',
      // The JSON language service reports schema violations as warnings.
      () => vscode.languages.getDiagnostics(uri).find((e) => e.source !== 'Backprop Debugger' && /Valid values: "identity", "softplus"/.test(e.message)),
      20_000,
      () => `diagnostics were ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.source, d.message]))}`,
    );
    const line = text.split('\n').findIndex((l) => l.includes('"swish"'));
    assert.equal(schema.range.start.line, line);
    const ours = await waitFor('the loader\'s diagnostic', () => errors(uri).find((e) => e.source === 'Backprop Debugger'));
    assert.match(ours.message, /unknown activation "swish"/);
    assert.equal(ours.range.start.line, line);
  });

  it('reports what only the loader can see: weights of the wrong shape, at their position', async () => {
    const text = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8').replace('[[-1.22, -2.30]]', '[[-1.22]]');
    const uri = scratchFile('bad-shape.nn.json', text);
    await vscode.window.showTextDocument(uri);
    const d = await waitFor('a shape diagnostic', () => errors(uri).find((e) => e.source === 'Backprop Debugger'));
    assert.match(d.message, /layers\[1\]\.weights\[0\] has 1 weight but the layer before has 2 units/);
    const line = text.split('\n').findIndex((l) => l.includes('[[-1.22]]'));
    assert.deepEqual([d.range.start.line, d.range.start.character], [line, text.split('\n')[line].indexOf('[-1.22]')]);
  });

  it('updates diagnostics live as the text is edited, and clears them on undo', async () => {
    const uri = scratchFile('live.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    const editor = await vscode.window.showTextDocument(uri);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(errors(uri).filter((e) => e.source === 'Backprop Debugger'), []);
    const at = editor.document.getText().indexOf('"b3"]');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 4)), '"b9"'));
    const d = await waitFor('a trainable diagnostic', () => errors(uri).find((e) => e.source === 'Backprop Debugger'));
    assert.match(d.message, /unknown parameter "b9" in training\.trainable/);
    await vscode.commands.executeCommand('undo');
    await waitFor('the diagnostic to clear', () => errors(uri).every((e) => e.source !== 'Backprop Debugger'));
    assert.equal(editor.document.isDirty, false, 'undo returns the file to its saved state');
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length > 0);
    for (const c of contributed) assert.ok(registered.has(c), `${c} is contributed but not registered`);
  });

  it('opens an example as an untitled .nn.json copy, in the network editor', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('backprop.openExample', 'xor.nn.json');
    assert.ok(uri, 'an example opened');
    assert.equal(uri.scheme, 'untitled');
    assert.ok(uri.path.endsWith('xor.nn.json'));
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.match(document.getText(), /"name": "XOR/);
    await waitFor('the network editor to show the model', () => api().editors().find((e) => e.uri === uri.toString() && e.shown === 'model'));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(errors(uri).map((d) => d.message), []);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
