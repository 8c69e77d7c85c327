/**
 * Debugging training as a person does it in VS Code: Continue and Pause from the page and from the
 * keyboard, a breakpoint typed into the list that stops Continue at its step (and is still there
 * next time, with the file untouched), and Step Into walking a step's phases with F11.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, Trainer } from '../../src/core';
import { openGraph, ROOT, runCommand, screenshot, until, type Frame } from '../harness/vscode';
import { useVSCode } from './session';

describe('debugging training in VS Code (e2e)', () => {
  const vscode = useVSCode();
  const attr = (frame: Frame, name: string): Promise<string | null> => frame.locator('#app').getAttribute(name);
  const status = async (frame: Frame): Promise<string> => (await frame.locator('[role="status"]').textContent()) ?? '';

  it("Pause from the page's toolbar and F6 stop a 50,000,000-step Continue where the page says", async () => {
    const { page } = vscode;
    const file = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'xor.nn.json'), 'utf8'));
    file.training = { ...file.training, minStepSize: 0, maxSteps: 50_000_000 };
    writeFileSync(path.join(vscode.workspace, 'xor-long.nn.json'), JSON.stringify(file, null, 2));
    const frame = await openGraph(page, 'xor-long.nn.json');
    const paused = async (): Promise<number> => {
      await until('the page to say where it paused', async () => /^Paused at step \d+$/.test(await status(frame)));
      const step = Number((await status(frame)).match(/\d+/)![0]);
      assert.equal(await attr(frame, 'data-step'), String(step), 'the graph shows the step the run stopped at');
      assert.equal(await attr(frame, 'data-running'), 'false');
      return step;
    };

    await frame.locator('[data-control="continue"]').click();
    await until('Continue to be under way', async () => (await attr(frame, 'data-running')) === 'true' && Number(await attr(frame, 'data-step')) > 10_000, 30_000);
    await frame.locator('[data-control="pause"]').click();
    const first = await paused();
    await frame.locator('[data-control="continue"]').waitFor();

    // The keys, with the focus in the page: F5 continues, F6 pauses.
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F5');
    await until('F5 to continue', async () => (await attr(frame, 'data-running')) === 'true' && Number(await attr(frame, 'data-step')) > first + 10_000, 30_000);
    await page.keyboard.press('F6');
    const second = await paused();
    assert.ok(second > first);
    // The status bar agrees, and says it is not running.
    await until('the status bar to show the stop', async () => (await page.locator('[id="backprop-debugger.backprop-debugger.backprop.status"], .statusbar-item', { hasText: `step ${second}` }).count()) > 0);
    await screenshot(page, 'debugger-paused');
  });

  it('a breakpoint typed into the list stops Continue at its step, with the numbers of `backprop train --steps`, and is kept outside the file', async () => {
    const { page } = vscode;
    const text = readFileSync(path.join(vscode.workspace, 'dosage-b3.nn.json'), 'utf8');
    let frame = await openGraph(page, 'dosage-b3.nn.json');
    const list = frame.locator('details.bp-panel');
    await list.locator('button[aria-label^="Add a breakpoint"]').click();
    await frame.locator('.bp-input').fill('b3 > 2');
    await frame.locator('.bp-input').press('Enter');
    await list.locator('.bp-row .bp-label', { hasText: 'b3 > 2' }).waitFor();
    await frame.locator('[data-control="continue"]').click();
    await until('the breakpoint to stop Continue', async () => (await status(frame)).includes('breakpoint'));
    const trainer = new Trainer(loadNetwork(text));
    let steps = 0;
    do { trainer.step(); steps++; } while (!(trainer.params[6] > 2));
    assert.equal(await status(frame), `Paused at step ${steps}: breakpoint \`b3 > 2\` hit`);
    assert.equal(await attr(frame, 'data-step'), String(steps));
    assert.match((await frame.locator('[data-param="b3"]').getAttribute('aria-label'))!, new RegExp(`value ${trainer.params[6].toPrecision(4)}`));
    assert.equal(await list.locator('.bp-row.hit .bp-label').textContent(), 'b3 > 2');
    await screenshot(page, 'debugger-breakpoint');

    // Closed and opened again: the breakpoint is still listed, and the file is as it was.
    await runCommand(page, 'View: Close All Editors');
    frame = await openGraph(page, 'dosage-b3.nn.json');
    await frame.locator('details.bp-panel .bp-row .bp-label', { hasText: 'b3 > 2' }).waitFor();
    assert.equal(readFileSync(path.join(vscode.workspace, 'dosage-b3.nn.json'), 'utf8'), text);
    await frame.locator('details.bp-panel button[aria-label="Remove the breakpoint b3 > 2"]').click();
    await frame.locator('details.bp-panel .bp-empty').waitFor();
  });

  it('F11 steps into the forward pass, the loss and the backward pass, highlighting the layer at work; Shift+F11 finishes the step', async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-all.nn.json');
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    const phases: string[] = [];
    for (let i = 0; i < 4; i++) {
      const before = await attr(frame, 'data-phase');
      await page.keyboard.press('F11');
      await until('the next phase', async () => (await attr(frame, 'data-phase')) !== before);
      phases.push((await attr(frame, 'data-phase'))!);
    }
    assert.deepEqual(phases, ['forward 1', 'forward 2', 'loss', 'backward 2']);
    assert.equal(await status(frame), 'Paused at step 0, in the backward pass, layer 2');
    assert.ok(await frame.locator('.phase-current').count() > 0, 'the layer at work is highlighted');
    await screenshot(page, 'debugger-step-into');
    await page.keyboard.press('Shift+F11');
    await until('Step Out to finish the step', async () => (await attr(frame, 'data-phase')) === '' && (await attr(frame, 'data-step')) === '1');
  });
});
