/**
 * A real VS Code for tests and the demo: VS Code for the browser (code-server, the real workbench
 * and node extension host) driven by Playwright in Debian's Chromium. Provisioning is
 * scripts/provision.mjs, which installs on first use into .vscode-test/ and reuses it after.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../../..');
export const ARTIFACTS = path.join(ROOT, 'test-results');

interface CodeServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  output(): string;
}

interface Provision {
  ensureChromium(): Promise<string>;
  ensureCodeServer(): Promise<{ entry: string; version: string }>;
  startCodeServer(options: { userDataDir: string; extensionsDir: string; folder: string; env?: Record<string, string>; timeoutMs?: number; workspaceTrust?: boolean }): Promise<CodeServer>;
}

export function provision(): Promise<Provision> {
  return import(pathToFileURL(path.join(ROOT, 'scripts', 'provision.mjs')).href) as Promise<Provision>;
}

/** The flags that keep Chromium off this machine's closed network and out of a sandbox root cannot use. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface VSCodeOptions {
  /** The folder VS Code opens. */
  workspace: string;
  /** Install the extension as a user would (linked into the extensions folder). */
  installExtension?: boolean;
  /** Or install this .vsix with VS Code's own `--install-extension`. */
  vsix?: string;
  /** VS Code settings for the user, merged over the defaults below. */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Workspace Trust on: the folder opens untrusted, in Restricted Mode (else trust is off, as for most tests). */
  workspaceTrust?: boolean;
}

export interface VSCodeSession {
  server: CodeServer;
  browser: Browser;
  page: Page;
  /** The workbench URL for `workspace`. */
  url: string;
  close(): Promise<void>;
}

/** Starts code-server and a browser page on it (not yet navigated, so callers can hook the page first). */
export async function launchVSCode(options: VSCodeOptions): Promise<VSCodeSession> {
  const p = await provision();
  const executablePath = await p.ensureChromium();
  const home = mkdtempSync(path.join(tmpdir(), 'backprop-code-server-'));
  const userDataDir = path.join(home, 'user-data');
  const extensionsDir = path.join(home, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    ...options.settings,
  }, null, 2));
  if (options.installExtension) {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    symlinkSync(ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
  }
  if (options.vsix) await installVsix(options.vsix, extensionsDir, userDataDir);
  const server = await p.startCodeServer({ userDataDir, extensionsDir, folder: options.workspace, env: options.env, workspaceTrust: options.workspaceTrust });
  let browser: Browser | undefined;
  try {
    ({ browser } = await launchBrowser(executablePath));
    const page = await browser.contexts()[0].newPage();
    return {
      server, browser, page,
      url: `${server.url}/?folder=${encodeURIComponent(options.workspace)}`,
      close: async () => {
        await browser?.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw e;
  }
}

/** Debian's Chromium under Playwright, headless, with one browser context of a laptop's size. */
export async function launchBrowser(executablePath?: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: executablePath ?? await (await provision()).ensureChromium(), args: CHROMIUM_ARGS, headless: true });
  // `npm run screenshots` shows the product at the size the README's pictures were judged at.
  const [width, height] = (process.env.BACKPROP_VIEWPORT ?? '1400x900').split('x').map(Number);
  const context = await browser.newContext({ viewport: { width, height } });
  return { browser, page: await context.newPage() };
}

/** `code --install-extension FILE` with code-server's CLI, which is VS Code's own installer. */
export async function installVsix(vsix: string, extensionsDir: string, userDataDir: string): Promise<string> {
  const { entry } = await (await provision()).ensureCodeServer();
  const r = spawnSync(process.execPath, [entry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`--install-extension ${vsix} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Waits for the workbench to finish restoring: the status bar and the explorer are up. */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 60_000 });
}

/** Opens a workspace file by name through Quick Open, as a person would. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = path.basename(relativePath);
  const exact = new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  // A file a test has just written may not be in Quick Open's file list yet (VS Code learns of it
  // from its file watcher, later on a busy machine): as a person would, close Quick Open and ask
  // again until it is listed.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(relativePath);
    // The list shows recent files until the filter catches up and re-renders under the pointer,
    // so wait until the focused (top) row is the file itself, then accept it with Enter.
    try {
      await page.locator('.quick-input-list .monaco-list-row.focused .label-name', { hasText: exact }).first().waitFor({ timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).first().waitFor({ timeout: 30_000 });
}

/**
 * Runs a command through the Command Palette by its exact title ("View: Close Editor", not the
 * "View: Close All Editors" that recently used commands may put first).
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // A focus change just after it opens (a debug session ending, a webview taking the focus) can
  // close the palette again: it is opened until it is open and holds the title.
  await until(`the Command Palette to hold "${title}"`, async () => {
    if (!await input.isVisible()) await page.keyboard.press('Control+Shift+P');
    if (!await input.isVisible()) return false;
    await input.fill(`>${title}`, { timeout: 2_000 }).catch(() => undefined);
    return await input.isVisible() && (await input.inputValue()) === `>${title}`;
  });
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: exact }).first().click();
}

/** The Problems entry of the status bar, e.g. "No Problems" or "Errors: 1, Warnings: 0". */
export async function problemsSummary(page: Page): Promise<string> {
  return (await page.locator('[id="status.problems"]').first().getAttribute('aria-label')) ?? '';
}

/** Polls `check` every 100 ms until it is true, or fails with `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A screenshot kept as a test artifact under test-results/screenshots. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Opens a network file and returns its network editor's frame once every hover card is built. */
export async function openGraph(page: Page, file: string, selector = '[data-param="w1"]'): Promise<Frame> {
  await openFile(page, file);
  const frame = await webviewFrame(page, selector);
  await frame.locator('#app[data-cards-ready]').waitFor();
  return frame;
}

/** The frame of a webview whose content includes `selector` (webviews are nested iframes). */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > until) throw new Error(`no webview frame shows ${selector} after ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

export type { Frame, FrameLocator, Locator, Page };
