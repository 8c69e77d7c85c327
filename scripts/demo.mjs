#!/usr/bin/env node
// `npm run demo`: opens the StatQuest dosage network as a graph in VS Code with this extension
// loaded, on a scratch copy of the examples (`.vscode-test/demo/examples`, ignored by git), so
// nothing typed in the demo ever lands in the repository's own files.
//
// Desktop VS Code (`code` on the PATH) gets --extensionDevelopmentPath; otherwise VS Code for the
// browser (code-server, provisioned on first use into .vscode-test/) serves it on 127.0.0.1 and
// this prints the URL to open. Set BACKPROP_DEMO=browser to skip the desktop, PORT to pick a port.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, REPO_ROOT, ensureCodeServer, freePort, startCodeServer } from './provision.mjs';

const HOME = path.join(CACHE_DIR, 'demo');
const WORKSPACE = path.join(HOME, 'examples');
const FIRST = path.join(WORKSPACE, 'dosage-b3.nn.json');

/**
 * Copies each example the scratch folder lacks. Files already there are left as they are: they may
 * hold the person's edits from an earlier demo. Deleting the folder starts over.
 */
function prepareWorkspace() {
  fs.mkdirSync(WORKSPACE, { recursive: true });
  for (const file of fs.readdirSync(path.join(REPO_ROOT, 'examples'))) {
    const target = path.join(WORKSPACE, file);
    if (!fs.existsSync(target)) fs.copyFileSync(path.join(REPO_ROOT, 'examples', file), target);
  }
}

/** User settings for the demo's VS Code: no prompts in front of the graph. */
function writeUserSettings(userDataDir) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({
    // The scratch folder sits inside this repository: do not offer its git repository.
    'git.openRepositoryInParentFolders': 'never',
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    // VS Code for the browser saves after a second by default: half-typed JSON and Write Parameters
    // would land on disk before the person chose to save.
    'files.autoSave': 'off',
  }, null, 2));
}

function hasDesktopCode() {
  if (process.env.BACKPROP_DEMO === 'browser') return false;
  const r = spawnSync('code', ['--version'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0;
}

async function desktop() {
  console.log('Opening the dosage example in VS Code with Backprop Debugger loaded (--extensionDevelopmentPath)...');
  console.log(`Your copy of the examples: ${WORKSPACE}\n(edits are saved there, never in the repository; delete the folder to start over)`);
  const child = spawn('code', ['--new-window', `--extensionDevelopmentPath=${REPO_ROOT}`, WORKSPACE], {
    stdio: 'inherit', detached: true, env: { ...process.env, BACKPROP_OPEN: FIRST },
  });
  child.unref();
}

async function browser() {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  await ensureCodeServer();
  const extensionsDir = path.join(HOME, 'extensions');
  const userDataDir = path.join(HOME, 'user-data');
  // The extension is linked, not copied: rebuild (npm run build) and reload the window to see changes.
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
  writeUserSettings(userDataDir);
  const port = Number(process.env.PORT) || await freePort();
  // VS Code for the browser opens a file named in its URL before extensions have registered their
  // editors (a fresh browser has no record that *.nn.json has one), so it would show the JSON
  // text; the extension opens BACKPROP_OPEN in the network editor itself once it starts.
  const server = await startCodeServer({ port, userDataDir, extensionsDir, folder: WORKSPACE, env: { BACKPROP_OPEN: FIRST }, timeoutMs: 120000 });
  const url = `${server.url}/?folder=${encodeURIComponent(WORKSPACE)}`;
  console.log('\nBackprop Debugger is running in VS Code for the browser. Open:\n');
  console.log(`  ${url}\n`);
  console.log('It shows the StatQuest dosage network as a graph; hover a weight to see its chain rule.');
  console.log(`Your copy of the examples: ${WORKSPACE}`);
  console.log('(edits are saved there, never in the repository; delete the folder to start over). Press Ctrl+C to stop.');
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.on('exit', (code) => {
    if (stopping) return;
    console.error(`code-server stopped (exit code ${code}). Its last output:\n${server.output()}`);
    process.exit(1);
  });
}

prepareWorkspace();
(hasDesktopCode() ? desktop() : browser()).catch((err) => {
  console.error(`demo: ${err.message}`);
  process.exit(1);
});
