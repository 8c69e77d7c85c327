/**
 * Loads a `.nn.json` file (format version 1) into a Network, or throws a NetworkFileError that
 * points at the offending text.
 *
 * Why a hand-written walk over jsonc-parser's tree rather than a JSON Schema validator: the loader
 * has to build typed arrays as it goes and check what a schema cannot (matrix shapes against
 * `units`, names in `trainable`, data rows against `inputs`/`outputs`), and every message must name
 * its position and say what was expected in the user's terms. The schema in schemas/ serves the
 * text editor; test/unit/schema.test.ts keeps the two in agreement.
 */
import { type Node, type ParseError, ParseErrorCode, parseTree } from 'jsonc-parser';
import { LineIndex, NetworkFileError, type SourcePosition } from './errors';
import { ACTIVATIONS, type Activation, LOSSES, type Loss } from './math';
import { buildLayout, type Dataset, describeParameterNames, findParameter, type LayerShape, type Network, type Normalization, type ParameterTable } from './network';
import { shuffle } from './batches';
import { OPTIMIZER_DEFAULTS, OPTIMIZER_TYPES, type OptimizerSettings, SGD } from './optimizers';
import { SeededRandom } from './random';
import { closest } from './closest';
import { compileFeatures, FeatureError, type InputFeatures, applyFeatures } from './features';
import { GENERATE_DEFAULTS, GENERATE_LIMITS, GENERATED_KINDS, type GenerateSpec, generatedDataset, generatedTargets } from './generate';
import { CONSTANT, type Regularization, type Schedule, SCHEDULE_TYPES } from './trainingRules';
import { dataPath, isClassProbabilities, type NamedColumn, type ReadFile, readDataFile } from './dataFile';
import { currentLimits, DEFAULT_LIMITS, type Limits, limitsWith, overLimit, tooDeep } from './limits';

export const FORMAT_VERSION = 1;
export const WEIGHT_INITS = ['normal', 'uniform', 'glorot'] as const;
export type WeightInit = (typeof WEIGHT_INITS)[number];

export const TRAINING_DEFAULTS = { learningRate: 0.1, maxSteps: 1000, minStepSize: 0.0001 } as const;
export const INIT_DEFAULTS = { weights: 'normal' as WeightInit, biases: 0, seed: 1 };

/**
 * The default limits (limits.ts) that keep a typo (units: 1e9) or a hostile file from exhausting
 * memory in the extension host, which loads on every keystroke.
 */
export const LIMITS = DEFAULT_LIMITS;

const TOP_LEVEL_KEYS = ['$schema', 'version', 'name', 'description', 'notation', 'inputs', 'features', 'outputs', 'layers', 'init', 'data', 'validation', 'normalize', 'loss', 'training'];

export const NORMALIZATIONS = ['standard', 'minmax'] as const;

/**
 * The offsets and scales `kind` takes from the training set's inputs: the mean and the population
 * standard deviation, or the minimum and the range. A constant input keeps scale 1 (nothing to
 * divide by): it becomes 0.
 */
export function normalizationOf(data: Dataset, kind: Normalization['kind'], nIn: number): Normalization {
  const offset: number[] = [];
  const scale: number[] = [];
  for (let k = 0; k < nIn; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let i = 0; i < data.samples; i++) {
      const v = data.inputs[i * nIn + k];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const mean = sum / data.samples;
    let squares = 0;
    for (let i = 0; i < data.samples; i++) squares += (data.inputs[i * nIn + k] - mean) ** 2;
    const spread = kind === 'standard' ? Math.sqrt(squares / data.samples) : hi - lo;
    offset.push(kind === 'standard' ? mean : lo);
    scale.push(spread > 0 ? spread : 1);
  }
  return { kind, offset, scale };
}

/** `data` with its input columns replaced by the network's inputs, `features` of them. */
export function featured(data: Dataset, features: InputFeatures): Dataset {
  return { ...data, inputs: applyFeatures(features, data.inputs, data.samples), columns: data.inputs };
}

/**
 * Where character `index` of a JSON string's value sits in its literal `raw` (quotes included):
 * escapes take more characters in the file than in the value.
 */
export function jsonStringOffset(raw: string, index: number): number {
  let at = 1;
  for (let i = 0; i < index && at < raw.length - 1; i++) {
    if (raw[at] !== '\\') at += 1;
    else at += raw[at + 1] === 'u' ? 6 : 2;
  }
  return at;
}

/** `data` with each input rescaled by `n`. */
export function normalized(data: Dataset, n: Normalization): Dataset {
  const nIn = n.offset.length;
  return { ...data, inputs: Float64Array.from(data.inputs, (v, at) => (v - n.offset[at % nIn]) / n.scale[at % nIn]) };
}

/** What `training` may hold. */
export const TRAINING_KEYS = [
  'learningRate', 'maxSteps', 'minStepSize', 'trainable', 'optimizer', 'batchSize', 'shuffle', 'seed',
  'regularization', 'schedule', 'clip', 'validationShare',
];

/**
 * `validationShare` of `data`'s samples held out: after a shuffle seeded by `seed`, the last
 * floor(share x n) (at least one) are the validation set; the rest, in file order, the training set.
 */
export function splitValidation(data: Dataset, share: number, seed: number, nIn: number, nOut: number): { training: Dataset; validation: Dataset; held: Int32Array } {
  const n = data.samples;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffle(order, new SeededRandom(seed));
  const heldCount = Math.min(n - 1, Math.max(1, Math.floor(share * n)));
  const held = order.slice(n - heldCount).sort();
  const isHeld = new Uint8Array(n);
  for (const i of held) isHeld[i] = 1;
  const kept = Int32Array.from({ length: n }, (_, i) => i).filter((i) => isHeld[i] === 0);
  const pick = (rows: Int32Array): Dataset => {
    const inputs = new Float64Array(rows.length * nIn);
    const targets = new Float64Array(rows.length * nOut);
    rows.forEach((i, r) => {
      inputs.set(data.inputs.subarray(i * nIn, (i + 1) * nIn), r * nIn);
      targets.set(data.targets.subarray(i * nOut, (i + 1) * nOut), r * nOut);
    });
    return { samples: rows.length, inputs, targets };
  };
  return { training: pick(kept), validation: pick(held), held };
}

