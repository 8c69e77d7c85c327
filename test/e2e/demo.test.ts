/** `npm run demo` as a person runs it: it prints a URL, and the URL opens the dosage network. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { launchBrowser, ROOT, screenshot, until, waitForWorkbench, type Page } from '../harness/vscode';
import type { Browser } from 'playwright-core';

describe('npm run demo (VS Code for the browser)', () => {
  let demo: ChildProcess;
  let output = '';
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(10 * 60_000);
    // The script `npm run demo` runs after its build; the build is already done by `npm test`.
    demo = spawn(process.execPath, [path.join(ROOT, 'scripts', 'demo.mjs')], { env: { ...process.env, BACKPROP_DEMO: 'browser' }, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout!.on('data', (d) => { output += d; });
    demo.stderr!.on('data', (d) => { output += d; });
    await until('the demo to print its URL', async () => /http:\/\/127\.0\.0\.1:\d+\/\?folder=/.test(output), 5 * 60_000);
    ({ browser, page } = await launchBrowser());
  });

  after(async () => {
    await browser?.close();
    demo?.kill('SIGTERM');
  });

  it('opens the examples folder with the StatQuest dosage network in the editor', async () => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output)![1];
    assert.match(decodeURIComponent(url), /examples/);
    await page.goto(url);
    await waitForWorkbench(page);
    await page.locator('.tabs-container .tab.active[aria-label*="dosage-b3.nn.json"]').waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'Drug dosage (StatQuest)' }).first().waitFor();
    await page.locator('[id="status.problems"]').first().waitFor();
    await screenshot(page, 'demo');
  });

  it('stops cleanly on Ctrl+C', async () => {
    demo.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => demo.once('exit', resolve));
    assert.equal(code, 0, output.split('\n').slice(-10).join('\n'));
  });
});
