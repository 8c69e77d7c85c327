/**
 * The NumPy and PyTorch exports. The NumPy script is run with python3 for real and must end where
 * `backprop train --steps N` ends (the same steps, stop reason and batches; the loss and every
 * parameter within 1e-9 of the larger magnitude, or of 1 near zero). torch cannot be installed
 * here, so the PyTorch script's text is held to a golden file (BACKPROP_UPDATE_GOLDEN=1 rewrites it).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/commands';
import { loadNetwork } from '../../src/core';
import { EXPORTERS } from '../../src/core/models/formats';
import { numpyExporter } from '../../src/core/models/numpy';
import { py } from '../../src/core/models/pythonScript';
import { pytorchExporter } from '../../src/core/models/pytorch';
import { close, examplePath, ROOT } from './helpers';

const tmp = mkdtempSync(path.join(tmpdir(), 'backprop-python-'));

/**
 * The Python that has numpy: the one on the PATH, or Debian's, where .ci/run installs
 * python3-numpy (a PATH's python3 may be another, pyenv's, without it).
 */
const PYTHON = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import numpy']).status === 0) ?? 'python3';

interface Result { steps: number; stopReason: string; loss: number; valLoss: number | null; parameters: Record<string, number>; batches: number[][] }

function cliTrain(file: string, steps: number): Result {
  let stdout = '';
  let stderr = '';
  const code = runCli(['train', file, '--steps', String(steps), '--json', '--batches'], {
    readFile: (p) => readFileSync(p, 'utf8'), writeFile: () => { throw new Error('no writes'); },
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
  });
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as Result;
}

function runNumpy(file: string, steps: number): { result: Result; script: string } {
  const network = loadNetwork(readFileSync(file, 'utf8'));
  const baseName = path.basename(file, '.nn.json');
  const [out] = numpyExporter.write(network, network.initialParameters, { steps, baseName });
  assert.equal(out.name, `${baseName}.py`);
  const script = path.join(tmp, out.name);
  writeFileSync(script, out.contents);
  const run = spawnSync(PYTHON, [script, '--json', '--batches'], { encoding: 'utf8' });
  assert.equal(run.error, undefined, `python3 could not be started (${run.error?.message}): .ci/run installs python3-numpy where it is missing`);
  assert.equal(run.status, 0, run.stderr);
  return { result: JSON.parse(run.stdout) as Result, script: out.contents as string };
}

function assertSameRun(python: Result, core: Result, label: string): void {
  assert.equal(python.steps, core.steps, `${label}: steps`);
  assert.equal(python.stopReason, core.stopReason, `${label}: stop reason`);
  assert.deepEqual(python.batches, core.batches, `${label}: batches`);
  assert.ok(close(python.loss, core.loss, 1e-9), `${label}: loss ${python.loss} vs ${core.loss}`);
  if (core.valLoss === null) assert.equal(python.valLoss, null);
  else assert.ok(close(python.valLoss!, core.valLoss, 1e-9), `${label}: validation loss ${python.valLoss} vs ${core.valLoss}`);
  assert.deepEqual(Object.keys(python.parameters), Object.keys(core.parameters));
  for (const [name, value] of Object.entries(core.parameters)) {
    assert.ok(close(python.parameters[name], value, 1e-9), `${label}: ${name} ${python.parameters[name]} vs ${value}`);
  }
}

/** A network file with every field the case names, over 12 samples of two inputs. */
function variant(name: string, body: Record<string, unknown>): string {
  const data = Array.from({ length: 12 }, (_, i) => {
    const x = Math.round(100 * Math.sin(i * 1.7)) / 100;
    const y = Math.round(100 * Math.cos(i * 0.9)) / 100;
    return { x, y, a: x * y > 0 ? 1 : 0, b: x * y > 0 ? 0 : 1 };
  });
  const file = path.join(tmp, `${name}.nn.json`);
  writeFileSync(file, JSON.stringify({
    name, inputs: ['x', 'y'], outputs: ['a', 'b'],
    init: { weights: 'glorot', biases: 0.1, seed: 7 },
    data, ...body,
  }, null, 2));
  return file;
}

