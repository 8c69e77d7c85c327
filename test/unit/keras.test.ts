/**
 * Keras 3 `.keras` import: files laid out as Keras 3 saves them (config.json as
 * serialize_keras_object writes it, weights under layers/<snake_case class>/vars/0 and 1), written
 * by the HDF5 library itself; every bad file gets an error that says where.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNetwork } from '../../src/core';
import type { DenseModel } from '../../src/core/models/dense';
import { IMPORTERS } from '../../src/core/models/formats';
import { kerasImporter, readKeras, snakeCase } from '../../src/core/models/keras';
import { ModelFileError } from '../../src/core/models/files';
import { examplePath } from './helpers';
import { denseConfig, denseModelOf, denseVars, group, hdf5, inputLayerConfig, kerasArchive, kerasFromModel, loadHdf5, METADATA, sequentialConfig } from './modelFiles';

/** A 2-3-2 model: relu, then softmax. Kernels inputs x units as Keras keeps them. */
const KERNEL1 = [[0.5, -1.25, 2], [0.75, 0.125, -0.5]];
const BIAS1 = [0.1, -0.2, 0.3];
const KERNEL2 = [[1, -1], [0.25, 0.5], [-2, 3]];
const BIAS2 = [0, 0.5];

function weights(libver: 'earliest' | 'latest' = 'earliest', paths = ['layers/dense', 'layers/dense_1']): Uint8Array {
  return hdf5((f) => {
    denseVars(f, paths[0], KERNEL1, BIAS1, '<f', 'hidden');
    denseVars(f, paths[1], KERNEL2, BIAS2, '<f', 'probabilities');
  }, libver);
}

function config(layers?: unknown[], className = 'Sequential'): string {
  return sequentialConfig(layers ?? [inputLayerConfig(2), denseConfig('hidden', 3, 'relu', 2), denseConfig('probabilities', 2, 'softmax', 3)], 2, className);
}

function archive(members: Record<string, string | Uint8Array> = {}): Uint8Array {
  return kerasArchive({ 'metadata.json': METADATA, 'config.json': config(), 'model.weights.h5': weights(), ...members });
}

/** The error reading `bytes` throws, formatted for model.keras. */
function failure(bytes: Uint8Array): string {
  try {
    readKeras(bytes, 'model.keras');
  } catch (e) {
    assert.ok(e instanceof ModelFileError, `a ModelFileError, not ${String(e)}`);
    return e.format('model.keras');
  }
  assert.fail('expected an error');
}

function near32(actual: ArrayLike<number>, expected: readonly number[]): void {
  assert.deepEqual(Array.from(actual), expected.map(Math.fround));
}

