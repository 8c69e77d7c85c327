/**
 * What the chart exports rest on, without VS Code or a browser: the folder a chart is saved in by
 * default, the fit map's colour scale (the map, the dots and the key share it), and the messages
 * a page may send to export or report a failed copy.
 */
import assert from 'node:assert/strict';
import { exportFolder, isInside, type Place } from '../../src/editor/exportFolder';
import { CHART_PANELS } from '../../src/session/chartTypes';
import { parseWebviewMessage } from '../../src/protocol';
import { fillScale, mix, type Rgb, SCALE_STEPS, scaleCss, scaleDomain, scaleIndex, scaleStops } from '../../webview/charts/scale';

const file = (path: string, scheme = 'file'): Place => ({ scheme, authority: '', path });

describe('the folder a chart is saved in by default', () => {
  const home = file('/home/ada');
  const workspace = file('/home/ada/work');
  const storage = file('/home/ada/.config/Code/User/globalStorage/backprop-debugger.backprop-debugger');

  it('is the network file\'s own folder', () => {
    assert.deepEqual(exportFolder(file('/home/ada/work/nets/xor.nn.json'), [workspace], [storage], home), file('/home/ada/work/nets'));
    // Outside the workspace too: beside the file is where its owner looks.
    assert.deepEqual(exportFolder(file('/tmp/x.nn.json'), [workspace], [storage], home), file('/tmp'));
    assert.deepEqual(exportFolder(file('/x.nn.json'), [], [], home), file('/'));
    // Another file system keeps its scheme and authority.
    const remote = { scheme: 'vscode-remote', authority: 'ssh-remote+box', path: '/srv/nets/a.nn.json' };
    assert.deepEqual(exportFolder(remote, [], [], home), { scheme: 'vscode-remote', authority: 'ssh-remote+box', path: '/srv/nets' });
  });

  it("is not the extension's storage, where an example's copy is kept: the workspace's first folder, or home without one", () => {
    const example = file(`${storage.path}/examples/xor.nn.json`);
    assert.deepEqual(exportFolder(example, [workspace, file('/other')], [storage], home), workspace);
    assert.deepEqual(exportFolder(example, [], [storage], home), home);
    // Unless the person opened that folder as their workspace: then it is theirs.
    assert.deepEqual(exportFolder(example, [storage], [storage], home), file(`${storage.path}/examples`));
  });

  it('is the workspace or home for an untitled network, which has no folder', () => {
    assert.deepEqual(exportFolder(file('Untitled-1', 'untitled'), [workspace], [storage], home), workspace);
    assert.deepEqual(exportFolder(file('Untitled-1', 'untitled'), [], [storage], home), home);
  });

  it('tells a folder from one whose name starts the same', () => {
    assert.ok(isInside(file('/a/b/c.json'), file('/a/b')));
    assert.ok(isInside(file('/a/b'), file('/a/b/')));
    assert.ok(!isInside(file('/a/bc/c.json'), file('/a/b')));
    assert.ok(!isInside(file('/a/b/c.json', 'vscode-remote'), file('/a/b')));
  });
});

describe("the fit map's colour scale", () => {
  const orange: Rgb = [209, 134, 22];
  const blue: Rgb = [55, 148, 255];
  const dark: Rgb = [31, 31, 31];
  const table = fillScale(orange, blue, dark, new Uint8ClampedArray(SCALE_STEPS * 4));
  const at = (i: number): number[] => Array.from(table.subarray(i * 4, i * 4 + 4));

  it('runs from orange (low) through the background to blue (high), opaque, never quite the full colours', () => {
    assert.deepEqual(at(0), [...mix(dark, orange, 0.85), 255]);
    assert.deepEqual(at(SCALE_STEPS - 1), [...mix(dark, blue, 0.85), 255]);
    const middle = at(SCALE_STEPS >> 1);
    assert.ok(middle.slice(0, 3).every((v, i) => Math.abs(v - dark[i]) <= 2), String(middle));
  });

  it('places a value by the domain, clamped; a value that is not a number sits in the middle', () => {
    assert.equal(scaleIndex(-2, -2, 3), 0);
    assert.equal(scaleIndex(3, -2, 3), SCALE_STEPS - 1);
    assert.equal(scaleIndex(0.5, -2, 3), Math.round(0.5 * (SCALE_STEPS - 1)));
    assert.equal(scaleIndex(99, -2, 3), SCALE_STEPS - 1);
    assert.equal(scaleIndex(-99, -2, 3), 0);
    assert.equal(scaleIndex(Number.NaN, -2, 3), SCALE_STEPS >> 1);
    assert.equal(scaleIndex(1, 1, 1), SCALE_STEPS >> 1);
  });

  it("spans the map's values and the targets, so every sample has its place on the key", () => {
    assert.deepEqual(scaleDomain([0, 0.5, 1], [-2, 3]), [-2, 3]);
    assert.deepEqual(scaleDomain([0, Number.NaN, 1], []), [0, 1]);
    assert.deepEqual(scaleDomain([0.25, 0.25], [0.25]), [-0.25, 0.75]);
    assert.deepEqual(scaleDomain([], []), [0, 1]);
  });

  it("gives the key's gradient the scale's own ends and middle", () => {
    const [low, middle, high] = scaleStops(table);
    assert.equal(low, scaleCss(table, 0));
    assert.equal(high, scaleCss(table, SCALE_STEPS - 1));
    assert.match(middle, /^rgb\(\d+, \d+, \d+\)$/);
    // Between two entries: their mean.
    const two = new Uint8ClampedArray([0, 10, 20, 255, 10, 20, 31, 255]);
    assert.equal(scaleCss(two, 0.5), 'rgb(5, 15, 26)');
  });
});

describe('export messages from the page', () => {
  const picture = (name: string) => ({ name, data: 'data:image/png;base64,iVBORw0KGgo=' });

  it('takes Export all with one picture per open chart, and a failed copy with its reason', () => {
    const all = { type: 'exportAll', pictures: [picture('loss-over-steps'), picture('fit')] };
    assert.deepEqual(parseWebviewMessage(all), all);
    const failed = { type: 'copyFailed', panel: 'profile', reason: 'denied' };
    assert.deepEqual(parseWebviewMessage(failed), failed);
  });

  const bad: [string, unknown][] = [
    ['Export all with nothing in it', { type: 'exportAll', pictures: [] }],
    ['Export all with more pictures than panels', { type: 'exportAll', pictures: [...CHART_PANELS, 'more'].map((n) => picture(n)) }],
    ['Export all with two pictures of one name', { type: 'exportAll', pictures: [picture('fit'), picture('FIT')] }],
    ['Export all with a path for a name', { type: 'exportAll', pictures: [picture('../fit')] }],
    ['Export all with a picture that is not a PNG', { type: 'exportAll', pictures: [{ name: 'fit', data: 'data:image/svg+xml;base64,PHN2Zz4=' }] }],
    ['Export all with more in a picture', { type: 'exportAll', pictures: [{ ...picture('fit'), path: '/etc' }] }],
    ['a failed copy of a panel there is not', { type: 'copyFailed', panel: 'everything', reason: 'denied' }],
    ['a failed copy for a reason there is not', { type: 'copyFailed', panel: 'fit', reason: 'because' }],
  ];
  for (const [what, raw] of bad) it(`rejects ${what}`, () => assert.equal(parseWebviewMessage(raw), undefined));
});
