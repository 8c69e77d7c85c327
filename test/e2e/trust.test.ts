/**
 * Restricted Mode in a real VS Code (code-server with Workspace Trust on, the folder untrusted): a
 * network whose data is written in the file is shown and trains; one that names a CSV says the file
 * waits for trust, with VS Code's own Manage Workspace Trust; trusting the folder there loads the
 * data into the open editor, without reopening it.
 */
import assert from 'node:assert/strict';
import { openGraph, openFile, runCommand, until, webviewFrame } from '../harness/vscode';
import { useVSCode } from './session';

describe('Workspace Trust (e2e)', () => {
  const vscode = useVSCode({ workspaceTrust: true });

  it('in Restricted Mode shows and trains a network from its own text; a data file waits for trust, which loads it in place', async () => {
    const { page } = vscode;
    // VS Code says the folder is in Restricted Mode (its status bar entry), and the extension runs (limited support).
    await page.locator('[id="status.workspaceTrust"]').first().waitFor({ timeout: 30_000 });

    // A network with its samples written in the file: the graph, and Step trains it.
    const inline = await openGraph(page, 'dosage-b3.nn.json', '[data-param="w3"]');
    await runCommand(page, 'Backprop Debugger: Step');
    await until('the step to be taken', async () => (await inline.locator('#app').getAttribute('data-step')) === '1');
    // Only the next network's page from here on.
    await runCommand(page, 'View: Close All Editors');

    // points.nn.json reads points.csv: the page says it waits for trust, naming the file.
    await openFile(page, 'points.nn.json');
    const frame = await webviewFrame(page, '[data-waits-for-trust]');
    const banner = frame.locator('[data-waits-for-trust]');
    assert.equal(await banner.getAttribute('data-waits-for-trust'), 'points.csv');
    assert.match(await banner.textContent() ?? '', /Restricted Mode: the data waits for trust.*This network's samples are in "points\.csv", which is read once you trust this folder/);
    assert.equal(await frame.locator('[data-param]').count(), 0, 'no graph: the network cannot load without its samples');

    // Manage Workspace Trust opens VS Code's own editor; trusting the folder there reads the CSV.
    await banner.getByRole('button', { name: 'Manage Workspace Trust' }).click();
    const trustEditor = page.locator('.workspace-trust-editor');
    await trustEditor.waitFor({ timeout: 30_000 });
    await trustEditor.getByRole('button', { name: /^Trust( Folder)?$/ }).first().click();
    await until('the folder to be trusted', async () => (await page.locator('[id="status.workspaceTrust"]').count()) === 0, 30_000);

    // Back to the network's tab (the same editor, never closed): its graph, with the CSV's samples.
    await page.locator('.tabs-container .tab[aria-label*="points.nn.json"]').first().click();
    const graph = await webviewFrame(page, '[data-param="w1"]');
    assert.equal(await graph.locator('[data-waits-for-trust]').count(), 0);
    assert.equal(await graph.locator('.banner').isHidden(), true, 'no problem left');
    await runCommand(page, 'Backprop Debugger: Step');
    await until('a step on the CSV\'s samples', async () => (await graph.locator('#app').getAttribute('data-step')) === '1');
  });
});
