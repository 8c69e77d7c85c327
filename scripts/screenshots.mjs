#!/usr/bin/env node
// `npm run screenshots`: every picture the README, docs/ and the walkthrough show, taken again
// from the current build in real VS Code (code-server + Chromium, at 1600x1000) by the end-to-end
// and webview tests that walk those very steps, then compressed to 8-bit palette PNGs so the
// .vsix stays small. Run it before each release (docs/contributing.md says so).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from './provision.mjs';

const UPNG = createRequire(import.meta.url)('upng-js');

const SHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');
/** Which test picture becomes which published one. */
const PICTURES = {
  // The walkthrough: the network editor's page alone, each step's state (test/e2e/newcomer.test.ts).
  'walkthrough-open': 'media/walkthrough/open.png',
  'walkthrough-chain': 'media/walkthrough/chain.png',
  'walkthrough-step': 'media/walkthrough/step.png',
  'walkthrough-converged': 'media/walkthrough/converged.png',
  'walkthrough-all': 'media/walkthrough/all.png',
  // The README and docs/: the whole window where VS Code's own parts matter.
  'walkthrough-3-step': 'docs/screenshots/walkthrough.png',
  'editor-hover-w3-dark': 'docs/screenshots/editor-hover-w3-dark.png',
  'editor-hover-w1-light': 'docs/screenshots/editor-hover-w1-light.png',
  'editor-broken-file': 'docs/screenshots/editor-broken-file.png',
  'editor-trained': 'docs/screenshots/editor-trained.png',
  'editor-adam-picked': 'docs/screenshots/editor-adam.png',
  'debugger-breakpoint': 'docs/screenshots/debugger-breakpoint.png',
  'debugger-step-into': 'docs/screenshots/debugger-step-into.png',
  'debugger-vscode-variables': 'docs/screenshots/debugger-vscode-variables.png',
  'debugger-f5-room': 'docs/screenshots/debugger-f5-room.png',
  'debugger-logpoint': 'docs/screenshots/debugger-logpoint.png',
  'debugger-exception-widget': 'docs/screenshots/debugger-exception-widget.png',
  'charts-vscode': 'docs/screenshots/charts-vscode.png',
  // The charts in each theme (test/webview/charts.test.ts).
  'charts-light': 'docs/screenshots/charts-light.png',
  'charts-dark': 'docs/screenshots/charts-dark.png',
  'charts-high-contrast': 'docs/screenshots/charts-high-contrast.png',
  'charts-every-panel-classifier': 'docs/screenshots/charts-every-panel-classifier.png',
  'charts-loss-batches-validation': 'docs/screenshots/charts-batches-validation.png',
  'charts-compare-optimizers': 'docs/screenshots/compare-optimizers.png',
  // Each unit's picture (test/webview/unitMaps.test.ts).
  'unit-maps-xor-hover': 'docs/screenshots/unit-maps-xor.png',
  'unit-maps-classifier-light': 'docs/screenshots/unit-maps-classifier.png',
};

function run(command, args, env = {}) {
  console.log(`[screenshots] ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`[screenshots] ${command} ${args.join(' ')} failed (${r.status ?? r.signal}); no picture was replaced`);
    process.exit(1);
  }
}

/** An RGBA PNG as an 8-bit palette PNG (256 colours: a screenshot of a UI loses nothing visible). */
function compress(file) {
  const image = UPNG.decode(fs.readFileSync(file));
  const rgba = UPNG.toRGBA8(image)[0];
  return { png: Buffer.from(UPNG.encode([rgba], image.width, image.height, 256)), width: image.width, height: image.height };
}

if (!process.argv.includes('--no-run')) {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  run('npm', ['run', 'build']);
  run('npm', ['run', 'compile']);
  const env = { BACKPROP_VIEWPORT: '1600x1000' };
  run('npx', ['mocha', '--config', '.mocharc.webview.json', '--grep', "chart strip|each unit's picture in the graph"], env);
  run('npx', ['mocha', '--config', '.mocharc.e2e.json', '--grep', 'first five minutes|examples in VS Code|light theme|debugging training|charts in VS Code'], env);
}

const missing = Object.keys(PICTURES).filter((name) => !fs.existsSync(path.join(SHOTS, `${name}.png`)));
if (missing.length > 0) {
  console.error(`[screenshots] the tests took no picture named ${missing.join(', ')}; none was replaced`);
  process.exit(1);
}
let total = 0;
for (const [name, target] of Object.entries(PICTURES)) {
  const { png, width, height } = compress(path.join(SHOTS, `${name}.png`));
  fs.writeFileSync(path.join(REPO_ROOT, target), png);
  total += png.length;
  console.log(`[screenshots] ${target}  ${width}x${height}  ${(png.length / 1024).toFixed(0)} KB`);
}
console.log(`[screenshots] ${Object.keys(PICTURES).length} pictures, ${(total / 1024 / 1024).toFixed(2)} MB in all`);
