/**
 * Model files the tests build themselves (nothing is downloaded): Keras 3 `.keras` archives laid
 * out as keras/src/saving/saving_lib.py writes them, with their HDF5 weights written by the real
 * HDF5 library (h5wasm, compiled to WebAssembly), and DenseModels made from network files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import type { Network } from '../../src/core';
import type { DenseModel } from '../../src/core/models/dense';

type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).default;
type H5Group = InstanceType<H5['Group']>;
type H5File = InstanceType<H5['File']>;
let h5wasm: H5 | undefined;

/** Loads the HDF5 library once (call in a `before`). */
export async function loadHdf5(): Promise<void> {
  if (h5wasm) return;
  const module = (await import('h5wasm/node')).default;
  await module.ready;
  h5wasm = module;
}

const dir = mkdtempSync(path.join(tmpdir(), 'backprop-h5-'));
let fileCount = 0;

/**
 * An HDF5 file made by `build`. `earliest` is what h5py writes by default (and so Keras):
 * version-0 superblock and symbol-table groups; `latest` the newer structures.
 */
export function hdf5(build: (file: H5File) => void, libver: 'earliest' | 'latest' = 'earliest'): Uint8Array {
  if (!h5wasm) throw new Error('call loadHdf5() first');
  const name = path.join(dir, `f${fileCount++}.h5`);
  const file = new h5wasm.File(name, 'w', { libver: libver === 'earliest' ? ['earliest', 'latest'] : 'latest' });
  try {
    build(file);
  } finally {
    file.close();
  }
  const bytes = new Uint8Array(readFileSync(name));
  rmSync(name);
  return bytes;
}

/** The group at `groupPath`, made with its parents as needed. */
export function group(file: H5File, groupPath: string): H5Group {
  let at: H5Group = file;
  for (const part of groupPath.split('/')) {
    at = (at.keys().includes(part) ? at.get(part) : at.create_group(part)) as H5Group;
  }
  return at;
}

/** A Dense layer's variables as Keras 3 saves them: `<layerPath>/vars/0` the kernel (inputs x units), `1` the bias. */
export function denseVars(file: H5File, layerPath: string, kernel: number[][], bias: number[] | null, dtype: '<f' | '<d' = '<f', name?: string): void {
  const vars = group(file, `${layerPath}/vars`);
  if (name !== undefined) vars.create_attribute('name', name);
  const Array = dtype === '<f' ? Float32Array : Float64Array;
  vars.create_dataset({ name: '0', data: Array.from(kernel.flat()), shape: [kernel.length, kernel[0]?.length ?? 0], dtype });
  if (bias) vars.create_dataset({ name: '1', data: Array.from(bias), shape: [bias.length], dtype });
}

const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** A layer of config.json as Keras 3 serializes a Dense layer. */
export function denseConfig(name: string, units: number, activation: unknown, inputs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    module: 'keras.layers', class_name: 'Dense',
    config: {
      name, trainable: true, dtype: POLICY, units, activation, use_bias: true,
      kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
      bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
      kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null, quantization_config: null,
      ...extra,
    },
    registered_name: null, build_config: { input_shape: [null, inputs] },
  };
}

export function inputLayerConfig(inputs: number): Record<string, unknown> {
  return { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, inputs], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer', optional: false }, registered_name: null };
}

/** config.json of a Sequential model, with Python's json.dumps spacing. */
export function sequentialConfig(layers: unknown[], inputs: number | null, className = 'Sequential'): string {
  return pythonJson({
    module: 'keras', class_name: className,
    config: { name: 'sequential', trainable: true, dtype: POLICY, layers, ...(inputs !== null ? { build_input_shape: [null, inputs] } : {}) },
    registered_name: null, ...(inputs !== null ? { build_config: { input_shape: [null, inputs] } } : {}), compile_config: null,
  });
}

/** JSON as Python's json.dumps writes it (", " and ": "). */
export function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/\{ /g, '{').replace(/ \}/g, '}');
}

/** A .keras archive of these members (text or bytes). */
export function kerasArchive(members: Record<string, string | Uint8Array>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, contents] of Object.entries(members)) files[name] = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
  return zipSync(files);
}

export const METADATA = pythonJson({ keras_version: '3.10.0', date_saved: '2026-12-02@14:31:19' });

/** Keras's activation names for ours (where they are the same function). */
const KERAS_NAMES: Record<string, string> = { identity: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softplus: 'softplus', silu: 'silu' };

/**
 * A DenseModel saved as Keras 3 saves a Sequential of Dense layers: weights as float32 (Keras's
 * default), under layers/dense, layers/dense_1, ... whatever the layers' own names.
 */
export function kerasFromModel(model: DenseModel, libver: 'earliest' | 'latest' = 'earliest', names?: string[]): Uint8Array {
  const layers: unknown[] = [inputLayerConfig(model.inputs)];
  model.layers.forEach((l, i) => {
    const last = i === model.layers.length - 1;
    layers.push(denseConfig(names?.[i] ?? (i === 0 ? 'dense' : `dense_${i}`), l.units, last && model.softmax ? 'softmax' : KERAS_NAMES[l.activation], l.inputs));
  });
  const weights = hdf5((file) => {
    model.layers.forEach((l, i) => {
      const kernel = Array.from({ length: l.inputs }, (_, k) => Array.from({ length: l.units }, (_, j) => l.weights[j * l.inputs + k]));
      denseVars(file, `layers/${i === 0 ? 'dense' : `dense_${i}`}`, kernel, Array.from(l.biases), '<f', names?.[i] ?? `dense_${i}`);
    });
  }, libver);
  return kerasArchive({ 'metadata.json': METADATA, 'config.json': sequentialConfig(layers, model.inputs), 'model.weights.h5': weights });
}

/** The network's layers and parameters as a DenseModel (what an export starts from). */
export function denseModelOf(network: Network, parameters: Float64Array = network.initialParameters): DenseModel {
  return {
    inputs: network.inputNames.length,
    layers: network.layers.map((l, i) => ({
      units: l.units, inputs: l.inputs, activation: l.activation, activationParam: l.activationParam,
      weights: parameters.slice(l.weightOffset, l.weightOffset + l.units * l.inputs),
      biases: parameters.slice(l.biasOffset, l.biasOffset + l.units),
      name: `layer${i + 1}`,
    })),
    softmax: network.loss === 'cross-entropy',
    source: network.name,
  };
}
