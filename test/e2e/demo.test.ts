/**
 * `npm run demo` as a person runs it: it prints a URL and where its copy of the examples is; the URL
 * opens the StatQuest dosage network as a graph with no prompt in the way; and what is typed in the
 * demo lands in the copy, never in the repository.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, ROOT, runCommand, screenshot, until, waitForWorkbench, webviewFrame, type Page } from '../harness/vscode';

/** The repository's examples, as they are before the demo runs. */
function examples(): Record<string, string> {
  const dir = path.join(ROOT, 'examples');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

describe('npm run demo (VS Code for the browser)', () => {
  let demo: ChildProcess;
  let output = '';
  let browser: Browser;
  let page: Page;
  const original = examples();

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

  it('says where its copy of the examples is: an ignored folder, not the repository\'s examples/', () => {
    const copy = /Your copy of the examples: (\S+)/.exec(output)?.[1];
    assert.ok(copy, output);
    assert.equal(copy, path.join(ROOT, '.vscode-test', 'demo', 'examples'));
    assert.match(readFileSync(path.join(ROOT, '.gitignore'), 'utf8'), /^\.vscode-test\/?$/m);
  });

  it('opens the StatQuest dosage network as a graph, with no prompt in the way', async () => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output)![1];
    assert.match(decodeURIComponent(url), /\.vscode-test\/demo\/examples/);
    await page.goto(url);
    await waitForWorkbench(page);
    await page.locator('.tabs-container .tab.active[aria-label*="dosage-b3.nn.json"]').waitFor({ timeout: 60_000 });
    const frame = await webviewFrame(page, '[data-param="b3"]', 60_000);
    assert.equal(await frame.locator('[data-param]').count(), 7, 'the graph, not the JSON text');
    await frame.locator('#app[data-cards-ready]').waitFor();
    // No notification (such as "a git repository was found in the parent folders") over the corner.
    const toasts = await page.locator('.notifications-toasts .notification-toast').allTextContents();
    assert.deepEqual(toasts, []);
    await screenshot(page, 'demo');
  });

  it('keeps what is typed in the demo out of the repository', async () => {
    const copy = path.join(ROOT, '.vscode-test', 'demo', 'examples', 'dosage-b3.nn.json');
    const copyBefore = readFileSync(copy, 'utf8');
    await runCommand(page, 'Backprop Debugger: Open Text Beside');
    const line = page.locator('.monaco-editor .view-line', { hasText: '"loss": "ssr"' }).first();
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' ');
    // Saved only when the person saves: the demo turns VS Code for the browser's auto save off.
    const settings = JSON.parse(readFileSync(path.join(ROOT, '.vscode-test', 'demo', 'user-data', 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(settings['files.autoSave'], 'off');
    await page.locator('.tabs-container .tab.dirty[aria-label*="dosage-b3.nn.json"]').first().waitFor();
    assert.equal(readFileSync(copy, 'utf8'), copyBefore, 'typed, not saved');
    await runCommand(page, 'File: Save');
    await until('the copy to be saved', async () => readFileSync(copy, 'utf8') !== copyBefore);
    assert.deepEqual(examples(), original, 'the repository\'s examples are as they were');
    // Leave the copy as the person had it (it may hold their edits from an earlier demo).
    writeFileSync(copy, copyBefore);
  });

  it('stops cleanly on Ctrl+C', async () => {
    demo.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => demo.once('exit', resolve));
    assert.equal(code, 0, output.split('\n').slice(-10).join('\n'));
  });
});
