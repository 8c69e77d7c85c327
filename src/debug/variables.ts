/**
 * The Variables view of a debug session: the scopes of a stop (Training, Parameters, Layers,
 * Samples) and their children, read from the run (its frame, and the worker for what a frame does
 * not carry). Variables references belong to one stop: reset() on each. No vscode import.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Scope } from '@vscode/debugadapter';
import { formatNumber, plural } from '../core';
import type { Run } from '../run/run';
import { describePhase } from '../session/stepper';
import type { NetworkStructure, TrainingFrame } from '../session/views';

/** Children listed at once before VS Code pages them (indexedVariables). */
const PAGE = 100;

/** A number as the debugger's views show it: `digits` significant digits, no trailing zeros. */
export const fmt = (v: number, digits = 6): string => formatNumber(v, { digits });

/** What a variables reference stands for. */
export type Ref =
  | { kind: 'training' } | { kind: 'parameters' } | { kind: 'parameter'; index: number } | { kind: 'terms'; index: number }
  | { kind: 'term'; index: number; sample: number } | { kind: 'layers' } | { kind: 'layer'; layer: number }
  | { kind: 'samples' } | { kind: 'sample'; sample: number } | { kind: 'optimizer' };

/**
 * Variables references: cleared on each stop, numbered on (never reused), so a reference VS Code
 * kept from before a stop misses instead of naming something else.
 */
class References {
  private readonly map = new Map<number, Ref>();
  private next = 1000;
  create(ref: Ref): number { this.map.set(this.next, ref); return this.next++; }
  get(id: number): Ref | undefined { return this.map.get(id); }
  reset(): void { this.map.clear(); }
}


export class VariablesTree {
  private readonly refs = new References();

  constructor(private readonly run: Run) {}

  /** A new stop: the references handed out before it miss from now on. */
  reset(): void {
    this.refs.reset();
  }

  /** What reference `id` stands for (a data breakpoint asks whether it is the Parameters scope). */
  get(id: number): Ref | undefined {
    return this.refs.get(id);
  }

  /** The scopes of the stop shown: Training, Parameters, Optimizer (when it keeps buffers), Layers, Samples. */
  scopes(): DebugProtocol.Scope[] {
    const s = this.run.structure;
    const scope = (name: string, ref: Ref, named?: number, indexed?: number): DebugProtocol.Scope => {
      const sc = new Scope(name, this.refs.create(ref), false) as DebugProtocol.Scope;
      if (named !== undefined) sc.namedVariables = named;
      if (indexed !== undefined) sc.indexedVariables = indexed;
      return sc;
    };
    return s ? [
      scope('Training', { kind: 'training' }),
      s.params.length > PAGE ? scope('Parameters', { kind: 'parameters' }, undefined, s.params.length) : scope('Parameters', { kind: 'parameters' }, s.params.length),
      ...(s.optimizerBuffers.length > 0 ? [scope('Optimizer', { kind: 'optimizer' }, 2 + Math.min(PAGE, s.params.length))] : []),
      scope('Layers', { kind: 'layers' }, s.layers.length),
      s.samples > PAGE ? scope('Samples', { kind: 'samples' }, undefined, s.samples) : scope('Samples', { kind: 'samples' }, s.samples),
    ] : [];
  }

  /** The children of variables reference `id` (none for a reference from before the last stop). */
  async children(id: number, start: number, count: number): Promise<DebugProtocol.Variable[]> {
    const ref = this.refs.get(id);
    return ref ? this.variables(ref, start, count) : [];
  }

  private variable(name: string, value: string, more: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
    return { name, value, variablesReference: 0, ...more };
  }

  /** Parameters and gradients from `start`: the frame's own when it carries them, else the worker's. */
  private async parameterValues(start: number, count: number): Promise<{ values: number[]; gradients: number[] }> {
    const f = this.run.frame!;
    if (f.values && f.gradients) return { values: f.values.slice(start, start + count), gradients: f.gradients.slice(start, start + count) };
    return (await this.run.slice(start, count)) ?? { values: [], gradients: [] };
  }

