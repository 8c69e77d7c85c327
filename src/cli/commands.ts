/**
 * The `backprop` commands over the core. `runCli` takes the arguments and an output sink and
 * returns the exit code, so tests drive it in-process; cli.ts is only the process wrapper.
 */
import { parseArgs } from 'node:util';
import {
  besideFile, checkDigits, describeLossChange, describeParameterChange, describeParameterNames, describeTraining, findParameter, type GenerateSpec, inputColumns, loadNetwork, lossSymbol,
  type Factor, type Limits, limitsWith, type Network, NetworkFileError, parseLimits, type RoundingEffect, roundingEffect, softmax, type StopReason, Trainer, validationLoss, writeParameters,
} from '../core';
import { BUILTIN_KINDS, BUILTINS, type BreakpointSpec, type BuiltinKind, type BuiltinSettings, defaultBuiltins, describeBreakpoint } from '../session/breakpointTypes';
import { TrainingSession } from '../session/training';
import { explainView } from '../session/frame';
import { type Exporter, exporterFor, exportBaseName, FormatError, type Importer, importerFor, type LayerActivation, ModelFileError, networkNameFor, parseActivations, siblingPath } from '../core/models/formats';
import { networkTextFromModel } from '../core/models/convert';
import { renderExplanation } from './explanation';
import { diskDataReader } from '../diskDataFiles';
import { n, renderTable } from './table';

