// Bundles the bench with esbuild: TensorFlow.js registers its gradients from ES modules that Node
// cannot load from a tsc build, and a bundle resolves them like any other import.
import { build } from 'esbuild';

await build({
  entryPoints: ['bench/bench.ts'],
  outfile: 'out/bench.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // h5wasm's Node build (the models bench writes its .keras file with it) asks import.meta.url, which a CommonJS bundle has not.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
