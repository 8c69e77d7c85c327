/**
 * Models in and out: a network to a dense model and back, ONNX and TensorFlow.js files read and
 * written, checked against ONNX Runtime and TensorFlow.js themselves, and a positioned error for
 * every kind of bad file. Every file is built here (no downloads).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as fc from 'fast-check';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { loadNetwork, type Network, NetworkFileError } from '../../src/core';
import { modelFromNetwork, networkTextFromModel, shortestFloat32 } from '../../src/core/models/convert';
import {
  EXPORTERS, exporterFor, FormatError, IMPORTERS, importerFor, ModelFileError, networkNameFor, parseActivations,
} from '../../src/core/models/formats';
import { onnxExporter, readOnnx } from '../../src/core/models/onnx';
import { readTfjs, tfjsExporter } from '../../src/core/models/tfjs';
import { EXAMPLES, loadExample } from './helpers';
import { EVERY_ACTIVATION, filesOf, forward, network, onnxModel, rawInputs, tensor, trainedParameters } from './modelTesting';

const bytesOf = (contents: Uint8Array | string): Uint8Array => (typeof contents === 'string' ? new TextEncoder().encode(contents) : contents);

/** The error `read` throws: a ModelFileError whose line, formatted for the model `name`, matches `line`. */
function refuses(name: string, read: () => unknown, line: RegExp): ModelFileError {
  try {
    read();
  } catch (e) {
    assert.ok(e instanceof ModelFileError, `expected a ModelFileError, got ${(e as Error).stack}`);
    assert.match(e.format(name), line);
    return e;
  }
  assert.fail('the file was read');
}

/** A network through `exporter` and read back by `read`: the text of the imported network. */
function exportAndImport(net: Network, parameters: Float64Array, exporter: typeof onnxExporter, read: (files: Record<string, Uint8Array | string>) => ReturnType<typeof readOnnx>): Network {
  const files = exporter.write(net, parameters, { steps: 0, baseName: 'net' });
  const map = Object.fromEntries(files.map((f) => [f.name, f.contents]));
  return loadNetwork(networkTextFromModel(read(map)));
}

const NETWORKS = (): [string, Network][] => [...EXAMPLES.map((e) => [e, loadExample(e)] as [string, Network]), ['every activation', network(EVERY_ACTIVATION)]];
/** TensorFlow.js's ELU takes alpha 1 only, and its layers cannot load their tanh GELU. */
const TFJS_NETWORKS = (): [string, Network][] => NETWORKS().map(([name, net]) => [name, name === 'every activation' ? network(EVERY_ACTIVATION.replace('"alpha": 0.7', '"alpha": 1').replace('"gelu"', '"relu"')) : net]);

