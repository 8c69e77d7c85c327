/** A person opens each example, breaks one, undoes it, and opens an example from the palette. */
import assert from 'node:assert/strict';
import { openFile, problemsSummary, runCommand, screenshot, until } from '../harness/vscode';
import { useVSCode } from './session';

const EXAMPLES = ['dosage-b3.nn.json', 'dosage-w3-w4-b3.nn.json', 'dosage-all.nn.json', '3b1b-chain.nn.json', 'xor.nn.json', 'classifier.nn.json'];

describe('examples in VS Code (e2e)', () => {
  const vscode = useVSCode();

  const problems = (): Promise<string> => problemsSummary(vscode.page);
  const NO_ERRORS = /No Problems|Errors?: 0\b/;

  for (const name of EXAMPLES) {
    it(`opens ${name} with no problems`, async () => {
      await openFile(vscode.page, name);
      await vscode.page.locator('.monaco-editor .view-lines', { hasText: '"layers"' }).first().waitFor();
      await vscode.page.waitForTimeout(1000); // let the JSON service and the loader report
      assert.match(await problems(), NO_ERRORS, `${name}: ${await problems()}`);
      await screenshot(vscode.page, `example-${name.replace('.nn.json', '')}`);
    });
  }

  it('shows an error where a broken character is typed, and clears it on undo', async () => {
    const { page } = vscode;
    await openFile(page, 'dosage-b3.nn.json');
    const line = page.locator('.monaco-editor .view-line', { hasText: '"loss": "ssr"' }).first();
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace'); // the comma after "ssr": the file is no longer JSON
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    await until('an error in the status bar', async () => /Errors?: [1-9]/.test(await problems()));
    await screenshot(page, 'broken-file');
    await page.keyboard.press('Control+Z');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 20_000 });
    await until('the errors to clear', async () => NO_ERRORS.test(await problems()));
    const dirty = await page.locator('.tabs-container .tab.active.dirty').count();
    assert.equal(dirty, 0, 'undo leaves the file as it was saved');
  });

  it('opens an example from the Command Palette', async () => {
    const { page } = vscode;
    await runCommand(page, 'Backprop Debugger: Open Example Network...');
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'XOR: a hidden layer makes it separable' });
    await item.waitFor();
    await screenshot(page, 'open-example-picker');
    await item.click();
    await page.locator('.tabs-container .tab[aria-label*="xor.nn.json"]').first().waitFor();
    await page.locator('.monaco-editor .view-lines', { hasText: 'XOR' }).first().waitFor();
  });
});