/** The notations a file may ask to be read in: StatQuest's (the default) or 3Blue1Brown's. */
export const NOTATIONS = ['statquest', '3b1b'] as const;
export type Notation = (typeof NOTATIONS)[number];

/** How much of the file's own text a syntax error quotes (as the CSV reader's errors do). */
const QUOTE_MAX = 24;

/**
 * Whether `text` is at least trying to be a network file: a JSON object with one of the
 * network's own keys. The editor shows a broken network's error, but explains the format to a
 * file that is something else entirely (package.json opened with "Open in Network Debugger").
 */
export function looksLikeNetwork(text: string): boolean {
  const root = parseTree(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, [], { allowTrailingComma: true });
  if (!root) return text.trimStart().startsWith('{');
  if (root.type !== 'object') return false;
  const keys = (root.children ?? []).map((p) => p.children?.[0]?.value);
  return ['inputs', 'outputs', 'layers', 'data'].some((k) => keys.includes(k));
}

/** What a host gives the loader besides the text. */
export interface LoadOptions {
  /**
   * Reads a data file the network names (`"data": { "file": ... }`), by its checked path relative
   * to the network file; undefined (or a throw) when it cannot. Without it such a network does not load.
   */
  readFile?: ReadFile;
  /** The limits to check sizes against (missing names keep their defaults); the process's (setLimits) when absent. */
  limits?: Partial<Limits>;
}

/** Parses and validates `text`; the returned network is ready to train. */
export function loadNetwork(text: string, options: LoadOptions = {}): Network {
  // A byte-order mark is not JSON, but editors write one; a space keeps every offset in place.
  const limits = options.limits ? limitsWith(options.limits) : currentLimits();
  const loader = new Loader(text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text, options.readFile, limits);
  try {
    return loader.load();
  } catch (e) {
    // jsonc-parser and the tree walks recurse; a pathological nesting depth overflows the stack.
    if (e instanceof RangeError) throw new NetworkFileError('the JSON is nested too deeply to be a network file', new LineIndex(text).position(0));
    throw e;
  }
}

class Loader {
  private readonly lines: LineIndex;
  private inputNames: readonly string[] = [];
  /** What generated data must fit (read before `data`), and the specs read, for Network.generated. */
  private fit: { loss: Loss; lastActivation: Activation } = { loss: 'ssr', lastActivation: 'identity' };
  private readonly generated: { data: GenerateSpec | null; validation: GenerateSpec | null } = { data: null, validation: null };
  /** The classes a data file's label column gave (in output order), for validation and the cards. */
  private classes: readonly string[] | null = null;

  constructor(private readonly text: string, private readonly readFile: ReadFile | undefined, private readonly limits: Limits) {
    this.lines = new LineIndex(text);
  }

  load(): Network {
    const root = this.parse();
    this.expectType(root, 'object', 'the file', 'a network object ({ "inputs": ..., "layers": ..., "data": ... })');
    this.rejectUnknownKeys(root, TOP_LEVEL_KEYS, 'the network');

    const versionNode = this.prop(root, 'version');
    if (versionNode && (versionNode.type !== 'number' || versionNode.value !== FORMAT_VERSION)) {
      throw this.error(versionNode, `unsupported format version ${this.show(versionNode)}: this version of Backprop Debugger reads version ${FORMAT_VERSION}`);
    }
    const nameNode = this.prop(root, 'name');
    const name = nameNode ? this.string(nameNode, 'name') : 'Untitled network';
    const descriptionNode = this.prop(root, 'description');
    const description = descriptionNode ? this.string(descriptionNode, 'description') : '';
    const notationNode = this.prop(root, 'notation');
    const notation: Notation | null = notationNode ? this.oneOf(notationNode, NOTATIONS, 'notation') : null;

    // The file's input columns; the network's inputs are their features when it has `features`.
    const columns = this.names(this.required(root, 'inputs', 'the network'), 'inputs');
    const featuresNode = this.prop(root, 'features');
    const features = featuresNode ? this.features(featuresNode, columns) : null;
    const inputNames = features ? features.labels : columns;
    this.inputNames = inputNames;
    const outputNames = this.names(this.required(root, 'outputs', 'the network'), 'outputs');
    const clash = outputNames.find((n) => columns.includes(n) || inputNames.includes(n));
    if (clash !== undefined) {
      throw this.error(this.required(root, 'outputs', 'the network'), `"${clash}" is both an input and an output; column names must differ`);
    }

    const layersNode = this.required(root, 'layers', 'the network');
    this.expectType(layersNode, 'array', 'layers', 'an array of layers');
    const layerNodes = layersNode.children ?? [];
    if (layerNodes.length === 0) throw this.error(layersNode, 'layers is empty: a network needs at least one layer');
    if (layerNodes.length > this.limits.layers) throw this.error(layerNodes[this.limits.layers], `layers has ${layerNodes.length} layers, more than ${overLimit(this.limits, 'layers')}`);
    if (inputNames.length > this.limits.layerWidth) throw this.error(featuresNode ?? this.required(root, 'inputs', 'the network'), `the network has ${inputNames.length} inputs, more than ${overLimit(this.limits, 'layerWidth')}`);
    const shapes = layerNodes.map((node, l) => this.layerShape(node, l));
    this.checkSize(layerNodes, shapes, inputNames.length);
    const last = shapes[shapes.length - 1];
    if (last.units !== outputNames.length) {
      const unitsNode = this.prop(layerNodes[layerNodes.length - 1], 'units') ?? layerNodes[layerNodes.length - 1];
      throw this.error(unitsNode, `the last layer has ${last.units} unit${last.units === 1 ? '' : 's'} but there ${outputNames.length === 1 ? 'is 1 output' : `are ${outputNames.length} outputs`} (${outputNames.join(', ')}); they must match`);
    }

    const layout = buildLayout(inputNames.length, shapes);
    const params = new Float64Array(layout.parameterCount);
    const positions: (SourcePosition | undefined)[] = new Array(layout.parameterCount).fill(undefined);
    const given = new Uint8Array(layout.parameterCount);
    layerNodes.forEach((node, l) => this.layerParameters(node, l, layout.layers[l], params, positions, given));
    this.initialise(this.prop(root, 'init'), layout.layers, params, given);

    const lossNode = this.prop(root, 'loss');
    const loss: Loss = lossNode ? this.oneOf(lossNode, LOSSES, 'loss') : 'ssr';
    if (loss === 'cross-entropy' && outputNames.length < 2) {
      throw this.error(lossNode!, `cross-entropy compares a softmax over the outputs, so it needs at least 2 outputs; with 1 output ("${outputNames[0]}") use "ssr" or "mse"`);
    }
    this.fit = { loss, lastActivation: last.activation };
    const dataNode = this.required(root, 'data', 'the network');
    const data = this.data(dataNode, columns, outputNames);
    if (data.samples * shapes.reduce((sum, l) => sum + l.units, 0) > this.limits.activations) {
      throw this.error(dataNode, `${data.samples} samples through ${shapes.reduce((sum, l) => sum + l.units, 0)} units is more than the ${overLimit(this.limits, 'activations')} Backprop Debugger keeps`, true);
    }
    if (loss === 'cross-entropy') this.checkOneHot(dataNode, data.targets, outputNames);

    const validationNode = this.prop(root, 'validation');
    let validation = validationNode ? this.data(validationNode, columns, outputNames, 'validation') : null;
    if (validation !== null && loss === 'cross-entropy') this.checkOneHot(validationNode!, validation.targets, outputNames);
    const trainingNode = this.prop(root, 'training');
    const share = trainingNode ? this.prop(trainingNode, 'validationShare') : undefined;
    let trainingSet = data;
    if (share) {
      if (validationNode) throw this.error(share, 'training.validationShare holds out some of data for validation, but the file has its own "validation" set: give one or the other');
      const value = this.number(share, 'training.validationShare');
      if (!(value > 0 && value < 1)) throw this.error(share, `training.validationShare must be between 0 and 1 (the share of the samples held out, e.g. 0.2), not ${this.show(share)}`);
      if (data.samples < 2) throw this.error(share, 'training.validationShare needs at least 2 samples in data: one to train on and one to hold out');
      const seedNode = this.prop(trainingNode!, 'seed');
      const split = splitValidation(data, value, seedNode?.type === 'number' && Number.isInteger(seedNode.value) ? seedNode.value as number : 0, columns.length, outputNames.length);
      trainingSet = split.training;
      validation = split.validation;
    }
    const training = this.training(trainingNode, layout, trainingSet.samples);
    if (features) {
      trainingSet = featured(trainingSet, features);
      if (validation) validation = featured(validation, features);
    }
    const normalizeNode = this.prop(root, 'normalize');
    let normalization: Normalization | null = null;
    if (normalizeNode) {
      normalization = normalizationOf(trainingSet, this.oneOf(normalizeNode, NORMALIZATIONS, 'normalize'), inputNames.length);
      trainingSet = normalized(trainingSet, normalization);
      if (validation) validation = normalized(validation, normalization);
    }
    return {
      name, description, notation, inputNames, features, generated: this.generated, outputNames, layers: layout.layers, weightCount: layout.weightCount,
      parameterCount: layout.parameterCount, initialParameters: params, parameters: layout.parameters,
      data: trainingSet, validation, normalization, loss, training, parameterPositions: positions,
      ...(this.classes ? { classes: this.classes } : {}),
    };
  }