describe('models', () => {
  describe('convert', () => {
    it('a network -> a dense model -> network text gives back every parameter exactly, with its activations and columns', () => {
      for (const [name, net] of NETWORKS()) {
        if (net.normalization) continue;
        const params = trainedParameters(net);
        const back = loadNetwork(networkTextFromModel(modelFromNetwork(net, params)));
        assert.deepEqual(Array.from(back.initialParameters), Array.from(params), name);
        assert.deepEqual(back.layers.map((l) => [l.units, l.activation, l.activationParam]), net.layers.map((l) => [l.units, l.activation, l.activationParam]), name);
        assert.deepEqual([back.inputNames, back.outputNames, back.loss === 'cross-entropy'], [net.inputNames, net.outputNames, net.loss === 'cross-entropy'], name);
      }
    });

    it('folds a normalization into the first layer: the model on the raw data computes what the network does', () => {
      const net = network(EVERY_ACTIVATION);
      assert.ok(net.normalization);
      const params = trainedParameters(net);
      const text = networkTextFromModel(modelFromNetwork(net, params)).replace('"targets": [[', '"targets_": [[');
      const placeholder = loadNetwork(text.replace('"targets_": [[', '"targets": [['));
      // The imported network (no normalize) on the raw inputs, with the file's targets.
      const raw = Array.from({ length: net.data.samples }, (_, i) => Array.from(rawInputs(net).subarray(i * 3, i * 3 + 3)));
      const targets = Array.from({ length: net.data.samples }, (_, i) => Array.from(net.data.targets.subarray(i * 3, i * 3 + 3)));
      const imported = loadNetwork(JSON.stringify({ ...JSON.parse(text.replace('"targets_": [[', '"targets": [[')), data: { inputs: raw, targets } }));
      const ours = forward(net, params);
      const theirs = forward(imported, imported.initialParameters);
      ours.forEach((v, i) => assert.ok(Math.abs(v - theirs[i]) < 1e-12, `output ${i}: ${v} vs ${theirs[i]}`));
      assert.equal(placeholder.data.samples, 1);
    });

    it('writes a placeholder sample that loads: the origin, labelled with the model\'s own output (its class for a softmax)', () => {
      const net = loadExample('classifier.nn.json');
      const text = networkTextFromModel(modelFromNetwork(net, net.initialParameters));
      const back = loadNetwork(text);
      assert.deepEqual(Array.from(back.data.inputs), [0, 0]);
      assert.equal(Array.from(back.data.targets).reduce((a, b) => a + b, 0), 1);
      assert.match(back.description, /placeholder/);
      // Its class is the largest score at the origin.
      const scores = forward({ ...back, loss: 'mse' }, back.initialParameters);
      assert.equal(back.data.targets.indexOf(1), scores.indexOf(Math.max(...scores)));
    });

    it('writes float32 values as the shortest decimal that reads back as the same float32', () => {
      fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = shortestFloat32(v);
        assert.equal(Math.fround(Number(text)), Object.is(v, -0) ? 0 : v);
        // At most 9 significant digits: float32's round-trip maximum.
        assert.ok(text.replace(/^-|e.*$|\./g, '').replace(/^0+|0+$/g, '').length <= 9, text);
      }));
      assert.equal(shortestFloat32(Math.fround(0.1)), '0.1');
    });
  });

  describe('registry', () => {
    it('picks the importer by extension and says what it reads otherwise', () => {
      assert.equal(importerFor('nets/mlp.ONNX').id, 'onnx');
      assert.equal(importerFor('web/model.json').id, 'tfjs');
      assert.throws(() => importerFor('mlp.pt'), (e: Error) => e instanceof FormatError && /cannot import mlp\.pt: .*ONNX \(\.onnx\), TensorFlow\.js \(\.json\)/.test(e.message));
      assert.throws(() => importerFor('xor.nn.json'), /is a network file already/);
      assert.deepEqual([networkNameFor('a/mlp.onnx', importerFor('mlp.onnx')), networkNameFor('m.model.json', importerFor('m.model.json'))], ['a/mlp.nn.json', 'm.nn.json']);
    });

    it('names the exporters it has, and says a known format is not in this build', () => {
      assert.equal(exporterFor('onnx'), onnxExporter);
      assert.throws(() => exporterFor('onxx'), /unknown format 'onxx': Backprop Debugger exports onnx, tfjs/);
      assert.throws(() => exporterFor('pytorch', EXPORTERS.filter((e) => e.id !== 'pytorch')), /cannot export pytorch yet: it exports onnx, tfjs/);
      assert.ok(IMPORTERS.every((i) => i.extensions.every((e) => e.startsWith('.'))));
    });

    it('reads a list of activations, pointing at the first that is not one', () => {
      assert.deepEqual(parseActivations('relu, Relu,identity'), ['relu', 'relu', 'identity']);
      assert.throws(() => parseActivations('relu,rellu,identity'), /column 6: "rellu" is not an activation/);
      assert.throws(() => parseActivations('relu,,identity'), /column 6: an activation is missing/);
    });

    it('takes softmax as the last activation only (the softmax output with cross-entropy, as the other formats\' softmax)', () => {
      assert.deepEqual(parseActivations('relu, Softmax'), ['relu', 'softmax']);
      assert.throws(() => parseActivations('relu, softmax,identity'), /^FormatError: column 7: softmax can only be the last layer's \(the network's output, with cross-entropy\); this is layer 2 of 3$/);
    });

    it('formats a model file\'s error as a network file\'s: the file (or its member, or a file beside it), then the place', () => {
      const text = '{\n  "layers": [\n    {"class_name": "Conv2D"}';
      const cases: [ModelFileError, string][] = [
        [new ModelFileError('empty'), 'web/m.onnx: empty'],
        [new ModelFileError('no member', { member: 'config.json' }), 'web/m.onnx/config.json: no member'],
        [new ModelFileError('conv', { text, offset: text.indexOf('"class_name"'), length: 12 }), 'web/m.onnx:3:6: conv'],
        [new ModelFileError('conv', { text, offset: text.indexOf('"class_name"'), member: 'config.json' }), 'web/m.onnx/config.json:3:6: conv'],
        [new ModelFileError('cut', { byte: 1024 }), 'web/m.onnx: byte 1024: cut'],
        [new ModelFileError('not hdf5', { byte: 0, member: 'model.weights.h5' }), 'web/m.onnx/model.weights.h5: byte 0: not hdf5'],
        [new ModelFileError('no kernel', { hdf5: 'layers/dense/vars', member: 'model.weights.h5' }), 'web/m.onnx/model.weights.h5: layers/dense/vars: no kernel'],
        [new ModelFileError('short', { byte: 48 }, 'shards/w.bin'), 'web/shards/w.bin: byte 48: short'],
      ];
      for (const [e, line] of cases) assert.equal(e.format('web/m.onnx'), line);
      assert.equal(new ModelFileError('short', { byte: 48 }, 'shards/w.bin').format('C:\\m\\m.json'), 'C:\\m\\shards\\w.bin: byte 48: short', 'a file beside the model, with the model path\'s separator');
      const e = cases[2][0];
      assert.ok(e instanceof NetworkFileError);
      assert.deepEqual([e.position.line, e.position.column, e.position.length, e.place.kind], [3, 6, 12, 'text']);
      assert.equal(e.inNetworkFile(), e, 'a model\'s error is never moved into a network file');
    });
  });

  describe('ONNX', () => {
    it('exports what ONNX Runtime computes to within 1e-5 of our forward pass on the file\'s data, for every example and every activation', async () => {
      for (const [name, net] of NETWORKS()) {
        const params = trainedParameters(net);
        const [file] = onnxExporter.write(net, params, { steps: 0, baseName: 'net' });
        assert.equal(file.name, 'net.onnx');
        const session = await ort.InferenceSession.create(bytesOf(file.contents));
        const nIn = net.inputNames.length;
        const { output } = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rawInputs(net)), [net.data.samples, nIn]) });
        assert.deepEqual(output.dims, [net.data.samples, net.outputNames.length], name);
        const ours = forward(net, params);
        (output.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - ours[i]) <= 1e-5, `${name} output ${i}: ONNX Runtime ${v}, ours ${ours[i]}`));
        await session.release();
      }
    });

    it('import -> export -> import gives back the same float32 values', () => {
      const net = network(EVERY_ACTIVATION);
      const params = Float64Array.from(trainedParameters(net), (v) => Math.fround(v));
      const [first] = onnxExporter.write(net, params, { steps: 0, baseName: 'net' });
      const imported = loadNetwork(networkTextFromModel(readOnnx(bytesOf(first.contents), 'net.onnx')));
      assert.deepEqual(imported.layers.map((l) => [l.activation, Math.fround(l.activationParam)]), net.layers.map((l) => [l.activation, Math.fround(l.activationParam)]));
      assert.deepEqual(imported.inputNames, net.inputNames);
      const [second] = onnxExporter.write(imported, imported.initialParameters, { steps: 0, baseName: 'net' });
      const again = readOnnx(bytesOf(second.contents), 'net.onnx');
      const firstModel = readOnnx(bytesOf(first.contents), 'net.onnx');
      again.layers.forEach((l, i) => {
        assert.deepEqual(Array.from(l.weights), Array.from(firstModel.layers[i].weights));
        assert.deepEqual(Array.from(l.biases), Array.from(firstModel.layers[i].biases));
      });
    });

    it('reads MatMul + Add (PyTorch\'s layout transposed), Gemm without transB, Flatten, Identity, a Constant, float_data and float64 weights', () => {
      const bytes = onnxModel({
        inputShape: ['N', 1, 2],
        nodes: [
          { op: 'Flatten', inputs: ['x'], output: 'flat' },
          { op: 'MatMul', inputs: ['flat', 'W1'], output: 'mm', name: 'fc1' },
          { op: 'Add', inputs: ['b1', 'mm'], output: 'z1' },
          { op: 'Tanh', inputs: ['z1'], output: 'h1' },
          { op: 'Constant', inputs: [], output: 'W2', attributes: {} },
          { op: 'Gemm', inputs: ['h1', 'W2', 'b2'], output: 'z2', attributes: { transB: 0, alpha: 1, beta: 1 } },
          { op: 'Identity', inputs: ['z2'], output: 'y' },
        ],
        initializers: [tensor('W1', [2, 3], [1, 2, 3, 4, 5, 6], 'float32', 'typed'), tensor('b1', [3], [0.5, -0.5, 0.25], 'float64', 'raw'), tensor('b2', [1, 2], [0.1, 0.2], 'float64', 'typed')],
        output: 'y',
      });
      // The Constant's value: patched in as an attribute tensor (the writer above gives no tensors to attributes).
      const withConstant = constantNode(bytes, 'W2', [3, 2], [1, 0, 0, 1, 1, 1]);
      const model = readOnnx(withConstant, 'mm.onnx');
      assert.equal(model.inputs, 2);
      assert.deepEqual(model.layers.map((l) => [l.name, l.units, l.inputs, l.activation]), [['fc1', 3, 2, 'tanh'], ['W2', 2, 3, 'identity']]);
      assert.deepEqual(Array.from(model.layers[0].weights), [1, 4, 2, 5, 3, 6]);
      assert.deepEqual(Array.from(model.layers[0].biases), [0.5, -0.5, 0.25]);
      assert.deepEqual(Array.from(model.layers[1].weights), [1, 0, 1, 0, 1, 1]);
      assert.deepEqual(Array.from(model.layers[1].biases), [0.1, 0.2]);
      assert.equal(model.float32, false);
      assert.equal(loadNetwork(networkTextFromModel(model)).parameterCount, 6 + 3 + 6 + 2);
    });

    it('reads an opset-11 Softmax (axis 1) as the cross-entropy output', () => {
      const model = readOnnx(onnxModel({
        inputShape: ['N', 2], opset: 11,
        nodes: [{ op: 'Gemm', inputs: ['x', 'W', 'b'], output: 'z', attributes: { transB: 1 } }, { op: 'Softmax', inputs: ['z'], output: 'p', attributes: { axis: 1 } }],
        initializers: [tensor('W', [3, 2], [1, 2, 3, 4, 5, 6]), tensor('b', [3], [0, 0, 0])],
        output: 'p',
      }), 'cls.onnx');
      assert.equal(model.softmax, true);
      const text = networkTextFromModel(model);
      assert.equal(loadNetwork(text).loss, 'cross-entropy');
      assert.deepEqual(loadNetwork(text).outputNames, ['class1', 'class2', 'class3']);
    });

    describe('refuses', () => {
      const dense = (extra: Partial<Parameters<typeof onnxModel>[0]> = {}): Uint8Array => onnxModel({
        inputShape: ['N', 2],
        nodes: [
          { op: 'Gemm', inputs: ['x', 'W1', 'b1'], output: 'h', name: 'fc1', attributes: { transB: 1 } },
          { op: 'Relu', inputs: ['h'], output: 'a' },
          { op: 'Gemm', inputs: ['a', 'W2', 'b2'], output: 'y', name: 'fc2', attributes: { transB: 1 } },
        ],
        initializers: [tensor('W1', [3, 2], [1, 2, 3, 4, 5, 6]), tensor('b1', [3], [0, 0, 0]), tensor('W2', [1, 3], [1, 1, 1]), tensor('b2', [1], [0])],
        output: 'y',
        ...extra,
      });

      it('reads the valid model the cases below break', () => {
        assert.deepEqual(readOnnx(dense(), 'ok.onnx').layers.map((l) => [l.name, l.activation]), [['fc1', 'relu'], ['fc2', 'identity']]);
      });

      it('a Conv node, by name, operator and index, at its byte', () => {
        const bytes = onnxModel({
          inputShape: ['N', 1, 8, 8],
          nodes: [{ op: 'Flatten', inputs: ['x'], output: 'f' }, { op: 'Gemm', inputs: ['f', 'W', 'b'], output: 'h', attributes: { transB: 1 } }, { op: 'Relu', inputs: ['h'], output: 'r' }, { op: 'Conv', inputs: ['r', 'K'], output: 'c', name: 'conv1' }],
          initializers: [tensor('W', [2, 64], new Array(128).fill(0)), tensor('b', [2], [0, 0]), tensor('K', [1, 1, 3, 3], new Array(9).fill(0))],
          output: 'c',
        });
        const e = refuses('cnn.onnx', () => readOnnx(bytes, 'cnn.onnx'), /^cnn\.onnx: byte \d+: node 'conv1' \(Conv\) at index 3: only dense layers can be imported/);
        // The byte is where the node's field starts: its name follows within a few bytes.
        const near = new TextDecoder('latin1').decode(bytes.subarray(e.byte!, e.byte! + 40));
        assert.match(near, /conv1/);
      });

      it('an operator it does not read', () => {
        const bytes = dense({ nodes: [{ op: 'Gemm', inputs: ['x', 'W1', 'b1'], output: 'h', name: 'fc1', attributes: { transB: 1 } }, { op: 'Cos', inputs: ['h'], output: 'y', name: 'wave' }], output: 'y' });
        refuses('odd.onnx', () => readOnnx(bytes, 'odd.onnx'), /node 'wave' \(Cos\) at index 1: Cos is not an operator Backprop Debugger can import: it reads Gemm or MatMul \+ Add/);
      });

      it('weights whose inputs differ from the units of the layer before', () => {
        const bytes = dense({ initializers: [tensor('W1', [3, 2], [1, 2, 3, 4, 5, 6]), tensor('b1', [3], [0, 0, 0]), tensor('W2', [1, 4], [1, 1, 1, 1]), tensor('b2', [1], [0])] });
        refuses('dims.onnx', () => readOnnx(bytes, 'dims.onnx'), /node 'fc2' \(Gemm\) at index 2: its weights 'W2' \(1 x 4\) take 4 inputs but the layer before has 3 units/);
      });

      it('weights that the graph input\'s width contradicts', () => {
        refuses('in.onnx', () => readOnnx(dense({ inputShape: ['N', 5] }), 'in.onnx'), /node 'fc1' \(Gemm\) at index 0: its weights 'W1' \(3 x 2\) take 2 inputs but the graph's input has 5 features/);
      });

      it('a missing initializer', () => {
        const bytes = dense({ initializers: [tensor('W1', [3, 2], [1, 2, 3, 4, 5, 6]), tensor('b1', [3], [0, 0, 0]), tensor('b2', [1], [0])], inputs: ['x', 'W2'] });
        refuses('noinit.onnx', () => readOnnx(bytes, 'noinit.onnx'), /the graph has 2 inputs \('x', 'W2'\): a dense network takes one vector/);
        const alone = dense({ initializers: [tensor('W1', [3, 2], [1, 2, 3, 4, 5, 6]), tensor('b1', [3], [0, 0, 0]), tensor('b2', [1], [0])] });
        refuses('noinit.onnx', () => readOnnx(alone, 'noinit.onnx'), /node 'fc2' \(Gemm\) at index 2: its weights 'W2' are not an initializer of the graph/);
      });

      it('a file cut short, at the byte where it ends', () => {
        const whole = dense();
        const cut = whole.subarray(0, whole.length - 30);
        refuses('cut.onnx', () => readOnnx(cut, 'cut.onnx'), /^cut\.onnx: (byte \d+: the file ends in the middle of a field|byte \d+: node|the graph)/);
        refuses('cut.onnx', () => readOnnx(whole.subarray(0, 20), 'cut.onnx'), /^cut\.onnx: byte \d+: the file ends in the middle of a field that needs \d+ more bytes? \(it has 20\)/);
      });

      it('raw data of the wrong length for its dims', () => {
        const bytes = dense({ initializers: [tensor('W1', [3, 2], [1, 2, 3, 4, 5]), tensor('b1', [3], [0, 0, 0]), tensor('W2', [1, 3], [1, 1, 1]), tensor('b2', [1], [0])] });
        refuses('short.onnx', () => readOnnx(bytes, 'short.onnx'), /node 'fc1' \(Gemm\) at index 0: its weights 'W1' hold 20 bytes but 3 x 2 float32 values need 24/);
      });

      it('integer weights, external data, a Gemm that scales, a second activation, a branch, an empty file and bytes that are not ONNX', () => {
        refuses('i.onnx', () => readOnnx(dense({ initializers: [{ ...tensor('W1', [3, 2], [1, 2, 3, 4, 5, 6]), type: 'int64' }, tensor('b1', [3], [0, 0, 0]), tensor('W2', [1, 3], [1, 1, 1]), tensor('b2', [1], [0])] }), 'i.onnx'),
          /its weights 'W1' are INT64: only float32 and float64 weights can be imported/);
        refuses('x.onnx', () => readOnnx(dense({ initializers: [{ ...tensor('W1', [3, 2], []), external: true }, tensor('b1', [3], [0, 0, 0]), tensor('W2', [1, 3], [1, 1, 1]), tensor('b2', [1], [0])] }), 'x.onnx'),
          /its weights 'W1' are kept in an external data file/);
        const scaled = dense({ nodes: [{ op: 'Gemm', inputs: ['x', 'W1', 'b1'], output: 'y', name: 'fc1', attributes: { transB: 1, alpha: 0.5 } }], output: 'y' });
        refuses('s.onnx', () => readOnnx(scaled, 's.onnx'), /node 'fc1' \(Gemm\) at index 0: alpha = 0\.5: only Gemm with alpha and beta 1/);
        const twice = dense({ nodes: [{ op: 'Gemm', inputs: ['x', 'W1', 'b1'], output: 'h', attributes: { transB: 1 } }, { op: 'Relu', inputs: ['h'], output: 'r' }, { op: 'Tanh', inputs: ['r'], output: 'y' }], output: 'y' });
        refuses('t.onnx', () => readOnnx(twice, 't.onnx'), /node \(Tanh\) at index 2: a second activation after relu cannot be part of one dense layer/);
        const branch = dense({ nodes: [{ op: 'Gemm', inputs: ['x', 'W1', 'b1'], output: 'h', attributes: { transB: 1 } }, { op: 'Relu', inputs: ['x'], output: 'y' }], output: 'y' });
        refuses('b.onnx', () => readOnnx(branch, 'b.onnx'), /node \(Relu\) at index 1: it takes 'x', which is not the output of the node before it \('h'\)/);
        refuses('empty.onnx', () => readOnnx(new Uint8Array(0), 'empty.onnx'), /^empty\.onnx: the file is empty/);
        refuses('json.onnx', () => readOnnx(new TextEncoder().encode('{"inputs": ["x"]}'), 'json.onnx'), /^json\.onnx: (byte \d+: )?(not an ONNX model|no graph of nodes|the file ends)/);
      });
    });
  });

  describe('TensorFlow.js', () => {
    before(async () => {
      const warn = console.warn;
      console.warn = () => undefined;
      try {
        await tf.setBackend('cpu');
        await tf.ready();
        // The CPU backend's advice to install tfjs-node comes with its first tensor.
        tf.tidy(() => tf.add(1, 1).dataSync());
      } finally {
        console.warn = warn;
      }
    });

    /** tf.loadLayersModel over the exported files, reading the weight paths its manifest names, as loading from files does. */
    async function loadInTensorFlow(files: { name: string; contents: Uint8Array | string }[]): Promise<tfl.LayersModel> {
      const byName = new Map(files.map((f) => [f.name, bytesOf(f.contents)]));
      const json = JSON.parse(new TextDecoder().decode(byName.get(files[0].name)));
      return tfl.loadLayersModel({
        load: async () => {
          const parts = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => byName.get(p)!));
          const all = new Uint8Array(parts.reduce((n: number, p: Uint8Array) => n + p.length, 0));
          let at = 0;
          for (const p of parts) { all.set(p, at); at += p.length; }
          return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: all.buffer };
        },
      });
    }

    it('exports what TensorFlow.js computes to within 1e-5 of our forward pass on the file\'s data, for every example and every activation', async () => {
      for (const [name, net] of TFJS_NETWORKS()) {
        const params = trainedParameters(net);
        const files = tfjsExporter.write(net, params, { steps: 0, baseName: 'net' });
        assert.deepEqual(files.map((f) => f.name), ['net.model.json', 'net.weights.bin']);
        const model = await loadInTensorFlow(files);
        const nIn = net.inputNames.length;
        const y = tf.tidy(() => (model.predict(tf.tensor2d(Float32Array.from(rawInputs(net)), [net.data.samples, nIn])) as tf.Tensor).dataSync());
        const ours = forward(net, params);
        assert.equal(y.length, ours.length, name);
        y.forEach((v, i) => assert.ok(Math.abs(v - ours[i]) <= 1e-5, `${name} output ${i}: TensorFlow.js ${v}, ours ${ours[i]}`));
        model.dispose();
      }
    });

    it('refuses, by layer, an ELU alpha and a GELU that TensorFlow.js cannot load', () => {
      const net = network(EVERY_ACTIVATION);
      assert.throws(() => tfjsExporter.write(net, net.initialParameters, { steps: 0, baseName: 'net' }), (e: Error) => e instanceof FormatError && /layer 2 is ELU with alpha 0\.7, and TensorFlow\.js's ELU takes only alpha 1/.test(e.message));
      const gelu = network(EVERY_ACTIVATION.replace('"alpha": 0.7', '"alpha": 1'));
      assert.throws(() => tfjsExporter.write(gelu, gelu.initialParameters, { steps: 0, baseName: 'net' }), /layer 3 is GELU, which TensorFlow\.js's layers name but cannot load/);
    });

    it('import -> export -> import gives back the same float32 values and the columns', () => {
      const net = TFJS_NETWORKS().find(([name]) => name === 'every activation')![1];
      const params = trainedParameters(net);
      const read = (map: Record<string, Uint8Array | string>): ReturnType<typeof readTfjs> => readTfjs(filesOf('net.model.json', map['net.model.json'], map));
      const first = exportAndImport(net, params, tfjsExporter, read);
      assert.deepEqual(first.layers.map((l) => [l.activation, Math.fround(l.activationParam)]), net.layers.map((l) => [l.activation, Math.fround(l.activationParam)]));
      assert.deepEqual([first.inputNames, first.outputNames, first.loss], [net.inputNames, net.outputNames, 'cross-entropy']);
      const second = exportAndImport(first, first.initialParameters, tfjsExporter, read);
      assert.deepEqual(Array.from(second.initialParameters), Array.from(first.initialParameters));
    });

    it('reads a Keras-style model: InputLayer, Dense without bias, Activation, LeakyReLU and Dropout layers, names prefixed by the model', () => {
      const kernel1 = [1, 2, 3, 4, 5, 6]; // 2 inputs x 3 units
      const kernel2 = [1, -1, 0.5];
      const bin = new Uint8Array(new Float32Array([...kernel1, ...kernel2, 0.25]).buffer);
      const json = {
        format: 'layers-model',
        modelTopology: {
          class_name: 'Sequential', config: { name: 'seq', layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 2], name: 'in' } },
            { class_name: 'Dense', config: { name: 'hidden', units: 3, activation: 'linear', use_bias: false } },
            { class_name: 'LeakyReLU', config: { name: 'lr', alpha: 0.1 } },
            { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } },
            { class_name: 'Dense', config: { name: 'out', units: 1, activation: 'linear' } },
            { class_name: 'Activation', config: { name: 'act', activation: 'sigmoid' } },
          ] },
        },
        weightsManifest: [{ paths: ['w.bin'], weights: [
          { name: 'seq/hidden/kernel', shape: [2, 3], dtype: 'float32' }, { name: 'seq/out/kernel', shape: [3, 1], dtype: 'float32' }, { name: 'seq/out/bias', shape: [1], dtype: 'float32' },
        ] }],
      };
      const model = readTfjs(filesOf('web/model.json', JSON.stringify(json), { 'w.bin': bin }));
      assert.deepEqual(model.layers.map((l) => [l.name, l.units, l.activation, l.activationParam === undefined ? null : Math.fround(l.activationParam)]), [['hidden', 3, 'leaky-relu', Math.fround(0.1)], ['out', 1, 'sigmoid', null]]);
      assert.deepEqual(Array.from(model.layers[0].weights), [1, 4, 2, 5, 3, 6]);
      assert.deepEqual(Array.from(model.layers[0].biases), [0, 0, 0]);
      assert.deepEqual(Array.from(model.layers[1].biases), [0.25]);
      assert.equal(model.source, 'TensorFlow.js model model.json');
    });

    describe('refuses', () => {
      const net = loadExample('xor.nn.json');
      const files = (): Record<string, Uint8Array | string> => Object.fromEntries(tfjsExporter.write(net, net.initialParameters, { steps: 0, baseName: 'xor' }).map((f) => [f.name, f.contents]));
      const read = (map: Record<string, Uint8Array | string>, name = 'xor.model.json'): unknown => readTfjs(filesOf(`web/${name}`, map[name], map));
      const edit = (change: (json: any) => void): Record<string, Uint8Array | string> => {
        const map = files();
        const json = JSON.parse(map['xor.model.json'] as string);
        change(json);
        map['xor.model.json'] = JSON.stringify(json, null, 2);
        return map;
      };

      it('a missing .bin, at its name in model.json', () => {
        const map = files();
        delete map['xor.weights.bin'];
        const e = refuses('web/xor.model.json', () => read(map), /^web\/xor\.model\.json:(\d+):(\d+): the weights file 'xor\.weights\.bin' named here is not there \(web\/xor\.weights\.bin\)/);
        const line = (map['xor.model.json'] as string).split('\n')[e.position.line - 1];
        assert.equal(line.slice(e.position.column - 1, e.position.column - 1 + '"xor.weights.bin"'.length), '"xor.weights.bin"');
      });

      it('a weights path that leaves model.json\'s folder (.., absolute, a URI), at it, never asking for it', () => {
        for (const outside of ['../xor.weights.bin', '/etc/passwd', 'C:\\secret.bin', 'file:///etc/passwd', `sub/../../${'x'.repeat(100)}.bin`]) {
          const map = edit((json) => { json.weightsManifest[0].paths = [outside]; });
          const asked: string[] = [];
          const e = refuses('web/xor.model.json', () => readTfjs({ ...filesOf('web/xor.model.json', map['xor.model.json'], map), sibling: (p) => { asked.push(p); throw new Error('never'); } }), /^web\/xor\.model\.json:\d+:\d+: the weights file '.{1,24}' is not a file beside model\.json .*so it is not read$/);
          assert.deepEqual(asked, [], outside);
          assert.ok(e.message.length < 200, e.message);
        }
      });

      it('weights of the wrong byte count: too few and too many', () => {
        const map = files();
        const bin = map['xor.weights.bin'] as Uint8Array;
        refuses('web/xor.model.json', () => read({ ...map, 'xor.weights.bin': bin.subarray(0, bin.length - 4) }), /^web\/xor\.weights\.bin: byte 48: the weights end after 48 bytes, but the weightsManifest's float32 weights \(dense_1\/kernel 2 x 3, dense_1\/bias 3, dense_2\/kernel 3 x 1, dense_2\/bias 1\) need 52/);
        const longer = new Uint8Array(bin.length + 8);
        longer.set(bin);
        refuses('web/xor.model.json', () => read({ ...map, 'xor.weights.bin': longer }), /^web\/xor\.weights\.bin: byte 52: the weights go on past the 52 bytes/);
      });

      it('a Conv2D layer, at it in model.json', () => {
        const map = edit((json) => json.modelTopology.config.layers.splice(1, 0, { class_name: 'Conv2D', config: { name: 'conv', filters: 2 } }));
        refuses('web/xor.model.json', () => read(map), /^web\/xor\.model\.json:\d+:\d+: layers\[1\] 'conv' \(Conv2D\): only dense layers can be imported/);
      });

      it('a kernel whose inputs differ from the units before', () => {
        const map = edit((json) => { json.modelTopology.config.layers[0].config.batch_input_shape = [null, 5]; });
        refuses('web/xor.model.json', () => read(map), /layers\[0\] 'dense_1' \(Dense\): its kernel 'dense_1\/kernel' is 2 x 3: 2 inputs, but the model's input has 5 features/);
      });

      it('an activation it does not have, a graph model, quantized weights, and JSON that is not', () => {
        refuses('web/xor.model.json', () => read(edit((json) => { json.modelTopology.config.layers[0].config.activation = 'hard_sigmoid'; })), /the activation "hard_sigmoid" is not one Backprop Debugger has/);
        refuses('web/xor.model.json', () => read(edit((json) => { json.format = 'graph-model'; })), /a TensorFlow\.js graph model has operations, not layers/);
        refuses('web/xor.model.json', () => read(edit((json) => { json.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', min: 0, scale: 1 }; })), /the weight 'dense_1\/kernel' is quantized/);
        refuses('web/xor.model.json', () => read({ 'xor.model.json': '{"format": ' }), /^web\/xor\.model\.json:1:\d+: not a TensorFlow\.js model: model\.json is not valid JSON/);
      });
    });
  });

  describe('a network with input features or normalize', () => {
    const spiral = (): Network => loadExample('spiral.nn.json');

    it('exports a model whose inputs are the features\' values, says so in its metadata and message, and imports back to the same network with its features', () => {
      const net = spiral();
      const features = net.features!;
      const parameters = trainedParameters(net, 20);
      const onnxBytes = bytesOf(onnxExporter.write(net, parameters, { steps: 0, baseName: 'spiral' })[0].contents);
      const proto = onnx.ModelProto.decode(onnxBytes);
      assert.deepEqual(JSON.parse(proto.metadataProps!.find((p) => p.key === 'backprop.features')!.value!), { columns: ['x1', 'x2'], features: [...features.sources] });
      assert.match(proto.docString!, /the model's 7 inputs are the network's features \(x1, x2, x1\^2, x2\^2, x1\*x2, sin\(x1\), sin\(x2\)\), computed from the columns x1, x2/);
      const tfjs = tfjsExporter.write(net, parameters, { steps: 0, baseName: 'spiral' });
      assert.deepEqual(JSON.parse(tfjs[0].contents as string).userDefinedMetadata.backprop.features, [...features.sources]);
      for (const exporter of [onnxExporter, tfjsExporter]) {
        assert.deepEqual(exporter.notes!(net), ['the model\'s 7 inputs are the network\'s features (x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)), computed from the columns x1, x2: give it those values, as the network\'s first layer takes them (importing the model gives the network back its features)']);
      }
      const models = [readOnnx(onnxBytes, 'spiral.onnx'), readTfjs(filesOf('spiral.model.json', tfjs[0].contents, { 'spiral.weights.bin': tfjs[1].contents }))];
      for (const model of models) {
        assert.equal(model.inputs, 7, 'the model takes the features');
        const back = loadNetwork(networkTextFromModel(model));
        assert.deepEqual([back.features!.columns, back.features!.sources, back.inputNames], [['x1', 'x2'], features.sources, net.inputNames]);
        assert.deepEqual(Array.from(back.initialParameters, Math.fround), Array.from(parameters, Math.fround));
        // The placeholder sample is at the columns' origin, labelled with what the network computes there (tanh: a value, features and all).
        assert.deepEqual(Array.from(back.data.inputs), Array.from(features.compute, (f) => f([0, 0], 0)));
        assert.ok(Math.abs(back.data.targets[0] - forward(back, back.initialParameters)[0]) < 1e-6, 'the placeholder target is the network\'s output at the origin');
      }
    });

    it('ONNX Runtime computes from the features\' values what the network computes from its columns', async () => {
      const net = spiral();
      const parameters = trainedParameters(net, 20);
      const session = await ort.InferenceSession.create(bytesOf(onnxExporter.write(net, parameters, { steps: 0, baseName: 'spiral' })[0].contents));
      const n = net.data.samples;
      const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(net.data.inputs), [n, 7]) });
      const ours = forward(net, parameters);
      (out.output.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - ours[i]) < 1e-5, `sample ${i}: ${v} vs ${ours[i]}`));
    });

    it('says that a normalization is folded into the first layer; a network with neither gets no note', () => {
      const net = network(EVERY_ACTIVATION);
      assert.deepEqual(onnxExporter.notes!(net), ['the file\'s "normalize": "standard" is folded into the model\'s first layer: give it the inputs as they are, not rescaled']);
      assert.deepEqual(tfjsExporter.notes!(loadExample('xor.nn.json')), []);
    });
  });
});

/** `bytes` with a Constant node's missing value filled in: an attribute tensor (the test writer gives none). */
function constantNode(bytes: Uint8Array, output: string, dims: number[], values: number[]): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const node = model.graph!.node!.find((n) => n.opType === 'Constant' && n.output?.[0] === output)!;
  node.attribute = [onnx.AttributeProto.create({ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: values } })];
  return onnx.ModelProto.encode(model).finish();
}
