/**
 * The charts through the real extension host: the page asks for its panels, the worker computes
 * them and every frame that needs them carries them; a malformed request is ignored; an export is
 * written only where the save dialog says (beside the network file unless the person chooses
 * elsewhere), never into the network file, and a notification says where, with Open and Reveal.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadNetwork, Trainer } from '../../src/core';
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

  it('races optimizers in the worker when the page opens Compare optimizers, with the ones it picks; a pick that is not one is ignored', async () => {
    const uri = scratchFile('charts-race.nn.json', readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    await waitFor('the first charts', () => editorOf(uri)?.charts?.profile, 30_000, state);
    await api().fromPage(uri.toString(), { type: 'charts', panels: ['compare'], parameters: [], optimizers: ['adam', 'rmsprop'] });
    const race = await waitFor('the whole race', () => { const c = editorOf(uri)?.charts; return c?.compare && !c.pending ? c.compare : undefined; }, 30_000, state);
    assert.deepEqual(race.map((l) => [l.optimizer, l.reached]), [['sgd', 200], ['adam', 200], ['rmsprop', 200]]);
    // The file's line is the run's: SGD's loss after 200 steps, as the core computes it.
    const t = new Trainer(loadNetwork(readFileSync(uri.fsPath, 'utf8')));
    for (let i = 0; i < 200; i++) t.step();
    assert.equal(race[0].loss, t.trainingLoss());
    for (const bad of [
      { type: 'charts', panels: ['compare'], parameters: [], optimizers: ['lbfgs'] },
      { type: 'charts', panels: ['compare'], parameters: [], optimizers: ['adam', 'adam'] },
      { type: 'charts', panels: ['compare'], parameters: [], optimizers: 'adam' },
    ]) await api().fromPage(uri.toString(), bad);
    await api().sync();
    assert.deepEqual(editorOf(uri)!.charts!.optimizers, ['adam', 'rmsprop']);
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
      // Beside the network file.
      assert.equal(asked[0].defaultUri!.fsPath, path.join(path.dirname(uri.fsPath), 'loss-against-b3.png'));
      answer = csv;
      await api().fromPage(uri.toString(), { type: 'export', format: 'csv', name: 'loss-over-steps', data: 'step,SSR\n0,20.4236\n' });
      assert.equal(readFileSync(csv.fsPath, 'utf8'), 'step,SSR\n0,20.4236\n');
      answer = undefined;
      await api().fromPage(uri.toString(), { type: 'export', format: 'csv', name: 'loss-over-steps', data: 'other' });
      assert.equal(readFileSync(csv.fsPath, 'utf8'), 'step,SSR\n0,20.4236\n');
      assert.equal(asked.length, 3);
      // A picture that is not a PNG data URL is not written, nor one that says it is a PNG and is not.
      answer = png;
      await api().fromPage(uri.toString(), { type: 'export', format: 'png', name: 'fit', data: 'data:text/html;base64,PGgxPg==' });
      await api().fromPage(uri.toString(), { type: 'export', format: 'png', name: 'fit', data: 'data:image/png;base64,PGgxPg==' });
      assert.equal(asked.length, 3);
    } finally {
      window.showSaveDialog = original;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.equal(doc.isDirty, false);
  });

  it('says where it saved a chart, with Open (in VS Code) and Reveal (in the file manager, or the Explorer in VS Code for the browser)', async () => {
    const uri = scratchFile('charts-announce.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    // Saved into the workspace, where VS Code for the browser can reveal it too (in the Explorer).
    const folder = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'charts-announce');
    mkdirSync(folder, { recursive: true });
    const target = vscode.Uri.file(path.join(folder, 'chart.png'));
    const said = stubAnnouncements(target);
    try {
      said.choice = 'Reveal';
      await api().fromPage(uri.toString(), { type: 'export', format: 'png', name: 'loss-against-b3', data: `data:image/png;base64,${PIXEL}` });
      const revealed = await waitFor('the file revealed', () => said.commands.find((c) => c.id === 'revealFileInOS' || c.id === 'revealInExplorer'), 20_000, () => JSON.stringify(said));
      assert.equal(said.messages.length, 1);
      assert.equal(said.messages[0].text, "Saved the chart's picture as charts-announce/chart.png.");
      assert.deepEqual(said.messages[0].items, ['Open', 'Reveal']);
      assert.equal((revealed.args[0] as vscode.Uri).fsPath, target.fsPath);
      said.choice = 'Open';
      await api().fromPage(uri.toString(), { type: 'export', format: 'csv', name: 'loss-over-steps', data: 'step,SSR\n0,20.4236\n' });
      const opened = await waitFor('the file opened', () => said.commands.find((c) => c.id === 'vscode.open'), 20_000, () => JSON.stringify(said));
      assert.equal((opened.args[0] as vscode.Uri).fsPath, target.fsPath);
      assert.equal(readFileSync(target.fsPath, 'utf8'), 'step,SSR\n0,20.4236\n');
    } finally {
      said.restore();
      rmSync(folder, { recursive: true, force: true });
    }
    // Saved outside the workspace: VS Code for the browser has nowhere to reveal it, so it offers Open alone.
    const outside = stubAnnouncements(target.with({ path: scratchFile('outside.png', '').path }));
    try {
      await api().fromPage(uri.toString(), { type: 'export', format: 'png', name: 'loss-against-b3', data: `data:image/png;base64,${PIXEL}` });
      await waitFor('the notification', () => outside.messages[0], 20_000, () => JSON.stringify(outside));
      const reveal = vscode.env.uiKind === vscode.UIKind.Desktop ? ['Reveal'] : [];
      assert.deepEqual(outside.messages[0].items, ['Open', ...reveal]);
    } finally {
      outside.restore();
    }
  });

  it('exports all charts into one folder, beside the network file first, and replaces files there only when told', async () => {
    const uri = scratchFile('charts-all-export.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    const folder = path.join(path.dirname(uri.fsPath), 'charts-all-export');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    const window = vscode.window as { showOpenDialog: typeof vscode.window.showOpenDialog; showWarningMessage: typeof vscode.window.showWarningMessage };
    const originals = { open: window.showOpenDialog, warn: window.showWarningMessage };
    const asked: vscode.OpenDialogOptions[] = [];
    const warned: string[] = [];
    let replace: string | undefined;
    window.showOpenDialog = async (options) => { asked.push(options!); return [vscode.Uri.file(folder)]; };
    window.showWarningMessage = (async (message: string) => { warned.push(message); return replace; }) as unknown as typeof vscode.window.showWarningMessage;
    const said = stubAnnouncements();
    const pictures = (pixel: string) => [{ name: 'loss-over-steps', data: `data:image/png;base64,${pixel}` }, { name: 'fit', data: `data:image/png;base64,${pixel}` }];
    try {
      await api().fromPage(uri.toString(), { type: 'exportAll', pictures: pictures(PIXEL) });
      assert.equal(asked.length, 1);
      assert.equal(asked[0].defaultUri!.fsPath, path.dirname(uri.fsPath));
      assert.ok(asked[0].canSelectFolders && !asked[0].canSelectFiles);
      for (const name of ['loss-over-steps.png', 'fit.png']) assert.deepEqual([...readFileSync(path.join(folder, name))], [...Buffer.from(PIXEL, 'base64')]);
      await waitFor('the notification', () => said.messages[0], 20_000, () => JSON.stringify(said));
      assert.match(said.messages[0].text, /^Saved 2 charts as PNG pictures in .*charts-all-export: loss-over-steps\.png, fit\.png\.$/);
      assert.equal(said.messages[0].items[0], 'Open');
      // Both are there now: they are replaced only when the person says so.
      replace = undefined;
      await api().fromPage(uri.toString(), { type: 'exportAll', pictures: pictures(OTHER_PIXEL) });
      assert.match(warned[0], /^loss-over-steps\.png, fit\.png exist already in .*charts-all-export\. Replace them\?$/);
      assert.deepEqual([...readFileSync(path.join(folder, 'fit.png'))], [...Buffer.from(PIXEL, 'base64')]);
      replace = 'Replace';
      await api().fromPage(uri.toString(), { type: 'exportAll', pictures: pictures(OTHER_PIXEL) });
      assert.deepEqual([...readFileSync(path.join(folder, 'fit.png'))], [...Buffer.from(OTHER_PIXEL, 'base64')]);
      // Pictures that are not PNGs, or two of one name, ask nothing and write nothing.
      await api().fromPage(uri.toString(), { type: 'exportAll', pictures: [{ name: 'x', data: 'data:image/png;base64,PGgxPg==' }] });
      await api().fromPage(uri.toString(), { type: 'exportAll', pictures: [...pictures(PIXEL), { name: 'fit', data: `data:image/png;base64,${PIXEL}` }] });
      assert.equal(asked.length, 3);
      assert.ok(!existsSync(path.join(folder, 'x.png')));
    } finally {
      window.showOpenDialog = originals.open;
      window.showWarningMessage = originals.warn;
      said.restore();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('offers to save a chart that Copy as image could not copy, and saves the picture the page draws, 1200 px wide at least', async () => {
    const uri = scratchFile('charts-copy.nn.json', readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    await openNetworkEditor(uri);
    await waitFor('the first charts', () => editorOf(uri)?.charts?.profile, 30_000, state);
    const window = vscode.window as { showSaveDialog: typeof vscode.window.showSaveDialog; showWarningMessage: typeof vscode.window.showWarningMessage };
    const originals = { save: window.showSaveDialog, warn: window.showWarningMessage };
    const warned: string[] = [];
    const asked: vscode.SaveDialogOptions[] = [];
    const target = scratchFile('copied.png', '');
    // The person clicks the warning's button (its only one).
    window.showWarningMessage = (async (message: string, ...items: unknown[]) => { warned.push(message); return items.find((i) => typeof i === 'string'); }) as unknown as typeof vscode.window.showWarningMessage;
    window.showSaveDialog = async (options) => { asked.push(options!); return target; };
    const said = stubAnnouncements();
    try {
      // The host asks the page for the picture; the page sends it to be saved like any. (Asked again
      // until the page has drawn the chart: a person copies a chart they see.)
      await waitFor('the page to send the picture', async () => {
        if (asked.length === 0) await api().fromPage(uri.toString(), { type: 'copyFailed', panel: 'profile', reason: 'unsupported' });
        return said.messages[0];
      }, 30_000, () => JSON.stringify({ asked, said, warned: warned.length }));
      assert.equal(warned[0], 'Could not copy the chart "Loss against a parameter" as a picture: this window gives webviews no clipboard for pictures.');
      assert.match(asked[0].defaultUri!.path, /\/loss-against-b3\.png$/);
      const bytes = readFileSync(target.fsPath);
      assert.ok(bytes.readUInt32BE(16) >= 1200, `${bytes.readUInt32BE(16)} px wide`);
    } finally {
      window.showSaveDialog = originals.save;
      window.showWarningMessage = originals.warn;
      said.restore();
    }
  });
});

/** A 1x1 PNG, as a canvas's toDataURL gives it, and another. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const OTHER_PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

interface Announcements {
  messages: { text: string; items: string[] }[];
  commands: { id: string; args: unknown[] }[];
  /** What the person clicks in the notification. */
  choice: string | undefined;
  restore(): void;
}

