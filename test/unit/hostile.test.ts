/**
 * Hostile inputs (issue 24, "bounded work"): every reader fed random bytes and mutated valid files
 * (bytes flipped, cut, inserted, or a field overwritten with a huge number) either loads or throws
 * our positioned error (NetworkFileError, ModelFileError, FormatError), never anything else (no
 * TypeError, RangeError or stack overflow escapes). Each property runs a counted number of cases
 * (fast-check's numRuns), so a hang would fail the suite by never finishing, not by a timer. Then
 * the crafted cases: a 2^40-element tensor, a 1e9-row dim, a zip bomb, 10,000-deep JSON.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import fc from 'fast-check';
import { onnx as proto } from 'onnx-proto';
import { DEFAULT_LIMITS, LIMIT_NAMES, loadNetwork, NetworkFileError, parseLimits, tooDeep } from '../../src/core';
import { networkTextFromModel } from '../../src/core/models/convert';
import { FormatError, type Importer, type LayerActivation } from '../../src/core/models/files';
import { kerasImporter } from '../../src/core/models/keras';
import { onnxBytes, onnxImporter } from '../../src/core/models/onnx';
import { safetensorsImporter } from '../../src/core/models/safetensors';
import { tfjsFiles, tfjsImporter } from '../../src/core/models/tfjs';
import { runCli } from '../../src/cli/commands';
import { randomNetwork } from './arbitraries';
import { examplePath, ROOT } from './helpers';
import { denseModelOf, kerasArchive, kerasFromModel, loadHdf5, METADATA } from './modelFiles';
import { filesOf, network as load } from './modelTesting';

/** Runs per property: enough to find the shallow crashes, few enough to keep the unit suite quick. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 300);

/** Ours: an error with a position (or, for a model, a place), or a FormatError saying why a model cannot be used. */
function isOurs(e: unknown): boolean {
  return e instanceof NetworkFileError || e instanceof FormatError;
}

