/** The extension in a real VS Code: activation, schema validation, diagnostics, commands. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXAMPLE_FILES } from '../../src/exampleFiles';
import { api, closeAllEditors, errors, examplePath, ROOT, scratchFile, waitFor } from './util';

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('Backprop Debugger in VS Code', () => {
  afterEach(closeAllEditors);

  it('validates every example against the schema without a complaint', async () => {
    for (const name of EXAMPLE_FILES) {
      // A probe the schema must reject (an unknown top-level key) proves the JSON language service
      // has validated this text: then the probe's must be its only complaint.
      const text = readFileSync(examplePath(name), 'utf8').replace(/\}\s*$/, ',\n  "zzProbe": 1\n}\n');
      const uri = scratchFile(`schema-${name}`, text);
      await vscode.window.showTextDocument(uri);
      const schema = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source !== 'Backprop Debugger');
      await waitFor(`the schema's verdict on ${name}`, () => schema().some((d) => /zzProbe/.test(d.message)), 20_000, () => JSON.stringify(schema().map((d) => d.message)));
      assert.deepEqual(schema().map((d) => d.message), ['Property zzProbe is not allowed.'], name);
    }
  });

  it('gives network files a language of their own, formatted and checked as JSON; other JSON files stay JSON', async () => {
    const uri = scratchFile('language.nn.json', '{"name":"n","inputs":["x"],"outputs":["y"],\n"layers":[{"units":1,"activation":"identity","weights":[[1]],"biases":[0]}],"data":[{"x":1,"y":2}],"loss":"ssr","training":{"learningRate":0.1}}');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'nn-json');
    await vscode.window.showTextDocument(doc);
    // VS Code's JSON language server formats it (its language takes part in JSON's).
    const edits = await waitFor('the JSON formatter', async () => {
      const e = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', uri, { tabSize: 2, insertSpaces: true });
      return e && e.length > 0 ? e : undefined;
    }, 20_000);
    assert.ok(edits.length > 0);
    const other = await vscode.workspace.openTextDocument(scratchFile('package.json', '{ "name": "not-a-network" }'));
    assert.equal(other.languageId, 'json', 'package.json stays JSON: no breakpoint gutter there');
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

  it('opens an example from a saved copy of its own in the workspace, which closing the text beside it never empties', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const uri = await vscode.commands.executeCommand<vscode.Uri>('backprop.openExample', 'xor.nn.json', { to: vscode.Uri.joinPath(folder, 'xor.nn.json') });
    assert.ok(uri, 'an example opened');
    assert.equal(uri.scheme, 'file', 'a real file, not an untitled document');
    assert.equal(uri.fsPath, vscode.Uri.joinPath(folder, 'xor.nn.json').fsPath, 'the copy is in the workspace, not hidden storage');
    const original = readFileSync(examplePath('xor.nn.json'), 'utf8');
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.equal(document.getText(), original);
    assert.equal(document.isDirty, false);
    await waitFor('the network editor to show the model', () => api().editors().find((e) => e.uri === uri.toString() && e.shown === 'model'));
    // Open Text Beside, edit, then close the text as "Don't Save" does: revert and close.
    await vscode.commands.executeCommand('backprop.openTextBeside');
    const text = await waitFor('the text beside the graph', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()));
    await vscode.window.showTextDocument(text.document, text.viewColumn);
    await text.edit((e) => e.insert(new vscode.Position(0, 0), ' '));
    assert.equal(document.isDirty, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('the text to close', () => !vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString()));
    assert.equal(document.getText(), original, 'reverting a saved copy brings the network back, never an empty file');
    await waitFor('the graph to show the network', () => api().editors().find((e) => e.uri === uri.toString() && e.shown === 'model' && e.params?.length === 13));
    assert.equal(readFileSync(examplePath('xor.nn.json'), 'utf8'), original, "the extension's own example is untouched");
    assert.deepEqual(errors(uri).map((d) => d.message), []);
  });

  it("opens the workspace's unedited copy of an example again, and never overwrites an edited one", async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const root = vscode.Uri.joinPath(folder, 'dosage-w3-w4-b3.nn.json');
    const uri = (await vscode.commands.executeCommand<vscode.Uri>('backprop.openExample', 'dosage-w3-w4-b3.nn.json', { to: root }))!;
    assert.equal(uri.toString(), root.toString());
    await closeAllEditors();
    // Unedited at the root: that copy opens, with no question and no second copy.
    const again = (await vscode.commands.executeCommand<vscode.Uri>('backprop.openExample', 'dosage-w3-w4-b3.nn.json'))!;
    assert.equal(again.toString(), root.toString());
    const document = await vscode.workspace.openTextDocument(uri);
    const at = document.getText().indexOf('"learningRate": 0.1');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(document.positionAt(at), document.positionAt(at + '"learningRate": 0.1'.length)), '"learningRate": 0.05');
    await vscode.workspace.applyEdit(edit);
    await document.save();
    await closeAllEditors();
    // Asked to copy onto the edited file: the copy gets a name of its own.
    const fresh = (await vscode.commands.executeCommand<vscode.Uri>('backprop.openExample', 'dosage-w3-w4-b3.nn.json', { to: root }))!;
    assert.equal(path.basename(fresh.fsPath), 'dosage-w3-w4-b3-2.nn.json');
    assert.match(readFileSync(root.fsPath, 'utf8'), /"learningRate": 0\.05/, "the person's edit is kept");
    assert.equal(readFileSync(fresh.fsPath, 'utf8'), readFileSync(examplePath('dosage-w3-w4-b3.nn.json'), 'utf8'));
  });
});