  // ---- JSON syntax -------------------------------------------------------------------------

  private parse(): Node {
    if (this.text.trim().length === 0) throw new NetworkFileError('the file is empty: expected a network object', this.lines.position(0));
    const deep = tooDeep(this.text, this.limits.jsonDepth);
    if (deep >= 0) throw new NetworkFileError(`the JSON nests more than ${overLimit(this.limits, 'jsonDepth')} here: a network file nests 5 deep`, this.lines.position(deep, 1));
    const errors: ParseError[] = [];
    const root = parseTree(this.text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    if (errors.length > 0) {
      const e = errors[0];
      throw new NetworkFileError(this.syntaxMessage(e), this.lines.position(e.offset, e.length));
    }
    if (!root) throw new NetworkFileError('the file holds no JSON value', this.lines.position(0));
    this.rejectDuplicateKeys(root);
    return root;
  }

  private syntaxMessage(e: ParseError): string {
    // A few characters at most: a file that is not JSON may hold anything, and an error never shows much of it.
    const short = (s: string): string => (s.length <= QUOTE_MAX ? s : `${s.slice(0, QUOTE_MAX - 1)}…`);
    const token = short(this.text.substr(e.offset, Math.max(e.length, 1)));
    const found = e.offset >= this.text.length ? 'the end of the file' : `'${token}'`;
    switch (e.error) {
      case ParseErrorCode.InvalidSymbol: {
        const match = /^(-?)([A-Za-z_][A-Za-z0-9_]*)/.exec(this.text.slice(e.offset, e.offset + 64));
        const word = match?.[2];
        if (word === 'NaN' || word === 'Infinity') return `${match![1]}${word} is not valid JSON: a number must be finite and written in digits`;
        if (word === 'undefined') return 'undefined is not valid JSON: use null or leave the property out';
        return `invalid JSON: unexpected ${word ? `'${short(word)}'` : found}`;
      }
      case ParseErrorCode.InvalidNumberFormat: return `invalid JSON number ${found}`;
      case ParseErrorCode.PropertyNameExpected: return `invalid JSON: expected a property name in double quotes, found ${found}`;
      case ParseErrorCode.ValueExpected: return `invalid JSON: expected a value, found ${found}`;
      case ParseErrorCode.ColonExpected: return `invalid JSON: expected ':', found ${found}`;
      case ParseErrorCode.CommaExpected: return `invalid JSON: expected ',', found ${found}`;
      case ParseErrorCode.CloseBraceExpected: return `invalid JSON: expected '}' to close an object, found ${found}`;
      case ParseErrorCode.CloseBracketExpected: return `invalid JSON: expected ']' to close an array, found ${found}`;
      case ParseErrorCode.EndOfFileExpected: return `invalid JSON: unexpected ${found} after the end of the network object`;
      case ParseErrorCode.InvalidCommentToken: return 'invalid JSON: comments are not allowed in a .nn.json file';
      case ParseErrorCode.UnexpectedEndOfComment: return 'invalid JSON: unterminated comment';
      case ParseErrorCode.UnexpectedEndOfString: return 'invalid JSON: unterminated string';
      case ParseErrorCode.UnexpectedEndOfNumber: return 'invalid JSON: unterminated number';
      case ParseErrorCode.InvalidUnicode: return 'invalid JSON: bad \\u escape in a string';
      case ParseErrorCode.InvalidEscapeCharacter: return 'invalid JSON: bad escape character in a string';
      case ParseErrorCode.InvalidCharacter: return 'invalid JSON: a control character inside a string';
      default: return `invalid JSON at ${found}`;
    }
  }

  private rejectDuplicateKeys(node: Node): void {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const p of node.children ?? []) {
        const key = p.children?.[0];
        if (!key) continue;
        if (seen.has(key.value)) throw this.error(key, `duplicate property "${key.value}"`);
        seen.add(key.value);
      }
    }
    for (const child of node.children ?? []) this.rejectDuplicateKeys(child);
  }

  // ---- sections ----------------------------------------------------------------------------

  private layerShape(node: Node, l: number): LayerShape {
    const where = `layers[${l}]`;
    this.expectType(node, 'object', where, 'a layer object ({ "units": ..., "activation": ... })');
    this.rejectUnknownKeys(node, ['units', 'activation', 'weights', 'biases', 'name', 'slope', 'alpha'], where);
    const unitsNode = this.required(node, 'units', where);
    const units = this.integer(unitsNode, `${where}.units`, 1);
    if (units > this.limits.layerWidth) throw this.error(unitsNode, `${where}.units is ${units}, more than ${overLimit(this.limits, 'layerWidth')}`);
    const activationNode = this.required(node, 'activation', where);
    const activation: Activation = this.oneOf(activationNode, ACTIVATIONS, `${where}.activation`);
    // Leaky ReLU's slope and ELU's alpha: each only with its activation.
    let activationParam: number | undefined;
    for (const field of ['slope', 'alpha'] as const) {
      const v = this.prop(node, field);
      if (!v) continue;
      const owner = field === 'slope' ? 'leaky-relu' : 'elu';
      if (activation !== owner) throw this.error(v, `${where}.${field} goes with the "${owner}" activation, not "${activation}"`);
      activationParam = this.number(v, `${where}.${field}`);
      if (field === 'alpha' && !(activationParam > 0)) throw this.error(v, `${where}.alpha must be a positive number (ELU's default is 1), not ${this.show(v)}`);
      if (field === 'slope' && activationParam < 0) throw this.error(v, `${where}.slope must be zero or more (leaky ReLU's default is 0.01), not ${this.show(v)}`);
    }
    return { units, activation, activationParam };
  }

  private checkSize(layerNodes: Node[], shapes: readonly LayerShape[], inputCount: number): void {
    let total = 0;
    let previous = inputCount;
    shapes.forEach((shape, l) => {
      total += shape.units * (previous + 1);
      previous = shape.units;
      if (total > this.limits.parameters) {
        throw this.error(this.prop(layerNodes[l], 'units')!, `layers[${l}] takes the network past ${overLimit(this.limits, 'parameters')}, more than Backprop Debugger can step through`);
      }
    });
  }

  /** Cross-entropy's targets are class probabilities: one-hot rows (or any non-negative rows summing to 1). */
  private checkOneHot(dataNode: Node, targets: Float64Array, outputNames: readonly string[]): void {
    if (dataNode.type === 'object' && this.prop(dataNode, 'file')) return; // checked in the data file, where the rows are
    const width = outputNames.length;
    for (let i = 0; i < targets.length / width; i++) {
      if (!isClassProbabilities(targets, i * width, width)) {
        const row = dataNode.type === 'array' ? dataNode.children![i] : this.prop(dataNode, 'targets')!.children![i];
        const values = Array.from(targets.subarray(i * width, (i + 1) * width)).join(', ');
        throw this.error(row, `cross-entropy needs one-hot targets (one 1 among ${outputNames.join(', ')}, the rest 0), but sample ${i + 1} has ${values}`, dataNode.type === 'array');
      }
    }
  }

  private layerParameters(
    node: Node, l: number, layer: { units: number; inputs: number; weightOffset: number; biasOffset: number },
    params: Float64Array, positions: (SourcePosition | undefined)[], given: Uint8Array,
  ): void {
    const where = `layers[${l}]`;
    const from = l === 0 ? 'input' : `unit of layers[${l - 1}]`;
    const before = l === 0
      ? `there ${layer.inputs === 1 ? 'is 1 input' : `are ${layer.inputs} inputs`} (${this.inputNames.join(', ')})`
      : `the layer before has ${layer.inputs} unit${layer.inputs === 1 ? '' : 's'}`;
    const weightsNode = this.prop(node, 'weights');
    if (weightsNode) {
      this.expectType(weightsNode, 'array', `${where}.weights`, `an array of ${layer.units} row${layer.units === 1 ? '' : 's'}, one per unit`);
      const rows = weightsNode.children ?? [];
      if (rows.length !== layer.units) {
        throw this.error(weightsNode, `${where}.weights has ${rows.length} row${rows.length === 1 ? '' : 's'} but units is ${layer.units}: one row per unit`);
      }
      rows.forEach((row, j) => {
        this.expectType(row, 'array', `${where}.weights[${j}]`, `an array of ${layer.inputs} number${layer.inputs === 1 ? '' : 's'}, one per ${from}`);
        const cells = row.children ?? [];
        if (cells.length !== layer.inputs) {
          throw this.error(row, `${where}.weights[${j}] has ${cells.length} weight${cells.length === 1 ? '' : 's'} but ${before}: one weight per ${from}`);
        }
        cells.forEach((cell, k) => {
          const index = layer.weightOffset + j * layer.inputs + k;
          params[index] = this.number(cell, `${where}.weights[${j}][${k}] (w${index + 1})`);
          positions[index] = this.position(cell);
          given[index] = 1;
        });
      });
    }
    const biasesNode = this.prop(node, 'biases');
    if (biasesNode) {
      this.expectType(biasesNode, 'array', `${where}.biases`, `an array of ${layer.units} number${layer.units === 1 ? '' : 's'}, one per unit`);
      const cells = biasesNode.children ?? [];
      if (cells.length !== layer.units) {
        throw this.error(biasesNode, `${where}.biases has ${cells.length} value${cells.length === 1 ? '' : 's'} but units is ${layer.units}: one bias per unit`);
      }
      cells.forEach((cell, j) => {
        const index = layer.biasOffset + j;
        params[index] = this.number(cell, `${where}.biases[${j}]`);
        positions[index] = this.position(cell);
        given[index] = 1;
      });
    }
  }

  /**
   * Fills every parameter the file leaves out. The generator draws a value for every weight in
   * naming order whether or not the file gives it, so writing out one layer's weights does not
   * change the random values of another's.
   */
  private initialise(node: Node | undefined, layers: readonly { units: number; inputs: number; weightOffset: number; biasOffset: number }[], params: Float64Array, given: Uint8Array): void {
    let weights: WeightInit | number = INIT_DEFAULTS.weights;
    let biases = INIT_DEFAULTS.biases;
    let seed = INIT_DEFAULTS.seed;
    if (node) {
      this.expectType(node, 'object', 'init', 'an object ({ "weights": "normal", "biases": 0, "seed": 1 })');
      this.rejectUnknownKeys(node, ['weights', 'biases', 'seed'], 'init');
      const w = this.prop(node, 'weights');
      if (w) weights = w.type === 'number' ? this.number(w, 'init.weights') : this.oneOf(w, WEIGHT_INITS, 'init.weights', 'or a number');
      const b = this.prop(node, 'biases');
      if (b) biases = this.number(b, 'init.biases');
      const s = this.prop(node, 'seed');
      if (s) {
        seed = this.integer(s, 'init.seed', 0);
        if (seed > 0xffffffff) throw this.error(s, `init.seed must be at most ${0xffffffff} (a 32-bit seed), not ${this.show(s)}`);
      }
    }
    const random = new SeededRandom(seed);
    for (const layer of layers) {
      const scale = weights === 'glorot' ? Math.sqrt(2 / (layer.inputs + layer.units)) : 1;
      for (let i = 0; i < layer.units * layer.inputs; i++) {
        const index = layer.weightOffset + i;
        let value: number;
        if (typeof weights === 'number') value = weights;
        else if (weights === 'uniform') value = 2 * random.next() - 1;
        else value = random.normal() * scale;
        if (!given[index]) params[index] = value;
      }
      for (let j = 0; j < layer.units; j++) if (!given[layer.biasOffset + j]) params[layer.biasOffset + j] = biases;
    }
  }

  private data(node: Node, inputNames: readonly string[], outputNames: readonly string[], name = 'data'): Network['data'] {
    if (node.type === 'object' && this.prop(node, 'file')) return this.fromFile(node, inputNames, outputNames, name);
    const nIn = inputNames.length;
    const nOut = outputNames.length;
    if (node.type === 'array') {
      const rows = node.children ?? [];
      if (rows.length === 0) throw this.error(node, `${name} is empty: ${name === 'data' ? 'training' : 'validation'} needs at least one sample`);
      if (rows.length > this.limits.samples) throw this.error(rows[this.limits.samples], `${name} has ${rows.length} samples, more than ${overLimit(this.limits, 'samples')}`);
      const inputs = new Float64Array(rows.length * nIn);
      const targets = new Float64Array(rows.length * nOut);
      const columns = [...inputNames, ...outputNames];
      rows.forEach((row, i) => {
        const where = `${name}[${i}]`;
        this.expectType(row, 'object', where, `a row object with ${columns.map((c) => `"${c}"`).join(', ')}`);
        this.rejectUnknownKeys(row, columns, where, 'column');
        inputNames.forEach((c, k) => { inputs[i * nIn + k] = this.number(this.requiredColumn(row, c, where), `${where}.${c}`); });
        outputNames.forEach((c, k) => { targets[i * nOut + k] = this.number(this.requiredColumn(row, c, where), `${where}.${c}`); });
      });
      return { samples: rows.length, inputs, targets };
    }
    if (node.type === 'object' && this.prop(node, 'generate')) return this.generate(node, inputNames, outputNames, name);
    if (node.type === 'object') {
      this.rejectUnknownKeys(node, ['inputs', 'targets'], name);
      const inRows = this.matrix(this.required(node, 'inputs', name), `${name}.inputs`, nIn, 'input');
      const outNode = this.required(node, 'targets', name);
      const outRows = this.matrix(outNode, `${name}.targets`, nOut, 'output');
      if (inRows.length === 0) throw this.error(node, `${name} is empty: ${name === 'data' ? 'training' : 'validation'} needs at least one sample`);
      if (outRows.length !== inRows.length) {
        throw this.error(outNode, `${name}.targets has ${outRows.length} row${outRows.length === 1 ? '' : 's'} but ${name}.inputs has ${inRows.length}: one target row per input row`);
      }
      return { samples: inRows.length, inputs: Float64Array.from(inRows.flat()), targets: Float64Array.from(outRows.flat()) };
    }
    throw this.error(node, `${name} must be an array of rows ({ ${[...inputNames, ...outputNames].map((c) => `"${c}": ...`).join(', ')} }) or { "inputs": [[...]], "targets": [[...]] }, not ${this.describe(node)}`);
  }

  /** `{ "generate": "spiral", "samples": 200, "noise": 0.1, "seed": 1 }`: Playground's datasets (generate.ts). */
  private generate(node: Node, columns: readonly string[], outputNames: readonly string[], name: string): Network['data'] {
    this.rejectUnknownKeys(node, ['generate', 'samples', 'noise', 'seed'], name);
    const kindNode = this.prop(node, 'generate')!;
    const kindText = this.string(kindNode, `${name}.generate`);
    if (!(GENERATED_KINDS as readonly string[]).includes(kindText)) {
      const hint = closest(kindText, GENERATED_KINDS);
      throw this.error(kindNode, `unknown dataset "${kindText}" in ${name}.generate: expected one of ${GENERATED_KINDS.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    const kind = kindText as GenerateSpec['kind'];
    const fit = generatedTargets(kind, columns, outputNames, this.fit.lastActivation, this.fit.loss);
    if ('error' in fit) throw this.error(kindNode, fit.error);
    const read = (key: 'samples' | 'noise' | 'seed', check: (v: number) => boolean, expected: string): number => {
      const v = this.prop(node, key);
      if (!v) return GENERATE_DEFAULTS[key];
      const value = this.number(v, `${name}.${key}`);
      if (!check(value)) throw this.error(v, `${name}.${key} must be ${expected}, not ${this.show(v)}`);
      return value;
    };
    const samples = read('samples', (v) => Number.isInteger(v) && v >= 2 && v <= this.limits.samples, `a whole number from 2 to ${this.limits.samples.toLocaleString('en-US')}`);
    const noise = read('noise', (v) => v >= 0 && v <= GENERATE_LIMITS.noise, `from 0 to ${GENERATE_LIMITS.noise} (Playground's noise slider, 0 to 50%, as a share)`);
    const seed = read('seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'a whole number from 0 to 4294967295');
    const spec: GenerateSpec = { kind, samples, noise, seed };
    const training = this.generated.data;
    if (name === 'validation' && training && training.kind === kind && training.seed === seed) {
      throw this.error(this.prop(node, 'seed') ?? kindNode, `validation would draw the same points as data (both "${kind}" with seed ${seed}): give validation another seed`);
    }
    this.generated[name === 'validation' ? 'validation' : 'data'] = spec;
    return generatedDataset(spec, outputNames.length, fit.encode);
  }

  /** `"features": ["x1", "x1^2", "sin(x1)"]`: each compiled over the input columns, an error pointing into its string. */
  private features(node: Node, columns: readonly string[]): InputFeatures {
    this.expectType(node, 'array', 'features', `an array of expressions over ${columns.join(', ')}, such as ["${columns[0]}", "${columns[0]}^2"]`);
    const items = node.children ?? [];
    if (items.length === 0) throw this.error(node, `features is empty: give at least one, such as "${columns[0]}"`);
    const sources = items.map((item, i) => this.string(item, `features[${i}]`));
    let features: InputFeatures;
    try {
      features = compileFeatures(sources, columns);
    } catch (e) {
      if (!(e instanceof FeatureError)) throw e;
      const item = items[e.feature];
      const start = item.offset + jsonStringOffset(this.text.substr(item.offset, item.length), e.at.start);
      const end = item.offset + jsonStringOffset(this.text.substr(item.offset, item.length), e.at.end);
      throw new NetworkFileError(`features[${e.feature}] ("${sources[e.feature]}"): ${e.message}`, this.lines.position(start, Math.max(1, end - start)));
    }
    features.labels.forEach((label, i) => {
      const first = features.labels.indexOf(label);
      if (first !== i) throw this.error(items[i], `features[${i}] is the same feature as features[${first}] (${label})`);
    });
    return features;
  }

  /**
   * `{ "file": "points.csv", "inputs": [columns], "targets": [columns], "classes"?: [...] }`: the
   * samples from a CSV beside the network, read through the host's readFile (see dataFile.ts).
   */
  private fromFile(node: Node, inputColumns: readonly string[], outputNames: readonly string[], name: string): Dataset {
    this.rejectUnknownKeys(node, ['file', 'inputs', 'targets', 'classes'], name);
    const fileNode = this.prop(node, 'file')!;
    const checked = dataPath(this.string(fileNode, `${name}.file`));
    if (!checked.ok) throw this.error(fileNode, `${name}.file ${checked.why}`);
    const columns = (key: 'inputs' | 'targets'): NamedColumn[] => {
      const list = this.required(node, key, name);
      return this.names(list, `${name}.${key}`).map((column, k) => ({ name: column, at: this.position(list.children![k]) }));
    };
    const inputsNode = this.required(node, 'inputs', name);
    const inputs = columns('inputs');
    if (inputs.length !== inputColumns.length) throw this.error(inputsNode, `${name}.inputs names ${inputs.length} column${inputs.length === 1 ? '' : 's'} but the network has ${inputColumns.length} input${inputColumns.length === 1 ? '' : 's'} (${inputColumns.join(', ')}): one column per input, in order`);
    const targetsNode = this.required(node, 'targets', name);
    const targets = columns('targets');
    const labelled = targets.length === 1 && outputNames.length > 1;
    if (labelled && this.fit.loss !== 'cross-entropy') throw this.error(targetsNode, `${name}.targets names 1 column for ${outputNames.length} outputs: a column of class labels needs "loss": "cross-entropy"; else name one column per output (${outputNames.join(', ')})`);
    if (!labelled && targets.length !== outputNames.length) throw this.error(targetsNode, `${name}.targets names ${targets.length} columns but the network has ${outputNames.length} output${outputNames.length === 1 ? '' : 's'} (${outputNames.join(', ')}): one column per output, or with cross-entropy one column of class labels`);
    const classesNode = this.prop(node, 'classes');
    let classes: readonly string[] | 'sorted' | null = labelled ? (this.classes ?? 'sorted') : null;
    if (classesNode) {
      if (!labelled) throw this.error(classesNode, `${name}.classes goes with a column of class labels (cross-entropy, one column in "targets")`);
      classes = this.names(classesNode, `${name}.classes`);
      if (classes.length !== outputNames.length) throw this.error(classesNode, `${name}.classes has ${classes.length} class${classes.length === 1 ? '' : 'es'} but the network has ${outputNames.length} outputs (${outputNames.join(', ')}): one class per output, in order`);
    }
    let text: string | undefined;
    try {
      text = this.readFile?.(checked.path);
    } catch (e) {
      throw this.error(fileNode, `cannot read "${checked.path}": ${(e as Error).message}`);
    }
    if (text === undefined) throw this.error(fileNode, this.readFile ? `cannot read "${checked.path}": there is no such file beside the network file` : `"${checked.path}" cannot be read here: this host reads no data files`);
    const read = readDataFile({ path: checked.path, text, reference: this.position(fileNode), inputs, targets, outputNames, classes, oneHot: this.fit.loss === 'cross-entropy', limits: this.limits });
    if (read.classes) this.classes ??= read.classes;
    return read.data;
  }

  private matrix(node: Node, where: string, width: number, what: string): number[][] {
    this.expectType(node, 'array', where, 'an array of rows');
    const count = node.children?.length ?? 0;
    if (count > this.limits.samples) throw this.error(node.children![this.limits.samples], `${where} has ${count} rows, more than ${overLimit(this.limits, 'samples')}`);
    return (node.children ?? []).map((row, i) => {
      this.expectType(row, 'array', `${where}[${i}]`, `an array of ${width} number${width === 1 ? '' : 's'}`);
      const cells = row.children ?? [];
      if (cells.length !== width) throw this.error(row, `${where}[${i}] has ${cells.length} value${cells.length === 1 ? '' : 's'} but there ${width === 1 ? `is 1 ${what}` : `are ${width} ${what}s`}`);
      return cells.map((c, k) => this.number(c, `${where}[${i}][${k}]`));
    });
  }

  private training(node: Node | undefined, network: ParameterTable, samples: number): Network['training'] {
    let learningRate: number = TRAINING_DEFAULTS.learningRate;
    let maxSteps: number = TRAINING_DEFAULTS.maxSteps;
    let minStepSize: number = TRAINING_DEFAULTS.minStepSize;
    const trainable = new Uint8Array(network.parameterCount).fill(1);
    let optimizer: OptimizerSettings = SGD;
    let batchSize: number | null = null;
    let shuffle: boolean | undefined;
    let seed = 0;
    let regularization: Regularization = { l1: 0, l2: 0 };
    let schedule: Schedule = CONSTANT;
    let clip: number | null = null;
    let validationShare: number | null = null;
    if (node) {
      this.expectType(node, 'object', 'training', 'an object ({ "learningRate": 0.1, ... })');
      this.rejectUnknownKeys(node, TRAINING_KEYS, 'training');
      const lr = this.prop(node, 'learningRate');
      if (lr) learningRate = this.positive(lr, 'training.learningRate');
      const ms = this.prop(node, 'maxSteps');
      if (ms) maxSteps = this.integer(ms, 'training.maxSteps', 0);
      const mss = this.prop(node, 'minStepSize');
      if (mss) {
        minStepSize = this.number(mss, 'training.minStepSize');
        if (minStepSize < 0) throw this.error(mss, `training.minStepSize must be zero or more, not ${this.show(mss)}`);
      }
      const t = this.prop(node, 'trainable');
      if (t) {
        this.expectType(t, 'array', 'training.trainable', 'an array of parameter names such as ["w3", "b3"]');
        trainable.fill(0);
        for (const item of t.children ?? []) {
          const name = this.string(item, 'training.trainable');
          const p = findParameter(network, name);
          if (!p) throw this.error(item, `unknown parameter "${name}" in training.trainable: this network has ${describeParameterNames(network)}`);
          if (trainable[p.index]) throw this.error(item, `"${name}" is listed twice in training.trainable`);
          trainable[p.index] = 1;
        }
      }
      const o = this.prop(node, 'optimizer');
      if (o) optimizer = this.optimizer(o);
      const bs = this.prop(node, 'batchSize');
      if (bs) {
        batchSize = this.integer(bs, 'training.batchSize', 1);
        if (batchSize > samples) throw this.error(bs, `training.batchSize is ${batchSize} but the training set has ${samples} sample${samples === 1 ? '' : 's'}: give ${samples} or fewer (${samples} is full batch, the default)`);
      }
      const sh = this.prop(node, 'shuffle');
      if (sh) shuffle = this.boolean(sh, 'training.shuffle');
      const sd = this.prop(node, 'seed');
      if (sd) {
        seed = this.number(sd, 'training.seed');
        if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw this.error(sd, `training.seed must be a whole number from 0 to 4294967295, not ${this.show(sd)}`);
      }
      const r = this.prop(node, 'regularization');
      if (r) {
        this.expectType(r, 'object', 'training.regularization', 'an object such as { "l2": 0.01 }');
        this.rejectUnknownKeys(r, ['l1', 'l2'], 'training.regularization');
        const read = (key: 'l1' | 'l2'): number => {
          const v = this.prop(r, key);
          if (!v) return 0;
          const value = this.number(v, `training.regularization.${key}`);
          if (value < 0) throw this.error(v, `training.regularization.${key} must be zero or more, not ${this.show(v)}`);
          return value;
        };
        regularization = { l1: read('l1'), l2: read('l2') };
      }
      const sc = this.prop(node, 'schedule');
      if (sc) schedule = this.schedule(sc);
      const c = this.prop(node, 'clip');
      if (c) {
        this.expectType(c, 'object', 'training.clip', 'an object such as { "norm": 1 }');
        this.rejectUnknownKeys(c, ['norm'], 'training.clip');
        clip = this.positive(this.required(c, 'norm', 'training.clip'), 'training.clip.norm');
      }
      const vs = this.prop(node, 'validationShare');
      if (vs) validationShare = this.number(vs, 'training.validationShare');
    }
    return {
      learningRate, maxSteps, minStepSize, trainable, optimizer, batchSize, shuffle: shuffle ?? (batchSize !== null && batchSize < samples), seed,
      regularization, schedule, clip, validationShare,
    };
  }

  /** "sgd", or { "type": ..., and that optimizer's fields }, each field as PyTorch names and bounds it. */
  private optimizer(node: Node): OptimizerSettings {
    if (node.type === 'string') {
      const type = this.oneOf(node, OPTIMIZER_TYPES, 'training.optimizer');
      return OPTIMIZER_DEFAULTS[type];
    }
    this.expectType(node, 'object', 'training.optimizer', `"sgd" or an object such as { "type": "adam" } (${OPTIMIZER_TYPES.join(', ')})`);
    const type = this.oneOf(this.required(node, 'type', 'training.optimizer'), OPTIMIZER_TYPES, 'training.optimizer.type');
    const defaults: Record<string, number | boolean | string> = OPTIMIZER_DEFAULTS[type];
    const fields = Object.keys(defaults).filter((k) => k !== 'type');
    this.rejectUnknownKeys(node, ['type', ...fields], `training.optimizer (${type})`);
    const settings: Record<string, number | boolean | string> = { ...defaults };
    for (const field of fields) {
      const v = this.prop(node, field);
      if (!v) continue;
      const where = `training.optimizer.${field}`;
      if (typeof defaults[field] === 'boolean') { settings[field] = this.boolean(v, where); continue; }
      const value = this.number(v, where);
      // PyTorch's own checks: 0 <= momentum, dampening, alpha, betas < 1 (betas and alpha strictly below 1), eps > 0, decay >= 0.
      const rate = field === 'beta1' || field === 'beta2' || field === 'alpha';
      if (rate && !(value >= 0 && value < 1)) throw this.error(v, `${where} must be at least 0 and below 1 (e.g. ${defaults[field]}), not ${this.show(v)}`);
      if (field === 'epsilon' && !(value > 0)) throw this.error(v, `${where} must be a positive number (e.g. 1e-8), not ${this.show(v)}`);
      if ((field === 'momentum' || field === 'dampening' || field === 'weightDecay') && value < 0) throw this.error(v, `${where} must be zero or more, not ${this.show(v)}`);
      settings[field] = value;
    }
    if (type === 'momentum' && settings.nesterov === true && (settings.dampening !== 0 || !((settings.momentum as number) > 0))) {
      throw this.error(this.prop(node, 'nesterov')!, 'training.optimizer.nesterov needs a momentum above 0 and a dampening of 0 (PyTorch refuses anything else)');
    }
    return settings as unknown as OptimizerSettings;
  }

  /** { "type": "step" | "exponential" | "cosine", and its fields }. */
  private schedule(node: Node): Schedule {
    this.expectType(node, 'object', 'training.schedule', 'an object such as { "type": "step", "every": 100, "factor": 0.5 }');
    const type = this.oneOf(this.required(node, 'type', 'training.schedule'), SCHEDULE_TYPES, 'training.schedule.type');
    const factor = (): number => {
      const v = this.required(node, 'factor', `training.schedule (${type})`);
      const value = this.number(v, 'training.schedule.factor');
      if (!(value > 0)) throw this.error(v, `training.schedule.factor must be a positive number (e.g. 0.5), not ${this.show(v)}`);
      return value;
    };
    switch (type) {
      case 'step':
        this.rejectUnknownKeys(node, ['type', 'every', 'factor'], 'training.schedule (step)');
        return { type, every: this.integer(this.required(node, 'every', 'training.schedule (step)'), 'training.schedule.every', 1), factor: factor() };
      case 'exponential':
        this.rejectUnknownKeys(node, ['type', 'factor'], 'training.schedule (exponential)');
        return { type, factor: factor() };
      case 'cosine': {
        this.rejectUnknownKeys(node, ['type', 'steps', 'min'], 'training.schedule (cosine)');
        const steps = this.integer(this.required(node, 'steps', 'training.schedule (cosine)'), 'training.schedule.steps', 1);
        const minNode = this.prop(node, 'min');
        const min = minNode ? this.number(minNode, 'training.schedule.min') : 0;
        if (minNode && min < 0) throw this.error(minNode, `training.schedule.min must be zero or more, not ${this.show(minNode)}`);
        return { type, steps, min };
      }
    }
  }

  private names(node: Node, where: string): string[] {
    this.expectType(node, 'array', where, 'an array of column names such as ["dosage"]');
    const items = node.children ?? [];
    if (items.length === 0) throw this.error(node, `${where} is empty: name at least one column`);
    const seen = new Set<string>();
    return items.map((item) => {
      const name = this.string(item, where);
      if (name.length === 0) throw this.error(item, `a name in ${where} is empty`);
      if (seen.has(name)) throw this.error(item, `"${name}" appears twice in ${where}`);
      seen.add(name);
      return name;
    });
  }

  // ---- typed reads -------------------------------------------------------------------------

  private prop(node: Node, key: string): Node | undefined {
    for (const p of node.children ?? []) {
      if (p.children?.[0]?.value === key) return p.children[1];
    }
    return undefined;
  }

  private required(node: Node, key: string, where: string): Node {
    const v = this.prop(node, key);
    if (!v) throw this.error(node, `${where} is missing "${key}"`, true);
    return v;
  }

  private requiredColumn(row: Node, column: string, where: string): Node {
    const v = this.prop(row, column);
    if (!v) throw this.error(row, `${where} is missing the column "${column}"`, true);
    return v;
  }

  private rejectUnknownKeys(node: Node, allowed: readonly string[], where: string, noun = 'property'): void {
    for (const p of node.children ?? []) {
      const key = p.children?.[0];
      if (key && !allowed.includes(key.value)) {
        const hint = closest(key.value, allowed);
        throw this.error(key, `unknown ${noun} "${key.value}" in ${where}${hint ? ` (did you mean "${hint}"?)` : `; expected ${allowed.filter((a) => a !== '$schema').map((a) => `"${a}"`).join(', ')}`}`);
      }
    }
  }

  private number(node: Node, where: string): number {
    if (node.type !== 'number') throw this.error(node, `${where} must be a number, not ${this.describe(node)}`);
    const v = node.value as number;
    if (!Number.isFinite(v)) throw this.error(node, `${where} is too large to be a finite number`);
    return v;
  }

  private integer(node: Node, where: string, min: number): number {
    const v = this.number(node, where);
    if (!Number.isInteger(v) || v < min) throw this.error(node, `${where} must be a whole number of at least ${min}, not ${this.show(node)}`);
    return v;
  }

  private positive(node: Node, where: string): number {
    const v = this.number(node, where);
    if (!(v > 0)) throw this.error(node, `${where} must be a positive number, not ${this.show(node)}`);
    return v;
  }

  private boolean(node: Node, where: string): boolean {
    if (node.type !== 'boolean') throw this.error(node, `${where} must be true or false, not ${this.describe(node)}`);
    return node.value as boolean;
  }

  private string(node: Node, where: string): string {
    if (node.type !== 'string') throw this.error(node, `${where} must be a string, not ${this.describe(node)}`);
    return node.value as string;
  }

  private oneOf<T extends string>(node: Node, allowed: readonly T[], where: string, extra = ''): T {
    const v = this.string(node, where);
    if (!(allowed as readonly string[]).includes(v)) {
      const hint = closest(v, allowed);
      throw this.error(node, `unknown ${where.split('.').pop()} "${v}" in ${where}: expected one of ${allowed.join(', ')}${extra ? ` ${extra}` : ''}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    return v as T;
  }

  private expectType(node: Node, type: 'object' | 'array', where: string, expected: string): void {
    if (node.type !== type) throw this.error(node, `${where} must be ${expected}, not ${this.describe(node)}`);
  }

  private describe(node: Node): string {
    switch (node.type) {
      case 'string': return `the string ${JSON.stringify(node.value)}`;
      case 'number': return `the number ${this.show(node)}`;
      case 'boolean': return `${node.value}`;
      case 'null': return 'null';
      case 'array': return 'an array';
      case 'object': return 'an object';
      default: return node.type;
    }
  }

  private show(node: Node): string {
    return this.text.substr(node.offset, Math.min(node.length, 40));
  }

  private position(node: Node): SourcePosition {
    return this.lines.position(node.offset, node.length);
  }

  /** An error at `node`; `atStart` points at the opening brace only, not the whole object. */
  private error(node: Node, message: string, atStart = false): NetworkFileError {
    return new NetworkFileError(message, this.lines.position(node.offset, atStart ? 1 : node.length));
  }
}
