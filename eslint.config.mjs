// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'coverage/**',
      // AssemblyScript, not TypeScript (its own types and decorators), and the wasm it compiles to.
      'asm/**', 'src/core/engine.wasm.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The core and the session are pure: the CLI, tests, extension host and a worker thread share
    // them, so they may not reach for VS Code, the DOM or Node's I/O.
    files: ['src/core/**/*.ts', 'src/session/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode'], message: 'The core is pure: no vscode imports.' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'util'], message: 'The core is pure: no Node imports.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require'],
    },
  },
  {
    // The core is beneath the session: the session imports it (the expression parser lives in
    // core/expr for both), never the other way round.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode'], message: 'The core is pure: no vscode imports.' },
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'util'], message: 'The core is pure: no Node imports.' },
          { group: ['**/session/**', '**/session'], message: 'The core may not import the session.' },
        ],
      }],
    },
  },
  {
    // The run (one per document) is shared by the editor, the commands, the status bar and later the
    // debug adapter: it is driven through its own API, so it may not reach for VS Code either.
    files: ['src/run/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['vscode'], message: 'The run is shared by every front-end: no vscode imports.' }] }],
    },
  },
  {
    // The webview is a browser page: from the extension's sources it may take types only (the
    // protocol), and pure code (the store's modelOf is tested in Node), never the host's modules.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['vscode', 'node:*'], message: 'The webview runs in a browser: no vscode or Node imports.' }] }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
