#!/usr/bin/env node
// Provisions what the integration tests and the demo need beyond the project's
// npm packages: a Chromium (from Debian) and a real VS Code for the browser
// (the npm package code-server, which ships VS Code's workbench and its node
// extension host). Everything lands in <repo>/.vscode-test/ (git-ignored) and is
// reused afterwards. Only Node built-ins: it must run before `npm install`
// has put anything in place, and in CI on a fresh machine.
//
// Usage as a library:
//   import { ensureChromium, ensureCodeServer, startCodeServer } from './provision.mjs'
// Usage as a CLI:
//   node scripts/provision.mjs chromium|code-server|all

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(SCRIPT_DIR, '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.vscode-test');

// 4.100.3 is VS Code 1.100.3 and the newest code-server whose engines.node is 20.
export const CODE_SERVER_VERSION = '4.100.3';
const CODE_SERVER_DIR = path.join(CACHE_DIR, 'code-server');
// Written last, only after every step and the checks passed: without it, the
// folder is treated as a half-finished install and rebuilt from scratch.
const MARKER = path.join(CODE_SERVER_DIR, '.provisioned.json');

// Native modules of VS Code's server that must be compiled for this Node.
const VSCODE_NATIVE_MODULES = [
  'kerberos',
  'node-pty',
  '@parcel/watcher',
  '@vscode/spdlog',
  '@vscode/deviceid',
  'native-watchdog',
];

const CHROMIUM_DEBIAN = '/usr/bin/chromium';

