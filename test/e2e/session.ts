/**
 * One real VS Code per e2e test file: code-server with the extension installed as a user installs
 * it, a copy of the examples as the workspace (tests type into files; the repository's stay as
 * they are), and a Chromium page on it. `useVSCode()` registers the hooks; adding a case is an it().
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchVSCode, type Page, ROOT, runCommand, screenshot, type VSCodeSession, waitForWorkbench } from '../harness/vscode';

export interface E2E {
  readonly page: Page;
  readonly workspace: string;
  readonly session: VSCodeSession;
  /** vscode-remote:// URI of a file, for payloads such as openFile. */
  remote(file: string): string;
}

export function useVSCode(options: { settings?: Record<string, unknown>; workspaceTrust?: boolean } = {}): E2E {
  let session: VSCodeSession | undefined;
  const workspace = mkdtempSync(path.join(tmpdir(), 'backprop-e2e-'));
  cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true });

  before(async function () {
    this.timeout(10 * 60_000); // the first run provisions code-server and Chromium
    session = await launchVSCode({ workspace, installExtension: true, settings: options.settings, workspaceTrust: options.workspaceTrust });
    await session.page.goto(session.url);
    await waitForWorkbench(session.page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `FAILED-${this.currentTest.fullTitle().replace(/[^\w-]+/g, '-')}`).catch(() => undefined);
    }
    // Each test starts from a workbench with no editors open.
    if (session) await runCommand(session.page, 'View: Close All Editors').catch(() => undefined);
  });

  after(async () => {
    await session?.close();
  });

  const get = (): VSCodeSession => {
    if (!session) throw new Error('VS Code did not start (see the before-all hook)');
    return session;
  };
  return {
    get page() { return get().page; },
    get session() { return get(); },
    workspace,
    remote: (file: string) => `vscode-remote://127.0.0.1:${get().server.port}${path.resolve(workspace, file)}`,
  };
}
