#!/usr/bin/env node
// `npm run demo`: opens the StatQuest dosage example in VS Code with this extension loaded.
// Desktop VS Code (`code` on the PATH) gets --extensionDevelopmentPath; otherwise VS Code for the
// browser (code-server, provisioned on first use into .vscode-test/) serves it on 127.0.0.1 and
// this prints the URL to open. Set BACKPROP_DEMO=browser to skip the desktop, PORT to pick a port.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, REPO_ROOT, ensureCodeServer, freePort, startCodeServer } from './provision.mjs';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const FIRST = path.join(EXAMPLES, 'dosage-b3.nn.json');

function hasDesktopCode() {
  if (process.env.BACKPROP_DEMO === 'browser') return false;
  const r = spawnSync('code', ['--version'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0;
}

async function desktop() {
  console.log('Opening the dosage example in VS Code with Backprop Debugger loaded (--extensionDevelopmentPath)...');
  const child = spawn('code', ['--new-window', `--extensionDevelopmentPath=${REPO_ROOT}`, EXAMPLES, FIRST], { stdio: 'inherit', detached: true });
  child.unref();
}

async function browser() {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  await ensureCodeServer();
  const home = path.join(CACHE_DIR, 'demo');
  const extensionsDir = path.join(home, 'extensions');
  // The extension is linked, not copied: rebuild (npm run build) and reload the window to see changes.
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
  const port = Number(process.env.PORT) || await freePort();
  const server = await startCodeServer({ port, userDataDir: path.join(home, 'user-data'), extensionsDir, folder: EXAMPLES, timeoutMs: 120000 });
  const payload = encodeURIComponent(JSON.stringify([['openFile', `vscode-remote://127.0.0.1:${port}${FIRST}`]]));
  const url = `${server.url}/?folder=${encodeURIComponent(EXAMPLES)}&payload=${payload}`;
  console.log('\nBackprop Debugger is running in VS Code for the browser. Open:\n');
  console.log(`  ${url}\n`);
  console.log('(the examples folder, with the StatQuest dosage network open). Press Ctrl+C to stop.');
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

(hasDesktopCode() ? desktop() : browser()).catch((err) => {
  console.error(`demo: ${err.message}`);
  process.exit(1);
});
