/**
 * A dense model to a network file's text and a network to a dense model: the one place where model
 * formats meet network files (no reader or writer writes network-file text itself).
 *
 * The text is written as Write Parameters writes numbers (the shortest text that reads back as the
 * same value; float32 models as the shortest that reads back as the same float32) and laid out as
 * the examples are: a layer on a line when it is small, else a row of weights per unit. A model has
 * no data, so the file gets a placeholder that loads and trains at once: one sample at the origin,
 * labelled with the model's own output there (its class, for a softmax model), which the
 * description says to replace.
 */
import { compileFeatures, type InputFeatures } from '../features';
import { biasesText } from '../parameterLayout';
import { activateBuffer, type Activation, ACTIVATION_PARAMETERS } from '../math';
import type { Network } from '../network';
import { formatParameter } from '../writeback';
import type { DenseLayer, DenseModel } from './dense';
import { featuresNote } from './files';

export interface ConvertOptions {
  /** The network's name; "<source> (imported)" by default. */
  name?: string;
}

/** A layer on one line up to this many characters, as the examples are written. */
const ONE_LINE = 110;

/** The text of a network file holding `model`: valid, ready to open and to train on its placeholder sample. */
export function networkTextFromModel(model: DenseModel, options: ConvertOptions = {}): string {
  checkModel(model);
  const last = model.layers[model.layers.length - 1];
  const features = usableFeatures(model);
  const inputNames = features ? [...features.columns] : columnNames(model.inputNames, model.inputs, model.inputs === 1 ? ['x'] : numbered('x', model.inputs));
  const fallback = model.softmax ? numbered('class', last.units) : last.units === 1 ? ['y'] : numbered('y', last.units);
  let outputNames = columnNames(model.outputNames, last.units, fallback);
  if (outputNames.some((n) => inputNames.includes(n))) outputNames = fallback.some((n) => inputNames.includes(n)) ? numbered('output', last.units) : fallback;
  const number = model.float32 ? shortestFloat32 : formatParameter;

  const layers = model.layers.map((layer, l) => {
    const where = layerName(layer, l);
    const head = [
      ...(layer.name ? [`"name": ${JSON.stringify(layer.name)}`] : []),
      `"units": ${layer.units}`, `"activation": "${layer.activation}"`,
      ...activationParamText(layer),
    ].join(', ');
    const rows = Array.from({ length: layer.units }, (_, j) => Array.from(layer.weights.subarray(j * layer.inputs, (j + 1) * layer.inputs), (v, k) => number(v, `${where} weight [${j}][${k}]`)));
    const biases = biasesText(Array.from(layer.biases, (v, j) => number(v, `${where} bias [${j}]`)));
    const oneLine = `{ ${head}, "weights": [${rows.map((r) => `[${r.join(', ')}]`).join(', ')}], "biases": ${biases} }`;
    if (oneLine.length <= ONE_LINE) return `    ${oneLine}`;
    return `    {\n      ${head},\n      "weights": ${rowsText(rows)},\n      "biases": ${biases}\n    }`;
  });

  const output = outputAtOrigin(model, features ? Float64Array.from(features.compiled.compute, (f) => f(new Float64Array(features.columns.length), 0)) : undefined);
  const targets = model.softmax ? oneHot(output) : Array.from(output, (v) => number(model.float32 ? Math.fround(v) : v, 'the placeholder target'));
  const shape = [String(model.inputs), ...model.layers.map((l) => `${l.units} ${l.activation}`)].join(' -> ') + (model.softmax ? ' -> softmax' : '');
  const description = `Imported from the ${model.source} (${shape}). The data is a placeholder: one sample at the origin, labelled with the model's own ${model.softmax ? 'class' : 'output'} there. Replace it with your own samples (${inputNames.join(', ')} -> ${outputNames.join(', ')}) to train on.`;
  const entries = [
    `"name": ${JSON.stringify(options.name ?? `${model.source} (imported)`)}`,
    `"description": ${JSON.stringify(description)}`,
    `"inputs": ${JSON.stringify(inputNames).replace(/,/g, ', ')}`,
    `"outputs": ${JSON.stringify(outputNames).replace(/,/g, ', ')}`,
    ...(features ? [`"features": ${JSON.stringify(features.sources).replace(/,/g, ', ')}`] : []),
    `"layers": [\n${layers.join(',\n')}\n  ]`,
    `"data": { "inputs": [[${new Array(inputNames.length).fill('0').join(', ')}]], "targets": [[${targets.join(', ')}]] }`,
    `"loss": "${model.softmax ? 'cross-entropy' : 'mse'}"`,
    '"training": { "learningRate": 0.01, "maxSteps": 1000, "minStepSize": 0.0001 }',
  ];
  return `{\n${entries.map((e) => `  ${e}`).join(',\n')}\n}\n`;
}

