/**
 * Data from a CSV or TSV file beside the network (src/core/dataFile.ts and its hook in format.ts):
 * parsing, delimiters, classes, every error with its position, refused paths, and the host's read
 * callback; the CLI reading one from disk; the run following an edit of one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/commands';
import { dataFilesOf, dataPath, filesReader, loadNetwork, NetworkFileError, readDataFiles, type ReadFile } from '../../src/core';
import { diskDataReader } from '../../src/diskDataFiles';
import { RunRegistry } from '../../src/run/registry';
import { TrainingWorker } from '../../src/training/client';
import { examplePath, ROOT } from './helpers';

/** A two-input network reading `file`; `extra` replaces or adds top-level keys. */
function net(data: object, extra: object = {}): string {
  return JSON.stringify({
    inputs: ['x1', 'x2'], outputs: ['y'],
    layers: [{ units: 1, activation: 'identity', weights: [[1, 1]], biases: [0] }],
    data, ...extra,
  }, null, 2);
}
const CLASSIFIER = { outputs: ['a', 'b'], layers: [{ units: 2, activation: 'identity' }], loss: 'cross-entropy' };

/** Loads `text` with `files` as the files beside it; the paths asked for, in order. */
function load(text: string, files: Record<string, string>): { network: ReturnType<typeof loadNetwork>; asked: string[] } {
  const asked: string[] = [];
  const network = loadNetwork(text, { readFile: (p) => { asked.push(p); return files[p]; } });
  return { network, asked };
}

/** The NetworkFileError loading throws. */
function error(text: string, files: Record<string, string>, asked: string[] = []): NetworkFileError {
  try {
    loadNetwork(text, { readFile: (p) => { asked.push(p); return files[p]; } });
  } catch (e) {
    if (e instanceof NetworkFileError) return e;
    throw e;
  }
  assert.fail('expected the file to be refused');
}

/** Where `needle` starts in `text`, as line:column (1-based). */
function at(text: string, needle: string, nth = 0): string {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} in the text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const POINTS = 'x1,x2,y\n0,1,1\n2,3,5\n-1.5,2e-1,0.25\n';