const VARIANTS: [string, Record<string, unknown>][] = [
  ['momentum-nesterov-l1-clip-step', {
    layers: [{ units: 5, activation: 'leaky-relu', slope: 0.1 }, { units: 2, activation: 'identity' }], loss: 'cross-entropy',
    training: { learningRate: 0.05, optimizer: { type: 'momentum', momentum: 0.8, nesterov: true }, batchSize: 5, shuffle: true, seed: 11, regularization: { l1: 0.01 }, clip: { norm: 0.5 }, schedule: { type: 'step', every: 7, factor: 0.5 }, maxSteps: 100, minStepSize: 0 },
  }],
  ['rmsprop-centered-cosine-frozen', {
    layers: [{ units: 4, activation: 'elu', alpha: 0.7 }, { units: 3, activation: 'gelu' }, { units: 2, activation: 'sigmoid' }], loss: 'mse',
    training: { learningRate: 0.01, optimizer: { type: 'rmsprop', centered: true, momentum: 0.5 }, trainable: ['w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10', 'w11', 'w12', 'w13', 'w14', 'w15', 'w16', 'w17', 'w18', 'w19', 'w20', 'w21', 'w22', 'w23', 'w24', 'w25', 'w26', 'b1', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9'], schedule: { type: 'cosine', steps: 40, min: 0.001 }, maxSteps: 100, minStepSize: 0 },
  }],
  ['adamw-amsgrad-exponential-normalize', {
    layers: [{ units: 6, activation: 'silu' }, { units: 2, activation: 'softplus' }], loss: 'ssr', normalize: 'standard',
    training: { learningRate: 0.02, optimizer: { type: 'adamw', amsgrad: true, weightDecay: 0.05 }, batchSize: 4, shuffle: false, regularization: { l2: 0.01 }, schedule: { type: 'exponential', factor: 0.99 }, validationShare: 0.25, seed: 2, maxSteps: 100, minStepSize: 0 },
  }],
  ['relu-sgd-converges', {
    layers: [{ units: 3, activation: 'relu' }, { units: 2, activation: 'tanh' }], loss: 'ssr',
    training: { learningRate: 0.02, maxSteps: 100000, minStepSize: 0.001 },
  }],
];

describe('export to NumPy and PyTorch', function () {
  this.timeout(120000);

  before(() => {
    const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
    assert.ok(probe.status === 0, `these tests run python3 with numpy, which is missing here (${probe.stderr || probe.error?.message}): \`apt-get install -y python3-numpy\` (.ci/run does it)`);
  });

  for (const [example, steps] of [['dosage-all', 300], ['dosage-adam', 300], ['classifier-batches', 500], ['xor', 400], ['dosage-all', 5000]] as const) {
    it(`the NumPy script of ${example} trains as \`backprop train --steps ${steps}\` does`, () => {
      const file = examplePath(`${example}.nn.json`);
      const { result } = runNumpy(file, steps);
      assertSameRun(result, cliTrain(file, steps), example);
      if (steps === 5000) assert.equal(result.stopReason, 'converged', 'dosage-all converges before 5000 steps: the stopping rule is the debugger\'s');
    });
  }

  for (const [name, body] of VARIANTS) {
    it(`the NumPy script reproduces ${name}`, () => {
      const file = variant(name, body);
      const { result } = runNumpy(file, 60);
      assertSameRun(result, cliTrain(file, 60), name);
    });
  }

  it('prints a readable summary without --json, and takes STEPS from its command line', () => {
    const file = examplePath('dosage-all.nn.json');
    const { script } = runNumpy(file, 10);
    const scriptPath = path.join(tmp, 'dosage-all.py');
    assert.equal(readFileSync(scriptPath, 'utf8'), script);
    const text = execFileSync(PYTHON, [scriptPath, '3'], { encoding: 'utf8' });
    const core = cliTrain(file, 3);
    assert.match(text, /^3 steps \(max-steps\); ssr on the training set: /);
    for (const [name, value] of Object.entries(core.parameters)) {
      const m = new RegExp(`^${name} = (\\S+)$`, 'm').exec(text);
      assert.ok(m && close(Number(m[1]), value, 1e-12), `${name} in:\n${text}`);
    }
  });

  it('writes every number so that Python reads back the same double', () => {
    const values = [0.1, -0, 1e-7, 5e-324, 1.7976931348623157e308, 2 / 3, -123456.789];
    const out = execFileSync(PYTHON, ['-c', `import struct\nfor v in [${values.map(py).join(', ')}]: print(struct.pack('<d', v).hex())`], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(out, values.map((v) => Buffer.from(new Float64Array([v]).buffer).toString('hex')));
  });

  it('the PyTorch script matches its golden file', () => {
    const network = loadNetwork(readFileSync(examplePath('classifier-batches.nn.json'), 'utf8'));
    const [out] = pytorchExporter.write(network, network.initialParameters, { steps: 500, baseName: 'classifier-batches' });
    assert.equal(out.name, 'classifier-batches.py');
    const golden = path.join(ROOT, 'test', 'unit', 'golden', 'classifier-batches.pytorch.py');
    if (process.env.BACKPROP_UPDATE_GOLDEN === '1') writeFileSync(golden, out.contents);
    assert.equal(out.contents, readFileSync(golden, 'utf8'));
    // What makes it the same run: the file's optimizer, batches, penalty and loss convention.
    const text = out.contents as string;
    assert.match(text, /torch\.optim\.Adam\(parameters, lr=LEARNING_RATE, betas=\(o\["beta1"\], o\["beta2"\]\)/);
    assert.match(text, /^BATCH_SIZE = 10 /m);
    assert.match(text, /^L2 = 0\.1$/m);
    assert.match(text, /^LOSS = "cross-entropy"/m);
    assert.match(text, /-\(targets \* torch\.log_softmax\(predicted, dim=1\)\)\.sum\(\)/);
  });

  it('the PyTorch script is valid Python that builds on the same data, batches and schedule as the NumPy one', () => {
    const network = loadNetwork(readFileSync(examplePath('classifier-batches.nn.json'), 'utf8'));
    const torchScript = pytorchExporter.write(network, network.initialParameters, { steps: 20, baseName: 'c' })[0].contents as string;
    const numpyScript = numpyExporter.write(network, network.initialParameters, { steps: 20, baseName: 'c' })[0].contents as string;
    const file = path.join(tmp, 'torch-syntax.py');
    writeFileSync(file, torchScript);
    execFileSync(PYTHON, ['-c', `import ast, sys; ast.parse(open(sys.argv[1]).read())`, file]);
    // Everything before the engine is shared, word for word but for the imports and the framework's name.
    const head = (s: string): string => s.slice(s.indexOf('# The data'), s.indexOf('def learning_rate_at'));
    assert.equal(head(torchScript), head(numpyScript));
  });

  it('is listed among the exporters', () => {
    assert.deepEqual(EXPORTERS.map((e) => e.id), ['onnx', 'tfjs', 'pytorch', 'numpy']);
  });
});
