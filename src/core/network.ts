import { ACTIVATION_PARAMETERS, type Activation, type Loss } from './math';
import type { SourcePosition } from './errors';
import type { InputFeatures } from './features';
import type { GenerateSpec } from './generate';
import type { OptimizerSettings } from './optimizers';
import type { Regularization, Schedule } from './trainingRules';

/**
 * One layer of units. Its weights are the `units x inputs` matrix W[j][k] (from unit k of the
 * previous layer to unit j of this one), stored row-major in the network's parameter vector.
 */
export interface Layer {
  readonly units: number;
  /** Units of the previous layer (the network's inputs for the first layer). */
  readonly inputs: number;
  readonly activation: Activation;
  /** Leaky ReLU's slope or ELU's alpha (ACTIVATION_PARAMETERS); 0 for the other activations. */
  readonly activationParam: number;
  /** Index of W[0][0] in the parameter vector; W[j][k] is at weightOffset + j * inputs + k. */
  readonly weightOffset: number;
  /** Index of this layer's first bias in the parameter vector. */
  readonly biasOffset: number;
}

export type ParameterKind = 'weight' | 'bias';

/** Where a parameter sits: layer from 1 (3Blue1Brown's L), unit j and input k from 0. */
export interface ParameterInfo {
  readonly name: string;
  readonly kind: ParameterKind;
  readonly index: number;
  readonly layer: number;
  readonly unit: number;
  /** The previous layer's unit (or network input) a weight comes from; -1 for a bias. */
  readonly input: number;
}

export interface Dataset {
  readonly samples: number;
  /** [samples x inputs], row-major. */
  readonly inputs: Float64Array;
  /** [samples x outputs], row-major: StatQuest's "observed" values. */
  readonly targets: Float64Array;
  /**
   * The file's raw input columns, [samples x columns], when the network's inputs are `features`
   * computed from them (`inputs` then holds the features); absent otherwise. Pictures over the
   * input plane are drawn in these.
   */
  readonly columns?: Float64Array;
}

export interface Normalization {
  /** `standard`: mean 0 and population standard deviation 1; `minmax`: to [0, 1]. From the training samples. */
  readonly kind: 'standard' | 'minmax';
  readonly offset: readonly number[];
  readonly scale: readonly number[];
}

export interface TrainingSettings {
  readonly learningRate: number;
  readonly maxSteps: number;
  readonly minStepSize: number;
  /** 1 where gradient descent may change the parameter, by parameter index. */
  readonly trainable: Uint8Array;
  /** The update rule: plain gradient descent (StatQuest's) unless the file names another. */
  readonly optimizer: OptimizerSettings;
  /**
   * Samples per step, or null for the whole training set (full batch, the default: null rather
   * than a count, so a network made from another with other data still trains on all of it).
   */
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly seed: number;
  /** The penalty on the weights added to the loss (both 0: none). */
  readonly regularization: Regularization;
  /** The learning rate of each update (constant unless the file names a schedule). */
  readonly schedule: Schedule;
  /** The gradient norm clipping scales down to, or null. */
  readonly clip: number | null;
  /** The share of the file's samples held out for validation (`validationShare`), or null. */
  readonly validationShare: number | null;
}

/** Whether the settings train exactly as StatQuest does: full batch, plain gradient descent, nothing added. */
export function isPlainTraining(t: TrainingSettings, samples: number): boolean {
  return t.optimizer.type === 'sgd' && (t.batchSize === null || t.batchSize >= samples) && t.regularization.l1 === 0 && t.regularization.l2 === 0 && t.schedule.type === 'constant' && t.clip === null;
}

/**
 * A parsed network file: the structure, the starting parameters and the data. Immutable; training
 * state lives in a Trainer, so one Network can back any number of sessions.
 *
 * The parameter vector holds every weight first, in StatQuest's numbering (w1, w2, ...: layer by
 * layer, unit by unit, input by input), then every bias (b1, b2, ...: layer by layer, unit by
 * unit). So w_n is at index n - 1 and b_n at weightCount + n - 1: names and indices never need a table.
 */