/** `f()` either returns or throws one of our errors; anything else fails the property with what escaped. */
function loadsOrOurError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isOurs(e)) throw new Error(`escaped: ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

/** A change to a file's bytes: flip one, cut the rest, insert some, or overwrite 4 or 8 with a huge number. */
type Mutation = { kind: 'flip' | 'cut' | 'insert' | 'huge'; at: number; bytes: number[] };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'cut', 'insert', 'huge'),
  at: fc.nat(),
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
});
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

function mutate(input: Uint8Array, changes: readonly Mutation[]): Uint8Array {
  let b = input;
  for (const m of changes) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') { b = b.slice(); b[at] ^= m.bytes[0] || 1; }
    else if (m.kind === 'cut') b = b.slice(0, at);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else { b = b.slice(); for (let i = 0; i < m.bytes.length && at + i < b.length; i++) b[at + i] = 0xff - (i === m.bytes.length - 1 ? 0x80 : 0); }
  }
  return b;
}

/** `value` with the `pick`th of its nested values (in a depth-first walk) replaced by `by`: a file that parses but says something odd. */
function replaceValue(value: unknown, pick: number, by: unknown): unknown {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (n++ === pick) return by;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
const oddValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 1e9, 2 ** 53, 1.5, -0, '', [], {}, [1e9, 1e9], [-1, 2], null, 'constructor', 'toString', '__proto__'));

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** An import end to end: the reader, the network file it makes, and that file loaded. */
function importOf(importer: Importer, name: string, bytes: Uint8Array, siblings: Record<string, Uint8Array> = {}, activations?: LayerActivation[]): void {
  const model = importer.read(filesOf(name, bytes, siblings), { activations });
  loadNetwork(networkTextFromModel(model));
}

const xor = load(readFileSync(examplePath('xor.nn.json'), 'utf8'));
const model = denseModelOf(xor);

describe('hostile inputs: every reader loads or throws our positioned error', function () {
  this.timeout(120_000);
  before(loadHdf5);

  it('a network file: random text, and mutations of random valid networks', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => loadsOrOurError(() => loadNetwork(s))), { numRuns: RUNS });
    fc.assert(fc.property(randomNetwork, mutations, (spec, m) => loadsOrOurError(() => loadNetwork(str(mutate(text(spec.text), m))))), { numRuns: RUNS });
    fc.assert(fc.property(randomNetwork, fc.nat(), oddValue, (spec, pick, by) => loadsOrOurError(() => loadNetwork(JSON.stringify(replaceValue(JSON.parse(spec.text), pick % 40, by))))), { numRuns: RUNS });
  });

  it('a CSV data file: random text, and mutations of points.csv', () => {
    const net = readFileSync(examplePath('points.nn.json'), 'utf8');
    const csv = text(readFileSync(examplePath('points.csv'), 'utf8'));
    const withCsv = (csvText: string): unknown => loadNetwork(net, { readFile: () => csvText });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => loadsOrOurError(() => withCsv(`x1,x2,label\n${s}`))), { numRuns: RUNS });
    fc.assert(fc.property(mutations, (m) => loadsOrOurError(() => withCsv(str(mutate(csv, m))))), { numRuns: RUNS });
  });

  it('an ONNX model: random bytes, and mutations of an exported one', () => {
    const valid = onnxBytes(model, 'xor');
    importOf(onnxImporter, 'xor.onnx', valid);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => loadsOrOurError(() => importOf(onnxImporter, 'x.onnx', b))), { numRuns: RUNS });
    fc.assert(fc.property(mutations, (m) => loadsOrOurError(() => importOf(onnxImporter, 'x.onnx', mutate(valid, m)))), { numRuns: RUNS });
  });

  it('a TensorFlow.js model: mutations of model.json and of its .bin', () => {
    const [json, bin] = tfjsFiles(model, 'xor', 'xor');
    const jsonBytes = typeof json.contents === 'string' ? text(json.contents) : json.contents;
    const binBytes = bin.contents as Uint8Array;
    importOf(tfjsImporter, json.name, jsonBytes, { [bin.name]: binBytes });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => loadsOrOurError(() => importOf(tfjsImporter, 'model.json', b, { [bin.name]: binBytes }))), { numRuns: RUNS });
    fc.assert(fc.property(mutations, (m) => loadsOrOurError(() => importOf(tfjsImporter, json.name, mutate(jsonBytes, m), { [bin.name]: binBytes }))), { numRuns: RUNS });
    fc.assert(fc.property(mutations, (m) => loadsOrOurError(() => importOf(tfjsImporter, json.name, jsonBytes, { [bin.name]: mutate(binBytes, m) }))), { numRuns: RUNS });
    const parsed: unknown = JSON.parse(str(jsonBytes));
    fc.assert(fc.property(fc.nat(), oddValue, (pick, by) => loadsOrOurError(() => importOf(tfjsImporter, json.name, text(JSON.stringify(replaceValue(parsed, pick % 120, by))), { [bin.name]: binBytes }))), { numRuns: RUNS });
  });

  it('a .keras archive: random bytes, and mutations of a saved one', () => {
    const valid = kerasFromModel(model);
    importOf(kerasImporter, 'xor.keras', valid);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0x50, 0x4b, 3, 4, ...b])), (b) => loadsOrOurError(() => importOf(kerasImporter, 'x.keras', b))), { numRuns: RUNS });
    fc.assert(fc.property(mutations, (m) => loadsOrOurError(() => importOf(kerasImporter, 'x.keras', mutate(valid, m)))), { numRuns: RUNS });
  });

  it('a safetensors file: random bytes, and mutations of a valid one', () => {
    const header = { '0.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, '0.bias': { dtype: 'F32', shape: [2], data_offsets: [16, 24] }, '2.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [24, 32] }, '2.bias': { dtype: 'F32', shape: [1], data_offsets: [32, 36] } };
    const h = text(JSON.stringify(header));
    const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 0.5, -0.5, 1, -1, 0.25]).buffer);
    const valid = new Uint8Array(8 + h.length + data.length);
    new DataView(valid.buffer).setBigUint64(0, BigInt(h.length), true);
    valid.set(h, 8);
    valid.set(data, 8 + h.length);
    const acts: LayerActivation[] = ['relu', 'identity'];
    importOf(safetensorsImporter, 'm.safetensors', valid, {}, acts);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => loadsOrOurError(() => importOf(safetensorsImporter, 'm.safetensors', b, {}, acts))), { numRuns: RUNS });
    fc.assert(fc.property(mutations, (m) => loadsOrOurError(() => importOf(safetensorsImporter, 'm.safetensors', mutate(valid, m), {}, acts))), { numRuns: RUNS });
    fc.assert(fc.property(fc.nat(), oddValue, (pick, by) => {
      const odd = text(JSON.stringify(replaceValue(header, pick % 20, by)));
      const b = new Uint8Array(8 + odd.length + data.length);
      new DataView(b.buffer).setBigUint64(0, BigInt(odd.length), true);
      b.set(odd, 8);
      b.set(data, 8 + odd.length);
      loadsOrOurError(() => importOf(safetensorsImporter, 'm.safetensors', b, {}, acts));
    }), { numRuns: RUNS });
  });
});

describe('hostile inputs: crafted cases, each an error at its place', () => {
  before(loadHdf5);

  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('10,000-deep JSON: an error at the bracket past the limit, in a network file and in every JSON a model holds', () => {
    const deep = `{ "inputs": ["x"], "outputs": ["y"], "layers": ${nested(10_000)} }`;
    assert.throws(() => loadNetwork(deep), (e: NetworkFileError) => e instanceof NetworkFileError && /nests more than 64 levels of nesting/.test(e.message) && e.position.offset === deep.indexOf('[[') + DEFAULT_LIMITS.jsonDepth - 1);
    assert.equal(tooDeep(`"${'['.repeat(100)}"`, 3), -1, 'brackets inside a string do not count');
    assert.throws(() => tfjsImporter.read(filesOf('model.json', `{"a": ${nested(10_000)}}`), {}), /nests more than 64/);
    const header = text(`{"a": ${nested(10_000)}}`);
    const st = new Uint8Array(8 + header.length);
    new DataView(st.buffer).setBigUint64(0, BigInt(header.length), true);
    st.set(header, 8);
    assert.throws(() => safetensorsImporter.read(filesOf('m.safetensors', st), { activations: ['relu'] }), (e: NetworkFileError) => /nests more than 64/.test(e.message) && e.format('m.safetensors').includes('byte'));
    assert.throws(() => kerasImporter.read(filesOf('m.keras', kerasArchive({ 'config.json': `{"a": ${nested(10_000)}}`, 'metadata.json': METADATA })), {}), /config.json nests more than 64/);
    // Raised, the same text parses (and fails for what it is, not for its depth).
    assert.throws(() => loadNetwork(deep, { limits: { jsonDepth: 20_000 } }), (e: Error) => e instanceof NetworkFileError && !/nests/.test(e.message));
  });

  it('a declared 2^40-element tensor and a 1e9-row dim: refused before anything is allocated', () => {
    // safetensors: shape [2^20, 2^20] over 36 bytes of data.
    const header = text(JSON.stringify({ '0.weight': { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 4] } }));
    const st = new Uint8Array(8 + header.length + 4);
    new DataView(st.buffer).setBigUint64(0, BigInt(header.length), true);
    st.set(header, 8);
    assert.throws(() => safetensorsImporter.read(filesOf('m.safetensors', st), { activations: ['relu'] }), /declares 1048576 x 1048576 values, more than 10,000,000 elements/);
    // TensorFlow.js: a kernel of 1e9 x 2.
    const [json, bin] = tfjsFiles(model, 'xor', 'xor');
    const manifest = JSON.parse(json.contents as string) as { weightsManifest: { weights: { shape: number[] }[] }[] };
    manifest.weightsManifest[0].weights[0].shape = [1_000_000_000, 2];
    const huge = JSON.stringify(manifest);
    assert.throws(() => tfjsImporter.read(filesOf(json.name, huge, { [bin.name]: bin.contents as Uint8Array }), {}), /declares 1000000000 x 2 = 2000000000 values/);
    // ONNX: weights declared 1e9 x 2 (the bytes say otherwise).
    const onnx = onnxBytes(model, 'xor');
    const m = proto.ModelProto.decode(onnx);
    m.graph!.initializer![0].dims = [1_000_000_000, 2];
    assert.throws(() => onnxImporter.read(filesOf('x.onnx', proto.ModelProto.encode(m).finish()), {}), /declare 1000000000 x 2 = 2000000000 values, more than 10,000,000 elements/);
    m.graph!.initializer![0].dims = [-2, -2];
    assert.throws(() => onnxImporter.read(filesOf('x.onnx', proto.ModelProto.encode(m).finish()), {}), /every dimension must be a whole number/);
    // A network file: units 1e9, 2,000 layers, a generated dataset of 1e9 samples.
    assert.throws(() => loadNetwork('{ "inputs": ["x"], "outputs": ["y"], "layers": [{ "units": 1000000000, "activation": "relu" }, { "units": 1, "activation": "identity" }], "data": [] }'), /layers\[0\]\.units is 1000000000, more than 100,000 units in a layer/);
    const many = `{ "inputs": ["x"], "outputs": ["y"], "layers": [${new Array(2000).fill('{ "units": 1, "activation": "identity" }').join(', ')}], "data": [{ "x": 0, "y": 0 }] }`;
    assert.throws(() => loadNetwork(many), /layers has 2000 layers, more than 1,000 layers/);
    assert.throws(() => loadNetwork('{ "inputs": ["x1", "x2"], "outputs": ["y"], "layers": [{ "units": 1, "activation": "sigmoid" }], "data": { "generate": "xor", "samples": 1000000000 } }'), /samples must be a whole number from 2 to 1,000,000/);
  });

  it('a zip bomb: a member that declares a small size and inflates past it, or declares a huge one, is refused without inflating it', () => {
    const config = text('{}');
    // 5 MB of zeros deflates to ~5 KB; the directory is then edited to declare 1 KB.
    const bomb = zipSync({ 'config.json': config, 'model.weights.h5': new Uint8Array(5_000_000) });
    const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    const lie = (declared: number): Uint8Array => {
      const b = bomb.slice();
      const v = new DataView(b.buffer);
      for (let at = 0; at + 4 <= b.length; at++) {
        if (v.getUint32(at, true) === 0x02014b50 && str(b.subarray(at + 46, at + 46 + v.getUint16(at + 28, true))) === 'model.weights.h5') v.setUint32(at + 24, declared, true);
      }
      return b;
    };
    assert.ok(view.byteLength < 1_000_000);
    assert.throws(() => kerasImporter.read(filesOf('m.keras', lie(1024)), {}), /model\.weights\.h5 is damaged: it inflates past the 1,024 bytes its size declares/);
    assert.throws(() => kerasImporter.read(filesOf('m.keras', lie(4_000_000_000)), {}), /would inflate to 4,000,000,000 bytes, past 500,000,000 bytes/);
    // As it is, the bomb is within the limits until they are lowered.
    assert.throws(() => kerasImporter.read(filesOf('m.keras', bomb), { limits: { ...DEFAULT_LIMITS, zipBytes: 1_000_000 } }), /past 1,000,000 inflated bytes/);
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) entries[`f${i}`] = new Uint8Array(1);
    assert.throws(() => kerasImporter.read(filesOf('m.keras', zipSync(entries)), { limits: { ...DEFAULT_LIMITS, zipEntries: 10 } }), /has 20 members, more than 10 entries/);
  });

  it('NaN and infinite weights: an error at the tensor, in every format', () => {
    const bad = { ...model, layers: model.layers.map((l, i) => (i === 0 ? { ...l, weights: Float64Array.from(l.weights, (v, k) => (k === 1 ? NaN : v)) } : l)) };
    const onnx = onnxBytes({ ...model, layers: model.layers.map((l) => ({ ...l })) }, 'xor');
    const m = proto.ModelProto.decode(onnx);
    const raw = m.graph!.initializer![0].rawData!;
    new DataView(raw.buffer, raw.byteOffset, raw.byteLength).setFloat32(4, Infinity, true);
    assert.throws(() => onnxImporter.read(filesOf('x.onnx', proto.ModelProto.encode(m).finish()), {}), (e: NetworkFileError) => /holds Infinity at index 1: every weight must be a finite number/.test(e.message) && /byte \d+/.test(e.format('x.onnx')));
    const [json, bin] = tfjsFiles(model, 'xor', 'xor');
    const binBytes = (bin.contents as Uint8Array).slice();
    new DataView(binBytes.buffer).setFloat32(0, NaN, true);
    assert.throws(() => tfjsImporter.read(filesOf(json.name, json.contents, { [bin.name]: binBytes }), {}), (e: NetworkFileError) => /holds NaN at index 0/.test(e.message) && /model\.json:\d+:\d+/.test(e.format('xor.model.json')));
    const badKeras = kerasFromModel(bad);
    assert.throws(() => kerasImporter.read(filesOf('m.keras', badKeras), {}), /holds NaN at index/);
    const header = text(JSON.stringify({ '0.weight': { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] }, '0.bias': { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }));
    const st = new Uint8Array(8 + header.length + 8);
    const v = new DataView(st.buffer);
    v.setBigUint64(0, BigInt(header.length), true);
    st.set(header, 8);
    v.setFloat32(8 + header.length, -Infinity, true);
    assert.throws(() => safetensorsImporter.read(filesOf('m.safetensors', st), { activations: ['identity'] }), /holds -Infinity at index 0/);
    assert.throws(() => loadNetwork('{ "inputs": ["x"], "outputs": ["y"], "layers": [{ "units": 1, "activation": "identity", "weights": [[1e999]] }], "data": [{ "x": 0, "y": 0 }] }'), /too large to be a finite number/);
  });

  it('a data file past the limits: its bytes, columns and rows, each at its place', () => {
    const net = '{ "inputs": ["a"], "outputs": ["b"], "layers": [{ "units": 1, "activation": "identity" }], "data": { "file": "d.csv", "inputs": ["a"], "targets": ["b"] } }';
    const withCsv = (csv: string, limits = {}): unknown => loadNetwork(net, { readFile: () => csv, limits });
    assert.throws(() => withCsv('a,b\n1,2\n3,4\n5,6\n', { samples: 2 }), (e: NetworkFileError) => /more than 2 samples/.test(e.message) && e.file === 'd.csv' && e.position.line === 4);
    assert.throws(() => withCsv(`a,b,${Array.from({ length: 20 }, (_, i) => `c${i}`).join(',')}\n1,2${',0'.repeat(20)}\n`, { dataColumns: 10 }), (e: NetworkFileError) => /names 22 columns, more than 10 columns/.test(e.message) && e.position.line === 1);
    assert.throws(() => withCsv('a,b\n1,2\n', { dataFileBytes: 5 }), /the file is 8 characters, more than 5 characters/);
    assert.throws(() => loadNetwork('{ "inputs": ["a"], "outputs": ["b"], "layers": [{ "units": 1, "activation": "identity" }], "data": [{ "a": 1, "b": 1 }, { "a": 2, "b": 2 }, { "a": 3, "b": 3 }] }', { limits: { samples: 2 } }), /data has 3 samples, more than 2 samples/);
  });

  it('the CLI takes --limits on every command: lowered, a file past them is refused at its place; raised, it loads', () => {
    const file = examplePath('xor.nn.json');
    const run = (...args: string[]): { code: number; out: string; err: string } => {
      let out = '';
      let err = '';
      const code = runCli(args, { readFile: (p) => readFileSync(p, 'utf8'), writeFile: () => undefined, readBytes: (p) => readFileSync(p), stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
      return { code, out, err };
    };
    assert.equal(run('check', file).code, 0);
    const low = run('check', file, '--limits', 'parameters=5');
    assert.equal(low.code, 1);
    assert.match(low.err, /xor\.nn\.json:\d+:\d+: layers\[0\] takes the network past 5 parameters/);
    assert.equal(run('check', file, '--limits', 'parameters=5000000,layers=2').code, 0);
    assert.match(run('train', file, '--limits', 'paramters=5').err, /malformed --limits 'paramters=5': unknown limit "paramters"/);
  });

  it('limits: one table, checked names and values, the CLI text, and the setting in package.json with the same defaults', () => {
    assert.deepEqual(parseLimits('parameters=20000000, samples=2e6'), { parameters: 20_000_000, samples: 2_000_000 });
    assert.throws(() => parseLimits('paramters=5'), /unknown limit "paramters"/);
    assert.throws(() => parseLimits('samples=0'), /whole number, 1 or more/);
    assert.throws(() => parseLimits('samples'), /not name=value/);
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { properties: Record<string, { default: number }> }> } };
      capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
    };
    const setting = pkg.contributes.configuration.properties['backprop.limits'].properties;
    assert.deepEqual(Object.keys(setting), LIMIT_NAMES);
    for (const name of LIMIT_NAMES) assert.equal(setting[name].default, DEFAULT_LIMITS[name], name);
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('backprop.limits'));
    const docs = readFileSync(`${ROOT}/docs/security.md`, 'utf8');
    for (const name of LIMIT_NAMES) assert.match(docs, new RegExp(`\\| \`${name}\` \\| ${DEFAULT_LIMITS[name].toLocaleString('en-US')} \\|`), name);
  });
});
