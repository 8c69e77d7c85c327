/**
 * What the worker sends to show a run: the structure once per load, then a frame per update with
 * only what changes (the step, the loss, the parameters, the stop), sized for the network: exact
 * numbers while they are few, a byte per weight past that, unit values and explanations only when
 * few and cheap. Pure (no vscode import): the worker builds these, the tests check them.
 */
import { describeTraining, scratchTrainer, explain, finiteDifference, optimizerBuffers, findParameter, isPlainTraining, lossSymbol, type Network, PATH_BUDGET, type Trainer } from '../core';
import { EXACT_FRAME_LIMIT, type Explained, type ExplanationView, type NetworkStructure, type TrainingFrame, type UnitView } from './views';
import type { BreakpointStatus } from './breakpointTypes';
import { progressOf } from './stepper';
import { packExplanations } from './packing';
import type { TrainingSession } from './training';

/**
 * Every explanation follows a stopped frame (in a message of its own, right after it) while building
 * them all is cheap, so a hover answers within a frame with no round trip; past that the webview
 * asks for one at a time. The cost
 * is counted, not timed, so the same network gets the same frames on every machine: the factors all
 * the explanations hold, nested paths included (see explanationCost).
 */
export const EXPLAIN_ALL_LIMIT = 5000;
/** Unit values (x and y for every sample) travel with every frame up to this many numbers. */
export const UNITS_LIMIT = 5000;

/**
 * How many factors the explanations of every parameter hold together: per sample, a parameter
 * d layers before the output has about three factors per layer on each path to the loss, and the
 * explainer opens at most PATH_BUDGET paths beyond the first sum's own.
 */
export function explanationCost(network: Network): number {
  const { layers } = network;
  let cost = 0;
  for (let l = 0; l < layers.length; l++) {
    let paths = 1;
    for (let m = l + 1; m < layers.length && paths <= PATH_BUDGET + (layers[l + 1]?.units ?? 0); m++) paths *= layers[m].units;
    const opened = Math.min(paths, PATH_BUDGET + (layers[l + 1]?.units ?? 0));
    const perTerm = 3 + 3 * (layers.length - 1 - l) * opened;
    cost += layers[l].units * (layers[l].inputs + 1) * perTerm;
  }
  return cost * network.data.samples;
}

/** Whether a stopped frame carries every parameter's explanation (see EXPLAIN_ALL_LIMIT). */
export function carriesExplanations(network: Network): boolean {
  return explanationCost(network) <= EXPLAIN_ALL_LIMIT;
}

export function buildStructure(network: Network): NetworkStructure {
  const { samples } = network.data;
  const nIn = network.inputNames.length;
  const nOut = network.outputNames.length;
  const rows = (flat: Float64Array, width: number): number[][] =>
    Array.from({ length: samples }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));
  return {
    name: network.name,
    description: network.description,
    notation: network.notation,
    inputs: [...network.inputNames],
    features: network.features && { columns: [...network.features.columns], sources: [...network.features.sources] },
    outputs: [...network.outputNames],
    layers: network.layers.map((l) => ({ units: l.units, activation: l.activation })),
    loss: network.loss,
    lossSymbol: lossSymbol(network.loss),
    learningRate: network.training.learningRate,
    maxSteps: network.training.maxSteps,
    samples,
    trainingRule: describeTraining(network),
    optimizerBuffers: [...optimizerBuffers(network.training.optimizer)],
    validationSamples: network.validation?.samples ?? 0,
    plainTraining: isPlainTraining(network.training, samples) && network.validation === null,
    normalization: network.normalization === null ? null : { kind: network.normalization.kind, offset: [...network.normalization.offset], scale: [...network.normalization.scale] },
    explainedAtStops: carriesExplanations(network),
    data: { inputs: rows(network.data.inputs, nIn), targets: rows(network.data.targets, nOut) },
    ...(network.classes ? { classes: [...network.classes] } : {}),
    params: network.parameters.map((p) => ({ name: p.name, kind: p.kind, layer: p.layer, unit: p.unit, input: p.input, trainable: network.training.trainable[p.index] === 1 })),
  };
}

/** The frame showing `session` now; `seq` numbers it (see TrainingFrame.seq). */
export function buildFrame(session: TrainingSession, running: boolean, breakpoints: BreakpointStatus[], seq = 0): TrainingFrame {
  const { trainer, network } = session;
  const loss = trainer.evaluate();
  const exact = network.parameterCount <= EXACT_FRAME_LIMIT;
  const frame: TrainingFrame = {
    step: trainer.stepCount,
    loss,
    running,
    phase: session.phase,
    progress: progressOf(network, session.phase),
    stop: running ? null : session.lastStop,
    activity: running ? session.activity : null,
    stopReason: session.stopReason,
    earliest: session.history.baseStep,
    latest: session.history.latest,
    values: exact ? Array.from(trainer.params) : null,
    gradients: exact ? Array.from(trainer.gradients) : null,
    units: unitValueCount(network) <= UNITS_LIMIT ? allUnits(network, trainer) : null,
    seq,
    breakpoints,
  };
  // The samples (from 1) of the batch the next step trains on, when it is not every sample.
  if (!trainer.batches.full) frame.batch = Array.from(trainer.batch.subarray(0, trainer.batchCount), (i) => i + 1);
  if (!exact) {
    const w = network.weightCount;
    frame.biases = { values: Array.from(trainer.params.subarray(w)), gradients: Array.from(trainer.gradients.subarray(w)) };
    const [values, largestValue] = weightBytes(trainer.params, w);
    const [gradients, largestGradient] = weightBytes(trainer.gradients, w);
    frame.weightStyles = { values, gradients, largestValue, largestGradient };
  }
  return frame;
}

