/**
 * safetensors import: PyTorch nn.Sequential state_dicts in F32, F64, F16 and BF16, the round trip,
 * and every size in the file checked before it is used, each bad file with its byte position.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNetwork } from '../../src/core';
import { IMPORTERS, type ModelFiles } from '../../src/core/models/formats';
import { type LayerActivation, ModelFileError } from '../../src/core/models/files';
import { halfToNumber, readSafetensors, readSafetensorsTensors, safetensorsImporter, writeSafetensors } from '../../src/core/models/safetensors';
import { examplePath } from './helpers';
import { denseModelOf } from './modelFiles';

/** A safetensors file from a header object and the data bytes after it. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const text = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function f32(...values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** A 2-3-1 nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1)) in F32. */
function sequential(prefix = ''): Uint8Array {
  const data = f32(1, 2, 3, 4, 5, 6, 0.5, -0.5, 0.25, 7, 8, 9, -1);
  return file({
    __metadata__: { format: 'pt' },
    [`${prefix}0.weight`]: { dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] },
    [`${prefix}0.bias`]: { dtype: 'F32', shape: [3], data_offsets: [24, 36] },
    [`${prefix}2.weight`]: { dtype: 'F32', shape: [1, 3], data_offsets: [36, 48] },
    [`${prefix}2.bias`]: { dtype: 'F32', shape: [1], data_offsets: [48, 52] },
  }, data);
}

/** `activations` null: none given. */
function failure(bytes: Uint8Array, activations: LayerActivation[] | null = ['relu', 'identity']): string {
  try {
    readSafetensors(bytes, 'model.safetensors', activations ?? undefined);
  } catch (e) {
    assert.ok(e instanceof ModelFileError, `a ModelFileError, not ${String(e)}`);
    return e.format('model.safetensors');
  }
  assert.fail('expected an error');
}

const files = (bytes: Uint8Array): ModelFiles => ({ name: 'model.safetensors', bytes, sibling: () => { throw new Error('no siblings'); } });