/**
 * The network as a dense model with `parameters` (the run's values, in the network's order). A
 * network that normalizes its inputs gets the normalization folded into its first layer
 * (W'[j][k] = W[j][k] / scale[k], b'[j] = b[j] - sum_k W[j][k] offset[k] / scale[k]), so the model
 * takes the inputs as the data file holds them, as any framework expects.
 */
export function modelFromNetwork(network: Network, parameters: ArrayLike<number>): DenseModel {
  if (parameters.length !== network.parameterCount) throw new RangeError(`expected ${network.parameterCount} parameters, got ${parameters.length}`);
  const n = network.normalization;
  const layers: DenseLayer[] = network.layers.map((layer, l) => {
    const weights = Float64Array.from({ length: layer.units * layer.inputs }, (_, i) => parameters[layer.weightOffset + i]);
    const biases = Float64Array.from({ length: layer.units }, (_, j) => parameters[layer.biasOffset + j]);
    if (l === 0 && n) {
      for (let j = 0; j < layer.units; j++) {
        for (let k = 0; k < layer.inputs; k++) {
          const w = weights[j * layer.inputs + k] / n.scale[k];
          weights[j * layer.inputs + k] = w;
          biases[j] -= w * n.offset[k];
        }
      }
    }
    const hasParam = ACTIVATION_PARAMETERS[layer.activation] !== undefined;
    return { units: layer.units, inputs: layer.inputs, weights, biases, activation: layer.activation, ...(hasParam ? { activationParam: layer.activationParam } : {}), name: `layer${l + 1}` };
  });
  const f = network.features;
  return {
    inputs: network.inputNames.length, layers, softmax: network.loss === 'cross-entropy', source: `network "${network.name}"`,
    inputNames: network.inputNames, outputNames: network.outputNames,
    ...(f ? { features: { columns: f.columns, sources: f.sources } } : {}),
  };
}

/**
 * The model's features when they can be written back as a network's: as many as its inputs, each
 * compiling over the columns (a model from elsewhere may carry anything in its metadata); else
 * undefined, and the network takes the model's inputs as they are.
 */
function usableFeatures(model: DenseModel): { columns: readonly string[]; sources: readonly string[]; compiled: InputFeatures } | undefined {
  const f = model.features;
  if (!f || f.sources.length !== model.inputs || f.columns.length === 0) return undefined;
  try {
    return { ...f, compiled: compileFeatures(f.sources, f.columns) };
  } catch {
    return undefined;
  }
}

/**
 * What a model exported from `network` takes, when that is not simply its columns: the features'
 * values (they are not part of the model), and inputs as the data holds them when the network
 * normalizes (the normalization is folded into the first layer). For the export's message.
 */
export function modelInputNotes(network: Network): string[] {
  const notes: string[] = [];
  if (network.features) notes.push(featuresNote(network.features));
  if (network.normalization) {
    notes.push(`the file's "normalize": "${network.normalization.kind}" is folded into the model's first layer: give it the ${network.features ? 'features' : 'inputs'} as they are, not rescaled`);
  }
  return notes;
}

