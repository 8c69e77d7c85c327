/**
 * A person in VS Code: opens each example and sees its graph, hovers w3 and reads the chain rule,
 * breaks the text and sees the banner, undoes it, and opens an example from the palette.
 */
import assert from 'node:assert/strict';
import { explain, findParameter, loadNetwork, Trainer } from '../../src/core';
import { EXAMPLE_FILES as EXAMPLES } from '../../src/exampleFiles';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { openFile, openGraph, problemsSummary, ROOT, runCommand, screenshot, until, waitForWorkbench, webviewFrame } from '../harness/vscode';
import type { Page } from 'playwright-core';
import { useVSCode } from './session';
import { diskDataReader } from '../../src/diskDataFiles';

const NO_ERRORS = /No Problems|Errors?: 0\b/;

/** Opens the text beside the graph and puts the caret at the end of the first line holding `text`. */
async function caretAtEndOf(page: Page, text: string): Promise<void> {
  await runCommand(page, 'Backprop Debugger: Open Text Beside');
  const line = page.locator('.monaco-editor .view-line', { hasText: text }).first();
  await line.waitFor();
  await line.click();
  await page.keyboard.press('End');
}

describe('examples in VS Code (e2e)', () => {
  const vscode = useVSCode();

  for (const name of EXAMPLES) {
    it(`opens ${name} as a graph`, async () => {
      const frame = await openGraph(vscode.page, name);
      const file = path.join(ROOT, 'examples', name);
      const network = loadNetwork(readFileSync(file, 'utf8'), { readFile: diskDataReader(file) });
      assert.equal(await frame.locator('[data-param]').count(), network.layers.reduce((n, l) => n + l.units * (l.inputs + 1), 0) > 1500 ? network.parameterCount - network.weightCount : network.parameterCount);
      assert.match(await problemsSummary(vscode.page), NO_ERRORS);
      await screenshot(vscode.page, `editor-${name.replace('.nn.json', '')}`);
    });
  }

  it("hovering w3 shows the chain rule with the core's numbers", async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-b3.nn.json', '[data-param="w3"]');
    await frame.locator('.edge-label[data-for="w3"]').hover();
    const card = frame.locator('[role="tooltip"] .active');
    await card.waitFor();
    const net = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8'));
    const core = explain(new Trainer(net), findParameter(net, 'w3')!);
    assert.equal(await card.locator('.sum-value').textContent(), '−16.11');
    assert.equal(Number(await card.locator('.card-derivative').getAttribute('data-derivative')), core.derivative);
    const products = await card.locator('tbody tr[data-sample] .product').allTextContents();
    assert.deepEqual(products, core.terms.map((t) => t.value.toPrecision(4).replace('-', '−')));
    await screenshot(page, 'editor-hover-w3-dark');
  });

  it("picks Adam in the file's text: the card reads m-hat, and Step moves w3 by Adam's rule", async () => {
    const { page } = vscode;
    // A file of its own (a copy of dosage-all), so no other test meets the edit.
    const original = readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8');
    writeFileSync(path.join(vscode.workspace, 'dosage-pick-adam.nn.json'), original);
    const frame = await openGraph(page, 'dosage-pick-adam.nn.json', '[data-param="w3"]');
    // The training line ends in " }": the optimizer goes before it.
    await caretAtEndOf(page, '"training": {');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(', "optimizer": "adam"');
    const edited = original.replace('"minStepSize": 0.0001 }', '"minStepSize": 0.0001, "optimizer": "adam" }');
    assert.notEqual(edited, original);
    const net = loadNetwork(edited);
    const w3 = findParameter(net, 'w3')!;
    // The run restarts with Adam (the optimizer is part of its state): the card writes its update.
    await frame.locator('.edge-label[data-for="w3"]').hover();
    const card = frame.locator('[role="tooltip"] .active');
    await card.locator('.update-rule', { hasText: 'update (Adam)' }).waitFor({ timeout: 20_000 });
    const mHat = Number(await card.locator('.update-term[data-label="m̂"]').getAttribute('data-value'));
    const t = new Trainer(net);
    t.evaluate();
    // After one update m-hat is the gradient itself (docs/training.md).
    assert.ok(Math.abs(mHat - t.gradients[w3.index]) <= 1e-9 * Math.abs(t.gradients[w3.index]), `m̂ ${mHat} against g ${t.gradients[w3.index]}`);
    const next = Number(await card.locator('.next').getAttribute('data-next'));
    await frame.locator('svg.graph').click({ position: { x: 5, y: 5 } });
    await page.locator('.editor-actions').getByRole('button', { name: /^Step( \(F10\))?$/ }).first().click();
    await until('step 1', async () => (await frame.locator('#app').getAttribute('data-step')) === '1');
    t.step();
    assert.ok(Math.abs(next - t.params[w3.index]) < 1e-12, 'the card said where Step would take w3');
    await frame.locator('.edge-label[data-for="w3"]').hover();
    await until('the card at step 1', async () => Number(await frame.locator('[role="tooltip"] .active .card-title').getAttribute('data-value')) === t.params[w3.index]);
    // Adam's first step is the learning rate, whatever the gradient.
    assert.ok(Math.abs(Math.abs(t.params[w3.index] - net.initialParameters[w3.index]) - 0.1) < 1e-6);
    await screenshot(page, 'editor-adam-picked');
    await runCommand(page, 'File: Revert File');
    await runCommand(page, 'View: Close All Editors');
  });

  it('trains from the toolbars: Step from the editor title, Continue until it converges, Step Back', async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-all.nn.json');
    const app = frame.locator('#app');
    // VS Code's own editor toolbar carries the debugger's controls for the network editor.
    await page.getByRole('button', { name: /^Step( \(F10\))?$/ }).click();
    await until('step 1', async () => (await app.getAttribute('data-step')) === '1');
    const network = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8'));
    const expected = new Trainer(network).run();
    // The page's own Continue runs until the file's stopping rule fires.
    await frame.locator('[data-control="continue"]').click();
    await until(`Continue to stop at step ${expected.steps}`, async () => (await app.getAttribute('data-running')) === 'false' && (await app.getAttribute('data-step')) === String(expected.steps), 60_000);
    assert.match((await frame.locator('.toolbar .status').textContent()) ?? '', expected.stopReason === 'converged' ? /converged/ : /step limit/);
    await screenshot(page, 'editor-trained');
    await frame.locator('[data-control="step-back"]').click();
    await until('one step back', async () => (await app.getAttribute('data-step')) === String(expected.steps - 1));
  });

  it('shows a banner for a broken character typed into the text, and clears it on undo', async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-b3.nn.json', '[data-param="w3"]');
    await caretAtEndOf(page, '"loss": "ssr"');
    await page.keyboard.press('Backspace'); // the comma after "ssr": no longer JSON
    const banner = frame.locator('.banner[role="alert"]');
    await banner.waitFor({ timeout: 20_000 });
    const trainingLine = readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8').split('\n').findIndex((l) => l.includes('"training"')) + 1;
    assert.match((await banner.textContent())!, new RegExp(`invalid JSON: expected ',', found '"training"'.*line ${trainingLine}, column 3`));
    assert.equal(await frame.locator('#app.stale').count(), 1, 'the last graph stays, dimmed');
    await until('an error in the status bar', async () => /Errors?: [1-9]/.test(await problemsSummary(page)));
    await screenshot(page, 'editor-broken-file');
    await banner.locator('vscode-button', { hasText: 'Go to error' }).click();
    // "training" selected: the cursor ends after it, 10 characters on from column 3.
    await page.locator('[id="status.editor.selection"]', { hasText: new RegExp(`Ln ${trainingLine}, Col 13 \\(10 selected\\)`) }).waitFor();
    await page.keyboard.press('Control+Z');
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    await until('the errors to clear', async () => NO_ERRORS.test(await problemsSummary(page)));
    // Undo leaves the file as it was saved: the text's tab at once, the network editor's tab when
    // VS Code's custom editor hears of it (on a busy machine, a moment later).
    await until('undo to leave both tabs as saved', async () => (await page.locator('.tabs-container .tab.dirty').count()) === 0);
    await runCommand(page, 'View: Close All Editors');
  });

  it('keeps its view (edge mode, pinned parameter) across a window reload', async () => {
    const { page } = vscode;
    let frame = await openGraph(page, 'xor.nn.json', '[data-param="w9"]');
    await frame.locator('vscode-toolbar-button[title^="Edges show gradients"]').click();
    await frame.locator('.edge-label[data-for="w9"]').click();
    await frame.locator('.inspector .explanation[data-explains="w9"]').waitFor();
    // The view state travels webview -> workbench -> extension host; the host says when it has it.
    await frame.locator('#app[data-view-saved*=\'"pinned":"w9"\'][data-view-saved*=\'"mode":"gradients"\']').waitFor();
    await page.reload();
    await waitForWorkbench(page);
    // VS Code for the browser does not always restore the open editors on a reload, and while
    // the extension host is still starting it may reopen the file as text; reopening it in the
    // network editor (as a person would) must bring the same view back either way.
    await openFile(page, 'xor.nn.json');
    try {
      frame = await webviewFrame(page, '.inspector .explanation[data-explains="w9"]', 20_000);
    } catch {
      await runCommand(page, 'Backprop Debugger: Open in Network Debugger');
      frame = await webviewFrame(page, '.inspector .explanation[data-explains="w9"]', 40_000);
    }
    assert.equal(await frame.locator('svg.graph.gradients').count(), 1, 'still showing gradients');
  });

  it("the editor title's controls follow the run: Step Back and Reset only once there is a step to undo", async () => {
    const { page } = vscode;
    // Not dosage-b3: the broken-character test above edited it, and after the window reload in the
    // test before, VS Code for the browser has once brought back its broken text from a backup.
    const frame = await openGraph(page, 'dosage-w3-w4-b3.nn.json');
    const title = (name: RegExp) => page.locator('.editor-actions').getByRole('button', { name });
    const disabled = async (name: RegExp): Promise<boolean> => (await title(name).getAttribute('aria-disabled')) === 'true';
    await until('Step Back disabled at step 0', async () => await disabled(/^Step Back/) && await disabled(/^Reset/));
    assert.equal(await disabled(/^Step( \(F10\))?$/), false);
    await title(/^Step( \(F10\))?$/).click();
    await until('step 1', async () => (await frame.locator('#app').getAttribute('data-step')) === '1');
    await until('Step Back enabled', async () => !await disabled(/^Step Back/) && !await disabled(/^Reset/));
    await screenshot(page, 'editor-title-controls');
  });

  it('Ctrl+Z and Ctrl+Shift+Z with the focus in the graph undo and redo the document', async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-all.nn.json');
    const dirty = page.locator('.tabs-container .tab.dirty[aria-label*="dosage-all.nn.json"]');
    await page.locator('.editor-actions').getByRole('button', { name: /^Step( \(F10\))?$/ }).click();
    await until('step 1', async () => (await frame.locator('#app').getAttribute('data-step')) === '1');
    await runCommand(page, 'Backprop Debugger: Write Parameters to File');
    await dirty.waitFor();
    await frame.locator('svg.graph').click({ position: { x: 5, y: 5 } });
    await until('the focus in the graph', () => frame.locator('body').evaluate(() => document.hasFocus()));
    await page.keyboard.press('Control+z');
    await dirty.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await dirty.waitFor();
    await page.keyboard.press('Control+z');
    await dirty.waitFor({ state: 'detached' });
  });

  it('opens an example from the Command Palette, as a graph', async () => {
    const { page } = vscode;
    await runCommand(page, 'Backprop Debugger: Open Example Network...');
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'XOR: a hidden layer makes it separable' });
    await item.waitFor();
    await screenshot(page, 'open-example-picker');
    await item.click();
    await page.locator('.tabs-container .tab[aria-label*="xor.nn.json"]').first().waitFor();
    const frame = await webviewFrame(page, '[data-param="w9"]');
    assert.match((await frame.locator('.toolbar .title').textContent())!, /XOR/);
  });

  it('Open Example Network puts an edited example\'s fresh copy in the workspace under a name of its own, asking where', async () => {
    const { page } = vscode;
    const edited = path.join(vscode.workspace, 'classifier.nn.json');
    writeFileSync(edited, readFileSync(edited, 'utf8').replace('"name": "', '"name": "My '));
    await runCommand(page, 'Backprop Debugger: Open Example Network...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'classifier.nn.json' }).first().click();
    // VS Code's save dialog (in the browser, its own file dialog), at the workspace root.
    await page.locator('.quick-input-widget', { hasText: 'Where to put your copy' }).waitFor();
    const input = page.locator('.quick-input-widget input');
    await until('the dialog to offer a name no file has', async () => (await input.inputValue()).endsWith('/classifier-2.nn.json'));
    await screenshot(page, 'open-example-where');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab[aria-label*="classifier-2.nn.json"]').first().waitFor();
    await until('the copy on disk', async () => existsSync(path.join(vscode.workspace, 'classifier-2.nn.json')));
    assert.equal(readFileSync(path.join(vscode.workspace, 'classifier-2.nn.json'), 'utf8'), readFileSync(path.join(ROOT, 'examples', 'classifier.nn.json'), 'utf8'));
    assert.match(readFileSync(edited, 'utf8'), /"name": "My /, 'the edited file is as it was');
    await webviewFrame(page, '[data-param]');
  });
});

describe('the network editor in the light theme (e2e)', () => {
  const vscode = useVSCode({ settings: { 'workbench.colorTheme': 'Default Light Modern' } });

  it('follows the theme, and the card reads in it', async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-all.nn.json');
    const background = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(background, 'rgb(255, 255, 255)', 'the light theme\'s editor background');
    await frame.locator('.edge-label[data-for="w1"]').hover();
    await frame.locator('[role="tooltip"] .active').waitFor();
    await screenshot(page, 'editor-hover-w1-light');
  });
});
