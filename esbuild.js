// Bundles the extension host and the CLI. Type checking is tsc's job (`npm run typecheck`);
// esbuild only strips types, which keeps rebuilds instant in --watch.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  // jsonc-parser's UMD entry requires its parts dynamically, which a bundle cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

const builds = [
  // `vscode` is provided by the extension host at run time.
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The training worker thread (src/training/worker.ts): Continue runs there, off the host's thread.
  { ...common, entryPoints: ['src/training/worker.ts'], outfile: 'dist/worker.js' },
  // The webview: a browser bundle and its stylesheet, KaTeX's CSS with its woff2 fonts inlined
  // (the .woff/.ttf fallbacks stay out, since every VS Code webview reads woff2 first). Inlined,
  // because fonts fetched lazily as cards render kept each webview loading for seconds, and in
  // VS Code for the browser a webview that boots while another is still fetching can stay blank.
  {
    ...common,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    entryPoints: ['webview/main.ts', 'webview/main.css'],
    outdir: 'dist/webview',
    loader: { '.woff2': 'dataurl' },
    plugins: [woff2Only()],
  },
];

/**
 * KaTeX's @font-face rules list .woff and .ttf after the woff2, and Chromium asks for those
 * fallbacks when a webview is torn down while its fonts are still decoding. In VS Code for the
 * browser every webview's resource request waits in one shared service worker for the webview's
 * host frame to answer; a frame that is gone never answers, the request hangs for 30 s, and until
 * it settles the next webview's service worker cannot activate, so the next network editor stays
 * blank for 30 s. With only the inlined woff2 left, a loaded webview requests nothing at all.
 */
function woff2Only() {
  const fs = require('node:fs');
  const path = require('node:path');
  return {
    name: 'woff2-only',
    setup(build) {
      build.onLoad({ filter: /katex\.min\.css$/ }, (args) => {
        const css = fs.readFileSync(args.path, 'utf8').replace(/,url\([^)]*\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)/g, '');
        if (/\.(?:woff|ttf)\)/.test(css)) throw new Error('katex.min.css still names a .woff or .ttf font: update woff2Only');
        return { contents: css, loader: 'css', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/**
 * Codicons must be a stylesheet of their own (vscode-elements looks it up by id). Its font is
 * inlined for the same reason as KaTeX's: a webview that has finished loading fetches nothing more.
 */
function copyCodicons() {
  const fs = require('node:fs');
  const path = require('node:path');
  const from = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  const to = path.join(__dirname, 'dist', 'webview', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  const font = fs.readFileSync(path.join(from, 'codicon.ttf')).toString('base64');
  const css = fs.readFileSync(path.join(from, 'codicon.css'), 'utf8')
    .replace(/url\("?\.\/codicon\.ttf[^)"]*"?\)/, `url("data:font/ttf;base64,${font}")`);
  if (!css.includes('data:font/ttf')) throw new Error('codicon.css no longer points at ./codicon.ttf: update copyCodicons');
  fs.writeFileSync(path.join(to, 'codicon.css'), css);
}

async function main() {
  // The training engine's WebAssembly is bundled as a generated module: build it first.
  const { buildWasm } = await import('./scripts/build-wasm.mjs');
  await buildWasm();
  // A production build starts clean, so no stale source map or asset of a dev build ships.
  if (production) require('node:fs').rmSync(require('node:path').join(__dirname, 'dist'), { recursive: true, force: true });
  copyCodicons();
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  makeCliExecutable();
}

/** dist/cli.js is the package's `bin` and starts with a #! line: it runs as ./dist/cli.js too. */
function makeCliExecutable() {
  const fs = require('node:fs');
  const cli = require('node:path').join(__dirname, 'dist', 'cli.js');
  fs.chmodSync(cli, fs.statSync(cli).mode | 0o111);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