export interface Network {
  readonly name: string;
  readonly description: string;
  /** The notation the file reads best in (the editor opens in it), or null for the default. */
  readonly notation: 'statquest' | '3b1b' | null;
  /**
   * The names of the first layer's inputs: the file's `inputs`, or its `features` as shown
   * (x1², sin(x1)) when it has them; `data` and `validation` hold these inputs' values.
   */
  readonly inputNames: readonly string[];
  /** `features`: how each network input is computed from the file's input columns, or null (the columns are the inputs). */
  readonly features: InputFeatures | null;
  /** Where `data` and `validation` were generated (`"generate": ...`), for each that was. */
  readonly generated: { readonly data: GenerateSpec | null; readonly validation: GenerateSpec | null };
  readonly outputNames: readonly string[];
  readonly layers: readonly Layer[];
  readonly weightCount: number;
  readonly parameterCount: number;
  readonly initialParameters: Float64Array;
  readonly parameters: readonly ParameterInfo[];
  /** The training set: the file's `data`, less any samples `validationShare` holds out. */
  readonly data: Dataset;
  /** The validation set (`validation`, or the samples `validationShare` holds out), or null. */
  readonly validation: Dataset | null;
  /**
   * `normalize`: how the inputs were rescaled before the first layer, or null. The data above is
   * already rescaled (input k became (x - offset[k]) / scale[k]); these say from what.
   */
  readonly normalization: Normalization | null;
  readonly loss: Loss;
  readonly training: TrainingSettings;
  /** The class each output stands for (output k is classes[k]), when the targets were class labels. */
  readonly classes?: readonly string[];
  /** Where each parameter's number is written in the file; undefined where `init` made it. */
  readonly parameterPositions: readonly (SourcePosition | undefined)[];
}

export interface LayerShape {
  readonly units: number;
  readonly activation: Activation;
  /** Leaky ReLU's slope or ELU's alpha; the activation's default when left out. */
  readonly activationParam?: number;
}

/** Lays out layers and names parameters for a network with `inputCount` inputs. */
export function buildLayout(inputCount: number, shapes: readonly LayerShape[]): {
  layers: Layer[];
  weightCount: number;
  parameterCount: number;
  parameters: ParameterInfo[];
} {
  const layers: Layer[] = [];
  let weightCount = 0;
  let biasCount = 0;
  let previous = inputCount;
  for (const shape of shapes) {
    const activationParam = shape.activationParam ?? ACTIVATION_PARAMETERS[shape.activation]?.default ?? 0;
    layers.push({ units: shape.units, inputs: previous, activation: shape.activation, activationParam, weightOffset: weightCount, biasOffset: biasCount });
    weightCount += shape.units * previous;
    biasCount += shape.units;
    previous = shape.units;
  }
  const fixed = layers.map((l) => ({ ...l, biasOffset: l.biasOffset + weightCount }));
  const parameters: ParameterInfo[] = [];
  fixed.forEach((layer, l) => {
    for (let j = 0; j < layer.units; j++) {
      for (let k = 0; k < layer.inputs; k++) {
        const index = layer.weightOffset + j * layer.inputs + k;
        parameters.push({ name: `w${index + 1}`, kind: 'weight', index, layer: l + 1, unit: j, input: k });
      }
    }
  });
  fixed.forEach((layer, l) => {
    for (let j = 0; j < layer.units; j++) {
      const index = layer.biasOffset + j;
      parameters.push({ name: `b${index - weightCount + 1}`, kind: 'bias', index, layer: l + 1, unit: j, input: -1 });
    }
  });
  return { layers: fixed, weightCount, parameterCount: weightCount + biasCount, parameters };
}

/** What parameter lookups need: the names without the rest of the network. */
export type ParameterTable = Pick<Network, 'weightCount' | 'parameterCount' | 'parameters'>;

/** The parameter called `name` (w1.., b1..), or undefined if the network has none by that name. */
export function findParameter(network: ParameterTable, name: string): ParameterInfo | undefined {
  const m = /^([wb])([1-9][0-9]*)$/.exec(name);
  if (!m) return undefined;
  const n = Number(m[2]);
  const index = m[1] === 'w' ? n - 1 : network.weightCount + n - 1;
  if (m[1] === 'w' ? n > network.weightCount : index >= network.parameterCount) return undefined;
  return network.parameters[index];
}

/** "w1..w4, b1..b3": how to tell someone which names exist. */
export function describeParameterNames(network: ParameterTable): string {
  const range = (p: string, n: number): string => (n === 1 ? `${p}1` : `${p}1..${p}${n}`);
  return `${range('w', network.weightCount)}, ${range('b', network.parameterCount - network.weightCount)}`;
}
