/**
 * The first five minutes, as a newcomer spends them: the Getting Started walkthrough, an example
 * whose text they open beside the graph and close again, and a network made from nothing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, Trainer } from '../../src/core';
import { openFile, ROOT, runCommand, screenshot, until, webviewFrame, type Frame, type Locator, type Page } from '../harness/vscode';
import { useVSCode } from './session';

/** The network editor's frame once it shows `selector`, and its step. */
async function graph(page: Page, selector = '[data-param="w1"]'): Promise<Frame> {
  const frame = await webviewFrame(page, selector);
  await frame.locator('#app[data-cards-ready]').waitFor();
  return frame;
}

const step = async (frame: Frame): Promise<string | null> => frame.locator('#app').getAttribute('data-step');

/**
 * The pinned card of `name` once it holds the numbers of the step shown: a stop's explanations
 * come a moment after the stop, and until then a card says the step its numbers are of.
 */
async function pinnedAtStop(frame: Frame, name: string): Promise<Locator> {
  const card = frame.locator(`.inspector .explanation[data-explains="${name}"][data-step="${await step(frame)}"]`);
  await card.waitFor();
  assert.equal(await card.evaluate((e) => e.classList.contains('other-step')), false, 'the card is of the step shown');
  return card;
}

/** The network editor's page alone, as an image: the walkthrough's pictures (media/walkthrough/) come from these. */
async function webviewShot(page: Page, frame: Frame, name: string): Promise<void> {
  await page.mouse.move(1, 1);
  const box = await (await frame.frameElement()).boundingBox();
  const dir = path.join(ROOT, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), clip: box! });
}

