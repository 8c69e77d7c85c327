/**
 * safetensors (Hugging Face's format, what `safetensors.torch.save_file(model.state_dict(), ...)`
 * writes): an unsigned 64-bit little-endian header length N, N bytes of JSON naming each tensor's
 * dtype, shape and [begin, end) byte range in the data that follows, then the data. Hand-written
 * (the format is that small), with every size checked against the file before it is used.
 *
 * We read PyTorch's `nn.Sequential` of `nn.Linear` layers: tensors `0.weight`, `0.bias`,
 * `2.weight`, ... (the numbers are the modules' positions; the activations between them hold no
 * tensors), optionally under one common prefix (`net.0.weight`). A Linear weight is
 * `out x in`, this project's layout already. The file holds no activations: the caller gives one
 * per layer.
 */
import type { Node } from 'jsonc-parser';
import type { Activation } from '../math';
import type { DenseLayer, DenseModel } from './dense';
import { DEFAULT_LIMITS, elementCount, type Limits, overLimit } from '../limits';
import { checkFinite, checkModelSize, type Importer, JsonText, type LayerActivation, type ModelFiles, ModelFileError, type ModelWhere } from './files';

/** The format's own limit on the header (safetensors' MAX_HEADER_SIZE). */
const MAX_HEADER_BYTES = 100_000_000;

export const SAFETENSORS_DTYPES = ['F64', 'F32', 'F16', 'BF16'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

export const safetensorsImporter: Importer = {
  id: 'safetensors',
  label: 'safetensors (PyTorch nn.Sequential state_dict)',
  extensions: ['.safetensors'],
  needsActivations: true,
  read: (files: ModelFiles, options) => readSafetensors(files.bytes, files.name, options.activations, options.limits),
};

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** The values, converted exactly to doubles. */
  readonly values: Float64Array;
  /** The byte offset of its entry in the header, for errors about it. */
  readonly byte: number;
}

const at = (byte: number): ModelWhere => ({ byte });

