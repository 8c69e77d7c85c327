/** What each bundle carries: the training worker holds no webview schema (valibot) and no message parser of the page's. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

const sources = (bundle: string): string[] => (JSON.parse(readFileSync(path.join(ROOT, 'dist', `${bundle}.map`), 'utf8')) as { sources: string[] }).sources;

describe('the bundles', () => {
  it("keep the webview's schemas out of the training worker", () => {
    const worker = sources('worker.js');
    assert.ok(worker.some((s) => s.endsWith('src/session/training.ts')), 'the map lists the worker\'s sources');
    assert.deepEqual(worker.filter((s) => /node_modules\/valibot|src\/protocol\.ts|breakpointSchemas/.test(s)), []);
  });

  it('give the extension host the schemas it validates the page with', () => {
    assert.ok(sources('extension.js').some((s) => /node_modules\/valibot/.test(s)));
  });
});