function log(msg) {
  process.stderr.write(`[provision] ${msg}\n`);
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

// ---------------------------------------------------------------------------
// Running commands

/** Runs a command with its output streamed to our stderr (stdout stays free for results). */
function run(cmd, args, { cwd, env } = {}) {
  log(`$ ${cmd} ${args.join(' ')}${cwd ? `   (in ${path.relative(REPO_ROOT, cwd) || '.'})` : ''}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 2, 2],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`\`${cmd} ${args.join(' ')}\` failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v "${name}"`], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------------------
// Debian packages

function debInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

let aptUpdated = false;

/** Installs missing Debian packages when we are root; otherwise says what to install. */
async function ensureDebPackages(pkgs, why) {
  const missing = pkgs.filter((p) => !debInstalled(p));
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(
      `${why} needs the Debian packages: ${missing.join(' ')}. ` +
        `Install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  // The package lists may be absent or stale on a fresh machine: update once per process.
  if (!aptUpdated) {
    log('updating the apt package lists');
    await run('apt-get', ['update'], { env });
    aptUpdated = true;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

// ---------------------------------------------------------------------------
// Chromium

/** Returns an absolute path to a Chromium executable, installing Debian's when needed. */
export async function ensureChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (fs.existsSync(fromEnv)) return path.resolve(fromEnv);
    log(`CHROME_PATH=${fromEnv} does not exist; looking for ${CHROMIUM_DEBIAN}`);
  }
  if (fs.existsSync(CHROMIUM_DEBIAN)) return CHROMIUM_DEBIAN;
  // Only Debian's package: there is no network for a browser download
  // (`playwright install` and the like fail here).
  if (!isRoot()) {
    throw new Error(
      `Chromium not found. Install it with \`sudo apt-get install -y chromium\`, ` +
        `or set CHROME_PATH to a Chromium/Chrome executable.`,
    );
  }
  log('Chromium not found: installing the Debian package chromium');
  // Recommends are kept here: they bring the fonts the workbench renders with.
  if (!aptUpdated) {
    await run('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    aptUpdated = true;
  }
  await run('apt-get', ['install', '-y', 'chromium'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  if (!fs.existsSync(CHROMIUM_DEBIAN)) {
    throw new Error(`apt-get installed chromium but ${CHROMIUM_DEBIAN} is missing`);
  }
  return CHROMIUM_DEBIAN;
}

// ---------------------------------------------------------------------------
// A lock, so that two test processes starting at once do not install into the
// same folder together.

async function withLock(name, fn) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const lockDir = path.join(CACHE_DIR, `${name}.lock`);
  let waitedMs = 0;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock left by a process that is gone (killed mid-install) is stale.
      let pid = NaN;
      try {
        pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch { /* no pid file yet: the lock is being written */ }
      if (!Number.isNaN(pid) && !pidAlive(pid)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (waitedMs % 30000 === 0) log(`waiting for another provisioning process (${lockDir})`);
      await new Promise((r) => setTimeout(r, 500));
      waitedMs += 500;
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------
// code-server

function readMarker() {
  try {
    const m = JSON.parse(fs.readFileSync(MARKER, 'utf8'));
    if (m.version === CODE_SERVER_VERSION && m.nodeAbi === process.versions.modules && fs.existsSync(m.entry)) {
      return m;
    }
  } catch { /* no marker, or an unreadable one: provision again */ }
  return undefined;
}

/**
 * Installs code-server into .vscode-test/code-server on first use.
 * @returns {Promise<{entry: string, version: string}>}
 */
export async function ensureCodeServer() {
  // Fast path, no lock: a marker is only written once everything is in place.
  const done = readMarker();
  if (done) return { entry: done.entry, version: done.version };
  return withLock('code-server', async () => {
    const again = readMarker(); // another process may have finished meanwhile
    if (again) return { entry: again.entry, version: again.version };
    return installCodeServer();
  });
}

async function installCodeServer() {
  const started = Date.now();
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    log(`warning: code-server ${CODE_SERVER_VERSION} supports Node 20 only; this is Node ${process.versions.node}`);
  }

  // Headers for kerberos, the rg binary (@vscode/ripgrep would download one),
  // and a C/C++ toolchain for node-gyp.
  const debs = ['libkrb5-dev', 'ripgrep'];
  if (!commandExists('make') || !commandExists('g++')) debs.push('build-essential');
  if (!commandExists('python3')) debs.push('python3');
  await ensureDebPackages(debs, `code-server ${CODE_SERVER_VERSION}`);

  // No marker: whatever is here is an interrupted install. Start clean.
  log(`installing code-server ${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR}`);
  fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
  // Our own package.json makes this folder its own npm project, so npm never
  // walks up into the repository's package.json.
  fs.writeFileSync(
    path.join(CODE_SERVER_DIR, 'package.json'),
    JSON.stringify({ name: 'vscode-test-code-server', private: true }, null, 2) + '\n',
  );

  const npmEnv = {
    // (No npm_config_unsafe_perm: only code-server's postinstall.sh asks for it,
    // and we do its steps ourselves; npm 11 warns it is an unknown config.)
    // node-pty's install script runs `npx node-gyp`, which would prompt.
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  // node-gyp must use the installed Node headers: downloading them fails offline.
  // ~/.npmrc may already say nodedir=/usr; only fill it in when nothing does.
  const nodePrefix = path.dirname(path.dirname(process.execPath));
  if (!process.env.npm_config_nodedir && !npmrcHas('nodedir') && fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node_api.h'))) {
    npmEnv.npm_config_nodedir = nodePrefix;
  }

  // npm 11 runs dependency scripts not listed in an `allowScripts` policy with
  // only a warning ("not yet covered by allowScripts"), but a user config of
  // strict-allow-scripts=true would make `npm rebuild` fail. We rebuild only
  // the packages named here, so lift that for these calls (an env setting
  // beats ~/.npmrc). verifyInstall() checks that the builds really happened.
  const rebuildEnv = { npm_config_strict_allow_scripts: 'false' };

  // 1. code-server and its own dependencies. Scripts are off: its postinstall
  //    runs `npm install` in lib/vscode, which fails offline (@vscode/ripgrep
  //    downloads from GitHub); and npm 11's allowScripts policy may skip
  //    dependency scripts anyway. We do each needed step ourselves below.
  await run('npm', ['install', '--ignore-scripts', '--omit=dev', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: CODE_SERVER_DIR,
    env: npmEnv,
  });
  const pkgDir = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
  const vscodeDir = path.join(pkgDir, 'lib', 'vscode');
  const entry = path.join(pkgDir, 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) throw new Error(`npm installed code-server but ${entry} is missing`);

  // 2. argon2 (password hashing, loaded at startup even with --auth none), by
  //    its own installer called directly: --build-from-source skips
  //    node-pre-gyp's prebuilt download, which would fail. (Through npm the flag
  //    is an environment setting npm 11 warns about as unknown.) Called outside
  //    npm, node-gyp reads no ~/.npmrc, so it is told where the Node headers are.
  const argon2 = path.join(CODE_SERVER_DIR, 'node_modules', 'argon2');
  const preGyp = path.join(CODE_SERVER_DIR, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  await run(process.execPath, [preGyp, 'install', '--build-from-source'], {
    cwd: argon2,
    env: { ...npmEnv, npm_config_nodedir: process.env.npm_config_nodedir ?? npmrcValue('nodedir') ?? nodePrefix },
  });

  // 3. VS Code's own server dependencies, then compile only the native modules.
  await run('npm', ['install', '--ignore-scripts', '--omit=dev'], { cwd: vscodeDir, env: npmEnv });
  allowScripts(vscodeDir);
  await run('npm', ['rebuild', ...VSCODE_NATIVE_MODULES], { cwd: vscodeDir, env: { ...npmEnv, ...rebuildEnv } });

  // 4. ripgrep (search, file quick-open): Debian's rg where @vscode/ripgrep looks.
  const rgSrc = whichSync('rg');
  if (!rgSrc) throw new Error('rg not found on PATH although the Debian package ripgrep is installed');
  const rgDest = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  fs.mkdirSync(path.dirname(rgDest), { recursive: true });
  fs.copyFileSync(rgSrc, rgDest);
  fs.chmodSync(rgDest, 0o755);

  // 5. What code-server's postinstall.sh does besides npm install: VS Code and
  //    extensions look for files under node_modules.asar, and the remote CLI
  //    and browser helper are platform-specific links.
  relink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  relink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  relink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  // 6. Built-in extensions' shared dependencies (TypeScript for the TS/JS
  //    language features), then their trimming script.
  const extDir = path.join(vscodeDir, 'extensions');
  await run('npm', ['install', '--ignore-scripts', '--omit=dev'], { cwd: extDir, env: npmEnv });
  if (fs.existsSync(path.join(extDir, 'postinstall.mjs'))) {
    await run(process.execPath, ['postinstall.mjs'], { cwd: extDir });
  }

  // 7. Prove it, rather than trust npm's exit codes (a skipped install script
  //    exits 0 too): every native module loads, rg runs, code-server starts.
  verifyInstall(pkgDir, vscodeDir, rgDest, entry);

  const marker = {
    version: CODE_SERVER_VERSION,
    entry,
    nodeAbi: process.versions.modules, // native modules are tied to this ABI
    nodeVersion: process.versions.node,
    installedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
  };
  fs.writeFileSync(MARKER, JSON.stringify(marker, null, 2) + '\n');
  log(`code-server ${CODE_SERVER_VERSION} ready in ${marker.seconds}s`);
  return { entry, version: CODE_SERVER_VERSION };
}

/**
 * Records in this provisioned copy of VS Code's package.json which dependency scripts may run (npm
 * 11's allowScripts): the native modules rebuilt here, and none of the others (ripgrep's downloads
 * a binary; the rest are Windows-only). Without it npm warns about every one on each rebuild.
 */
function allowScripts(dir) {
  const file = path.join(dir, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.allowScripts = Object.fromEntries([
    ...VSCODE_NATIVE_MODULES.map((m) => [m, true]),
    ...['@vscode/ripgrep', '@vscode/windows-registry', '@vscode/windows-process-tree'].map((m) => [m, false]),
  ]);
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
}

function npmrcHas(key) {
  return npmrcValue(key) !== undefined;
}

/** A setting from the user's ~/.npmrc, or undefined. */
function npmrcValue(key) {
  const rc = process.env.npm_config_userconfig || path.join(os.homedir(), '.npmrc');
  try {
    return new RegExp(`^\\s*${key}\\s*=\\s*(.*?)\\s*$`, 'm').exec(fs.readFileSync(rc, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function whichSync(name) {
  const r = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function relink(target, linkPath) {
  fs.rmSync(linkPath, { recursive: true, force: true });
  fs.symlinkSync(target, linkPath);
}

function verifyInstall(pkgDir, vscodeDir, rg, entry) {
  log('checking the install: native modules, rg, code-server --version');
  // lib/vscode is "type": "module": load the CommonJS natives through createRequire.
  const check = `
    const { createRequire } = require('node:module');
    const path = require('node:path');
    const vs = createRequire(path.join(${JSON.stringify(vscodeDir)}, 'package.json'));
    for (const m of ${JSON.stringify(VSCODE_NATIVE_MODULES)}) vs(m);
    createRequire(path.join(${JSON.stringify(pkgDir)}, 'package.json'))('argon2');
  `;
  const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`a native module of code-server does not load (were its install scripts skipped?):\n${r.stderr}`);
  }
  const rgRun = spawnSync(rg, ['--version'], { encoding: 'utf8' });
  if (rgRun.status !== 0) throw new Error(`${rg} --version failed: ${rgRun.stderr}`);
  const v = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8' });
  if (v.status !== 0 || !v.stdout.includes(CODE_SERVER_VERSION)) {
    throw new Error(`code-server --version failed:\n${v.stdout}\n${v.stderr}`);
  }
  log(`code-server --version: ${v.stdout.trim().split('\n')[0]}`);
}

// ---------------------------------------------------------------------------
// Running code-server

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function writeSettings(userDataDir, workspaceTrust) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let settings = {};
  if (fs.existsSync(file)) {
    try {
      settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // settings.json may be JSONC; rather than mangle it, start over.
      log(`could not parse ${file} as JSON: replacing it`);
    }
  }
  // No trust dialog and no welcome page in front of the editor. With workspaceTrust, the folder
  // opens untrusted (Restricted Mode), without the startup dialog that would ask.
  Object.assign(settings, {
    'security.workspace.trust.enabled': Boolean(workspaceTrust),
    ...(workspaceTrust ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false } : {}),
    'workbench.startupEditor': 'none',
  });
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
}

function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const running = new Set();
// A test run that exits without stop() must not leave servers behind.
process.on('exit', () => {
  for (const child of running) killTree(child, 'SIGKILL');
});

function killTree(child, signal) {
  try {
    process.kill(-child.pid, signal); // the whole process group: server, extension host, pty hosts
  } catch {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
  }
}

/**
 * Starts code-server on a folder.
 * @param {{port?: number, userDataDir: string, extensionsDir: string, folder: string,
 *          env?: Record<string,string>, timeoutMs?: number}} opts
 * @returns {Promise<{url: string, port: number, process: import('node:child_process').ChildProcess,
 *          stop: () => Promise<void>, output: () => string}>}
 */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, env, timeoutMs = 60000, workspaceTrust = false } = {}) {
  if (!userDataDir || !extensionsDir || !folder) {
    throw new Error('startCodeServer needs userDataDir, extensionsDir and folder');
  }
  const { entry } = await ensureCodeServer();
  port ??= await freePort();
  userDataDir = path.resolve(userDataDir);
  extensionsDir = path.resolve(extensionsDir);
  folder = path.resolve(folder);
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeSettings(userDataDir, workspaceTrust);

  const childEnv = { ...process.env, ...env };
  // Inside a VS Code terminal this variable makes code-server hand the folder
  // to that VS Code instead of starting a server.
  delete childEnv.VSCODE_IPC_HOOK_CLI;

  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check', // it would call GitHub every 6 hours; there is no network
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    folder,
  ];
  const child = spawn(process.execPath, args, {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() can kill the whole tree
  });
  running.add(child);

  // Keep the last lines of output for error messages.
  const lines = [];
  const keep = (buf) => {
    lines.push(...buf.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const output = () => lines.join('\n');

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = signal ?? `exit code ${code}`;
      running.delete(child);
      resolve();
    });
  });

  const stop = async () => {
    if (exited) return;
    killTree(child, 'SIGTERM');
    const killed = await Promise.race([exitPromise.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) killTree(child, 'SIGKILL');
    await exitPromise;
    killTree(child, 'SIGKILL'); // children that ignored SIGTERM
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`code-server exited (${exited}) before it answered on ${url}. Last output:\n${lastLines(lines)}`);
    }
    try {
      const status = await httpGet(`${url}/healthz`);
      if (status && status < 500) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url}/healthz within ${timeoutMs / 1000}s. Last output:\n${lastLines(lines)}`);
    }
    await sleep(250);
  }
  log(`code-server listening on ${url} (folder ${folder})`);
  return { url, port, process: child, stop, output };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lastLines = (lines) => lines.slice(-30).join('\n') || '(no output)';

// ---------------------------------------------------------------------------
// CLI

async function main(argv) {
  const what = argv[0] ?? 'all';
  const result = {};
  if (what === 'chromium' || what === 'all') {
    result.chromium = await ensureChromium();
    log(`chromium: ${result.chromium}`);
  }
  if (what === 'code-server' || what === 'all') {
    result.codeServer = await ensureCodeServer();
    log(`code-server ${result.codeServer.version}: ${result.codeServer.entry}`);
  }
  if (!['chromium', 'code-server', 'all'].includes(what)) {
    log('usage: node scripts/provision.mjs chromium|code-server|all');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

const invokedPath = process.argv[1] ? fs.realpathSync(path.resolve(process.argv[1])) : '';
if (invokedPath && pathToFileURL(invokedPath).href === import.meta.url) {
  main(process.argv.slice(2)).catch((err) => {
    log(`error: ${err.message}`);
    process.exit(1);
  });
}
