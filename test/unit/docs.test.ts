/** The README and the pages of docs/: every relative link reaches a file the .vsix ships, and every #anchor a heading. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

const PAGES = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
function anchors(text: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutCode(text).matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return found;
}

function withoutCode(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** What .vscodeignore lets into the .vsix of these pages' targets (vsce stores the README as readme.md). */
function shipped(file: string): boolean {
  return /^docs\/[^/]+\.md$/.test(file) || /^docs\/screenshots\/[\w-]+\.png$/.test(file);
}

describe('the README and docs/', () => {
  it('ship in the .vsix', () => {
    const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!docs\/\*\.md$/m);
    assert.match(ignore, /^!docs\/screenshots\/\*\.png$/m);
  });

  it('link only to files that exist and ship, and to headings that exist', () => {
    const problems: string[] = [];
    let links = 0;
    for (const page of PAGES) {
      for (const [, target] of withoutCode(readFileSync(path.join(ROOT, page), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        links++;
        const [file, anchor] = target.split('#');
        const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
        if (!existsSync(path.join(ROOT, resolved))) { problems.push(`${page}: ${target}: no such file`); continue; }
        if (file && !shipped(resolved)) problems.push(`${page}: ${target}: not in the .vsix`);
        if (anchor !== undefined && !anchors(readFileSync(path.join(ROOT, resolved), 'utf8')).has(anchor)) problems.push(`${page}: ${target}: no such heading`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(links > 20, `${links} links`);
  });

  it('reach every page of docs/ from the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const page of PAGES.filter((p) => p !== 'README.md')) assert.ok(readme.includes(`](${page}`), `${page} is not linked from the README`);
  });
});
