/**
 * The charts through the real extension host: the page asks for its panels, the worker computes
 * them and every frame that needs them carries them; a malformed request is ignored; an export is
 * written only where the save dialog says, and never into the network file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, closeAllEditors, openNetworkEditor, examplePath, scratchFile, waitFor } from './util';

const editorOf = (uri: vscode.Uri) => api().editors().find((e) => e.uri === uri.toString());
const state = (): string => JSON.stringify(api().editors().map(({ params: _p, ...e }) => e));

describe('charts through the extension host', () => {
  afterEach(closeAllEditors);

  it("draws the page's panels from the worker: the SSR curve of b3 with slope -15.7, the loss growing with each step", async () => {
    const text = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8');
    const uri = scratchFile('charts-b3.nn.json', text);
    await openNetworkEditor(uri);
    // The page opens with the loss, the curve and the fit; with nothing selected, the curve is the first trainable parameter's.
    const first = await waitFor('the charts of step 0', () => { const c = editorOf(uri)?.charts; return c?.profile ? c : undefined; }, 30_000, state);
    assert.deepEqual(first.panels, ['loss', 'profile', 'fit']);
    assert.equal(first.profile!.parameter, 'b3');
    assert.equal(first.profile!.slope.toFixed(1), '-15.7');
    await vscode.commands.executeCommand('backprop.step');
    await vscode.commands.executeCommand('backprop.step');
    await waitFor('the charts of step 2', () => editorOf(uri)?.charts?.step === 2, 20_000, state);
    assert.equal(editorOf(uri)!.charts!.lossPoints, 3);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.equal(doc.isDirty, false);
    assert.equal(doc.getText(), text);
  });

  it('asks for what a page selects, and ignores a request that is not one', async () => {
    const uri = scratchFile('charts-all.nn.json', readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    await waitFor('the first charts', () => editorOf(uri)?.charts?.profile, 30_000, state);
    await api().fromPage(uri.toString(), { type: 'charts', panels: ['profile', 'instruments'], parameters: ['w3'] });
    await waitFor('the curve of w3', () => editorOf(uri)?.charts?.profile?.parameter === 'w3' && editorOf(uri)?.charts?.lossPoints === null, 20_000, state);
    for (const bad of [
      { type: 'charts', panels: ['everything'], parameters: [] },
      { type: 'charts', panels: ['loss'], parameters: ['w1', 'w2', 'w3'] },
      { type: 'charts', panels: ['loss'], parameters: ['w1; rm -rf'] },
      { type: 'charts', panels: ['profile'], parameters: ['w1', 'w1'] },
      { type: 'export', format: 'png', name: '../../escape', data: 'data:image/png;base64,AAAA' },
    ]) await api().fromPage(uri.toString(), bad);
    await api().sync();
    assert.deepEqual(editorOf(uri)!.charts!.panels, ['profile', 'instruments']);
  });

  it('saves a chart where the save dialog says: the picture as PNG bytes, the data as text; nothing when cancelled', async () => {
    const uri = scratchFile('charts-export.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    const png = scratchFile('chart.png', '');
    const csv = scratchFile('chart.csv', '');
    const window = vscode.window as { showSaveDialog: typeof vscode.window.showSaveDialog };
    const original = window.showSaveDialog;
    const asked: vscode.SaveDialogOptions[] = [];
    let answer: vscode.Uri | undefined;
    window.showSaveDialog = async (options) => { asked.push(options!); return answer; };
    try {
      // A 1x1 PNG, as a canvas's toDataURL gives it.
      const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
      answer = png;
      await api().fromPage(uri.toString(), { type: 'export', format: 'png', name: 'loss-against-b3', data: `data:image/png;base64,${pixel}` });
      assert.deepEqual([...readFileSync(png.fsPath)], [...Buffer.from(pixel, 'base64')]);
      assert.match(asked[0].defaultUri!.path, /\/loss-against-b3\.png$/);
      answer = csv;
      await api().fromPage(uri.toString(), { type: 'export', format: 'csv', name: 'loss-over-steps', data: 'step,SSR\n0,20.4236\n' });
      assert.equal(readFileSync(csv.fsPath, 'utf8'), 'step,SSR\n0,20.4236\n');
      answer = undefined;
      await api().fromPage(uri.toString(), { type: 'export', format: 'csv', name: 'loss-over-steps', data: 'other' });
      assert.equal(readFileSync(csv.fsPath, 'utf8'), 'step,SSR\n0,20.4236\n');
      assert.equal(asked.length, 3);
      // A picture that is not a PNG data URL is not written.
      answer = png;
      await api().fromPage(uri.toString(), { type: 'export', format: 'png', name: 'fit', data: 'data:text/html;base64,PGgxPg==' });
      assert.equal(asked.length, 3);
    } finally {
      window.showSaveDialog = original;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.equal(doc.isDirty, false);
  });
});