describe('safetensors import', () => {
  it("reads an nn.Sequential's Linear layers (out x in, already ours) with the activations given", () => {
    const model = safetensorsImporter.read(files(sequential()), { activations: ['relu', 'identity'] });
    assert.equal(model.inputs, 2);
    assert.equal(model.softmax, false);
    assert.equal(model.source, 'safetensors file model.safetensors');
    assert.deepEqual(model.layers.map((l) => [l.name, l.units, l.inputs, l.activation]), [['0', 3, 2, 'relu'], ['2', 1, 3, 'identity']]);
    assert.deepEqual(Array.from(model.layers[0].weights), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(model.layers[0].biases), [0.5, -0.5, 0.25]);
    assert.deepEqual(Array.from(model.layers[1].weights), [7, 8, 9]);
  });

  it('takes softmax as the last activation: that layer is linear and the model ends in the softmax, as a .keras model\'s softmax does', () => {
    const model = safetensorsImporter.read(files(sequential()), { activations: ['tanh', 'softmax'] });
    assert.equal(model.softmax, true);
    assert.deepEqual(model.layers.map((l) => l.activation), ['tanh', 'identity']);
    assert.equal(failure(sequential(), ['softmax', 'identity']), 'model.safetensors: activation 1 of 2 is softmax: only the last layer\'s may be (it becomes the cross-entropy output)');
  });

  it('takes one prefix for all tensors (a module holding the Sequential: net.0.weight)', () => {
    assert.deepEqual(readSafetensors(sequential('net.'), 'm', ['tanh', 'sigmoid']).layers.map((l) => l.name), ['net.0', 'net.2']);
  });

  it('reads F64 exactly, and F16 and BF16 exactly as doubles', () => {
    const data = new Uint8Array(8 + 2 * 4 + 2 * 2);
    const view = new DataView(data.buffer);
    view.setFloat64(0, 0.1, true);
    // F16: 1, -2, 0.5, the smallest subnormal 2^-24
    [0x3c00, 0xc000, 0x3800, 0x0001].forEach((h, i) => view.setUint16(8 + 2 * i, h, true));
    // BF16: 1, -0.15625 (0xbe20)
    [0x3f80, 0xbe20].forEach((h, i) => view.setUint16(16 + 2 * i, h, true));
    const { tensors, metadata } = readSafetensorsTensors(file({
      __metadata__: { note: 'x' },
      a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      b: { dtype: 'F16', shape: [2, 2], data_offsets: [8, 16] },
      c: { dtype: 'BF16', shape: [2], data_offsets: [16, 20] },
    }, data));
    assert.deepEqual(metadata, { note: 'x' });
    assert.deepEqual(tensors.map((t) => [t.name, t.dtype, t.shape, Array.from(t.values)]), [
      ['a', 'F64', [1], [0.1]], ['b', 'F16', [2, 2], [1, -2, 0.5, 2 ** -24]], ['c', 'BF16', [2], [1, -0.15625]],
    ]);
    assert.equal(halfToNumber(0x7bff), 65504);
    assert.equal(halfToNumber(0xfc00), -Infinity);
  });

  it('round trip: a network written as safetensors and read back gives the same float32 (or float64) values', () => {
    const network = loadNetwork(readFileSync(examplePath('classifier-batches.nn.json'), 'utf8'));
    const original = denseModelOf(network);
    const activations = original.layers.map((l) => l.activation);
    for (const dtype of ['F32', 'F64'] as const) {
      const bytes = writeSafetensors(original, dtype);
      const back = safetensorsImporter.read(files(bytes), { activations });
      back.layers.forEach((l, i) => {
        const o = original.layers[i];
        assert.equal(l.name, String(2 * i));
        assert.deepEqual(Array.from(l.weights), Array.from(o.weights, dtype === 'F32' ? Math.fround : Number));
        assert.deepEqual(Array.from(l.biases), Array.from(o.biases, dtype === 'F32' ? Math.fround : Number));
      });
      // F32 numbers are written as float32's shortest text (0.1, not 0.10000000149011612); F64 exactly.
      assert.equal(back.float32, dtype === 'F32');
      // The data starts on an 8-byte boundary, as safetensors writes it.
      assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0);
    }
  });

  it('is registered for .safetensors and asks for activations', () => {
    const importer = IMPORTERS.find((i) => i.id === 'safetensors');
    assert.equal(importer, safetensorsImporter);
    assert.deepEqual(importer.extensions, ['.safetensors']);
    assert.equal(importer.needsActivations, true);
  });

  describe('bad files, each with a clear error at its byte', () => {
    it('too short for a header length', () => {
      assert.equal(failure(new Uint8Array(5)), 'model.safetensors: byte 0: the file is 5 bytes: too short for a safetensors header length (8 bytes)');
    });

    it('a header length past the end of the file', () => {
      const whole = sequential();
      assert.match(failure(whole.subarray(0, 60)), /^model\.safetensors: byte 0: the header length is \d+ bytes, but only 52 follow it: not a safetensors file, or one cut short$/);
      const huge = new Uint8Array(16);
      new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
      assert.match(failure(huge), /the header length is 1152921504606846976 bytes, but a safetensors header is at most 100000000/);
    });

    it('a header that is not JSON', () => {
      assert.equal(failure(file(null, new Uint8Array(0), '{"0.weight": {"dtype": "F32",, }}')), "model.safetensors: byte 37: the header is not valid JSON (a property name expected at ',')");
    });

    it('data cut short: offsets out of range', () => {
      const whole = sequential();
      const message = failure(whole.subarray(0, whole.length - 4));
      assert.match(message, /^model\.safetensors: byte \d+: the data_offsets of tensor '2\.bias', \[48, 52\], are out of range: the data after the header is 48 bytes$/);
      const at = Number(/byte (\d+)/.exec(message)![1]);
      assert.equal(new TextDecoder().decode(whole.subarray(at, at + 8)), '[48,52]}', 'the byte is where the offsets are written');
    });

    it('offsets that do not match the shape, and overlapping tensors', () => {
      assert.match(failure(file({ '0.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [0, 20] } }, new Uint8Array(24))), /tensor '0\.weight' is 3 x 2 of F32 \(24 bytes\), but its data_offsets \[0, 20\] span 20 bytes$/);
      assert.match(failure(file({ '0.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] }, '0.bias': { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8))), /the bytes of tensor '0\.bias' overlap those of tensor '0\.weight'$/);
    });

    it('a dtype that holds no weights, and a malformed shape', () => {
      assert.match(failure(file({ '0.weight': { dtype: 'I64', shape: [1, 1], data_offsets: [0, 8] } }, new Uint8Array(8))), /byte \d+: tensor '0\.weight' has dtype "I64": only floating-point tensors \(F64, F32, F16, BF16\) hold a network's weights$/);
      assert.match(failure(file({ '0.weight': { dtype: 'F32', shape: [1, -1], data_offsets: [0, 4] } }, new Uint8Array(4))), /the shape of tensor '0\.weight' must hold whole numbers, 0 or more, not -1$/);
    });

    it('names that are not an nn.Sequential of Linear layers', () => {
      assert.match(failure(file({ 'conv.weight': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4))), /tensor 'conv\.weight' is not a Linear layer's weight or bias: expected nn\.Sequential's names \(0\.weight, 0\.bias, 2\.weight, \.\.\.\)$/);
      assert.match(failure(file({ '0.weight': { dtype: 'F32', shape: [1, 1, 1, 1], data_offsets: [0, 4] } }, new Uint8Array(4)), ['relu']), /tensor '0\.weight' is 1 x 1 x 1 x 1: only Linear layers \(2-D weights, out x in\) can be imported$/);
    });

    it('layers whose shapes do not chain, or a bias of the wrong length', () => {
      const chain = file({
        '0.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] },
        '2.weight': { dtype: 'F32', shape: [1, 4], data_offsets: [24, 40] },
      }, new Uint8Array(40));
      assert.match(failure(chain), /tensor '2\.weight' is 1 x 4 \(out x in\), but the layer before it has 3 outputs: the layers do not chain$/);
      const bias = file({ '0.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] }, '0.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] } }, new Uint8Array(32));
      assert.match(failure(bias, ['relu']), /tensor '0\.bias' is 2, expected 3 \(one per unit of '0\.weight'\)$/);
    });

    it('no activations, or not one per layer', () => {
      assert.equal(failure(sequential(), null), 'model.safetensors: a safetensors file holds no activations: give one for each of its 2 layers (e.g. relu,identity, or softmax last for a classifier)');
      assert.equal(failure(sequential(), ['relu']), 'model.safetensors: 1 activation given (relu), but the file has 2 Linear layers (0, 2): give one per layer');
    });

    it('a weight that is not a finite number', () => {
      const data = f32(1, 2, NaN, 4, 5, 6, 0, 0, 0, 1, 1, 1, 0);
      const bytes = file({
        '0.weight': { dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] }, '0.bias': { dtype: 'F32', shape: [3], data_offsets: [24, 36] },
        '2.weight': { dtype: 'F32', shape: [1, 3], data_offsets: [36, 48] }, '2.bias': { dtype: 'F32', shape: [1], data_offsets: [48, 52] },
      }, data);
      assert.match(failure(bytes), /tensor '0\.weight' holds NaN at index 2: every weight must be a finite number$/);
    });
  });
});
