/** The .vsix a user installs: lean, installable with VS Code's own installer, and working once installed. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { installVsix, launchVSCode, openFile, openGraph, ROOT, runCommand, screenshot, type VSCodeSession, waitForWorkbench, webviewFrame } from '../harness/vscode';

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
const work = mkdtempSync(path.join(tmpdir(), 'backprop-package-'));
const vsix = path.join(work, `${manifest.name}-${manifest.version}.vsix`);

describe('the packaged extension (.vsix)', () => {
  before(function () {
    this.timeout(5 * 60_000);
    // The same command as `npm run package`, written to a scratch folder.
    const r = spawnSync('npm', ['run', 'package', '--', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
  });

  it('is under 3 MB', () => {
    const size = statSync(vsix).size;
    assert.ok(size < 3 * 1024 * 1024, `${size} bytes`);
  });

  it('installs with --install-extension and holds the bundles, not sources, tests or dev dependencies', async function () {
    this.timeout(5 * 60_000);
    const extensionsDir = path.join(work, 'extensions');
    await installVsix(vsix, extensionsDir, path.join(work, 'user-data'));
    const installed = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    assert.ok(existsSync(path.join(installed, 'package.json')), `not installed at ${installed}: ${readdirSync(extensionsDir).join(', ')}`);
    for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/worker.js', 'dist/webview/main.js', 'dist/webview/main.css', 'dist/webview/codicons/codicon.css', 'schemas/network.schema.json', 'examples/dosage-b3.nn.json']) {
      assert.ok(existsSync(path.join(installed, f)), `${f} is missing`);
    }
    for (const f of ['src', 'test', 'node_modules', 'tsconfig.json', 'esbuild.js', '.ci', 'scripts', 'bench', 'webview', 'dist/webview/main.js.map']) {
      assert.ok(!existsSync(path.join(installed, f)), `${f} should not ship`);
    }
  });

  it('shows its README with every image, and its icon, on the extension page', async () => {
    const installed = path.join(work, 'extensions', `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    // vsce stores the README as readme.md.
    const readme = readFileSync(path.join(installed, readdirSync(installed).find((f) => f.toLowerCase() === 'readme.md')!), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length > 0);
    for (const image of images) {
      assert.ok(!/^https?:/.test(image), `${image}: no remote resources`);
      assert.ok(existsSync(path.join(installed, image)), `${image} is linked from the README but not packaged`);
    }
    const { icon } = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { icon?: string };
    assert.ok(icon && existsSync(path.join(installed, icon)), `the icon ${icon} is packaged`);
    for (const media of (JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')).contributes.walkthroughs as { steps: { media: { image: string } }[] }[]).flatMap((w) => w.steps.map((st) => st.media.image))) {
      assert.ok(existsSync(path.join(installed, media)), `walkthrough image ${media} is packaged`);
    }
  });

  it('installs a `backprop` command that runs', () => {
    const installed = path.join(work, 'extensions', `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    const cli = path.join(installed, 'dist', 'cli.js');
    assert.ok((statSync(cli).mode & 0o111) !== 0, 'dist/cli.js is executable');
    const r = spawnSync(cli, ['check', path.join(ROOT, 'examples', 'xor.nn.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /OK, "XOR/);
  });

  describe('installed in VS Code', () => {
    let session: VSCodeSession;
    const workspace = mkdtempSync(path.join(tmpdir(), 'backprop-package-ws-'));

    before(async function () {
      this.timeout(10 * 60_000);
      const text = readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8').replace('[[-1.22, -2.30]]', '[[-1.22]]');
      writeFileSync(path.join(workspace, 'shape.nn.json'), text);
      writeFileSync(path.join(workspace, 'dosage.nn.json'), readFileSync(path.join(ROOT, 'examples', 'dosage-b3.nn.json'), 'utf8'));
      session = await launchVSCode({ workspace, vsix });
      await session.page.goto(session.url);
      await waitForWorkbench(session.page);
    });

    after(async () => {
      await session?.close();
    });

    it('activates on a network file and reports the loader\'s errors in the Problems panel', async () => {
      const { page } = session;
      await openFile(page, 'shape.nn.json');
      await runCommand(page, 'Problems: Focus on Problems View');
      await page.locator('.markers-panel', { hasText: 'layers[1].weights[0] has 1 weight but the layer before has 2 units' }).first().waitFor({ timeout: 30_000 });
      // The network editor's page shows the problem too. Waiting for it also lets that webview
      // finish loading before the next test closes it and opens another (VS Code for the browser
      // can fail to boot a webview created while another is still loading).
      await webviewFrame(page, '.banner[role="alert"]:not([hidden]), .not-network:not([hidden])');
      await screenshot(page, 'installed-vsix-problems');
    });

    it('shows the graph and explains w3 on hover', async () => {
      const { page } = session;
      await runCommand(page, 'View: Close All Editors');
      const frame = await openGraph(page, 'dosage.nn.json', '[data-param="w3"]');
      await frame.locator('.edge-label[data-for="w3"]').hover();
      assert.equal(await frame.locator('[role="tooltip"] .active .sum-value').textContent(), '−16.11');
    });
  });
});
