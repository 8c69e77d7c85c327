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
  // The webview: a browser bundle and its stylesheet (KaTeX's CSS and woff2 fonts included; the
  // .woff/.ttf fallbacks stay out, since every VS Code webview reads woff2 first).
  {
    ...common,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    entryPoints: ['webview/main.ts', 'webview/main.css'],
    outdir: 'dist/webview',
    loader: { '.woff2': 'file' },
    external: ['*.woff', '*.ttf'],
    assetNames: 'fonts/[name]',
  },
];

/** Codicons must be a stylesheet of their own (vscode-elements looks it up by id), beside its font. */
function copyCodicons() {
  const fs = require('node:fs');
  const path = require('node:path');
  const from = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  const to = path.join(__dirname, 'dist', 'webview', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

async function main() {
  copyCodicons();
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