  private async variables(ref: Ref, start: number, count: number): Promise<DebugProtocol.Variable[]> {
    const run = this.run;
    const s = run.structure;
    const f = run.frame;
    if (!s || !f) return [];
    const sym = s.lossSymbol;
    switch (ref.kind) {
      case 'training': {
        const stepSize = await run.evaluate('stepSize');
        const read = async (name: string): Promise<string> => { const r = await run.evaluate(name); return r?.ok ? fmt(r.value) : '?'; };
        // Real training's quantities (docs/training.md): each a name conditions read.
        const real = !s.plainTraining ? [
          this.variable('training', s.trainingRule, { presentationHint: { attributes: ['readOnly'] } }),
          this.variable('epoch', await read('epoch'), { evaluateName: 'epoch' }),
          this.variable('batch', await read('batch'), { evaluateName: 'batch' }),
          this.variable('batch loss', await read('batchLoss'), { evaluateName: 'batchLoss', type: sym }),
          ...(s.validationSamples > 0 ? [this.variable('validation loss', await read('valLoss'), { evaluateName: 'valLoss', type: sym })] : []),
        ] : [];
        return [
          ...real,
          this.variable('step', String(f.step), { evaluateName: 'step' }),
          this.variable('loss', fmt(f.loss), { evaluateName: 'loss', type: sym }),
          this.variable('step size', stepSize?.ok ? fmt(stepSize.value) : '?', { evaluateName: 'stepSize' }),
          this.variable('learning rate', real.length ? await read('learningRate') : fmt(s.learningRate), { evaluateName: 'learningRate' }),
          this.variable('phase', f.phase ? describePhase(f.phase) : 'between steps'),
          this.variable('stop', f.stop?.text ?? (f.running ? 'running' : ''), { presentationHint: { attributes: ['readOnly'] } }),
          this.variable('stop reason', f.stopReason ?? 'none'),
        ];
      }
      case 'parameters': {
        const total = s.params.length;
        const from = Math.min(start, total);
        const n = count > 0 ? Math.min(count, total - from) : total - from;
        const { values, gradients } = await this.parameterValues(from, n);
        return values.map((v, k) => {
          const p = s.params[from + k];
          return this.variable(p.name, fmt(v), {
            evaluateName: p.name, type: `${p.kind}${p.trainable ? '' : ', not trainable'}; d${sym}/d${p.name} = ${fmt(gradients[k])}`,
            variablesReference: this.refs.create({ kind: 'parameter', index: from + k }), namedVariables: 4,
          });
        });
      }
      case 'optimizer': {
        // Each parameter's buffers as the next update reads them: one question to the worker each.
        const rows: DebugProtocol.Variable[] = [this.variable('rule', s.trainingRule, { presentationHint: { attributes: ['readOnly'] } })];
        for (const p of s.params.slice(0, PAGE)) {
          const values: string[] = [];
          for (const b of s.optimizerBuffers) {
            const r = await run.evaluate(`${b}(${p.name})`);
            values.push(`${b} ${r?.ok ? fmt(r.value) : '?'}`);
          }
          rows.push(this.variable(p.name, values.join(', '), { evaluateName: `${s.optimizerBuffers[0]}(${p.name})` }));
        }
        if (s.params.length > PAGE) rows.push(this.variable('…', `${s.params.length - PAGE} more: read one with ${s.optimizerBuffers[0]}(name) in Watch`));
        return rows;
      }
      case 'parameter': {
        // Cheap children first; the chain rule (an explanation over every sample and path, half a
        // second on a 100,000-parameter network) is worked out only when it is expanded.
        const p = s.params[ref.index];
        const { values, gradients } = await this.parameterValues(ref.index, 1);
        // Plain gradient descent's next value is lr x g away; an optimizer's is its rule's (the explanation's).
        const update = s.plainTraining || !p.trainable ? undefined : (await run.explain(p.name))?.update;
        const next = !p.trainable ? values[0] : s.plainTraining ? values[0] - s.learningRate * gradients[0] : (await run.explain(p.name))?.nextValue ?? NaN;
        return [
          this.variable(`d${sym}/d${p.name}`, fmt(gradients[0]), { evaluateName: `d${p.name}` }),
          this.variable('next value', fmt(next), {
            evaluateName: p.trainable && s.plainTraining ? `${p.name} - learningRate * d${p.name}` : p.name,
            type: !p.trainable ? 'not trainable: it stays' : update ? update.rule : `${p.name} − ${fmt(s.learningRate)} × d${sym}/d${p.name}`,
          }),
          this.variable('chain rule', `Σ over ${plural(s.samples, 'sample')}, factor by factor`, { variablesReference: this.refs.create({ kind: 'terms', index: ref.index }) }),
        ];
      }
      case 'terms': {
        const e = await run.explain(s.params[ref.index].name);
        if (!e) return [];
        return [
          this.variable('formula', e.formula, { type: e.expandedFormula }),
          this.variable('finite difference', fmt(e.finiteDifference), { type: `the independent check of ${e.derivativeLabel} = ${fmt(e.derivative)}` }),
          ...e.terms.map((t) => this.variable(`i = ${t.sample}`, fmt(t.value), {
            type: t.factors.map((x) => `${x.label} ${fmt(x.value)}`).join(' × '),
            variablesReference: this.refs.create({ kind: 'term', index: ref.index, sample: t.sample }), namedVariables: t.factors.length + 1,
          })),
        ];
      }
      case 'term': {
        const e = await run.explain(s.params[ref.index].name);
        const t = e?.terms.find((x) => x.sample === ref.sample);
        if (!t) return [];
        return [...t.factors.map((x) => this.variable(x.label, fmt(x.value), { type: x.expression })), this.variable('product', fmt(t.value))];
      }
      case 'layers': {
        const stats = await run.layerStats();
        return stats.map((l) => this.variable(`layer ${l.layer}`, `${l.activation}, ‖d${sym}/d·‖ ${fmt(l.gradientNorm)}`, { variablesReference: this.refs.create({ kind: 'layer', layer: l.layer }), namedVariables: 4 }));
      }
      case 'layer': {
        const l = (await run.layerStats())[ref.layer - 1];
        if (!l) return [];
        const share = (v: number): string => `${Math.round(v * 1000) / 10}%`;
        return [
          this.variable('gradient norm', fmt(l.gradientNorm), { evaluateName: `norm(dW${l.layer})` }),
          this.variable('mean |gradient|', fmt(l.meanAbsGradient)),
          this.variable('dead units', l.activation === 'relu' ? share(l.dead) : 'none (not ReLU)'),
          this.variable('saturated units', l.activation === 'sigmoid' || l.activation === 'tanh' ? share(l.saturated) : 'none (not sigmoid or tanh)'),
        ];
      }
      case 'samples': {
        const from = Math.min(start, s.samples);
        const n = count > 0 ? Math.min(count, s.samples - from) : s.samples - from;
        return Array.from({ length: n }, (_, k) => {
          const i = from + k;
          return this.variable(`i = ${i + 1}`, s.inputs.map((name, c) => `${name} ${fmt(s.data.inputs[i][c])}`).join(', '), { variablesReference: this.refs.create({ kind: 'sample', sample: i }) });
        });
      }
      case 'sample': return this.sample(s, f, ref.sample);
    }
  }