describe('data from a CSV file', () => {
  describe('parsing', () => {
    it('reads the named columns, in the network\'s order, whatever order the file has them in', () => {
      const { network, asked } = load(net({ file: 'points.csv', inputs: ['b', 'a'], targets: ['t'] }), { 'points.csv': 't,a,skip,b\n1,2,x,3\n4,5,y,6\n' });
      assert.deepEqual(asked, ['points.csv']);
      assert.equal(network.data.samples, 2);
      assert.deepEqual([...network.data.inputs], [3, 2, 6, 5]);
      assert.deepEqual([...network.data.targets], [1, 4]);
    });

    for (const [name, delimiter] of [['commas', ','], ['semicolons', ';'], ['tabs', '\t']] as const) {
      it(`detects ${name}`, () => {
        const text = POINTS.split(',').join(delimiter);
        const { network } = load(net({ file: 'points.tsv', inputs: ['x1', 'x2'], targets: ['y'] }), { 'points.tsv': text });
        assert.deepEqual([...network.data.inputs], [0, 1, 2, 3, -1.5, 0.2]);
        assert.deepEqual([...network.data.targets], [1, 5, 0.25]);
      });
    }

    it('takes CRLF lines, a byte-order mark, quoted fields, spaces around numbers and blank lines', () => {
      const text = '\ufeff"x1"; x2;"y"\r\n 1 ;"2";3\r\n\r\n4;5;" 6 "\r\n\r\n';
      const { network } = load(net({ file: 'p.csv', inputs: ['x1', 'x2'], targets: ['y'] }), { 'p.csv': text });
      assert.deepEqual([...network.data.inputs], [1, 2, 4, 5]);
      assert.deepEqual([...network.data.targets], [3, 6]);
    });

    it('reads a validation set from a file too, and asks the host for each file once', () => {
      const files = { 'train.csv': POINTS, 'data/held.csv': 'x1,x2,y\n9,9,18\n' };
      const { network, asked } = load(net({ file: 'train.csv', inputs: ['x1', 'x2'], targets: ['y'] }, { validation: { file: './data//held.csv', inputs: ['x1', 'x2'], targets: ['y'] } }), files);
      assert.deepEqual(asked, ['train.csv', 'data/held.csv']);
      assert.equal(network.validation?.samples, 1);
      assert.deepEqual([...network.validation!.targets], [18]);
    });

    it('trains on the file\'s samples as on the same samples written inline', () => {
      const fromFile = load(net({ file: 'p.csv', inputs: ['x1', 'x2'], targets: ['y'] }), { 'p.csv': POINTS }).network;
      const inline = loadNetwork(net({ inputs: [[0, 1], [2, 3], [-1.5, 0.2]], targets: [[1], [5], [0.25]] }));
      assert.deepEqual([...fromFile.data.inputs], [...inline.data.inputs]);
      assert.deepEqual([...fromFile.data.targets], [...inline.data.targets]);
    });
  });

  describe('classes', () => {
    const labelled = (extra: object = {}): string => net({ file: 'c.csv', inputs: ['x1', 'x2'], targets: ['label'], ...extra }, CLASSIFIER);
    const CSV = 'x1,x2,label\n0,0,red\n1,1,blue\n2,2,red\n';

    it('turns a text label column into one-hot targets, classes sorted by default', () => {
      const { network } = load(labelled(), { 'c.csv': CSV });
      assert.deepEqual(network.classes, ['blue', 'red']);
      assert.deepEqual([...network.data.targets], [0, 1, 1, 0, 0, 1]);
    });

    it('takes the order "classes" gives', () => {
      const { network } = load(labelled({ classes: ['red', 'blue'] }), { 'c.csv': CSV });
      assert.deepEqual(network.classes, ['red', 'blue']);
      assert.deepEqual([...network.data.targets], [1, 0, 0, 1, 1, 0]);
    });

    it('keeps the outputs\' order when the outputs are named after the classes', () => {
      const text = net({ file: 'c.csv', inputs: ['x1', 'x2'], targets: ['label'] }, { ...CLASSIFIER, outputs: ['red', 'blue'] });
      const { network } = load(text, { 'c.csv': CSV });
      assert.deepEqual(network.classes, ['red', 'blue']);
      assert.deepEqual([...network.data.targets], [1, 0, 0, 1, 1, 0]);
    });

    it('sorts numeric labels as numbers', () => {
      const text = net({ file: 'c.csv', inputs: ['x1', 'x2'], targets: ['label'] }, { ...CLASSIFIER, outputs: ['a', 'b', 'c'], layers: [{ units: 3, activation: 'identity' }] });
      const { network } = load(text, { 'c.csv': 'x1,x2,label\n0,0,10\n0,0,2\n0,0,1\n' });
      assert.deepEqual(network.classes, ['1', '2', '10']);
    });

    it('gives the validation set the training set\'s classes, and refuses a label that is not one', () => {
      const text = labelled();
      const withValidation = JSON.stringify({ ...JSON.parse(text), validation: { file: 'v.csv', inputs: ['x1', 'x2'], targets: ['label'] } });
      const { network } = load(withValidation, { 'c.csv': CSV, 'v.csv': 'x1,x2,label\n5,5,red\n' });
      assert.deepEqual([...network.validation!.targets], [0, 1]);
      const e = error(withValidation, { 'c.csv': CSV, 'v.csv': 'x1,x2,label\n5,5,green\n' });
      assert.equal(e.format('/work/net.nn.json'), '/work/v.csv:2:5: "green" is not one of the classes (blue, red)');
    });

    it('needs as many classes as outputs, pointing at the label column\'s name', () => {
      const text = labelled();
      const e = error(text, { 'c.csv': 'x1,x2,label\n0,0,red\n1,1,blue\n2,2,green\n' });
      assert.equal(e.file, undefined);
      assert.equal(`${e.position.line}:${e.position.column}`, at(text, '"label"'));
      assert.match(e.message, /c\.csv's column "label" holds 3 classes \(blue, green, red\) but the network has 2 outputs \(a, b\)/);
      const given = labelled({ classes: ['red'] });
      assert.match(error(given, { 'c.csv': CSV }).message, /data\.classes has 1 class but the network has 2 outputs/);
    });

    it('takes a label column only with cross-entropy', () => {
      const text = net({ file: 'c.csv', inputs: ['x1', 'x2'], targets: ['label'] }, { outputs: ['a', 'b'], layers: [{ units: 2, activation: 'identity' }] });
      assert.match(error(text, { 'c.csv': CSV }).message, /a column of class labels needs "loss": "cross-entropy"/);
    });

    it('refuses numeric targets that are not one-hot under cross-entropy, in the file', () => {
      const text = net({ file: 'c.csv', inputs: ['x1', 'x2'], targets: ['a', 'b'] }, CLASSIFIER);
      const e = error(text, { 'c.csv': 'x1,x2,a,b\n0,0,1,0\n0,0,0.5,0.25\n' });
      assert.equal(e.format('net.nn.json'), 'c.csv:3:1: cross-entropy needs one-hot targets (one 1 among a, b, the rest 0), but this row has 0.5, 0.25; or name one column of class labels in "targets"');
    });
  });

  describe('errors point into the file', () => {
    const text = net({ file: 'points.csv', inputs: ['x1', 'x2'], targets: ['y'] });
    const fails = (csv: string): NetworkFileError => error(text, { 'points.csv': csv });

    it('a cell that is not a number: its line and column, quoted short', () => {
      const e = fails('x1,x2,y\n0,1,1\n2,n/a,5\n');
      assert.equal(e.format('dir/net.nn.json'), 'dir/points.csv:3:3: "n/a" is not a number (column "x2")');
      assert.deepEqual([e.position.offset, e.position.length], [16, 3]);
      // The error as the network file shows it: at the "file" value, saying where in the CSV.
      const shown = e.inNetworkFile();
      assert.equal(`${shown.position.line}:${shown.position.column}`, at(text, '"points.csv"'));
      assert.equal(shown.message, 'points.csv:3:3: "n/a" is not a number (column "x2")');
      const long = fails(`x1,x2,y\n0,1,${'s'.repeat(5000)}\n`);
      assert.ok(long.message.length < 80, long.message);
    });

    it('after a quoted field holding a line break, the column of a later cell', () => {
      const e = error(net({ file: 'p.csv', inputs: ['x1', 'x2'], targets: ['y'] }), { 'p.csv': 'note,x1,x2,y\n"two\nlines",1,"x""y",3\n' });
      assert.equal(e.format('n.nn.json'), 'p.csv:3:10: "x"y" is not a number (column "x2")');
    });

    it('a missing value', () => {
      assert.equal(fails('x1,x2,y\n0,,1\n').format('n.nn.json'), 'points.csv:2:3: the value in column "x2" is missing: every input and target needs a number');
    });

    it('a missing column: at its name in the network file, naming the columns there are', () => {
      const e = fails('x1,x3,y\n0,1,1\n');
      assert.equal(e.file, undefined);
      assert.equal(`${e.position.line}:${e.position.column}`, at(text, '"x2"', 1));
      assert.equal(e.message, 'points.csv has no column "x2": its columns are x1, x3, y');
    });

    it('an empty file, and a header with no rows', () => {
      assert.equal(fails('').format('n.nn.json'), 'points.csv:1:1: the file is empty: expected a header row naming the columns, then one row per sample');
      assert.equal(fails('\n\n').format('n.nn.json'), 'points.csv:1:1: the file is empty: expected a header row naming the columns, then one row per sample');
      assert.equal(fails('x1,x2,y\n').format('n.nn.json'), 'points.csv:2:1: the file has a header row but no samples: add one row per sample below it (x1, x2, y)');
    });

    it('a ragged row', () => {
      assert.equal(fails('x1,x2,y\n0,1,1\n\n2,3\n').format('n.nn.json'), 'points.csv:4:1: this row has 2 values but the header names 3 columns');
      assert.equal(fails('x1,x2,y\n0,1,1,7\n').format('n.nn.json'), 'points.csv:2:1: this row has 4 values but the header names 3 columns');
    });

    it('a quote never closed, a header name twice or empty', () => {
      assert.match(fails('x1,x2,y\n0,"1,1\n').format('n.nn.json'), /^points\.csv:2:3: a quoted value is never closed/);
      assert.equal(fails('x1,x2,x1,y\n0,1,1,1\n').format('n.nn.json'), 'points.csv:1:7: the column "x1" is named twice (columns 1 and 3)');
      assert.equal(fails('x1,,x2,y\n0,1,1,1\n').format('n.nn.json'), 'points.csv:1:4: column 2 has no name: the first row names every column');
    });

    it('a missing file: at the "file" value in the network file', () => {
      const e = error(text, {});
      assert.equal(e.file, undefined);
      assert.equal(`${e.position.line}:${e.position.column}`, at(text, '"points.csv"'));
      assert.equal(e.message, 'cannot read "points.csv": there is no such file beside the network file');
    });

    it('a host that cannot read: its reason, at the "file" value; a host with no reader: says so', () => {
      const e = (() => { try { loadNetwork(text, { readFile: () => { throw new Error('permission denied'); } }); } catch (x) { return x as NetworkFileError; } assert.fail(); })();
      assert.equal(e.message, 'cannot read "points.csv": permission denied');
      assert.throws(() => loadNetwork(text), /"points\.csv" cannot be read here: this host reads no data files/);
    });

    it('columns that do not match the network: too few inputs, too many targets, an unknown key', () => {
      assert.match(error(net({ file: 'points.csv', inputs: ['x1'], targets: ['y'] }), { 'points.csv': POINTS }).message, /data\.inputs names 1 column but the network has 2 inputs \(x1, x2\)/);
      assert.match(error(net({ file: 'points.csv', inputs: ['x1', 'x2'], targets: ['y', 'x1'] }), { 'points.csv': POINTS }).message, /data\.targets names 2 columns but the network has 1 output/);
      assert.match(error(net({ file: 'points.csv', inputs: ['x1', 'x2'], targets: ['y'], header: true }), { 'points.csv': POINTS }).message, /unknown property "header" in data/);
      assert.match(error(net({ file: 'points.csv', inputs: ['x1', 'x2'], targets: ['y'], classes: ['a', 'b'] }), { 'points.csv': POINTS }).message, /data\.classes goes with a column of class labels/);
    });
  });

  describe('paths', () => {
    const refused: [string, RegExp][] = [
      ['../secret.csv', /leaves the network file's folder/],
      ['data/../../secret.csv', /leaves the network file's folder/],
      ['data\\..\\..\\secret.csv', /leaves the network file's folder/],
      ['/etc/passwd', /is an absolute path/],
      ['\\\\server\\share\\x.csv', /is an absolute path/],
      ['C:\\Users\\me\\x.csv', /is a URI or a drive path/],
      ['file:///etc/passwd', /is a URI or a drive path/],
      ['https://example.com/x.csv', /is a URI or a drive path/],
      ['', /is empty/],
      ['./', /names a folder/],
    ];
    for (const [file, why] of refused) {
      it(`refuses ${JSON.stringify(file)} at the "file" value, never asking the host for it`, () => {
        const text = net({ file, inputs: ['x1', 'x2'], targets: ['y'] });
        const asked: string[] = [];
        const e = error(text, {}, asked);
        assert.deepEqual(asked, []);
        assert.match(e.message, why);
        assert.match(e.message, /^data\.file /);
        assert.equal(`${e.position.line}:${e.position.column}`, at(text, JSON.stringify(file)));
      });
    }

    it('normalizes what it takes', () => {
      assert.deepEqual(dataPath('./data//points.csv'), { ok: true, path: 'data/points.csv' });
      assert.deepEqual(dataPath('data\\points.csv'), { ok: true, path: 'data/points.csv' });
      assert.deepEqual(dataPath('..data/x..csv'), { ok: true, path: '..data/x..csv' });
    });

    it('on disk: reads beside the network file, and refuses a link that leads out of its folder', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'backprop-data-'));
      mkdirSync(path.join(dir, 'net'));
      writeFileSync(path.join(dir, 'secret.csv'), 'x1,x2,y\n1,1,1\n');
      writeFileSync(path.join(dir, 'net', 'ok.csv'), POINTS);
      symlinkSync(path.join(dir, 'secret.csv'), path.join(dir, 'net', 'link.csv'));
      const read = diskDataReader(path.join(dir, 'net', 'n.nn.json'));
      assert.equal(read('ok.csv'), POINTS);
      assert.equal(read('none.csv'), undefined);
      assert.throws(() => read('link.csv'), /a link to a file outside the network file's folder/);
      const text = net({ file: 'link.csv', inputs: ['x1', 'x2'], targets: ['y'] });
      assert.throws(() => loadNetwork(text, { readFile: read }), /cannot read "link\.csv": it is a link to a file outside/);
    });

    it('on disk: refuses a file under a linked folder that leads out, and a link to the folder above; takes a link that stays inside', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'backprop-data-'));
      mkdirSync(path.join(dir, 'net', 'data'), { recursive: true });
      mkdirSync(path.join(dir, 'outside'));
      writeFileSync(path.join(dir, 'outside', 'secret.csv'), 'x1,x2,y\n1,1,1\n');
      writeFileSync(path.join(dir, 'net', 'data', 'ok.csv'), POINTS);
      symlinkSync(path.join(dir, 'outside'), path.join(dir, 'net', 'shared'), 'dir');
      symlinkSync(dir, path.join(dir, 'net', 'up'), 'dir');
      symlinkSync(path.join(dir, 'net', 'data', 'ok.csv'), path.join(dir, 'net', 'inside.csv'));
      const reads: string[] = [];
      const read = diskDataReader(path.join(dir, 'net', 'n.nn.json'), (f) => { reads.push(f); return readFileSync(f, 'utf8'); });
      assert.throws(() => read('shared/secret.csv'), /a link to a file outside the network file's folder/);
      assert.throws(() => read('up/outside/secret.csv'), /a link to a file outside the network file's folder/);
      assert.deepEqual(reads, [], 'nothing outside is read');
      assert.equal(read('inside.csv'), POINTS);
      assert.equal(read('data/ok.csv'), POINTS);
    });
    it('on disk: refuses a file larger than the dataFileBytes limit by its size, before reading a byte of it', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'backprop-data-'));
      writeFileSync(path.join(dir, 'big.csv'), POINTS);
      const reads: string[] = [];
      const read = diskDataReader(path.join(dir, 'n.nn.json'), (f) => { reads.push(f); return readFileSync(f, 'utf8'); }, POINTS.length - 1);
      const text = net({ file: 'big.csv', inputs: ['x1', 'x2'], targets: ['y'] });
      assert.throws(() => loadNetwork(text, { readFile: read }), new RegExp(`cannot read "big\\.csv": it is ${POINTS.length} bytes, more than the limit of ${POINTS.length - 1}`));
      assert.deepEqual(reads, [], 'not read');
      assert.equal(diskDataReader(path.join(dir, 'n.nn.json'), undefined, POINTS.length)('big.csv'), POINTS, 'at the limit it is read');
    });
  });

  describe('the host\'s callback', () => {
    it('lists the files a text names, reads them once, and serves them back', () => {
      const text = net({ file: './a.csv', inputs: ['x1', 'x2'], targets: ['y'] }, { validation: { file: '../b.csv', inputs: ['x1', 'x2'], targets: ['y'] } });
      assert.deepEqual(dataFilesOf(text), ['a.csv']);
      assert.deepEqual(dataFilesOf('{ "data": '), []);
      const asked: string[] = [];
      const read: ReadFile = (p) => { asked.push(p); return p === 'a.csv' ? POINTS : undefined; };
      const files = readDataFiles(text, read);
      assert.deepEqual(files, { 'a.csv': POINTS });
      assert.deepEqual(asked, ['a.csv']);
      assert.equal(filesReader(files)('a.csv'), POINTS);
      assert.equal(filesReader(files)('b.csv'), undefined);
      assert.deepEqual(readDataFiles(text, () => { throw new Error('nope'); }), { 'a.csv': { error: 'nope' } });
      assert.throws(() => filesReader({ 'a.csv': { error: 'nope' } })('a.csv'), /nope/);
    });
  });

  describe('the example', () => {
    it('points.nn.json reads points.csv beside it and trains to a small loss', () => {
      const file = examplePath('points.nn.json');
      const network = loadNetwork(readFileSync(file, 'utf8'), { readFile: diskDataReader(file) });
      assert.equal(network.data.samples, 120);
      assert.deepEqual(network.classes, ['inside', 'outside']);
      const out = cliRun('train', file, '--json');
      assert.equal(out.code, 0, out.stderr);
      const result = JSON.parse(out.stdout);
      assert.ok(result.loss < 0.05 * 84, `loss ${result.loss}`);
    });
  });

  describe('backprop train', () => {
    it('reads a CSV next to the network file, and prints an error in it as the CSV\'s FILE:LINE:COL', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'backprop-csv-cli-'));
      const file = path.join(dir, 'net.nn.json');
      writeFileSync(file, net({ file: 'points.csv', inputs: ['x1', 'x2'], targets: ['y'] }, { training: { learningRate: 0.01, maxSteps: 5 } }));
      writeFileSync(path.join(dir, 'points.csv'), POINTS);
      const ok = cliRun('train', file, '--json');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(JSON.parse(ok.stdout).steps, 5);
      writeFileSync(path.join(dir, 'points.csv'), 'x1,x2,y\n0,1,1\n2,n/a,5\n');
      const bad = cliRun('train', file);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, `${path.join(dir, 'points.csv')}:3:3: "n/a" is not a number (column "x2")\n`);
      const checked = cliRun('check', file, '--json');
      assert.deepEqual(JSON.parse(checked.stdout).error, { message: '"n/a" is not a number (column "x2")', line: 3, column: 3, file: path.join(dir, 'points.csv') });
    });
  });

  describe('the run', function () {
    this.timeout(30_000);
    it('follows an edit of the data file as an edit of the network: restarts on the new samples, waits on a broken file', async () => {
      const worker = new TrainingWorker(path.join(ROOT, 'out', 'src', 'training', 'worker.js'));
      try {
        const registry = new RunRegistry(worker, () => ({ load: () => undefined, save: () => undefined }));
        const attachment = registry.attach('test:/net.nn.json', '/work/net.nn.json');
        const { run } = attachment;
        const text = net({ file: 'points.csv', inputs: ['x1', 'x2'], targets: ['y'] });
        assert.equal(await run.setText(text, 1, { 'points.csv': POINTS }), 'loaded', run.problem);
        assert.equal(run.structure!.samples, 3);
        assert.equal(await run.setText(text, 1, { 'points.csv': POINTS }), 'kept');
        assert.equal(await run.setText(text, 1, { 'points.csv': `${POINTS}7,7,14\n` }), 'restarted');
        assert.equal(run.structure!.samples, 4);
        assert.equal(run.restartedBecause, 'the data changed');
        assert.equal(await run.setText(text, 1, { 'points.csv': 'x1,x2,y\n0,1,oops\n' }), 'failed');
        assert.equal(run.problem, 'points.csv:2:5: "oops" is not a number (column "y")');
        assert.equal(await run.setText(text, 1, {}), 'failed');
        assert.match(run.problem!, /cannot read "points\.csv": there is no such file/);
        attachment.dispose();
      } finally {
        await worker.dispose();
      }
    });
  });
});

function cliRun(...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { readFile: (p) => readFileSync(p, 'utf8'), writeFile: (p, t) => writeFileSync(p, t), stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}