/** One signed byte per weight (sign x round(127 x sqrt(|v| / largest))) as base64, and the largest |v|. */
function weightBytes(array: Float64Array, count: number): [string, number] {
  let largest = 0;
  for (let i = 0; i < count; i++) {
    const a = Math.abs(array[i]);
    if (a > largest) largest = a;
  }
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = array[i];
    const b = largest > 0 && v === v ? Math.round(127 * Math.sqrt(Math.abs(v) / largest)) : 0;
    bytes[i] = (v < 0 ? -b : b) & 0xff;
  }
  let binary = '';
  for (let i = 0; i < count; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return [btoa(binary), largest];
}

function unitValueCount(network: Network): number {
  return network.data.samples * (network.inputNames.length + network.layers.reduce((n, l) => n + l.units, 0)) * 2;
}

/**
 * The trainer whose buffers hold every sample's unit values at `trainer`'s parameters: the trainer
 * itself in full batch; with batches (its rows are the next batch's) the network's scratch, after
 * a forward pass over every sample.
 */
function everySample(network: Network, trainer: Trainer): Trainer {
  if (trainer.batches.full) {
    trainer.evaluate();
    return trainer;
  }
  const scratch = scratchTrainer(network, trainer.params);
  scratch.lossOnly();
  return scratch;
}

/** Unit j (from 0) of layer `layer` (0: the inputs): its x_{j,i} and y_{j,i} for every sample. */
export function unitView(network: Network, trainer: Trainer, layer: number, unit: number, source?: Trainer): UnitView | null {
  const { samples } = network.data;
  if (layer === 0) {
    const nIn = network.inputNames.length;
    if (unit >= nIn) return null;
    const values = Array.from({ length: samples }, (_, i) => network.data.inputs[i * nIn + unit]);
    return { layer: 0, unit, x: values, y: values };
  }
  const l = network.layers[layer - 1];
  if (!l || unit >= l.units) return null;
  // With batches every sample's values come from a forward pass of their own (the frame says
  // which samples the batch holds); allUnits makes it once for all the units.
  const values = source ?? everySample(network, trainer);
  return {
    layer, unit,
    x: Array.from({ length: samples }, (_, i) => values.x[layer - 1][i * l.units + unit]),
    y: Array.from({ length: samples }, (_, i) => values.y[layer - 1][i * l.units + unit]),
  };
}

function allUnits(network: Network, trainer: Trainer): UnitView[] {
  const units: UnitView[] = [];
  const source = everySample(network, trainer);
  for (let k = 0; k < network.inputNames.length; k++) units.push(unitView(network, trainer, 0, k, source)!);
  network.layers.forEach((layer, l) => { for (let j = 0; j < layer.units; j++) units.push(unitView(network, trainer, l + 1, j, source)!); });
  return units;
}

/** Every parameter's explanation at the state shown, for the stopped frame `seq`, packed (see carriesExplanations). */
export function stopExplained(session: TrainingSession, seq: number): Explained & { kind: 'stop' } {
  const work = explainingStop(session, seq);
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
  }
}

/**
 * stopExplained one parameter at a time (a yield after each), so the worker answers a control that
 * comes meanwhile: a teaching network's explanations take tens of milliseconds in all.
 */
export function* explainingStop(session: TrainingSession, seq: number): Generator<void, Explained & { kind: 'stop' }, void> {
  const { network, trainer } = session;
  const explanations: Record<string, ExplanationView> = {};
  for (const p of network.parameters) {
    explanations[p.name] = explainView(network, trainer, p.name)!;
    yield;
  }
  return { kind: 'stop', step: trainer.stepCount, seq, packed: packExplanations(explanations) };
}

/** One parameter's chain-rule breakdown with its finite-difference check and next value. */
export function explainView(network: Network, trainer: Trainer, name: string): ExplanationView | null {
  const p = findParameter(network, name);
  if (!p) return null;
  const e = explain(trainer, p);
  const trainable = network.training.trainable[p.index] === 1;
  const update = trainer.describeUpdate(p.index);
  return {
    ...e,
    step: trainer.stepCount,
    // Over the same samples as the derivative: the next step's batch, or every sample.
    finiteDifference: finiteDifference(network, trainer.params, p.index, undefined, trainer.batches.full ? undefined : trainer.stepCount),
    learningRate: update.learningRate,
    trainable,
    nextValue: update.after,
    // Plain gradient descent's update is the card's learning rate times derivative already.
    ...(isPlainTraining(network.training, network.data.samples) ? {} : {
      update: { rule: update.rule, terms: update.terms.map((t) => ({ ...t })), plainStep: update.plainStep, clipScale: update.clipScale, optimizer: network.training.optimizer.type },
    }),
  };
}