export interface CliIo {
  readFile(path: string): string;
  /** For --write and --out, and the files import and export write. */
  writeFile(path: string, contents: string | Uint8Array): void;
  /** A model's bytes and the files beside it (import); without it, import cannot read binary files. */
  readBytes?(path: string): Uint8Array;
  /** A file's size in bytes, or undefined (import refuses a model past the modelFileBytes limit before reading it). */
  sizeOf?(path: string): number | undefined;
  /** Whether something is at `path` (import never replaces a network it did not name); and whether that is a folder (export -o DIR). */
  stat?(path: string): 'file' | 'directory' | undefined;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A usage mistake: printed as one line, exit code 1. */
class UsageError extends Error {}

const USAGE = `Usage: backprop <command> FILE [options]

Commands:
  check FILE                      validate a network file
  grad FILE                       the loss and every gradient at the file's parameters
  train FILE [--steps N] [breakpoints] [--write | --out FILE2] [--round N]
                                  run gradient descent until it converges, reaches N steps,
                                  or a breakpoint stops it
  explain FILE --param NAME [--steps N]
                                  the chain rule behind dLoss/dNAME, sample by sample
  import MODEL [--out NET] [--activations LIST]
                                  a network file from a dense model: ONNX (.onnx),
                                  TensorFlow.js (model.json and its .bin files)
  export FILE --to FORMAT [--out OUT] [--steps N]
                                  the network with the file's parameters as a model
                                  (onnx, tfjs) or a training script (pytorch, numpy)
  dap [--port N] [--limits LIST]  the debug adapter for any DAP client (Neovim, Emacs, ...):
                                  DAP on stdin/stdout, or on 127.0.0.1:N

Options:
  --json              machine-readable output
  --steps N           maximum steps (train: replaces training.maxSteps; explain: steps to take first, default 0)
  --param NAME        the parameter to explain: w1, w2, ..., b1, b2, ...
  --break EXPR        stop when EXPR becomes true, e.g. 'loss < 0.01', 'abs(dw1) > 10 && step > 100' (repeatable)
  --break-at N        stop at step N
  --break-every N     stop at every Nth step (the first, with train)
  --break-on LIST     stop on built-in conditions: ${BUILTIN_KINDS.filter((k) => k !== 'converged').map(cliName).join(', ')}
                      (thresholds after colons, e.g. plateau:50,vanishing:1e-6)
  --write             write the trained parameters back into FILE, keeping its formatting
  --out FILE2, -o     train: write the network with the trained parameters to FILE2;
                      import: the network file to write (default: MODEL's name, .nn.json);
                      export: the file to write (default: FILE's name and the format's extension)
  --to FORMAT         export: the format to write (onnx, tfjs, pytorch, numpy)
  --activations LIST  import: one activation a layer, for files that hold none (safetensors),
                      e.g. relu,relu,identity (softmax last: the softmax output, cross-entropy)
  --batches           list the samples each step trained on (0-based, into the training set in file order)
  --round N           with --write or --out: round them to N significant digits (1 to 17), and say
                      how much that moves the loss
  --limits LIST       raise (or lower) the limits a file is checked against, e.g.
                      parameters=20000000,samples=2000000 (see Limits in docs/security.md)
  --help              this text

train exits 0 when it stops by its rules or a breakpoint, 2 when training diverged, 1 on bad input.`;

const FLAGS: Record<string, readonly string[]> = {
  check: ['json', 'limits'],
  grad: ['json', 'limits'],
  train: ['json', 'steps', 'break', 'break-at', 'break-every', 'break-on', 'write', 'out', 'round', 'batches', 'limits'],
  explain: ['json', 'steps', 'param', 'limits'],
  import: ['out', 'activations', 'limits'],
  export: ['to', 'out', 'steps', 'limits'],
};

/** How a built-in condition is named on the command line: loss-up for lossUp. */
function cliName(kind: BuiltinKind): string {
  return kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function runCli(argv: readonly string[], io: CliIo): number {
  try {
    return dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`backprop: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function dispatch(argv: readonly string[], io: CliIo): number {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout)(`${USAGE}\n`);
    return argv.length === 0 ? 1 : 0;
  }
  const [command, ...rest] = argv;
  const allowed = FLAGS[command];
  if (!allowed) throw new UsageError(`unknown command '${command}': expected one of ${Object.keys(FLAGS).join(', ')} (see backprop --help)`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const { file, flags } = parseFlags(command, rest, allowed);
  if (command === 'import') return importModel(file, flags, io);

  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${file}: ${why}`);
  }

  let network: Network;
  try {
    network = loadNetwork(text, { readFile: diskDataReader(file, io.readFile, limitsWith(flags.limits).dataFileBytes), limits: flags.limits });
  } catch (e) {
    if (!(e instanceof NetworkFileError)) throw e;
    if (command === 'check' && flags.json) {
      const { line, column } = e.position;
      io.stdout(`${JSON.stringify({ ok: false, error: { message: e.message, line, column, ...(e.file === undefined ? {} : { file: besideFile(file, e.file) }) } })}\n`);
    }
    io.stderr(`${e.format(file)}\n`);
    return 1;
  }

  switch (command) {
    case 'check': return check(file, network, flags.json, io);
    case 'grad': return grad(network, flags.json, io);
    case 'train': return train(file, text, network, flags, io);
    case 'explain': return explainCommand(network, flags.param, flags.steps ?? 0, flags.json, io);
    case 'export': return exportModel(file, network, flags, io);
    default: throw new UsageError(`unknown command '${command}'`);
  }
}

interface Flags {
  json: boolean;
  steps?: number;
  param?: string;
  breakpoints: BreakpointSpec[];
  builtins: BuiltinSettings;
  write: boolean;
  out?: string;
  /** Significant digits to round the written parameters to. */
  round?: number;
  /** List the samples each step trained on. */
  batches: boolean;
  /** export: the format's id. */
  to?: string;
  /** import: one activation a layer. */
  activations?: LayerActivation[];
  /** --limits: the limits the file is checked against (the defaults' values where it names none). */
  limits?: Partial<Limits>;
}

const VALUE_FLAGS = ['--steps', '--param', '--break', '--break-at', '--break-every', '--break-on', '--out', '-o', '--round', '--to', '--activations', '--limits'];

function parseFlags(command: string, args: readonly string[], allowed: readonly string[]): { file: string; flags: Flags } {
  // `--steps -1` would read -1 as a flag; joining a value flag to its next word as `--steps=-1`
  // lets the value check below say what is wrong with it.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (VALUE_FLAGS.includes(args[i]) && i + 1 < args.length && !args[i + 1].startsWith('--')) joined.push(`${args[i] === '-o' ? '--out' : args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joined,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        json: { type: 'boolean' }, steps: { type: 'string' }, param: { type: 'string' },
        break: { type: 'string', multiple: true }, 'break-at': { type: 'string', multiple: true }, 'break-every': { type: 'string', multiple: true },
        'break-on': { type: 'string', multiple: true }, write: { type: 'boolean' }, out: { type: 'string', short: 'o' }, round: { type: 'string' }, batches: { type: 'boolean' },
        to: { type: 'string' }, activations: { type: 'string' }, limits: { type: 'string' },
      },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const option = /'(--?[A-Za-z][\w-]*)/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown flag '${option ?? '?'}' for ${command}; it takes ${allowed.map((f) => `--${f}`).join(', ')}`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(err.message)) throw new UsageError(`${option} takes no value`);
      throw new UsageError(`${option ?? 'a flag'} needs a value, e.g. ${option === '--param' ? '--param w3' : '--steps 100'}`);
    }
    throw new UsageError(err.message.split('\n')[0]);
  }
  const { values, positionals, tokens } = parsed;
  const seen = new Set<string>();
  const repeatable = new Set(['break', 'break-at', 'break-every', 'break-on']);
  for (const t of tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name) && !repeatable.has(t.name)) throw new UsageError(`--${t.name} is given more than once`);
    seen.add(t.name);
  }
  for (const key of Object.keys(values)) {
    if (!allowed.includes(key)) throw new UsageError(`${command} does not take --${key}; it takes ${allowed.map((f) => `--${f}`).join(', ')}`);
  }
  if (positionals.length === 0) {
    if (command === 'import') throw new UsageError('import needs a model file: backprop import MODEL (an .onnx file, or a TensorFlow.js model.json)');
    throw new UsageError(`${command} needs a network file: backprop ${command} FILE${command === 'export' ? ' --to FORMAT' : ''}`);
  }
  if (positionals.length > 1) throw new UsageError(`${command} takes one file, got ${positionals.length}: ${positionals.join(' ')}`);
  const flags: Flags = { json: values.json === true, breakpoints: [], builtins: defaultBuiltins(), write: values.write === true, out: values.out, batches: values.batches === true };
  const whole = (flag: string, text: string): number => {
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) throw new UsageError(`malformed --${flag} '${text}': expected a whole number of steps, 1 or more`);
    return Number(text);
  };
  for (const text of values['break-at'] ?? []) flags.breakpoints.push({ id: `break-at-${text}`, enabled: true, kind: 'step', step: whole('break-at', text) });
  for (const text of values['break-every'] ?? []) flags.breakpoints.push({ id: `break-every-${text}`, enabled: true, kind: 'every', every: whole('break-every', text) });
  (values.break ?? []).forEach((expression, i) => flags.breakpoints.push({ id: `break-${i + 1}`, enabled: true, kind: 'condition', expression }));
  for (const list of values['break-on'] ?? []) {
    for (const item of list.split(',').map((x) => x.trim()).filter(Boolean)) {
      const [name, ...thresholds] = item.split(':');
      const kind = BUILTIN_KINDS.find((k) => cliName(k) === name);
      if (!kind || kind === 'converged') throw new UsageError(`unknown condition '${name}' for --break-on; it takes ${BUILTIN_KINDS.filter((k) => k !== 'converged').map(cliName).join(', ')}`);
      const numbers = thresholds.map(Number);
      if (numbers.some((n) => !Number.isFinite(n)) || numbers.length > (BUILTINS[kind].threshold2 ? 2 : BUILTINS[kind].threshold ? 1 : 0)) {
        throw new UsageError(`malformed thresholds '${thresholds.join(':')}' for --break-on ${name}: ${BUILTINS[kind].threshold ? `it takes ${BUILTINS[kind].threshold2 ? 'two numbers' : 'a number'} (${[BUILTINS[kind].threshold, BUILTINS[kind].threshold2].filter(Boolean).map((t) => t!.label).join(', ')})` : 'it takes none'}`);
      }
      flags.builtins[kind] = { enabled: true, threshold: numbers[0] ?? flags.builtins[kind].threshold, threshold2: numbers[1] ?? flags.builtins[kind].threshold2 };
    }
  }
  if (values.limits !== undefined) {
    try {
      flags.limits = parseLimits(values.limits);
    } catch (e) {
      throw new UsageError(`malformed --limits '${values.limits.slice(0, 60)}': ${(e as Error).message}`);
    }
  }
  if (flags.write && flags.out !== undefined) throw new UsageError('--write and --out both say where the parameters go: give one');
  if (values.round !== undefined) {
    if (!flags.write && flags.out === undefined) throw new UsageError('--round rounds what --write or --out writes: give one of them too');
    const digits = /^\d+$/.test(values.round) ? Number(values.round) : NaN;
    try {
      checkDigits(digits);
    } catch {
      throw new UsageError(`malformed --round '${values.round}': expected a whole number of significant digits from 1 to 17`);
    }
    flags.round = digits;
  }
  if (values.steps !== undefined) {
    if (!/^\d+$/.test(values.steps) || !Number.isSafeInteger(Number(values.steps))) {
      throw new UsageError(`malformed --steps '${values.steps}': expected a whole number of steps, 0 or more`);
    }
    flags.steps = Number(values.steps);
  }
  if (command === 'explain') {
    if (values.param === undefined) throw new UsageError('explain needs --param NAME, e.g. --param w3');
    flags.param = values.param;
  }
  if (command === 'export') {
    if (values.to === undefined) throw new UsageError('export needs --to FORMAT: onnx, tfjs, pytorch or numpy');
    flags.to = values.to;
  }
  if (values.activations !== undefined) {
    try {
      flags.activations = parseActivations(values.activations);
    } catch (e) {
      if (e instanceof FormatError) throw new UsageError(`malformed --activations '${values.activations}': ${e.message}`);
      throw e;
    }
  }
  return { file: positionals[0], flags };
}