/**
 * Records the information messages the extension shows (answering with `choice`) and the commands
 * their buttons run (opening and revealing files, which are not run); answers the save dialog with
 * `saveAs` when given.
 */
function stubAnnouncements(saveAs?: vscode.Uri): Announcements {
  const window = vscode.window as { showInformationMessage: typeof vscode.window.showInformationMessage; showSaveDialog: typeof vscode.window.showSaveDialog };
  const commands = vscode.commands as { executeCommand: typeof vscode.commands.executeCommand };
  const originals = { info: window.showInformationMessage, save: window.showSaveDialog, run: commands.executeCommand };
  const said: Announcements = {
    messages: [], commands: [], choice: undefined,
    restore: () => { window.showInformationMessage = originals.info; window.showSaveDialog = originals.save; commands.executeCommand = originals.run; },
  };
  window.showInformationMessage = (async (text: string, ...items: unknown[]) => {
    said.messages.push({ text, items: items.filter((i): i is string => typeof i === 'string') });
    return said.choice;
  }) as unknown as typeof vscode.window.showInformationMessage;
  if (saveAs) window.showSaveDialog = async () => saveAs;
  commands.executeCommand = (async (id: string, ...args: unknown[]) => {
    if (id === 'vscode.open' || id === 'revealFileInOS' || id === 'revealInExplorer') { said.commands.push({ id, args }); return undefined; }
    return originals.run(id, ...args);
  }) as typeof vscode.commands.executeCommand;
  return said;
}
