/**
 * The network editor's webview alone in headless Chromium: the real bundle (dist/webview) in a
 * page that stands in for VS Code's webview host (acquireVsCodeApi records what the page posts,
 * theme variables on the root, a CSP as strict as the extension's).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../src/protocol';
import { launchBrowser, ROOT, screenshot } from '../harness/vscode';
import { type ThemeName, THEMES } from './themes';

export interface WebviewPage {
  page: Page;
  /** What the webview posted to the host so far. */
  posted(): Promise<WebviewMessage[]>;
  send(message: HostMessage): Promise<void>;
  /** How many messages of `type` this page was sent (the page counts frames and charts too, and says which it has drawn). */
  sentCount(type: HostMessage['type']): number;
  /**
   * Runs a check that is not the page's own code (axe-core fetches the style sheets and applies
   * inline styles, which the page's CSP blocks, as it should): the CSP reports it causes are not
   * the page's errors. Any other error still is.
   */
  outsider<T>(check: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openWebview(theme: ThemeName = 'dark', browser?: Browser): Promise<WebviewPage> {
  const own = !browser;
  const launched = browser ? { browser, page: await (await browser.newContext({ viewport: { width: 1400, height: 860 } })).newPage() } : await launchBrowser();
  const { page } = launched;
  const bundle = pathToFileURL(path.join(ROOT, 'dist', 'webview')).href;
  const vars = Object.entries(THEMES[theme]).map(([k, v]) => `${k}: ${v};`).join(' ');
  const dir = mkdtempSync(path.join(tmpdir(), 'backprop-webview-'));
  writeFileSync(path.join(dir, 'theme.css'), `html { ${vars} } body { background: var(--vscode-editor-background); }`);
  writeFileSync(path.join(dir, 'host.js'), `
    window.__posted = [];
    window.__state = undefined;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => window.__state,
      setState: (s) => { window.__state = s; },
    });`);
  writeFileSync(path.join(dir, 'index.html'), `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src file: data:; style-src file:; font-src file: data:; script-src file:;">
<link rel="stylesheet" href="theme.css">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${bundle}/codicons/codicon.css">
<link rel="stylesheet" href="${bundle}/main.css">
<title>Network Debugger</title>
</head><body class="vscode-${theme}"><div id="app" class="app is-loading"></div>
<script src="host.js"></script>
<script src="${bundle}/main.js"></script>
</body></html>`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
  const sent = new Map<string, number>();
  return {
    page,
    // These callbacks run in the page, where globalThis is the window.
    posted: () => page.evaluate(() => (globalThis as unknown as { __posted: WebviewMessage[] }).__posted),
    sentCount: (type) => sent.get(type) ?? 0,
    send: async (message) => {
      sent.set(message.type, (sent.get(message.type) ?? 0) + 1);
      // Delivered as VS Code delivers it (a message event on the window), but dispatched at once,
      // so the page has handled it when send returns: a test reads the state it caused, never a
      // state from before it (window.postMessage would queue it as a task of its own).
      await page.evaluate((m) => globalThis.dispatchEvent(new MessageEvent('message', { data: m })), message);
      if (errors.length) throw new Error(`the webview reported: ${errors.join('; ')}`);
    },
    outsider: async (check) => {
      const before = errors.length;
      const result = await check();
      const during = errors.splice(before);
      errors.push(...during.filter((e) => !/violates the following Content Security Policy directive/.test(e)));
      return result;
    },
    close: async () => {
      if (own) await launched.browser.close();
      else await page.context().close();
    },
  };
}

/**
 * One Chromium for a suite (launched before it, closed after), and a screenshot named after each
 * test that fails, of the page `current()` shows; returns the browser.
 */
export function useChromium(name: string, current: () => WebviewPage | undefined): () => Browser {
  let browser: Browser | undefined;
  before(async function () {
    this.timeout(5 * 60_000);
    ({ browser } = await launchBrowser());
  });
  after(() => browser?.close());
  // Registered before the suite's own afterEach, so it runs first, while the page is open.
  afterEach(async function () {
    const view = current();
    if (this.currentTest?.state === 'failed' && view) await screenshot(view.page, `FAILED-${name}-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });
  return () => browser!;
}
