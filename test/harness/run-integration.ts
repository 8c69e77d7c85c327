/**
 * `npm run test:vscode`: runs test/vscode (the integration suite) inside a real VS Code's extension
 * host and exits with its result.
 *
 * Which VS Code: BACKPROP_VSCODE=electron uses @vscode/test-electron (desktop VS Code, downloaded
 * into .vscode-test/ where it can be); BACKPROP_VSCODE=browser uses code-server (VS Code for the
 * browser from the npm registry, whose node extension host is the real one) in Chromium. Without
 * the variable, a machine with a display tries the desktop first and falls back to the browser;
 * a headless Linux machine goes straight to the browser. If neither can run, this fails loudly.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ARTIFACTS, launchVSCode, ROOT } from './vscode';

const TESTS = path.join(ROOT, 'out', 'test', 'vscode', 'index.js');
const TIMEOUT_MS = 10 * 60_000;

function emptyWorkspace(): string {
  // No .nn.json in the workspace: the suite checks that opening one is what activates the extension.
  const dir = mkdtempSync(path.join(tmpdir(), 'backprop-workspace-'));
  writeFileSync(path.join(dir, 'README.txt'), 'Integration-test workspace for Backprop Debugger.\n');
  return dir;
}

function logFile(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'vscode-integration.log');
  rmSync(file, { force: true });
  return file;
}

async function runInElectron(): Promise<number> {
  const { runTests } = await import('@vscode/test-electron');
  const log = logFile();
  return runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: TESTS,
    launchArgs: [emptyWorkspace(), '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { BACKPROP_TEST_LOG: log },
  });
}

async function runInBrowser(): Promise<number> {
  const log = logFile();
  const workspace = emptyWorkspace();
  const session = await launchVSCode({ workspace, env: { BACKPROP_TEST_LOG: log } });
  try {
    const { page, server } = session;
    // The browser's side of the run, for diagnosing a webview that never loads.
    const consoleLog = path.join(ARTIFACTS, 'vscode-browser-console.log');
    rmSync(consoleLog, { force: true });
    const note = (line: string): void => appendFileSync(consoleLog, `${line}\n`);
    const t0 = Date.now();
    const stamp = (): string => `${((Date.now() - t0) / 1000).toFixed(3)}`;
    const short = (u: string): string => u.replace(/^.*\/pre\//, 'pre/').slice(0, 120);
    page.on('console', (m) => {
      const url = m.location()?.url ?? '';
      if (m.type() === 'error' || m.type() === 'warning' || /\/pre\/|fake\.html|vscode-cdn/.test(url)) note(`${stamp()} ${m.type()}: ${m.text()} [${short(url)}]`);
    });
    page.on('frameattached', (f) => note(`${stamp()} frameattached ${short(f.url())}`));
    page.on('framenavigated', (f) => { if (/\/pre\//.test(f.url())) note(`${stamp()} framenavigated ${short(f.url())}`); });
    page.on('framedetached', (f) => note(`${stamp()} framedetached ${short(f.url())}`));
    page.on('pageerror', (e) => note(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => note(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => { resolveExit = r; });
    // The workbench calls this when the tests module's run() settles (0: passed).
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [['extensionDevelopmentPath', remote(ROOT)], ['extensionTestsPath', remote(TESTS)]];
    await page.goto(`${session.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    // A person has clicked into the window: webviews created while the workbench never had
    // focus can stop loading halfway in VS Code for the browser.
    await page.bringToFront();
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    const timeout = new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`the integration suite did not finish within ${TIMEOUT_MS / 60_000} minutes`)), TIMEOUT_MS).unref());
    const code = await Promise.race([exited, timeout]);
    return code;
  } catch (e) {
    console.error(`code-server's last output:\n${session.server.output().split('\n').slice(-30).join('\n')}`);
    throw e;
  } finally {
    await session.close();
  }
}

function printLog(): boolean {
  try {
    const text = readFileSync(path.join(ARTIFACTS, 'vscode-integration.log'), 'utf8');
    process.stdout.write(text);
    return /^\d+ passed, \d+ failed$/m.test(text);
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const wanted = process.env.BACKPROP_VSCODE;
  if (wanted && wanted !== 'electron' && wanted !== 'browser') throw new Error(`BACKPROP_VSCODE must be "electron" or "browser", not "${wanted}"`);
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  let code: number | undefined;
  let used = '';
  if (wanted === 'electron' || (!wanted && hasDisplay)) {
    try {
      console.log('[test:vscode] running the integration suite in desktop VS Code (@vscode/test-electron)');
      code = await runInElectron();
      used = 'desktop VS Code';
    } catch (e) {
      if (wanted === 'electron') throw e;
      console.log(`[test:vscode] desktop VS Code is not available here (${(e as Error).message.split('\n')[0]}); using VS Code for the browser`);
    }
  }
  if (code === undefined) {
    console.log('[test:vscode] running the integration suite in VS Code for the browser (code-server + Chromium)');
    code = await runInBrowser();
    used = 'VS Code for the browser';
  }
  const reported = printLog();
  if (!reported) {
    console.error(`[test:vscode] FAILED: the suite in ${used} wrote no results (see test-results/vscode-integration.log)`);
    process.exit(1);
  }
  console.log(`[test:vscode] ${code === 0 ? 'passed' : 'FAILED'} in ${used}`);
  process.exit(code);
}

main().catch((e) => {
  console.error(`[test:vscode] FAILED: ${(e as Error).message}`);
  process.exit(1);
});