describe('the first five minutes (e2e)', () => {
  const vscode = useVSCode();

  it("follows the Getting Started walkthrough: StatQuest's lesson in five steps, each with a button that does it", async () => {
    const { page } = vscode;
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backpropagation, step by step' }).first().click();
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.waitFor();
    const stepButton = async (title: string, link: string): Promise<void> => {
      await walkthrough.locator('.getting-started-step', { hasText: title }).first().click();
      await walkthrough.locator('.getting-started-step.expanded a, .getting-started-step.expanded button', { hasText: link }).first().click();
    };
    // 1. The b3-only dosage network opens beside the walkthrough, as a graph.
    await stepButton('Open the drug-dosage network', 'Open the dosage network');
    let frame = await graph(page, '[data-param="b3"]');
    assert.match((await frame.locator('.toolbar .status').textContent())!, /step 0 +SSR 20\.42/);
    await screenshot(page, 'walkthrough-1-open');
    await webviewShot(page, frame, 'walkthrough-open');
    // 2. The chain rule for b3: SSR 20.4, slope -15.7.
    await stepButton('Read the chain rule for b3', 'Explain b3');
    const pinned = frame.locator('.inspector .explanation[data-explains="b3"]');
    await pinned.waitFor();
    assert.equal(await pinned.locator('.sum-value').textContent(), '−15.66');
    await screenshot(page, 'walkthrough-2-chain');
    await webviewShot(page, frame, 'walkthrough-chain');
    // 3. One step: b3 moves by -(-15.7 x 0.1).
    await stepButton('Take one step', 'Step');
    await until('step 1', async () => (await step(frame)) === '1');
    assert.equal(Number(await (await pinnedAtStop(frame, 'b3')).locator('.card-title').getAttribute('data-value')).toFixed(4), (0.1 * 15.655108380577747).toFixed(4));
    await screenshot(page, 'walkthrough-3-step');
    await webviewShot(page, frame, 'walkthrough-step');
    // 4. Continue to b3 = 2.61.
    await stepButton('Continue until it converges', 'Continue');
    await until('converged', async () => /converged/.test((await frame.locator('.toolbar .status').textContent()) ?? ''));
    assert.equal(Number(await (await pinnedAtStop(frame, 'b3')).locator('.card-title').getAttribute('data-value')).toFixed(2), '2.61');
    await screenshot(page, 'walkthrough-4-converged');
    await webviewShot(page, frame, 'walkthrough-converged');
    // 5. The seven-parameter network.
    await stepButton('Now all seven parameters', 'Open the seven-parameter network');
    frame = await graph(page, '.toolbar .title:text("optimise all seven parameters")');
    await frame.locator('.edge-label[data-for="w1"]').click();
    await frame.locator('.inspector .explanation[data-explains="w1"]').waitFor();
    await screenshot(page, 'walkthrough-5-all');
    await webviewShot(page, frame, 'walkthrough-all');
  });

  it('Open Example -> XOR -> Open Text Beside -> close the text tab: no question, and the graph keeps the network', async () => {
    const { page } = vscode;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Backprop Debugger: Open Example Network...');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'XOR: a hidden layer makes it separable' }).click();
    const frame = await graph(page, '[data-param="w9"]');
    await runCommand(page, 'Backprop Debugger: Open Text Beside');
    await page.locator('.monaco-editor .view-line', { hasText: '"name": "XOR' }).first().click();
    // The copy is a saved file, so closing its text asks nothing (an untitled copy asked, and
    // "Don't Save" emptied it).
    assert.equal(await page.locator('.tabs-container .tab.dirty').count(), 0, 'nothing unsaved');
    await runCommand(page, 'View: Close Editor');
    await until('the text tab to close', async () => (await page.locator('.tabs-container .tab[aria-label*="xor.nn.json"]').count()) === 1);
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no question');
    assert.equal(await frame.locator('[data-param]').count(), 13, 'the graph still shows the whole network');
    assert.equal(await frame.locator('.not-network').isVisible(), false);
    await screenshot(page, 'example-text-closed');
  });

  it('New Network... fills an empty .nn.json with a network to edit, in one edit undo takes back', async () => {
    const { page } = vscode;
    writeFileSync(path.join(vscode.workspace, 'mine.nn.json'), '');
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'mine.nn.json');
    const frame = await webviewFrame(page, '.not-network vscode-button');
    assert.match((await frame.locator('.not-network').textContent())!, /This file is empty/);
    await screenshot(page, 'empty-file');
    await frame.locator('.not-network vscode-button', { hasText: 'Create a network here' }).click();
    const input = page.locator('.quick-input-widget input');
    const question = (what: string) => page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: `New Network: ${what}` }) });
    // The examples' points.csv is in the folder: first, where the samples come from.
    await question('Samples').waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sample data to edit' }).click();
    for (const [what, value] of [['Inputs', 'dose'], ['Hidden layers', '3 tanh'], ['Outputs', 'effect']]) {
      await question(what).waitFor();
      await input.fill(value);
      await page.keyboard.press('Enter');
    }
    await question('Loss').waitFor();
    assert.equal(await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Cross-entropy' }).count(), 0, 'no classes with one output');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'MSE: the mean squared error' }).click();
    await question('Learning rate').waitFor();
    await input.fill('0');
    await page.locator('.quick-input-message', { hasText: 'a positive number' }).waitFor();
    await input.fill('0.05');
    await page.keyboard.press('Enter');
    await question('Data').waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'A straight line' }).click();
    const filled = await graph(page, '[data-param="w6"]');
    assert.equal(await filled.locator('[data-param]').count(), 3 + 3 + 3 + 1, 'w1..w6, b1..b4');
    assert.match((await filled.locator('[data-unit="0,1"]').getAttribute('aria-label'))!, /input dose/);
    await screenshot(page, 'new-network');
    assert.match((await filled.locator('.toolbar .status').textContent())!, /MSE/, 'the loss chosen');
    // Undo returns the file to empty.
    await runCommand(page, 'Undo');
    await filled.locator('.not-network', { hasText: 'This file is empty' }).waitFor();
    // Undo leaves the editor marked changed: saved (empty), the next test's closing asks nothing.
    await runCommand(page, 'File: Save');
    await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor();
  });

  it('New Network... builds a classifier from a CSV in the folder: its columns the inputs, its labels the classes', async () => {
    const { page } = vscode;
    writeFileSync(path.join(vscode.workspace, 'fromcsv.nn.json'), '');
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'fromcsv.nn.json');
    const frame = await webviewFrame(page, '.not-network vscode-button');
    await frame.locator('.not-network vscode-button', { hasText: 'Create a network here' }).click();
    const input = page.locator('.quick-input-widget input');
    const question = (what: string) => page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: `New Network: ${what}` }) });
    const row = (text: string) => page.locator('.quick-input-list .monaco-list-row', { hasText: text });
    await question('Samples').waitFor();
    await row('A CSV file in this folder').click();
    await question('Data file').waitFor();
    await row('points.csv').click();
    // x1, x2 ticked (all but the last column); label is the target, a text column: classes.
    await question('Input columns').waitFor();
    await page.keyboard.press('Enter');
    await question('Target column').waitFor();
    await row('label').locator('text=/a classifier, one output per class \\(inside, outside\\)/').waitFor();
    // Back to the inputs and forward again keeps the answers.
    await page.locator('.quick-input-widget .codicon-quick-input-back').click();
    await question('Input columns').waitFor();
    await page.keyboard.press('Enter');
    await question('Target column').waitFor();
    await page.keyboard.press('Enter');
    await question('Hidden layers').waitFor();
    await input.fill('4 tanh');
    await page.keyboard.press('Enter');
    await question('Learning rate').waitFor();
    await page.keyboard.press('Enter');
    const filled = await graph(page, '[data-param="w16"]');
    assert.equal(await filled.locator('[data-unit][aria-label^="output inside"]').count(), 1);
    assert.equal(await filled.locator('[data-unit][aria-label^="output outside"]').count(), 1);
    assert.equal(await filled.locator('[data-unit][aria-label^="input x1"]').count(), 1);
    await runCommand(page, 'File: Save');
    await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor();
    const saved = readFileSync(path.join(vscode.workspace, 'fromcsv.nn.json'), 'utf8');
    assert.match(saved, /"outputs": \["inside", "outside"\]/);
    assert.match(saved, /"loss": "cross-entropy"/, 'a classifier');
    assert.match(saved, /"data": \{ "file": "points.csv", "inputs": \["x1", "x2"\], "targets": \["label"\] \}/);
  });
});

describe('the numbers a newcomer reads in the walkthrough (the core)', () => {
  it("are StatQuest's: b3 = 0 -> 1.566 after one step -> 2.61 converged", () => {
    const network = loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8'));
    const trainer = new Trainer(network);
    trainer.step();
    assert.equal(trainer.params[network.parameterCount - 1].toFixed(3), '1.566');
    trainer.run();
    assert.equal(trainer.params[network.parameterCount - 1].toFixed(2), '2.61');
  });
});
