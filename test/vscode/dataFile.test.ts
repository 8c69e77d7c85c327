/**
 * A network reading a CSV beside it, in a real VS Code: an edit of the CSV's document (unsaved)
 * reaches the run as an edit of the network does, a broken CSV pauses it with the error in the CSV,
 * and a change of the CSV on disk (not open in an editor) reaches it too.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAllEditors, examplePath, openNetworkEditor, scratchFile, waitFor } from './util';

/** A network reading `file` beside it. */
const network = (file: string): string => JSON.stringify({
  inputs: ['x1', 'x2'], outputs: ['y'],
  layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }],
  data: { file, inputs: ['x1', 'x2'], targets: ['y'] },
  training: { learningRate: 0.01, maxSteps: 1000 },
}, null, 2);
const POINTS = 'x1,x2,y\n0,1,1\n2,3,5\n-1,0.5,0\n';

const editorOf = (uri: vscode.Uri) => api().editors().find((e) => e.uri === uri.toString());
const state = (): string => JSON.stringify({ editors: api().editors().map(({ params: _p, ...e }) => e) });

/** Appends `text` to the end of the document, as one unsaved edit. */
async function append(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, document.positionAt(document.getText().length), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

describe('a network reading a CSV file', () => {
  afterEach(closeAllEditors);

  it('follows an unsaved edit of the CSV\'s document, and pauses on a broken one with the error in the CSV', async () => {
    const csv = scratchFile('csv-edit.csv', POINTS);
    const uri = scratchFile('csv-edit.nn.json', network('csv-edit.csv'));
    await openNetworkEditor(uri);
    await waitFor('the run of the CSV\'s 3 samples', () => editorOf(uri)?.samples === 3, 30_000, state);
    for (let i = 0; i < 2; i++) await vscode.commands.executeCommand('backprop.step');
    await api().sync();
    assert.equal(editorOf(uri)!.step, 2);

    const document = await vscode.workspace.openTextDocument(csv);
    await append(document, '4,4,8\n');
    assert.ok(document.isDirty, 'the edit is not saved');
    await waitFor('the run to restart on 4 samples', () => editorOf(uri)?.samples === 4 && editorOf(uri)?.step === 0, 20_000, state);
    assert.match(editorOf(uri)!.restartedBecause!, /the data changed/);

    await append(document, '5,n/a,9\n');
    await waitFor('the run to say where the CSV is broken', () => editorOf(uri)?.problem?.includes('csv-edit.csv:6:3: "n/a" is not a number'), 20_000, state);
    assert.equal(editorOf(uri)!.samples, 4, 'the run waits on the samples it had');
    await waitFor('a squiggle in the CSV at the cell', () => vscode.languages.getDiagnostics(csv).find((d) => d.range.start.line === 5 && d.range.start.character === 2 && /"n\/a" is not a number/.test(d.message)), 20_000);
    await waitFor('and one in the network file, at its "file" value', () => vscode.languages.getDiagnostics(uri).find((d) => /^csv-edit\.csv:6:3: /.test(d.message)), 20_000);
    // Undo the broken row: the run goes on, the squiggle in the CSV goes.
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await waitFor('the run to take the repaired CSV', () => editorOf(uri)?.problem === null && editorOf(uri)?.samples === 4, 20_000, state);
    await waitFor('the squiggle in the CSV to go', () => vscode.languages.getDiagnostics(csv).length === 0, 20_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Open Example Network copies points.csv beside its copy of points.nn.json, and the copy trains on it', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const target = vscode.Uri.joinPath(folder, 'csv-example', 'points.nn.json');
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
    const uri = (await vscode.commands.executeCommand<vscode.Uri>('backprop.openExample', 'points.nn.json', { to: target }))!;
    assert.equal(uri.toString(), target.toString());
    const csv = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(target, '..', 'points.csv')));
    assert.equal(csv, readFileSync(examplePath('points.csv'), 'utf8'));
    await waitFor('the copy\'s 120 samples', () => editorOf(uri)?.samples === 120 && editorOf(uri)?.shown === 'model', 30_000, state);
  });

  it('refuses a data file that is a link out of the network\'s folder, even while what it points to is open in an editor', async () => {
    const secret = scratchFile('link-secret.csv', POINTS);
    const folder = path.join(path.dirname(secret.fsPath), 'link-net');
    mkdirSync(folder, { recursive: true });
    symlinkSync(secret.fsPath, path.join(folder, 'link.csv'));
    const uri = vscode.Uri.file(path.join(folder, 'link.nn.json'));
    writeFileSync(uri.fsPath, network('link.csv'));
    // The target open, and the link's own URI open too (VS Code shows the target's text under it).
    await vscode.workspace.openTextDocument(secret);
    await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder, 'link.csv')));
    // Opened as a person would; there is no graph to wait for (the network cannot load).
    await vscode.commands.executeCommand('vscode.openWith', uri, 'backprop.networkEditor');
    await waitFor('the run to refuse the link', () => editorOf(uri)?.problem?.includes('cannot read "link.csv": it is a link to a file outside the network file\'s folder'), 30_000, state);
    assert.equal(editorOf(uri)!.samples, null, 'no samples were read');
    assert.equal(editorOf(uri)!.shown, 'invalid');
    await waitFor('a squiggle at its "file" value', () => vscode.languages.getDiagnostics(uri).find((d) => /cannot read "link\.csv": it is a link to a file outside/.test(d.message)), 20_000);
  });

  it('follows a change of the CSV on disk when it is not open', async () => {
    const csv = scratchFile('csv-disk.csv', POINTS);
    const uri = scratchFile('csv-disk.nn.json', network('csv-disk.csv'));
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === csv.toString()));
    await openNetworkEditor(uri);
    await waitFor('the run of the CSV\'s 3 samples', () => editorOf(uri)?.samples === 3, 30_000, state);
    writeFileSync(csv.fsPath, `${POINTS}7,7,14\n8,8,16\n`);
    await waitFor('the run to restart on the 5 samples on disk', () => editorOf(uri)?.samples === 5, 30_000, state);
    assert.match(editorOf(uri)!.restartedBecause!, /the data changed/);
  });
});