describe('Keras import', function () {
  this.timeout(20000);
  before(loadHdf5);

  for (const libver of ['earliest', 'latest'] as const) {
    it(`reads a Sequential of Dense layers, transposing kernels to units x inputs (HDF5 ${libver} format)`, () => {
      const model = readKeras(kerasArchive({ 'metadata.json': METADATA, 'config.json': config(), 'model.weights.h5': weights(libver) }), 'model.keras');
      assert.equal(model.inputs, 2);
      assert.equal(model.softmax, true);
      assert.equal(model.source, 'Keras model model.keras (Keras 3.10.0)');
      assert.deepEqual(model.layers.map((l) => [l.name, l.inputs, l.units, l.activation]), [['hidden', 2, 3, 'relu'], ['probabilities', 3, 2, 'identity']]);
      // W[j][k] = kernel[k][j]
      near32(model.layers[0].weights, [0.5, 0.75, -1.25, 0.125, 2, -0.5]);
      near32(model.layers[0].biases, BIAS1);
      near32(model.layers[1].weights, [1, 0.25, -2, -1, 0.5, 3]);
      near32(model.layers[1].biases, BIAS2);
    });
  }

  it('finds weights by class name and count (layers/dense_1), not by the layers\' own names', () => {
    // The layers are called 'hidden' and 'probabilities': Keras still saves them as dense and dense_1.
    assert.equal(snakeCase('Dense'), 'dense');
    assert.equal(snakeCase('InputLayer'), 'input_layer');
    assert.equal(snakeCase('LeakyReLU'), 'leaky_re_lu');
    const moved = kerasArchive({ 'config.json': config(), 'model.weights.h5': weights('earliest', ['layers/hidden', 'layers/probabilities']) });
    assert.match(failure(moved), /^model\.keras\/model\.weights\.h5: layers\/dense\/vars: no weights for layer 'hidden' at layers\/dense\/vars \(layers\/ holds hidden, probabilities\)$/);
  });

  it('reads Keras 2.13-2.15 archives (_layer_checkpoint_dependencies) as Keras 3 does', () => {
    const legacy = kerasArchive({ 'config.json': config(), 'model.weights.h5': weights('earliest', ['_layer_checkpoint_dependencies/dense', '_layer_checkpoint_dependencies/dense_1']) });
    near32(readKeras(legacy, 'old.keras').layers[1].biases, BIAS2);
  });

  it('takes an Activation layer after a linear Dense, no bias, and the activations that map exactly', () => {
    const layers = [
      inputLayerConfig(2),
      denseConfig('a', 3, 'linear', 2), { module: 'keras.layers', class_name: 'Activation', config: { name: 'act', activation: 'tanh' } },
      denseConfig('b', 3, 'leaky_relu', 3, { use_bias: false }),
      denseConfig('c', 3, 'elu', 3), denseConfig('d', 3, 'swish', 3), denseConfig('e', 1, 'sigmoid', 3),
    ];
    const h5 = hdf5((f) => {
      denseVars(f, 'layers/dense', KERNEL1, BIAS1);
      denseVars(f, 'layers/dense_1', [[1, 2, 3], [4, 5, 6], [7, 8, 9]], null);
      denseVars(f, 'layers/dense_2', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 2, 3], '<d');
      denseVars(f, 'layers/dense_3', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]);
      denseVars(f, 'layers/dense_4', [[1], [2], [3]], [0.5]);
    });
    const model = readKeras(kerasArchive({ 'config.json': sequentialConfig(layers, 2), 'model.weights.h5': h5 }), 'm.keras');
    assert.deepEqual(model.layers.map((l) => [l.activation, l.activationParam]), [['tanh', undefined], ['leaky-relu', 0.2], ['elu', 1], ['silu', undefined], ['sigmoid', undefined]]);
    assert.deepEqual(Array.from(model.layers[1].biases), [0, 0, 0]);
    assert.deepEqual(Array.from(model.layers[1].weights), [1, 4, 7, 2, 5, 8, 3, 6, 9]);
    assert.deepEqual(Array.from(model.layers[2].biases), [1, 2, 3]);
    assert.equal(model.softmax, false);
  });

  it('round trip: a network as a .keras file and back gives the same float32 values', () => {
    for (const name of ['xor', 'classifier']) {
      const network = loadNetwork(readFileSync(examplePath(`${name}.nn.json`), 'utf8'));
      const original = denseModelOf(network);
      const bytes = kerasFromModel(original, 'earliest');
      const back: DenseModel = kerasImporter.read({ name: `${name}.keras`, bytes, sibling: () => { throw new Error('no siblings'); } }, {});
      assert.equal(back.inputs, original.inputs);
      assert.equal(back.softmax, original.softmax);
      assert.equal(back.float32, true, 'float32 weights: the network file writes their shortest float32 text');
      back.layers.forEach((l, i) => {
        const o = original.layers[i];
        assert.equal(l.activation, o.activation);
        assert.deepEqual(Array.from(l.weights), Array.from(o.weights, Math.fround));
        assert.deepEqual(Array.from(l.biases), Array.from(o.biases, Math.fround));
      });
      // And again: float32 values survive a second trip unchanged.
      const again = readKeras(kerasFromModel(back, 'latest'), 'again.keras');
      again.layers.forEach((l, i) => assert.deepEqual(l.weights, back.layers[i].weights));
    }
  });

  it('is registered for .keras', () => {
    const keras = IMPORTERS.find((i) => i.id === 'keras');
    assert.equal(keras, kerasImporter);
    assert.deepEqual(keras.extensions, ['.keras']);
    assert.equal(keras.needsActivations, undefined);
  });

  describe('bad files, each with a clear error and where it is', () => {
    it('not a zip', () => {
      assert.equal(failure(new TextEncoder().encode('{"class_name": "Sequential"}')), 'model.keras: byte 0: not a zip archive: a .keras file is a zip holding config.json and model.weights.h5 (Keras 3\'s model.save("model.keras"))');
    });

    it('a zip cut short', () => {
      const whole = archive();
      assert.match(failure(whole.subarray(0, Math.floor(whole.length / 2))), /^model\.keras: byte \d+: the zip archive has no central directory at its end: it is cut short or damaged$/);
    });

    it('no model.weights.h5', () => {
      assert.equal(failure(kerasArchive({ 'metadata.json': METADATA, 'config.json': config() })),
        'model.keras: the archive has no model.weights.h5 (it has metadata.json, config.json): a .keras file holds config.json, metadata.json and model.weights.h5');
    });

    it('no config.json', () => {
      assert.match(failure(kerasArchive({ 'model.weights.h5': weights() })), /^model\.keras: the archive has no config\.json \(it has model\.weights\.h5\)/);
    });

    it('config.json that is not JSON', () => {
      assert.equal(failure(kerasArchive({ 'config.json': '{"class_name": "Sequential",\n "config": [1, 2,, 3]}', 'model.weights.h5': weights() })),
        "model.keras/config.json:2:18: config.json is not valid JSON (a value expected at ',')");
    });

    it('a layer that is not Dense, named with its index and position in config.json', () => {
      const layers = [inputLayerConfig(2), denseConfig('hidden', 3, 'relu', 2), { module: 'keras.layers', class_name: 'Dropout', config: { name: 'dropout', rate: 0.5 } }, denseConfig('out', 2, 'linear', 3)];
      const text = config(layers);
      const message = failure(kerasArchive({ 'config.json': text, 'model.weights.h5': weights() }));
      const column = text.indexOf('"Dropout"') + 1;
      assert.equal(message, `model.keras/config.json:1:${column}: layer 'dropout' (Dropout) at index 2: only Dense layers (with an InputLayer first, and Activation layers) can be imported`);
    });

    it('a Functional model', () => {
      assert.match(failure(kerasArchive({ 'config.json': config(undefined, 'Functional'), 'model.weights.h5': weights() })), /config\.json:1:\d+: the model is a "Functional" model: only Sequential models of Dense layers can be imported$/);
    });

    it("an activation we do not compute as Keras does (gelu is Keras's exact GELU) or at all", () => {
      const gelu = failure(kerasArchive({ 'config.json': config([inputLayerConfig(2), denseConfig('hidden', 3, 'gelu', 2), denseConfig('out', 2, 'linear', 3)]), 'model.weights.h5': weights() }));
      assert.match(gelu, /layer 'hidden' \(Dense\) at index 1: activation 'gelu' cannot be imported: Keras's gelu is the exact GELU \(with erf\)/);
      const selu = failure(kerasArchive({ 'config.json': config([inputLayerConfig(2), denseConfig('hidden', 3, 'selu', 2), denseConfig('out', 2, 'linear', 3)]), 'model.weights.h5': weights() }));
      assert.match(selu, /config\.json:1:\d+: layer 'hidden' \(Dense\) at index 1: activation 'selu' cannot be imported: this project computes relu, sigmoid/);
    });

    it('softmax before the last layer', () => {
      const text = config([inputLayerConfig(2), denseConfig('hidden', 3, 'softmax', 2), denseConfig('out', 2, 'linear', 3)]);
      assert.match(failure(kerasArchive({ 'config.json': text, 'model.weights.h5': weights() })), /layer 'out' \(Dense\) at index 2: softmax may only end the model \(it becomes the cross-entropy output\), but layer 'hidden' before it ends in softmax$/);
    });

    it('a kernel of the wrong shape', () => {
      const h5 = hdf5((f) => {
        denseVars(f, 'layers/dense', KERNEL1, BIAS1);
        denseVars(f, 'layers/dense_1', [[1, -1], [0.25, 0.5]], BIAS2);
      });
      assert.equal(failure(kerasArchive({ 'config.json': config(), 'model.weights.h5': h5 })),
        "model.keras/model.weights.h5: layers/dense_1/vars/0: the kernel of layer 'probabilities' is 2 x 2, expected 3 x 2 (inputs x units: the layer before has 3)");
    });

    it('a kernel that does not fit the declared input shape', () => {
      const text = config([inputLayerConfig(4), denseConfig('hidden', 3, 'relu', 4), denseConfig('probabilities', 2, 'softmax', 3)]);
      assert.match(failure(kerasArchive({ 'config.json': text, 'model.weights.h5': weights() })), /layers\/dense\/vars\/0: the kernel of layer 'hidden' is 2 x 3, expected 4 x 3 \(inputs x units: the model takes 4\)$/);
    });

    it('a bias of the wrong length', () => {
      const h5 = hdf5((f) => {
        denseVars(f, 'layers/dense', KERNEL1, [1, 2]);
        denseVars(f, 'layers/dense_1', KERNEL2, BIAS2);
      });
      assert.match(failure(kerasArchive({ 'config.json': config(), 'model.weights.h5': h5 })), /layers\/dense\/vars\/1: the bias of layer 'hidden' is 2, expected 3 \(one per unit\)$/);
    });

    it('a quantized kernel (integers) and extra variables', () => {
      const ints = hdf5((f) => {
        const vars = f.create_group('layers').create_group('dense').create_group('vars');
        vars.create_dataset({ name: '0', data: new Int32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3], dtype: '<i' });
        vars.create_dataset({ name: '1', data: new Float32Array(BIAS1), shape: [3], dtype: '<f' });
        denseVars(f, 'layers/dense_1', KERNEL2, BIAS2);
      });
      assert.match(failure(kerasArchive({ 'config.json': config(), 'model.weights.h5': ints })), /layers\/dense\/vars\/0: the kernel of layer 'hidden' holds <i4, not floats/);
      const extra = hdf5((f) => {
        denseVars(f, 'layers/dense', KERNEL1, BIAS1);
        group(f, 'layers/dense/vars').create_dataset({ name: '2', data: new Float32Array([1]), shape: [1], dtype: '<f' });
        denseVars(f, 'layers/dense_1', KERNEL2, BIAS2);
      });
      assert.match(failure(kerasArchive({ 'config.json': config(), 'model.weights.h5': extra })), /layers\/dense\/vars: layer 'hidden' holds variables 0, 1, 2, expected 0 and 1 \(kernel and bias\): not a plain Dense layer$/);
    });

    it('weights that are not HDF5, or HDF5 cut short', () => {
      assert.equal(failure(archive({ 'model.weights.h5': new TextEncoder().encode('not hdf5 at all') })), 'model.keras/model.weights.h5: byte 0: not an HDF5 file (it does not start with the HDF5 signature)');
      const h5 = weights();
      assert.match(failure(archive({ 'model.weights.h5': h5.subarray(0, 600) })), /^model\.keras\/model\.weights\.h5: (byte 0: the HDF5 file is damaged or cut short|layers\/dense: the HDF5 file is damaged)/);
    });

    it('weights saved as .npz', () => {
      assert.match(failure(kerasArchive({ 'config.json': config(), 'model.weights.npz': new Uint8Array([1, 2, 3]) })), /the weights are in model\.weights\.npz: only HDF5 weights/);
    });
  });
});
