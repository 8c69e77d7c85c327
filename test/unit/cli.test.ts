/** The `backprop` CLI: exact JSON shapes, readable tables, and one-line errors with positions. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/commands';
import { loadNetwork } from '../../src/core';
import { writeSafetensors } from '../../src/core/models/safetensors';
import { denseModelOf } from './modelFiles';
import { examplePath, ROOT } from './helpers';

interface Run { code: number; stdout: string; stderr: string }

function cli(...args: string[]): Run {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, {
    readFile: (p) => readFileSync(p, 'utf8'),
    writeFile: (p, text) => writeFileSync(p, text),
    readBytes: (p) => readFileSync(p),
    stat: (p) => (existsSync(p) ? (statSync(p).isDirectory() ? 'directory' : 'file') : undefined),
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
  });
  return { code, stdout, stderr };
}

function json(...args: string[]): any {
  const r = cli(...args, '--json');
  assert.ok(r.code === 0 || r.code === 2, r.stderr);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout);
}

const DOSAGE = examplePath('dosage-b3.nn.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'backprop-cli-'));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** Exactly one line on stderr, nothing on stdout, exit code 1, and no stack trace. */
function fails(r: Run, line: RegExp): void {
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, line);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
}

describe('backprop CLI', () => {
  describe('grad --json', () => {
    it('has exactly loss and every gradient, trainable or not, at the file\'s parameters', () => {
      const out = json('grad', DOSAGE);
      assert.deepEqual(Object.keys(out), ['loss', 'gradients']);
      assert.deepEqual(Object.keys(out.gradients), ['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3']);
      assert.equal(out.loss.toFixed(4), '20.4236');
      assert.equal(out.gradients.b3.toFixed(4), '-15.6551');
      assert.equal(out.gradients.w3.toFixed(2), '-16.11');
    });
  });

  describe('train --json', () => {
    it('has exactly steps, stopReason, loss, parameters, epoch, batchLoss and valLoss; trains b3 to 2.61', () => {
      const out = json('train', DOSAGE);
      assert.deepEqual(Object.keys(out), ['steps', 'stopReason', 'loss', 'parameters', 'epoch', 'batchLoss', 'valLoss']);
      // Full batch: an epoch a step; no validation set.
      assert.equal(out.epoch, out.steps);
      assert.equal(out.valLoss, null);
      assert.ok(out.batchLoss > out.loss, 'the last batch loss is from before the last update');
      assert.equal(out.stopReason, 'converged');
      assert.equal(out.parameters.b3.toFixed(2), '2.61');
      assert.equal(out.parameters.w3, -1.22);
      assert.ok(out.loss < 0.001);
    });

    it('--steps replaces maxSteps, and the loss is at the final parameters', () => {
      const out = json('train', DOSAGE, '--steps', '2');
      assert.equal(out.steps, 2);
      assert.equal(out.stopReason, 'max-steps');
      const b3 = (0 - 0.1 * -15.655108380577747) * 0.4 + 1.5655108380577747; // b3 <- 0.4 b3 + 1.5655 for this network
      assert.ok(Math.abs(out.parameters.b3 - b3) < 1e-12);
      assert.ok(out.loss < 20.4 && out.loss > 0.001);
    });

    it('--steps 0 takes no step', () => {
      const out = json('train', DOSAGE, '--steps', '0');
      assert.deepEqual([out.steps, out.stopReason, out.parameters.b3], [0, 'max-steps', 0]);
      assert.equal(out.loss.toFixed(4), '20.4236');
    });
  });

  describe('explain --json', () => {
    it('has exactly parameter, value, derivative and terms of sample, value and factors', () => {
      const out = json('explain', DOSAGE, '--param', 'w1');
      assert.deepEqual(Object.keys(out), ['parameter', 'value', 'derivative', 'terms']);
      assert.deepEqual([out.parameter, out.value], ['w1', 3.34]);
      assert.equal(out.terms.length, 3);
      for (const [i, term] of out.terms.entries()) {
        assert.deepEqual(Object.keys(term), ['sample', 'value', 'factors']);
        assert.equal(term.sample, i + 1);
        assert.deepEqual(term.factors.map((f: any) => f.label), ['dSSR/dPredicted', 'dPredicted/dy_{1,i}', 'dy_{1,i}/dx_{1,i}', 'dx_{1,i}/dw1']);
        for (const f of term.factors) assert.deepEqual(Object.keys(f), ['label', 'value']);
        assert.equal(term.value, term.factors.reduce((a: number, f: any) => a * f.value, 1));
      }
      const sum = out.terms.reduce((a: number, t: any) => a + t.value, 0);
      assert.ok(Math.abs(sum - out.derivative) < 1e-12);
    });

    it('explains the parameters after --steps N steps', () => {
      const at0 = json('explain', DOSAGE, '--param', 'b3');
      const at12 = json('explain', DOSAGE, '--param', 'b3', '--steps', '12');
      assert.equal(at0.derivative.toFixed(4), '-15.6551');
      assert.equal(at12.value.toFixed(2), '2.61');
      assert.ok(Math.abs(at12.derivative) < 0.001);
    });

    it('takes exactly --steps N steps, even past convergence', () => {
      const at50 = json('explain', DOSAGE, '--param', 'b3', '--steps', '50');
      const train50 = json('train', DOSAGE, '--steps', '50');
      assert.equal(train50.steps, 12, 'train stops when converged');
      assert.notEqual(at50.value, train50.parameters.b3, 'explain went on to step 50');
      assert.ok(Math.abs(at50.value - 2.6091) < 1e-3);
    });

    it('includes the paths of a summed factor', () => {
      const out = json('explain', examplePath('classifier.nn.json'), '--param', 'w1');
      const sum = out.terms[0].factors[0];
      assert.equal(sum.paths.length, 3);
      assert.ok(Math.abs(sum.paths.reduce((a: number, p: any) => a + p.value, 0) - sum.value) < 1e-15);
    });
  });

  describe('train with breakpoints', () => {
    const ALL = examplePath('dosage-all.nn.json');
    it('--break-at N stops at step N with the numbers of --steps N, and says which breakpoint', () => {
      const at = json('train', ALL, '--break-at', '175');
      const steps = json('train', ALL, '--steps', '175');
      assert.deepEqual([at.steps, at.stopReason, at.breakpoint.id], [175, 'breakpoint', 'break-at-175']);
      assert.equal(at.breakpoint.description, 'breakpoint `step 175` hit');
      assert.deepEqual([at.loss, at.parameters], [steps.loss, steps.parameters]);
      assert.deepEqual(Object.keys(at).sort(), ['batchLoss', 'breakpoint', 'epoch', 'hits', 'loss', 'parameters', 'steps', 'stopReason', 'valLoss']);
    });

    it('--break EXPR (repeatable) stops where the first becomes true; --break-every N at the first multiple', () => {
      const r = json('train', ALL, '--break', 'step > 1000', '--break', 'loss < 1');
      assert.equal(r.breakpoint.description, 'breakpoint `loss < 1` hit');
      assert.ok(r.loss < 1);
      assert.equal(json('train', ALL, '--break-every', '40').steps, 40);
      const text = cli('train', ALL, '--break', 'abs(dw1) < 1');
      assert.match(text.stdout, /^1 step of gradient descent \(learning rate 0\.1\), stopped at step 1: breakpoint `abs\(dw1\) < 1` hit$/m);
      // A condition breaks when it becomes true: |dw1| is 3.4 at step 0 and stays above 2 until the run converges.
      assert.equal(json('train', ALL, '--break', 'abs(dw1) > 2').stopReason, 'converged');
    });

    it('--break-on stops on a built-in condition, with thresholds after colons', () => {
      const f = file('stalls.nn.json', JSON.stringify({ ...JSON.parse(readFileSync(ALL, 'utf8')), training: { learningRate: 0.1, maxSteps: 5000, minStepSize: 0 } }));
      const r = json('train', f, '--break-on', 'plateau:1');
      assert.equal(r.stopReason, 'breakpoint');
      assert.equal(r.breakpoint.id, 'plateau');
      fails(cli('train', f, '--break-on', 'nope'), /unknown condition 'nope' for --break-on; it takes nan, loss-up, plateau/);
      fails(cli('train', f, '--break-on', 'vanishing:x'), /malformed thresholds 'x' for --break-on vanishing: it takes a number \(mean \|gradient\|\)/);
    });

    it('rejects a malformed condition with its column, and a bad step count', () => {
      fails(cli('train', ALL, '--break', 'loss < 0.0.1'), /^backprop: bad breakpoint 'loss < 0\.0\.1': column 8: expected a number after '0\.0', found '0\.0\.'$/m);
      fails(cli('train', ALL, '--break', 'dw9 > 1'), /unknown name 'dw9' \(did you mean dw1\?\)/);
      fails(cli('train', ALL, '--break-at', '0'), /malformed --break-at '0'/);
    });

    it('--out writes the trained network to another file, --write into FILE, keeping its formatting', () => {
      const original = readFileSync(ALL, 'utf8');
      const copy = file('copy.nn.json', original);
      const out = path.join(tmp, 'trained.nn.json');
      const r = json('train', copy, '--steps', '50', '--out', out);
      assert.equal(r.wrote, out);
      assert.equal(readFileSync(copy, 'utf8'), original, '--out leaves FILE alone');
      const written = readFileSync(out, 'utf8');
      assert.deepEqual(json('check', out).lossValue, r.loss);
      // The file starts from the trained parameters (its layers given by init now say them).
      const params = loadNetwork(written).initialParameters;
      assert.deepEqual(Object.values(r.parameters), Array.from(params));
      json('train', copy, '--steps', '50', '--write');
      assert.equal(readFileSync(copy, 'utf8'), written);
      fails(cli('train', copy, '--write', '--out', out), /--write and --out both say where/);
    });

    it('--round N writes the parameters to N significant digits, a row per unit, and says how far the loss moves', () => {
      const original = readFileSync(ALL, 'utf8');
      const copy = file('rounded.nn.json', original);
      const r = json('train', copy, '--steps', '300', '--write', '--round', '3');
      const written = readFileSync(copy, 'utf8');
      const params = Array.from(loadNetwork(written).initialParameters);
      assert.deepEqual(params, Object.values(r.parameters as Record<string, number>).map((v) => Number(v.toPrecision(3))));
      assert.deepEqual(r.rounded, { digits: 3, loss: json('check', copy).lossValue });
      assert.equal(written.split('\n').length, original.split('\n').length, 'dosage-all keeps its lines');
      assert.match(written, /"weights": \[\[-?\d\.\d\d\], \[-?\d\.\d\d\]\]/);
      const text = cli('train', file('rounded-text.nn.json', original), '--steps', '300', '--out', path.join(tmp, 'rounded-out.nn.json'), '--round', '2');
      assert.match(text.stdout, /^wrote the trained parameters to .*rounded-out\.nn\.json, rounded to 2 significant digits: SSR \S+ -> \S+ \((?:[+-][\d.e+-]+%|×[\d.e+]+|unchanged)\); \d of 7 numbers change, \w+ the most \(by \S+\)$/m);
      fails(cli('train', copy, '--round', '4'), /--round rounds what --write or --out writes/);
      fails(cli('train', copy, '--write', '--round', '0'), /malformed --round '0': expected a whole number of significant digits from 1 to 17/);
      fails(cli('train', copy, '--write', '--round', 'four'), /malformed --round 'four'/);
    });
  });

  describe('readable output', () => {
    it('explain prints the chain-rule formula and a row per sample', () => {
      const r = cli('explain', DOSAGE, '--param', 'w3');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /dSSR\/dw3 = Σ_i dSSR\/dPredicted × dPredicted\/dw3/);
      assert.match(r.stdout, /= Σ_i -2\(observed_i - predicted_i\) × y_\{1,i\}/);
      assert.match(r.stdout, /^\s+1\s+0\s+0\s+-2\.60367\s+-5\.20733\s+0\.214554\s+-1\.11725$/m);
      assert.match(r.stdout, /^\s+3\s+1\s+0\s+-2\.61487\s+-5\.22974\s+2\.04809\s+-10\.711$/m);
      assert.match(r.stdout, /^sum\s+-16\.1088$/m);
      assert.match(r.stdout, /finite difference -16\.1088/);
      assert.match(r.stdout, /w3 is not trainable/);
    });

    it('grad prints a table of every parameter', () => {
      const r = cli('grad', DOSAGE);
      assert.match(r.stdout, /SSR = 20\.4236/);
      assert.match(r.stdout, /^b3\s+0\s+-15\.6551\s+yes$/m);
    });

    it('grad shows a cross-entropy network\'s softmax probabilities beside its output scores', () => {
      const r = cli('grad', examplePath('classifier.nn.json'));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /score red +score green +score blue +softmax red +softmax green +softmax blue/);
      // Sample 1's probabilities add up to 1.
      const row = r.stdout.split('\n').find((l) => /^1 /.test(l))!.trim().split(/\s+/).map(Number);
      assert.ok(Math.abs(row.slice(7, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5, row.join(' '));
      assert.doesNotMatch(cli('grad', DOSAGE).stdout, /softmax/, 'only with cross-entropy');
    });

    it('explain shows the softmax beside the scores of a cross-entropy network', () => {
      const r = cli('explain', examplePath('classifier.nn.json'), '--param', 'w1');
      assert.match(r.stdout, /predicted red \(score\).*softmax red/);
    });

    it('train says why it stopped', () => {
      assert.match(cli('train', DOSAGE).stdout, /12 steps of gradient descent \(learning rate 0\.1\), converged/);
      assert.match(cli('train', DOSAGE, '--steps', '3').stdout, /stopped at the maximum of 3 steps/);
    });

    it('--help after a command prints the usage', () => {
      const r = cli('train', DOSAGE, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: backprop <command> FILE/);
    });

    it('train says diverged when the loss blows up, and exits 2', () => {
      const f = file('diverge.nn.json', '{"inputs":["x"],"outputs":["y"],"layers":[{"units":1,"activation":"identity","weights":[[1]],"biases":[0]}],"data":[{"x":100,"y":1},{"x":-50,"y":3}],"training":{"learningRate":10}}');
      const r = cli('train', f);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /diverged: the gradients or the loss stopped being finite numbers \(try a smaller learning rate than 10\)/);
      assert.equal(json('train', f).stopReason, 'diverged');
    });

    it('prints the gradient table of a network with more parameters than a call has arguments', () => {
      const big = file('big.nn.json', JSON.stringify({ inputs: Array.from({ length: 1000 }, (_, k) => `x${k}`), outputs: ['y'],
        layers: [{ units: 150, activation: 'tanh' }, { units: 1, activation: 'identity' }],
        data: { inputs: [Array(1000).fill(0.01)], targets: [[0]] } }));
      const r = cli('grad', big);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^w150150\s/m);
    });

    it('check summarises a valid file', () => {
      const r = cli('check', DOSAGE);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /OK.*\n.*1 -> 2 softplus -> 1 identity\n.*7 \(w1\.\.w4, b1\.\.b3\), 1 trainable \(b3\)/);
    });

    it('check names a generated dataset and the input features', () => {
      const spiral = examplePath('spiral.nn.json');
      const r = cli('check', spiral);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\n {2}layers: {5}7 -> 6 tanh -> 1 tanh\n/);
      assert.match(r.stdout, /\n {2}data: {7}200 samples of x1, x2 -> class \(generated: spiral, noise 0\.1, seed 1\), and 200 for validation \(generated: spiral, noise 0\.1, seed 2\)\n/);
      assert.match(r.stdout, /\n {2}features: {3}x1, x2, x1², x2², x1·x2, sin\(x1\), sin\(x2\) \(the network's 7 inputs\)\n/);
      const out = json('check', spiral);
      assert.deepEqual([out.columns, out.features, out.generated.data], [['x1', 'x2'], ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'], { kind: 'spiral', samples: 200, noise: 0.1, seed: 1 }]);
    });
  });

  describe('bad input exits 1 with one readable line', () => {
    it('a broken file gives FILE:LINE:COL', () => {
      const f = file('broken.nn.json', '{\n  "inputs": ["dosage"],\n  "outputs": [NaN]\n}');
      fails(cli('grad', f), new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:15: NaN is not valid JSON`));
    });
    it('a wrong shape gives FILE:LINE:COL', () => {
      const text = readFileSync(DOSAGE, 'utf8').replace('[[-1.22, -2.30]]', '[[-1.22]]');
      const lines = text.split('\n');
      const line = lines.findIndex((l) => l.includes('[[-1.22]]'));
      const column = lines[line].indexOf('[-1.22]') + 1;
      fails(cli('train', file('shape.nn.json', text)), new RegExp(`shape\\.nn\\.json:${line + 1}:${column}: layers\\[1\\]\\.weights\\[0\\] has 1 weight but the layer before has 2 units`));
    });
    it('check --json reports the error as JSON too', () => {
      const r = cli('check', file('empty.nn.json', ''), '--json');
      assert.equal(r.code, 1);
      assert.deepEqual(JSON.parse(r.stdout), { ok: false, error: { message: 'the file is empty: expected a network object', line: 1, column: 1 } });
    });
    it('an unknown --param', () => fails(cli('explain', DOSAGE, '--param', 'w9'), /^backprop: unknown parameter 'w9' for --param: this network has w1\.\.w4, b1\.\.b3$/m));
    it('a missing --param', () => fails(cli('explain', DOSAGE), /explain needs --param NAME/));
    it('a malformed --steps', () => {
      fails(cli('train', DOSAGE, '--steps', 'ten'), /malformed --steps 'ten'/);
      fails(cli('train', DOSAGE, '--steps', '-3'), /malformed --steps '-3'/);
      fails(cli('train', DOSAGE, '--steps', '1.5'), /malformed --steps '1\.5'/);
      fails(cli('train', DOSAGE, '--steps'), /--steps needs a value/);
    });
    it('an unknown flag', () => fails(cli('grad', DOSAGE, '--fast'), /unknown flag '--fast' for grad; it takes --json/));
    it('a value for a switch', () => fails(cli('grad', DOSAGE, '--json=1'), /^backprop: --json takes no value$/m));
    it('a negative --steps', () => fails(cli('train', DOSAGE, '--steps', '-1'), /malformed --steps '-1'/));
    it('a flag given twice', () => fails(cli('explain', DOSAGE, '--param', 'w1', '--param', 'w2'), /--param is given more than once/));
    it('a flag the command does not take', () => fails(cli('grad', DOSAGE, '--steps', '3'), /grad does not take --steps/));
    it('an unknown command', () => fails(cli('fit', DOSAGE), /unknown command 'fit'/));
    it('a missing file', () => fails(cli('check', path.join(tmp, 'nope.nn.json')), /cannot read .*nope\.nn\.json: no such file/));
    it('no file at all', () => fails(cli('grad'), /grad needs a network file/));
  });

  describe('import and export', () => {
    const folder = path.join(tmp, 'models');
    const at = (name: string): string => path.join(folder, name);
    beforeEach(() => { rmSync(folder, { recursive: true, force: true }); mkdirSync(folder); writeFileSync(at('classifier.nn.json'), readFileSync(examplePath('classifier.nn.json'))); });

    it('export --to onnx writes beside the network; import reads it back into a network with the same float32 numbers and columns', () => {
      const r = cli('export', at('classifier.nn.json'), '--to', 'onnx');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^wrote .*classifier\.onnx: ONNX/);
      // The file's classifier.nn.json is there: import will not replace it without --out.
      fails(cli('import', at('classifier.onnx')), /classifier\.nn\.json exists already: give --out FILE/);
      const back = cli('import', at('classifier.onnx'), '-o', at('back.nn.json'));
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /^wrote .*back\.nn\.json: 2 -> 4 relu -> 3 identity -> softmax, 27 parameters, from the ONNX model/);
      const original = loadNetwork(readFileSync(at('classifier.nn.json'), 'utf8'));
      const imported = loadNetwork(readFileSync(at('back.nn.json'), 'utf8'));
      assert.deepEqual(Array.from(imported.initialParameters, Math.fround), Array.from(original.initialParameters, Math.fround));
      assert.deepEqual([imported.outputNames, imported.loss], [['red', 'green', 'blue'], 'cross-entropy']);
    });

    it('export --to tfjs -o FILE names the model.json, its weights beside it; -o DIR/ keeps the network\'s name; import reads model.json', () => {
      mkdirSync(at('web'));
      assert.equal(cli('export', at('classifier.nn.json'), '--to', 'tfjs', '-o', at('web/model.json')).code, 0);
      assert.ok(existsSync(at('web/model.json')) && existsSync(at('web/model.weights.bin')));
      assert.equal(cli('export', at('classifier.nn.json'), '--to', 'tfjs', '--out', at('web')).code, 0);
      assert.ok(existsSync(at('web/classifier.model.json')) && existsSync(at('web/classifier.weights.bin')));
      const r = cli('import', at('web/model.json'));
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(at('web/model.nn.json')));
    });

    it('import of a safetensors file takes --activations, a softmax last making the cross-entropy output', () => {
      const original = loadNetwork(readFileSync(at('classifier.nn.json'), 'utf8'));
      writeFileSync(at('mlp.safetensors'), writeSafetensors(denseModelOf(original), 'F64'));
      fails(cli('import', at('mlp.safetensors')), /safetensors .* files hold no activations: give --activations with one a layer/);
      fails(cli('import', at('mlp.safetensors'), '--activations', 'softmax,relu'), /malformed --activations 'softmax,relu': column 1: softmax can only be the last layer's/);
      const bad = cli('import', at('mlp.safetensors'), '--activations', 'relu,identity,softmax');
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, `${at('mlp.safetensors')}: 3 activations given (relu,identity,softmax), but the file has 2 Linear layers (0, 2): give one per layer\n`);
      const r = cli('import', at('mlp.safetensors'), '--activations', 'relu,softmax');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^wrote .*mlp\.nn\.json: 2 -> 4 relu -> 3 identity -> softmax, 27 parameters, from the safetensors/);
      const imported = loadNetwork(readFileSync(at('mlp.nn.json'), 'utf8'));
      assert.deepEqual(Array.from(imported.initialParameters), Array.from(original.initialParameters));
      assert.equal(imported.loss, 'cross-entropy');
    });

    it('export of a network with input features says the model takes the features\' values', () => {
      writeFileSync(at('spiral.nn.json'), readFileSync(examplePath('spiral.nn.json')));
      const r = cli('export', at('spiral.nn.json'), '--to', 'onnx');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\nnote: the model's 7 inputs are the network's features \(x1, x2, x1\^2, x2\^2, x1\*x2, sin\(x1\), sin\(x2\)\), computed from the columns x1, x2: give it those values/);
      assert.doesNotMatch(cli('export', at('classifier.nn.json'), '--to', 'onnx').stdout, /note:/);
    });

    it('a bad model gives its file, the byte or line and column, and what is wrong, on one line', () => {
      cli('export', at('classifier.nn.json'), '--to', 'onnx');
      const whole = readFileSync(at('classifier.onnx'));
      // Cut inside the graph, which holds most of the file.
      writeFileSync(at('cut.onnx'), whole.subarray(0, whole.length >> 1));
      fails(cli('import', at('cut.onnx')), /^.*cut\.onnx: byte \d+: the file ends in the middle of a field/);
      cli('export', at('classifier.nn.json'), '--to', 'tfjs');
      rmSync(at('classifier.weights.bin'));
      fails(cli('import', at('classifier.model.json'), '-o', at('x.nn.json')), /classifier\.model\.json:\d+:\d+: the weights file 'classifier\.weights\.bin' named here is not there/);
    });

    it('usage mistakes', () => {
      fails(cli('export', at('classifier.nn.json')), /^backprop: export needs --to FORMAT: onnx, tfjs, pytorch or numpy$/m);
      fails(cli('export', at('classifier.nn.json'), '--to', 'caffe'), /--to caffe: unknown format 'caffe': Backprop Debugger exports onnx, tfjs/);
      fails(cli('import', at('classifier.nn.json')), /is a network file already/);
      fails(cli('import', at('model.pt')), /cannot import .*model\.pt: Backprop Debugger imports ONNX \(\.onnx\), TensorFlow\.js \(\.json\)/);
      fails(cli('import', at('missing.onnx')), /missing\.onnx: no such file/);
      fails(cli('import', at('x.onnx'), '--activations', 'relu,wobble'), /malformed --activations 'relu,wobble': column 6: "wobble" is not an activation/);
      fails(cli('import', at('x.onnx'), '--activations', 'relu'), /--activations is for files that hold none \(safetensors\); ONNX models name their own/);
      fails(cli('import'), /import needs a model file/);
      fails(cli('import', at('x.onnx'), '--steps', '3'), /import does not take --steps/);
    });
  });

  describe('the built binary', () => {
    const bin = path.join(ROOT, 'dist', 'cli.js');

    it('runs as `backprop` with a shebang and prints JSON', () => {
      assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node'));
      const out = JSON.parse(execFileSync(process.execPath, [bin, 'grad', DOSAGE, '--json'], { encoding: 'utf8' }));
      assert.equal(out.loss.toFixed(4), '20.4236');
    });

    it('imports a model from the disk with its weight files beside it', () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'backprop-import-'));
      const net = path.join(folder, 'xor.nn.json');
      writeFileSync(net, readFileSync(examplePath('xor.nn.json')));
      execFileSync(process.execPath, [bin, 'export', net, '--to', 'tfjs'], { encoding: 'utf8' });
      const out = execFileSync(process.execPath, [bin, 'import', path.join(folder, 'xor.model.json'), '--out', path.join(folder, 'back.nn.json')], { encoding: 'utf8' });
      assert.match(out, /wrote .*back\.nn\.json: 2 -> 3 tanh -> 1 sigmoid, 13 parameters/);
      assert.equal(loadNetwork(readFileSync(path.join(folder, 'back.nn.json'), 'utf8')).parameterCount, 13);
    });

    it('refuses a model file past the modelFileBytes limit by its size, and a data file past dataFileBytes, each with --limits', () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'backprop-import-'));
      const net = path.join(folder, 'xor.nn.json');
      writeFileSync(net, readFileSync(examplePath('xor.nn.json')));
      execFileSync(process.execPath, [bin, 'export', net, '--to', 'onnx'], { encoding: 'utf8' });
      const model = path.join(folder, 'xor.onnx');
      const r = spawnSync(process.execPath, [bin, 'import', model, '-o', path.join(folder, 'back.nn.json'), '--limits', 'modelFileBytes=100'], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /xor\.onnx: is [\d,]+ bytes, more than the limit of 100 \(modelFileBytes/);
      writeFileSync(path.join(folder, 'points.csv'), readFileSync(examplePath('points.csv')));
      writeFileSync(path.join(folder, 'points.nn.json'), readFileSync(examplePath('points.nn.json')));
      const d = spawnSync(process.execPath, [bin, 'check', path.join(folder, 'points.nn.json'), '--limits', 'dataFileBytes=1000'], { encoding: 'utf8' });
      assert.equal(d.status, 1);
      assert.match(d.stderr, /points\.nn\.json:\d+:\d+: .*cannot read "points\.csv": it is [\d,]+ bytes, more than the limit of 1,000/);
    });

    it('exits 1 with one line and no stack trace on a bad file', () => {
      const r = spawnSync(process.execPath, [bin, 'check', file('truncated.nn.json', '{"inputs": ["a"], "layers": [')], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /truncated\.nn\.json:1:30: invalid JSON/);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    });
  });
});