// ---- commands ------------------------------------------------------------------------------

function check(file: string, net: Network, json: boolean, io: CliIo): number {
  const trainer = new Trainer(net);
  const loss = trainer.trainingLoss();
  const trainable = net.parameters.filter((p) => net.training.trainable[p.index]).map((p) => p.name);
  if (json) {
    io.stdout(`${JSON.stringify({
      ok: true, name: net.name, inputs: net.inputNames, outputs: net.outputNames,
      layers: net.layers.map((l) => ({ units: l.units, activation: l.activation })),
      parameters: net.parameterCount, trainable, samples: net.data.samples, loss: net.loss, lossValue: loss,
      ...(net.features ? { columns: net.features.columns, features: net.features.sources } : {}),
      ...(net.generated.data || net.generated.validation ? { generated: net.generated } : {}),
    })}\n`);
    return 0;
  }
  const shape = [`${net.inputNames.length}`, ...net.layers.map((l) => `${l.units} ${l.activation}`)].join(' -> ');
  io.stdout(`${file}: OK, "${net.name}"
  layers:     ${shape}
  parameters: ${net.parameterCount} (${describeParameterNames(net)}), ${trainable.length === net.parameterCount ? 'all' : trainable.length} trainable${trainable.length < net.parameterCount ? ` (${trainable.join(', ') || 'none'})` : ''}
  data:       ${net.data.samples} sample${net.data.samples === 1 ? '' : 's'} of ${inputColumns(net).join(', ')} -> ${net.outputNames.join(', ')}${generatedNote(net.generated.data)}${net.validation ? `, and ${net.validation.samples} for validation${generatedNote(net.generated.validation)}` : ''}
${net.features ? `  features:   ${net.features.labels.join(', ')} (the network's ${net.inputNames.length} inputs)\n` : ''}  loss:       ${net.loss}, ${lossSymbol(net.loss)} = ${n(loss)} at the file's parameters
  training:   ${describeTraining(net)}
`);
  return 0;
}

/** ", generated: spiral (noise 0.1, seed 1)" for generated data. */
function generatedNote(spec: GenerateSpec | null): string {
  return spec ? ` (generated: ${spec.kind}, noise ${spec.noise}, seed ${spec.seed})` : '';
}

function grad(net: Network, json: boolean, io: CliIo): number {
  const trainer = new Trainer(net);
  const loss = trainer.evaluate();
  if (json) {
    const gradients: Record<string, number> = {};
    for (const p of net.parameters) gradients[p.name] = trainer.gradients[p.index];
    io.stdout(`${JSON.stringify({ loss, gradients })}\n`);
    return 0;
  }
  const sym = lossSymbol(net.loss);
  const rows = net.parameters.map((p) => [p.name, n(trainer.params[p.index]), n(trainer.gradients[p.index]), net.training.trainable[p.index] ? 'yes' : 'no']);
  io.stdout(`${net.name}\n${sym} = ${n(loss)} at the file's parameters\n\n${renderTable(['param', 'value', `d${sym}/dparam`, 'trainable'], rows)}\n`);
  if (net.loss === 'cross-entropy') io.stdout(`\n${outputsTable(net, trainer)}\n`);
  return 0;
}

/** Each sample's output scores beside their softmax probabilities and the targets: what cross-entropy compares. */
function outputsTable(net: Network, trainer: Trainer): string {
  const nOut = net.outputNames.length;
  const headers = ['i', ...net.outputNames.map((o) => `observed ${o}`), ...net.outputNames.map((o) => `score ${o}`), ...net.outputNames.map((o) => `softmax ${o}`)];
  const rows = Array.from({ length: net.data.samples }, (_, i) => {
    const scores = trainer.predicted.subarray(i * nOut, (i + 1) * nOut);
    return [String(i + 1), ...Array.from(net.data.targets.subarray(i * nOut, (i + 1) * nOut), n), ...Array.from(scores, n), ...softmax(scores).map(n)];
  });
  return `outputs: the last layer's scores, and their softmax (the probabilities cross-entropy compares with the targets)\n\n${renderTable(headers, rows)}`;
}

/**
 * Gradient descent until a stopping rule or a breakpoint stops it, through the same training
 * session as the editor's Continue: a breakpoint at step 175 stops at the state `--steps 175` ends
 * at, with the same numbers.
 */
function train(file: string, text: string, net: Network, flags: Flags, io: CliIo): number {
  const maxSteps = flags.steps ?? net.training.maxSteps;
  const network: Network = { ...net, training: { ...net.training, maxSteps } };
  const session = new TrainingSession(network);
  const statuses = session.setBreakpoints(flags.breakpoints, flags.builtins);
  const broken = statuses.find((s) => !s.verified);
  if (broken) {
    const spec = flags.breakpoints.find((b) => b.id === broken.id)!;
    throw new UsageError(`bad breakpoint '${describeBreakpoint(spec)}': ${broken.message}`);
  }
  const trainer = session.trainer;
  // The whole training set's loss (with batches a step sees only its batch).
  const before = trainer.trainingLoss();
  const stop = session.continueToStop();
  const loss = trainer.trainingLoss();
  const valLoss = network.validation ? validationLoss(network, trainer.params) : null;
  const stopReason = stop.reason === 'breakpoint' ? 'breakpoint' : session.stopReason ?? stop.reason;
  let wrote: string | undefined;
  let rounded: RoundingEffect | undefined;
  if (flags.write || flags.out !== undefined) {
    const target = flags.out ?? file;
    try {
      io.writeFile(target, writeParameters(text, trainer.params, { digits: flags.round, readFile: diskDataReader(file, io.readFile, limitsWith(flags.limits).dataFileBytes), limits: flags.limits }));
      wrote = target;
      if (flags.round !== undefined) rounded = roundingEffect(network, trainer.params, flags.round);
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(`cannot write ${target}: ${e.message}`);
      throw e;
    }
  }
  const status = stopReason === 'diverged' ? 2 : 0;
  if (flags.json) {
    const parameters: Record<string, number> = {};
    for (const p of network.parameters) parameters[p.name] = trainer.params[p.index];
    const hits = stop.reason === 'breakpoint' ? stop.hits : [];
    io.stdout(`${JSON.stringify({
      steps: trainer.stepCount, stopReason, loss, parameters,
      epoch: trainer.batches.epochAfter(trainer.stepCount), batchLoss: trainer.stepCount > 0 ? trainer.lastBatchLoss : null, valLoss,
      ...(flags.batches ? { batches: batchesOf(trainer) } : {}),
      ...(hits.length ? { breakpoint: hits[0], hits } : {}),
      ...(wrote ? { wrote } : {}),
      ...(rounded ? { rounded: { digits: rounded.digits, loss: rounded.roundedLoss } } : {}),
    })}\n`);
    return status;
  }
  const sym = lossSymbol(network.loss);
  const why = stop.reason === 'breakpoint' ? stop.text.replace(/^Paused/, 'stopped')
    : {
      'converged': `converged: the last step size, ${n(trainer.lastStepSize)}, is below minStepSize ${n(network.training.minStepSize)}`,
      'max-steps': `stopped at the maximum of ${maxSteps} step${maxSteps === 1 ? '' : 's'}`,
      'diverged': `diverged: the gradients or the loss stopped being finite numbers (try a smaller learning rate than ${n(network.training.learningRate)})`,
    }[stopReason as StopReason] ?? stop.text;
  const rows = network.parameters.map((p) => [
    p.name, n(network.initialParameters[p.index]), n(trainer.params[p.index]), network.training.trainable[p.index] ? 'yes' : 'no',
  ]);
  const batches = flags.batches ? `\nbatches (0-based samples of the training set, step by step):\n${batchesOf(trainer).map((b, i) => `  ${i + 1}: ${b.join(' ')}`).join('\n')}\n` : '';
  io.stdout(`${network.name}\n${trainer.stepCount} step${trainer.stepCount === 1 ? '' : 's'} of ${describeTraining(network)}, ${why}\n${sym}: ${n(before)} -> ${n(loss)}${valLoss !== null ? ` (validation ${sym}: ${n(valLoss)})` : ''}\n${batches}\n${renderTable(['param', 'start', 'final', 'trainable'], rows)}\n${wrote ? `\nwrote the trained parameters to ${wrote}${rounded ? `, rounded to ${rounded.digits} significant digits: ${describeLossChange(rounded, network)}; ${describeParameterChange(rounded)}` : ''}\n` : ''}`);
  return status;
}

/** The samples each step took, step by step: 0-based indices into the training set in file order. */
function batchesOf(trainer: Trainer): number[][] {
  const rows = new Int32Array(trainer.network.data.samples);
  return Array.from({ length: trainer.stepCount }, (_, t) => Array.from(rows.subarray(0, trainer.batches.batchOf(t, rows))));
}

function explainCommand(net: Network, name: string | undefined, steps: number, json: boolean, io: CliIo): number {
  const p = findParameter(net, name ?? '');
  if (!p) throw new UsageError(`unknown parameter '${name}' for --param: this network has ${describeParameterNames(net)}`);
  // Exactly `steps` steps, past convergence if need be: the explanation is of that state.
  const trainer = new Trainer(net);
  for (let i = 0; i < steps; i++) trainer.step();
  const e = explainView(net, trainer, p.name)!;
  if (json) {
    io.stdout(`${JSON.stringify({
      parameter: e.parameter, value: e.value, derivative: e.derivative,
      terms: e.terms.map((t) => ({ sample: t.sample, value: t.value, factors: t.factors.map(factorJson) })),
    })}\n`);
    return 0;
  }
  io.stdout(`${renderExplanation(net, e, steps)}\n`);
  return 0;
}

function factorJson(f: Factor): { label: string; value: number; paths?: unknown[] } {
  const out: { label: string; value: number; paths?: unknown[] } = { label: f.label, value: f.value };
  if (f.paths) out.paths = f.paths.map((p) => ({ label: p.label, value: p.value, factors: p.factors.map(factorJson) }));
  return out;
}


// ---- models in and out ---------------------------------------------------------------------

/** `backprop import MODEL`: the model's network file, beside it unless --out names another. */
function importModel(file: string, flags: Flags, io: CliIo): number {
  let importer: Importer;
  try {
    importer = importerFor(file);
  } catch (e) {
    if (e instanceof FormatError) throw new UsageError(e.message);
    throw e;
  }
  if (importer.needsActivations && !flags.activations) {
    throw new UsageError(`${importer.label} files hold no activations: give --activations with one a layer, e.g. --activations relu,relu,identity`);
  }
  if (!importer.needsActivations && flags.activations) throw new UsageError(`--activations is for files that hold none (safetensors); ${importer.label} models name their own`);
  const readBytes = io.readBytes;
  if (!readBytes) throw new Error('this host gives the CLI no way to read binary files');
  /** The bytes at `path`; `relative`: it is a file beside the model, named so (the error is then in it). */
  const maxBytes = limitsWith(flags.limits).modelFileBytes;
  const read = (path: string, relative?: string): Uint8Array => {
    const size = io.sizeOf?.(path);
    if (size !== undefined && size > maxBytes) {
      throw new ModelFileError(`is ${size.toLocaleString('en-US')} bytes, more than the limit of ${maxBytes.toLocaleString('en-US')} (modelFileBytes: --limits modelFileBytes=N raises it)`, {}, relative);
    }
    try {
      return readBytes(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ModelFileError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message, {}, relative);
    }
  };
  const target = flags.out ?? networkNameFor(file, importer);
  if (flags.out === undefined && io.stat?.(target) !== undefined) {
    throw new UsageError(`${target} exists already: give --out FILE to choose where the network goes (--out replaces what is there)`);
  }
  let text: string;
  let shape: string;
  try {
    const bytes = read(file);
    const model = importer.read({ name: file, bytes, sibling: (relative) => read(siblingPath(file, relative), relative) }, { activations: flags.activations, limits: limitsWith(flags.limits) });
    text = networkTextFromModel(model);
    shape = [String(model.inputs), ...model.layers.map((l) => `${l.units} ${l.activation}`)].join(' -> ') + (model.softmax ? ' -> softmax' : '');
  } catch (e) {
    if (e instanceof ModelFileError) {
      io.stderr(`${e.format(file)}\n`);
      return 1;
    }
    if (e instanceof RangeError || e instanceof FormatError) throw new UsageError(`cannot import ${file}: ${e.message}`);
    throw e;
  }
  io.writeFile(target, text);
  const net = loadNetwork(text, { limits: flags.limits });
  io.stdout(`wrote ${target}: ${shape}, ${net.parameterCount.toLocaleString('en-US')} parameters, from the ${importer.label} model ${file}
its data is a placeholder (one sample): put your own samples in "data" before training
`);
  return 0;
}

/** `backprop export FILE --to FORMAT`: the network with the file's parameters, as the format's files. */
function exportModel(file: string, network: Network, flags: Flags, io: CliIo): number {
  let exporter: Exporter;
  try {
    exporter = exporterFor(flags.to!);
  } catch (e) {
    if (e instanceof FormatError) throw new UsageError(`--to ${flags.to}: ${e.message}`);
    throw e;
  }
  // -o DIR: into that folder; -o FILE: the main file there, the others beside it; else beside FILE.
  const out = flags.out;
  const intoFolder = out !== undefined && (io.stat?.(out) === 'directory' || /[\\/]$/.test(out));
  const folderOf = (path: string): string => path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const folder = out === undefined ? folderOf(file) : intoFolder ? out.replace(/[\\/]?$/, '/') : folderOf(out);
  const baseName = out === undefined || intoFolder ? exportBaseName(file) : out.slice(folder.length).replace(/(\.model)?\.[A-Za-z0-9]+$/, '');
  let files;
  try {
    files = exporter.write(network, Float64Array.from(network.initialParameters), { steps: flags.steps ?? network.training.maxSteps, baseName });
  } catch (e) {
    if (e instanceof RangeError || e instanceof FormatError) throw new UsageError(`cannot export ${file} to ${exporter.label}: ${e.message}`);
    throw e;
  }
  const written = files.map((f, i) => (i === 0 && out !== undefined && !intoFolder ? out : `${folder}${f.name}`));
  files.forEach((f, i) => io.writeFile(written[i], f.contents));
  const notes = exporter.notes?.(network) ?? [];
  io.stdout(`wrote ${written.join(' and ')}: ${exporter.label}${exporter.detail ? `, ${exporter.detail}` : ''}\n${notes.map((note) => `note: ${note}\n`).join('')}`);
  return 0;
}