/** Every tensor in a safetensors file, checked: header length, JSON, dtypes, shapes and byte ranges. */
export function readSafetensorsTensors(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): { tensors: SafetensorsTensor[]; metadata: Record<string, string> } {
  checkModelSize(bytes, limits);
  if (bytes.length < 8) throw new ModelFileError(`the file is ${bytes.length} bytes: too short for a safetensors header length (8 bytes)`, at(0));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8) || declared > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelFileError(`the header length is ${declared} bytes, but ${declared > BigInt(MAX_HEADER_BYTES) ? `a safetensors header is at most ${MAX_HEADER_BYTES}` : `only ${bytes.length - 8} follow it`}: not a safetensors file, or one cut short`, at(0));
  }
  const headerLength = Number(declared);
  if (headerLength < 2) throw new ModelFileError(`the header length is ${headerLength} bytes: too short for a JSON object`, at(0));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new ModelFileError('the header is not UTF-8 text: not a safetensors file', at(8));
  }
  const header = new JsonText(text, 'the header', undefined, 8, limits);
  const root = header.root;
  if (root.type !== 'object') throw header.error(root, `the header is ${header.describe(root)}, not an object of tensors`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors: SafetensorsTensor[] = [];
  const metadata: Record<string, string> = {};
  const ranges: { begin: number; end: number; name: string; node: Node }[] = [];
  for (const property of root.children ?? []) {
    const name = String(property.children![0].value);
    const entry = property.children![1];
    if (name === '__metadata__') {
      if (entry.type !== 'object') throw header.error(entry, `__metadata__ must be an object of strings, not ${header.describe(entry)}`);
      for (const key of header.keys(entry)) metadata[key] = String(header.prop(entry, key)?.value);
      continue;
    }
    const what = `tensor '${name}'`;
    if (entry.type !== 'object') throw header.error(entry, `${what} is ${header.describe(entry)}, not {"dtype", "shape", "data_offsets"}`);
    const dtype = header.prop(entry, 'dtype');
    const shape = header.prop(entry, 'shape');
    const offsets = header.prop(entry, 'data_offsets');
    if (!dtype || !shape || !offsets) throw header.error(entry, `${what} lacks ${['dtype', 'shape', 'data_offsets'].filter((k) => !header.prop(entry, k)).join(' and ')}`);
    if (!(SAFETENSORS_DTYPES as readonly unknown[]).includes(dtype.value)) {
      throw header.error(dtype, `${what} has dtype ${header.describe(dtype)}: only floating-point tensors (${SAFETENSORS_DTYPES.join(', ')}) hold a network's weights`);
    }
    const dims = wholeNumbers(header, shape, `the shape of ${what}`);
    const [begin, end] = wholeNumbers(header, offsets, `the data_offsets of ${what}`);
    if (offsets.children!.length !== 2) throw header.error(offsets, `the data_offsets of ${what} must be [begin, end], not ${offsets.children!.length} numbers`);
    if (begin > end || end > dataLength) {
      throw header.error(offsets, `the data_offsets of ${what}, [${begin}, ${end}], are out of range: the data after the header is ${dataLength} bytes`);
    }
    const size = elementCount(dims);
    if (size > limits.tensorElements) throw header.error(shape, `${what} declares ${dims.join(' x ')} values, more than ${overLimit(limits, 'tensorElements')}`);
    const type = dtype.value as SafetensorsDtype;
    if (end - begin !== size * DTYPE_BYTES[type]) {
      throw header.error(offsets, `${what} is ${dims.join(' x ') || 'a scalar'} of ${type} (${size * DTYPE_BYTES[type]} bytes), but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    }
    ranges.push({ begin, end, name, node: offsets });
    const values = decode(view, dataStart + begin, size, type);
    checkFinite(values, (m) => header.error(offsets, m), what);
    tensors.push({ name, dtype: type, shape: dims, values, byte: 8 + property.offset });
  }
  ranges.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i].begin < ranges[i - 1].end) throw header.error(ranges[i].node, `the bytes of tensor '${ranges[i].name}' overlap those of tensor '${ranges[i - 1].name}'`);
  }
  return { tensors, metadata };
}

function wholeNumbers(header: JsonText, node: Node, what: string): number[] {
  if (node.type !== 'array') throw header.error(node, `${what} must be an array of whole numbers, not ${header.describe(node)}`);
  return (node.children ?? []).map((n) => {
    if (n.type !== 'number' || !Number.isSafeInteger(n.value) || n.value < 0) throw header.error(n, `${what} must hold whole numbers, 0 or more, not ${header.describe(n)}`);
    return n.value as number;
  });
}

/** `count` values of `dtype` from `offset`, exactly as doubles (every F16, BF16 and F32 value is one). */
function decode(view: DataView, offset: number, count: number, dtype: SafetensorsDtype): Float64Array {
  const out = new Float64Array(count);
  switch (dtype) {
    case 'F64': for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, true); break;
    case 'F32': for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true); break;
    case 'F16': for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(offset + 2 * i, true)); break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(offset + 2 * i, true) << 16);
        out[i] = word.getFloat32(0);
      }
      break;
    }
  }
  return out;
}

/** IEEE 754 binary16 to a number, exactly. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * Reads an nn.Sequential's Linear layers from a safetensors file, with one activation per layer;
 * `softmax` as the last layer's means the model ends in a softmax (PyTorch's nn.Softmax after the
 * last Linear, or its CrossEntropyLoss): that layer is then linear and the network's loss
 * cross-entropy, as a softmax read from the other formats is.
 */
export function readSafetensors(bytes: Uint8Array, fileName: string, activations: readonly LayerActivation[] | undefined, limits: Limits = DEFAULT_LIMITS): DenseModel {
  const { tensors } = readSafetensorsTensors(bytes, limits);
  if (tensors.length === 0) throw new ModelFileError('the file holds no tensors', at(8));
  // `<prefix><index>.weight` and `.bias`: one prefix for all of them.
  const parsed = tensors.map((t) => ({ t, m: /^(.*?)(\d+)\.(weight|bias)$/.exec(t.name) }));
  const odd = parsed.find((p) => p.m === null);
  if (odd) throw new ModelFileError(`tensor '${odd.t.name}' is not a Linear layer's weight or bias: expected nn.Sequential's names (0.weight, 0.bias, 2.weight, ...)`, at(odd.t.byte));
  const prefix = parsed[0].m![1];
  const other = parsed.find((p) => p.m![1] !== prefix);
  if (other) throw new ModelFileError(`tensor '${other.t.name}' is not under '${prefix}' as '${parsed[0].t.name}' is: expected one nn.Sequential's state_dict`, at(other.t.byte));
  const byIndex = new Map<number, { weight?: SafetensorsTensor; bias?: SafetensorsTensor }>();
  for (const { t, m } of parsed) {
    const index = Number(m![2]);
    const slot = byIndex.get(index) ?? {};
    slot[m![3] as 'weight' | 'bias'] = t;
    byIndex.set(index, slot);
  }
  const indices = [...byIndex.keys()].sort((a, b) => a - b);
  const count = indices.length;
  if (activations === undefined || activations.length === 0) {
    throw new ModelFileError(`a safetensors file holds no activations: give one for each of its ${count} layer${count === 1 ? '' : 's'} (e.g. ${[...Array(count - 1).fill('relu'), 'identity'].join(',')}, or softmax last for a classifier)`);
  }
  if (activations.length !== count) {
    throw new ModelFileError(`${activations.length} activation${activations.length === 1 ? '' : 's'} given (${activations.join(',')}), but the file has ${count} Linear layer${count === 1 ? '' : 's'} (${indices.map((i) => `${prefix}${i}`).join(', ')}): give one per layer`);
  }
  const softmaxAt = activations.indexOf('softmax');
  if (softmaxAt >= 0 && softmaxAt !== count - 1) {
    throw new ModelFileError(`activation ${softmaxAt + 1} of ${count} is softmax: only the last layer's may be (it becomes the cross-entropy output)`);
  }
  const layers: DenseLayer[] = [];
  let previous: number | undefined;
  indices.forEach((index, l) => {
    const { weight, bias } = byIndex.get(index)!;
    const name = `${prefix}${index}`;
    if (!weight) throw new ModelFileError(`layer '${name}' has a bias but no weight`, at(bias!.byte));
    if (weight.shape.length !== 2) throw new ModelFileError(`tensor '${weight.name}' is ${weight.shape.join(' x ') || 'a scalar'}: only Linear layers (2-D weights, out x in) can be imported`, at(weight.byte));
    const [units, inputs] = weight.shape;
    if (units < 1 || inputs < 1) throw new ModelFileError(`tensor '${weight.name}' is ${units} x ${inputs}: a layer needs at least one unit and one input`, at(weight.byte));
    if (previous !== undefined && inputs !== previous) {
      throw new ModelFileError(`tensor '${weight.name}' is ${units} x ${inputs} (out x in), but the layer before it has ${previous} outputs: the layers do not chain`, at(weight.byte));
    }
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== units)) {
      throw new ModelFileError(`tensor '${bias.name}' is ${bias.shape.join(' x ') || 'a scalar'}, expected ${units} (one per unit of '${weight.name}')`, at(bias.byte));
    }
    for (const t of [weight, bias]) {
      const bad = t ? t.values.findIndex((v) => !Number.isFinite(v)) : -1;
      if (t && bad >= 0) throw new ModelFileError(`tensor '${t.name}' holds ${t.values[bad]} at index ${bad}: every weight must be a finite number`, at(t.byte));
    }
    layers.push({ units, inputs, weights: weight.values, biases: bias?.values ?? new Float64Array(units), activation: activations[l] === 'softmax' ? 'identity' : activations[l] as Activation, name });
    previous = units;
  });
  return { inputs: layers[0].inputs, layers, softmax: softmaxAt === count - 1, source: `safetensors file ${fileName}`, float32: parsed.every(({ t }) => t.dtype !== 'F64') };
}

/**
 * A DenseModel as an nn.Sequential's state_dict in safetensors: `0.weight`, `0.bias`, `2.weight`,
 * ... (an activation module between each pair of Linear layers, as PyTorch numbers them), in
 * F32 (what PyTorch saves by default) or F64. What the round trip and the tests' files are made of.
 */
export function writeSafetensors(model: DenseModel, dtype: 'F32' | 'F64' = 'F32', metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const size = DTYPE_BYTES[dtype];
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Float64Array[] = [];
  let offset = 0;
  model.layers.forEach((layer, l) => {
    const module = 2 * l;
    for (const [part, values, shape] of [['weight', layer.weights, [layer.units, layer.inputs]], ['bias', layer.biases, [layer.units]]] as const) {
      header[`${module}.${part}`] = { dtype, shape, data_offsets: [offset, offset + values.length * size] };
      offset += values.length * size;
      chunks.push(values);
    }
  });
  // The data starts on an 8-byte boundary (the header is padded with spaces), as safetensors writes it.
  const json = new TextEncoder().encode(JSON.stringify(header));
  const text = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  text.set(json);
  const out = new Uint8Array(8 + text.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, text.length, true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const values of chunks) {
    for (const v of values) {
      if (dtype === 'F64') view.setFloat64(at, v, true);
      else view.setFloat32(at, v, true);
      at += size;
    }
  }
  return out;
}