/** The model's outputs for `input` (zeros by default; before any softmax: the scores, whose largest is the class). */
export function outputAtOrigin(model: DenseModel, input?: Float64Array): Float64Array {
  let x = input ?? new Float64Array(model.inputs);
  for (const layer of model.layers) {
    const z = new Float64Array(layer.units);
    for (let j = 0; j < layer.units; j++) {
      let sum = layer.biases[j];
      for (let k = 0; k < layer.inputs; k++) sum += layer.weights[j * layer.inputs + k] * x[k];
      z[j] = sum;
    }
    const y = new Float64Array(layer.units);
    activateBuffer(layer.activation, z, y, layer.units, layer.activationParam ?? ACTIVATION_PARAMETERS[layer.activation]?.default ?? 0);
    x = y;
  }
  return x;
}

/** The shortest decimal that reads back (through float32) as `v`, a float32 value: 0.1, not 0.10000000149011612. */
export function shortestFloat32(v: number, name = 'a value'): string {
  if (!Number.isFinite(v)) throw new RangeError(`${name} is ${v}, which a network file cannot hold`);
  if (v === 0) return '0';
  if (Math.fround(v) !== v) return String(v); // not a float32 after all: the exact double
  // The fewest digits that read back as v: 9 always do, and most float32 values (a trained
  // weight's) need 8 or 9, so those are tried first, then a bisection of 1 to 7. Only a text that
  // reads back is ever returned, so the answer is always exact.
  const reads = (text: string): boolean => Math.fround(Number(text)) === v;
  const eight = v.toPrecision(8);
  if (!reads(eight)) return String(Number(v.toPrecision(9)));
  const seven = v.toPrecision(7);
  if (!reads(seven)) return String(Number(eight));
  let lo = 1;
  let hi = 7;
  let best = seven;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const text = v.toPrecision(mid);
    if (reads(text)) { hi = mid; best = text; } else lo = mid + 1;
  }
  return String(Number(best));
}

function checkModel(model: DenseModel): void {
  if (model.layers.length === 0) throw new RangeError(`the ${model.source} has no dense layer`);
  let previous = model.inputs;
  model.layers.forEach((layer, l) => {
    const name = layerName(layer, l);
    if (layer.inputs !== previous) throw new RangeError(`${name} takes ${layer.inputs} inputs but ${l === 0 ? `the model has ${previous}` : `the layer before has ${previous} units`}`);
    if (layer.weights.length !== layer.units * layer.inputs) throw new RangeError(`${name} has ${layer.weights.length} weights, not ${layer.units} x ${layer.inputs}`);
    if (layer.biases.length !== layer.units) throw new RangeError(`${name} has ${layer.biases.length} biases for ${layer.units} units`);
    previous = layer.units;
  });
  if (model.softmax && previous < 2) throw new RangeError(`the ${model.source} ends in a softmax over one output, which is always 1: nothing to learn`);
}

function layerName(layer: DenseLayer, l: number): string {
  return layer.name ? `layer '${layer.name}'` : `layer ${l + 1}`;
}

function activationParamText(layer: DenseLayer): string[] {
  const param = ACTIVATION_PARAMETERS[layer.activation as Activation];
  if (!param || layer.activationParam === undefined || layer.activationParam === param.default) return [];
  return [`"${param.field}": ${formatParameter(layer.activationParam, param.field)}`];
}

/** A row of weights per unit, each on its own line. */
function rowsText(rows: readonly (readonly string[])[]): string {
  return `[\n${rows.map((r) => `        [${r.join(', ')}]`).join(',\n')}\n      ]`;
}

function numbered(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

/** The format's names when there is one per column, distinct and not empty; else `fallback`. */
function columnNames(names: readonly string[] | undefined, count: number, fallback: string[]): string[] {
  if (!names || names.length !== count) return fallback;
  if (names.some((n) => n.length === 0) || new Set(names).size !== names.length) return fallback;
  return [...names];
}

function oneHot(probabilities: Float64Array): string[] {
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  return Array.from(probabilities, (_, k) => (k === best ? '1' : '0'));
}
