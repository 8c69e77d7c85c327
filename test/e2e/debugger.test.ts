/**
 * Debugging training as a person does it in VS Code: Continue and Pause from the page and from the
 * keyboard, a breakpoint typed into the list that stops Continue at its step (and is still there
 * next time, with the file untouched), and Step Into walking a step's phases with F11.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatNumber, loadNetwork, Trainer } from '../../src/core';
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

    // The keys, with the focus in the page: F5 starts VS Code's debugger on this network, which
    // trains on from where it is; F6 (the debugger's Pause) stops it, and the page says where.
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F5');
    await until('F5 to continue', async () => (await attr(frame, 'data-running')) === 'true' && Number(await attr(frame, 'data-step')) > first + 10_000, 30_000);
    await page.keyboard.press('F6');
    const second = await paused();
    assert.ok(second > first);
    // Shift+F5 ends the session; the run stays paused where it was.
    await page.locator('.debug-toolbar').waitFor();
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    assert.equal(await attr(frame, 'data-step'), String(second));
    // The status bar agrees, and says it is not running.
    await until('the status bar to show the stop', async () => (await page.locator('[id="backprop-debugger.backprop-debugger.backprop.status"], .statusbar-item', { hasText: `step ${second}` }).count()) > 0);
    await screenshot(page, 'debugger-paused');
  });

  it('shows the stop of a Pause before anything after it: the page paints the paused step, every hop in order, and no later frame moves it', async () => {
    const { page } = vscode;
    const file = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'classifier.nn.json'), 'utf8'));
    file.training = { ...file.training, minStepSize: 0, maxSteps: 1e12 };
    writeFileSync(path.join(vscode.workspace, 'classifier-long.nn.json'), JSON.stringify(file, null, 2));
    const frame = await openGraph(page, 'classifier-long.nn.json');
    await frame.locator('[data-control="continue"]').click();
    await until('Continue to be under way', async () => (await attr(frame, 'data-running')) === 'true' && Number(await attr(frame, 'data-step')) > 1000, 30_000);
    // Everything the page draws from here on, in order: the step, whether it runs, the status line.
    await frame.evaluate(() => {
      const app = document.getElementById('app')!;
      const log: { step: string | undefined; running: string | undefined; status: string }[] = [];
      (globalThis as unknown as { drawn: typeof log }).drawn = log;
      new MutationObserver(() => log.push({ step: app.dataset.step, running: app.dataset.running, status: document.querySelector('[role="status"]')?.textContent ?? '' }))
        .observe(app, { attributes: true, attributeFilter: ['data-step', 'data-running'], subtree: false });
    });
    await frame.locator('[data-control="pause"]').click();
    await until('the page to say where it paused', async () => /^Paused at step \d+$/.test(await status(frame)));
    const timing = JSON.parse((await attr(frame, 'data-control-timing'))!) as Record<string, number | boolean>;
    // Any frame still on its way would have been drawn by now (the host and the worker are idle).
    await frame.locator('[data-control="step"]').waitFor();
    const drawn = await frame.evaluate(() => (globalThis as unknown as { drawn: { step: string; running: string; status: string }[] }).drawn);
    const stopAt = drawn.findIndex((d) => d.running === 'false');
    assert.ok(stopAt >= 0, JSON.stringify(drawn));
    const stop = drawn[stopAt];
    assert.equal(stop.step, String(timing.step), 'the frame that answers the click is the one painted as the stop');
    assert.equal(await status(frame), `Paused at step ${stop.step}`);
    assert.deepEqual(drawn.slice(stopAt + 1).filter((d) => d.running !== 'false' || d.step !== stop.step), [], 'nothing after the stop moves it');
    // The answer went through every hop in order: page, host, worker, host, page, status line, paint.
    // The browser and the extension host read the machine's clock each from their own start, which
    // may differ by a millisecond or two: hops that cross between them are allowed that.
    const hops = ['clicked', 'hostReceived', 'workerReceived', 'workerAnswered', 'hostHad', 'hostPosted', 'pageReceived', 'shown', 'painted'];
    const crossing = new Set(['hostReceived', 'pageReceived']);
    for (let i = 1; i < hops.length; i++) {
      const slack = crossing.has(hops[i]) ? 3 : 0;
      assert.ok((timing[hops[i]] as number) + slack >= (timing[hops[i - 1]] as number), `${hops[i - 1]} before ${hops[i]}: ${JSON.stringify(timing)}`);
    }
  });

  it('F5 keeps the graph readable: the Debug Console stays closed, the charts give way, no label under the editor font less 2 px', async () => {
    const { page } = vscode;
    await page.setViewportSize({ width: 1600, height: 1000 });
    const file = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8'));
    file.training = { ...file.training, minStepSize: 0, maxSteps: 1e12 };
    writeFileSync(path.join(vscode.workspace, 'dosage-room.nn.json'), JSON.stringify(file, null, 2));
    const frame = await openGraph(page, 'dosage-room.nn.json');
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').waitFor();
    await until('training under way in the debugger', async () => (await attr(frame, 'data-running')) === 'true');
    assert.equal(await page.locator('.repl').isVisible(), false, 'the Debug Console did not open over the graph');
    const measure = async (): Promise<{ graph: number; workspace: number; smallest: number; text: string }> => frame.evaluate(() => {
      const graph = document.querySelector('.graph-host')!.getBoundingClientRect().height;
      const workspace = document.querySelector('.workspace')!.getBoundingClientRect().height;
      let smallest = { size: Infinity, text: '' };
      for (const el of Array.from(document.querySelectorAll<SVGGraphicsElement>('.graph-host svg text'))) {
        if (!el.textContent?.trim() || el.getClientRects().length === 0) continue;
        const size = parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM()?.a ?? 1);
        if (size < smallest.size) smallest = { size, text: el.textContent };
      }
      const font = parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-font-size')) || 14;
      return { graph, workspace, smallest: smallest.size - (font - 2), text: smallest.text };
    });
    await until('the graph to keep its room', async () => { const m = await measure(); return m.graph >= m.workspace * 0.5 - 1; });
    const m = await measure();
    assert.ok(m.smallest >= -0.05, `"${m.text}" reads ${m.smallest.toFixed(2)} px under the editor font less 2 px (${JSON.stringify(m)})`);
    await screenshot(page, 'debugger-f5-room');
    // The console opens when asked; a name it does not know is said once, there, not in a toast too.
    await runCommand(page, 'Debug Console: Focus on Debug Console View');
    await page.locator('.repl-input-wrapper .monaco-editor').click();
    await page.keyboard.type('losss + 1');
    await page.keyboard.press('Enter');
    await page.locator('.repl .monaco-list-row', { hasText: "unknown name 'losss'" }).first().waitFor();
    assert.equal(await page.locator('.notifications-toasts .notification-toast', { hasText: 'unknown name' }).count(), 0, 'no toast');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  });

  it("one set of breakpoints: added in the editor's list it shows in VS Code's Breakpoints view, added there it shows in the list, removed in either it goes from both", async () => {
    const { page } = vscode;
    const frame = await openGraph(page, 'dosage-w3-w4-b3.nn.json');
    const list = frame.locator('.bp-panel');
    await list.locator('button[aria-label^="Add a breakpoint"]').click();
    await frame.locator('.bp-input').fill('every 25');
    await frame.locator('.bp-input').press('Enter');
    await list.locator('.bp-row .bp-label', { hasText: 'every 25 steps' }).waitFor();
    await runCommand(page, 'View: Show Run and Debug');
    const view = page.locator('.debug-breakpoints');
    await view.locator('.monaco-list-row', { hasText: 'every 25 (dosage-w3-w4-b3.nn.json)' }).waitFor();
    // Added in VS Code's view, with the network editor in front: it becomes the file's.
    await page.locator('.tabs-container .tab', { hasText: 'dosage-w3-w4-b3.nn.json' }).first().click();
    const header = page.locator('.pane-header', { has: page.locator('h3', { hasText: /^Breakpoints$/i }) }).first();
    await header.hover();
    await header.getByRole('button', { name: 'Add Function Breakpoint' }).click();
    await until('the function breakpoint input to take the focus', () => page.evaluate(() => document.activeElement?.closest('.debug-breakpoints') !== null && document.activeElement?.tagName === 'INPUT'));
    await page.keyboard.type('loss < 0.5');
    await page.keyboard.press('Enter');
    await list.locator('.bp-row .bp-label', { hasText: 'loss < 0.5' }).waitFor();
    await view.locator('.monaco-list-row', { hasText: 'loss < 0.5 (dosage-w3-w4-b3.nn.json)' }).waitFor();
    // Removed in the list: gone from the view; removed in the view: gone from the list.
    await list.locator('button[aria-label="Remove the breakpoint every 25 steps"]').click();
    await view.locator('.monaco-list-row', { hasText: 'every 25 (' }).waitFor({ state: 'detached' });
    await view.locator('.monaco-list-row', { hasText: 'loss < 0.5 (' }).first().hover();
    await view.locator('.monaco-list-row', { hasText: 'loss < 0.5 (' }).first().getByRole('button', { name: /Remove Breakpoint/ }).click();
    await list.locator('.bp-row .bp-label', { hasText: 'loss < 0.5' }).waitFor({ state: 'detached' });
    await list.locator('.bp-empty').waitFor();
  });

  it('a breakpoint typed into the list stops Continue at its step, with the numbers of `backprop train --steps`, and is kept outside the file', async () => {
    const { page } = vscode;
    const text = readFileSync(path.join(vscode.workspace, 'dosage-b3.nn.json'), 'utf8');
    let frame = await openGraph(page, 'dosage-b3.nn.json');
    const list = frame.locator('.bp-panel');
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
    await frame.locator('.bp-panel .bp-row .bp-label', { hasText: 'b3 > 2' }).waitFor();
    assert.equal(readFileSync(path.join(vscode.workspace, 'dosage-b3.nn.json'), 'utf8'), text);
    await frame.locator('.bp-panel button[aria-label="Remove the breakpoint b3 > 2"]').click();
    await frame.locator('.bp-panel .bp-empty').waitFor();
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

  it("F5 debugs the network with VS Code's debugger: a function breakpoint from the Breakpoints view, the parameter read in Variables", async () => {
    const { page } = vscode;
    const text = readFileSync(path.join(vscode.workspace, 'dosage-all.nn.json'), 'utf8');
    const frame = await openGraph(page, 'dosage-all.nn.json');
    // F5 with no breakpoint trains until the file's stopping rule, in VS Code's debugger; its
    // Breakpoints view (shown once there is something to debug) takes a function breakpoint,
    // Restart goes back to the file's parameters, and F5 again runs to the breakpoint.
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F5');
    await until('training to converge in the debugger', async () => /^Stopped at step \d+: converged/.test(await status(frame)), 60_000);
    await page.locator('.debug-toolbar').waitFor();
    // Room for the Breakpoints view (eleven exception filters come first): fold the views above it.
    const paneHeader = (name: string) => page.locator('.pane-header', { has: page.locator('h3', { hasText: new RegExp(`^${name}$`, 'i') }) }).first();
    for (const pane of ['Variables', 'Watch', 'Call Stack']) await page.locator('.pane-header', { has: page.locator('h3', { hasText: new RegExp(`^${pane}$`, 'i') }) }).first().click();
    // The Breakpoints view's + (Add Function Breakpoint); the focus moves to the new row's input.
    const header = page.locator('.pane-header', { has: page.locator('h3', { hasText: /^Breakpoints$/i }) }).first();
    await header.hover();
    await header.getByRole('button', { name: 'Add Function Breakpoint' }).click();
    // The new row's input takes the focus (below the exception filters, perhaps out of view).
    await until('the function breakpoint input to take the focus', () => page.evaluate(() => document.activeElement?.closest('.debug-breakpoints') !== null && document.activeElement?.tagName === 'INPUT'));
    await page.keyboard.type('175');
    await page.keyboard.press('Enter');
    await page.locator('.debug-breakpoints .monaco-list-row', { hasText: '175' }).first().waitFor();
    // Only Variables opens again: it gets the side bar's height, so Training's rows and the
    // Parameters scope below them are all in sight (the list draws only the rows in view).
    await paneHeader('Variables').click();
    // Restart goes back to the file's parameters and on as F5 launched it (no stop at entry): to the breakpoint.
    await page.getByRole('button', { name: /^Restart/ }).first().click();
    await until('the breakpoint to stop training', async () => (await status(frame)) === 'Paused at step 175: breakpoint `step 175` hit', 60_000);
    // The Variables view: Training says step 175; open Parameters below it and read w3.
    const variables = page.locator('.debug-variables');
    const trainer = new Trainer(loadNetwork(text));
    for (let i = 0; i < 175; i++) trainer.step();
    // A row reads "w3 = -0.623235" (the " = " is drawn by the view's style, not in its text).
    const rowText = (): Promise<string[]> => variables.locator('.monaco-list-row').allTextContents().then((all) => all.map((t) => t.replace(/[\s=:]/g, '')));
    await until('the Training scope at step 175', async () => (await rowText()).includes('step175'));
    await variables.locator('.monaco-list-row', { hasText: 'Parameters' }).first().click();
    const expected = `w3${Number(trainer.params[2].toPrecision(6))}`;
    await until(`w3 in the Variables view (${expected})`, async () => (await rowText()).includes(expected));
    await screenshot(page, 'debugger-vscode-variables');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    await page.locator('.tabs-container .tab.active').first().click();
    await runCommand(page, 'Remove All Breakpoints');
  });

  it('a logpoint added on the training line logs each step in the Debug Console, and training never stops for it', async () => {
    const { page } = vscode;
    const text = readFileSync(path.join(vscode.workspace, 'dosage-all.nn.json'), 'utf8');
    const frame = await openGraph(page, 'dosage-all.nn.json');
    await runCommand(page, 'Backprop Debugger: Open Text Beside');
    // The caret on the "training" line, then VS Code's own Add Logpoint... with a message.
    await page.locator('.monaco-editor .view-line', { hasText: '"training"' }).first().click();
    await page.keyboard.press('Home');
    await runCommand(page, 'Debug: Add Logpoint...');
    const widget = page.locator('.breakpoint-widget');
    await widget.waitFor();
    await widget.locator('.inputContainer').click();
    await page.keyboard.type('step {step}: SSR {loss}');
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden' });
    // F5 from the graph: the run goes to the file's own stop (converged), never to the logpoint.
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F5');
    await until('training to converge', async () => /^Stopped at step 642: converged/.test(await status(frame)), 60_000);
    // The Debug Console (a session opens none; an earlier one may have left it open).
    if (!(await page.locator('.repl').isVisible())) await runCommand(page, 'Debug Console: Focus on Debug Console View');
    const t = new Trainer(loadNetwork(text));
    while (t.stepCount < 642) t.step();
    t.evaluate();
    const last = `step 642: SSR ${formatNumber(t.loss)}`;
    const lines = (): Promise<string[]> => page.locator('.repl .monaco-list-row').allTextContents();
    await until(`the Debug Console to show "${last}"`, async () => (await lines()).some((l) => l.includes(last)));
    assert.ok((await lines()).some((l) => /Stopped at step 642: converged/.test(l)), 'the stop itself is the file\'s rule');
    await screenshot(page, 'debugger-logpoint');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    await runCommand(page, 'Remove All Breakpoints');
    await runCommand(page, 'View: Close All Editors');
  });

  it('Step Into Target lists the step\'s phases and goes straight to the one picked; a NaN stop opens the exception widget with the first value that is not a number', async () => {
    const { page } = vscode;
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8'));
    doc.training = { ...doc.training, learningRate: 1000 };
    writeFileSync(path.join(vscode.workspace, 'dosage-nan.nn.json'), `${JSON.stringify(doc, null, 2)}\n`);
    // No session of an earlier test left running: F5 must start this file's.
    if (await page.locator('.debug-toolbar').isVisible()) {
      await page.keyboard.press('Shift+F5');
      await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    }
    const frame = await openGraph(page, 'dosage-nan.nn.json');
    // The built-in condition NaN or Infinity, switched on in the editor's list: VS Code's exception filter.
    await frame.locator('.bp-builtins-section > summary').click();
    await frame.locator('.bp-builtin', { hasText: 'NaN or Infinity' }).locator('input[type="checkbox"]').check();
    // The line above the list says it at once, though the focus is still in the list.
    await until('NaN or Infinity switched on', async () => /NaN or Infinity/.test((await frame.locator('.bp-builtins-section > summary').textContent()) ?? ''));
    await runCommand(page, 'Backprop Debugger: Open Text Beside');
    await frame.locator('.graph-host').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F5');
    await until('the NaN stop', async () => /^Paused at step 41: the loss \(Infinity\) is not a finite number/.test(await status(frame)), 60_000);
    const widget = page.locator('.exception-widget');
    await widget.waitFor();
    assert.match((await widget.textContent())!, /the loss \(Infinity\) is not a finite number \(step 41\)/);
    await screenshot(page, 'debugger-exception-widget');
    // Step Into Target: the phases of step 41, picked from VS Code's list.
    await runCommand(page, 'Debug: Step Into Target');
    const targets = page.locator('.quick-input-list .monaco-list-row');
    await targets.first().waitFor();
    // Each row's label (a reused row may still carry the palette's separator text).
    assert.deepEqual((await targets.locator('.label-name').allTextContents()).map((t) => t.trim()), ['the forward pass, layer 1', 'the forward pass, layer 2', 'the loss', 'the backward pass, layer 2', 'the backward pass, layer 1', 'the update']);
    await targets.filter({ hasText: 'the backward pass, layer 2' }).click();
    await until('the backward pass of layer 2', async () => /^Paused at step 41, in the backward pass, layer 2/.test(await status(frame)));
    await screenshot(page, 'debugger-step-into-target');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
    await runCommand(page, 'View: Close All Editors');
  });
});