  /** Sample i: its inputs, observed and predicted values, and every unit's x_{j,i} and y_{j,i}. */
  private async sample(s: NetworkStructure, f: TrainingFrame, i: number): Promise<DebugProtocol.Variable[]> {
    const out: DebugProtocol.Variable[] = [];
    s.inputs.forEach((name, c) => out.push(this.variable(name, fmt(s.data.inputs[i][c]), { type: 'input' })));
    const last = s.layers.length;
    const unitValues = async (layer: number, unit: number): Promise<{ x: number; y: number } | undefined> => {
      const u = f.units?.find((x) => x.layer === layer && x.unit === unit) ?? await this.run.unit(layer, unit);
      return u ? { x: u.x[i], y: u.y[i] } : undefined;
    };
    for (let k = 0; k < s.outputs.length; k++) {
      const predicted = await unitValues(last, k);
      out.push(this.variable(`observed ${s.outputs[k]}`, fmt(s.data.targets[i][k])));
      out.push(this.variable(`predicted ${s.outputs[k]}`, predicted ? fmt(predicted.y) : '?'));
    }
    for (let l = 1; l < last; l++) {
      const units = s.layers[l - 1].units;
      for (let j = 0; j < Math.min(units, PAGE); j++) {
        const v = await unitValues(l, j);
        if (!v) continue;
        out.push(this.variable(`x${l === 1 && last === 2 ? '' : `(${l})`}_${j + 1},${i + 1}`, fmt(v.x), { type: `layer ${l}, unit ${j + 1}: the weighted sum` }));
        out.push(this.variable(`y${l === 1 && last === 2 ? '' : `(${l})`}_${j + 1},${i + 1}`, fmt(v.y), { type: `${s.layers[l - 1].activation}(x)` }));
      }
    }
    return out;
  }

}
