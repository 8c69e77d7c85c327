/** The pure parts of the network editor: layout, the protocol's validation, the model, the notation. */
import assert from 'node:assert/strict';
import { explain, findParameter, loadNetwork, type Network, Trainer } from '../../src/core';
import { buildFrame, buildStructure, carriesExplanations, EXPLAIN_ALL_LIMIT, explanationCost, explainView, stopExplained } from '../../src/session/frame';
import { TrainingSession } from '../../src/session/training';
import { modelOf } from '../../webview/store';
import { type ExplanationView, parseWebviewMessage, TRAINING_ACTIONS } from '../../src/protocol';
import { unpackExplanations } from '../../src/session/packing';
import { type BreakpointSpec, defaultBuiltins } from '../../src/session/breakpointTypes';
import { type Box, crossingAt, type GraphLayout, LABEL_HEIGHT, labelWidth, layoutNetwork, obstacles, overlaps, placeLabels, segmentHitsBox } from '../../webview/graph/layout';
import { DENSE_LABELS } from '../../webview/graph/paint';
import { placeCard, type Rect } from '../../webview/placement';
import { texNum } from '../../webview/format';
import { TexNames, unitSymbol } from '../../webview/notation';
import { EXAMPLES, loadExample } from './helpers';

describe('graph layout', () => {
  const dosage = layoutNetwork({ inputs: ['dosage'], outputs: ['efficacy'], layers: [{ units: 2, activation: 'softplus' }, { units: 1, activation: 'identity' }] });

  it('lays the dosage network out left to right: input, two hidden units, output', () => {
    assert.deepEqual(dosage.nodes.map((n) => [n.id, n.kind, n.label]), [
      ['0,1', 'input', 'dosage'], ['1,1', 'hidden', 'hidden unit 1'], ['1,2', 'hidden', 'hidden unit 2'], ['2,1', 'output', 'efficacy'],
    ]);
    const x = dosage.nodes.map((n) => n.x);
    assert.ok(x[0] < x[1] && x[1] === x[2] && x[2] < x[3]);
    assert.ok(dosage.nodes[1].y < dosage.nodes[2].y, 'h1 above h2');
    assert.equal(dosage.nodes[0].y, dosage.nodes[3].y, 'single nodes centred on one line');
  });

  it("names edges and biases as the core names parameters (StatQuest's w1..w4, b1..b3)", () => {
    assert.deepEqual(dosage.edges.map((e) => `${e.param}:${e.from.id}->${e.to.id}`), ['w1:0,1->1,1', 'w2:0,1->1,2', 'w3:1,1->2,1', 'w4:1,2->2,1']);
    assert.deepEqual(dosage.biases.map((b) => `${b.param}@${b.node.id}`), ['b1@1,1', 'b2@1,2', 'b3@2,1']);
    assert.ok(dosage.edgeLabels && dosage.detailed);
  });

  it('matches the core numbering on every example', () => {
    for (const name of EXAMPLES) {
      const net = loadExample(name);
      const layout = layoutNetwork({ inputs: net.inputNames, outputs: net.outputNames, layers: net.layers });
      for (const edge of layout.edges) {
        const p = findParameter(net, edge.param)!;
        assert.deepEqual([p.layer, p.unit, p.input], [edge.to.layer, edge.to.unit, edge.from.unit], `${name} ${edge.param}`);
      }
      for (const b of layout.biases) {
        const p = findParameter(net, b.param)!;
        assert.deepEqual([p.kind, p.layer, p.unit], ['bias', b.node.layer, b.node.unit]);
      }
    }
  });

  it('says under an input how `normalize` rescales it', () => {
    const layout = layoutNetwork({ inputs: ['dosage', 'age'], outputs: ['y'], layers: [{ units: 1, activation: 'identity' }], normalization: { kind: 'standard', offset: [0.5, -20], scale: [0.40824829, 1] } });
    assert.deepEqual(layout.nodes.filter((n) => n.kind === 'input').map((n) => n.note), ['(dosage − 0.5) / 0.408', '(age + 20)']);
    assert.equal(layoutNetwork({ inputs: ['x'], outputs: ['y'], layers: [{ units: 1, activation: 'identity' }] }).nodes[0].note, undefined);
  });

  it('shrinks wide networks to dots without labels', () => {
    const wide = layoutNetwork({ inputs: Array.from({ length: 784 }, (_, i) => `p${i}`), outputs: Array.from({ length: 10 }, (_, i) => `d${i}`), layers: [{ units: 128, activation: 'tanh' }, { units: 10, activation: 'identity' }] });
    assert.equal(wide.edges.length, 784 * 128 + 128 * 10);
    assert.equal(wide.edgeLabels, false);
    assert.equal(wide.detailed, false);
    assert.ok(wide.nodes.every((n) => n.r <= 10));
  });

  it('names hidden units by one rule in every example: words for screen readers, the cards\' symbols on screen', () => {
    const chain = layoutNetwork({ inputs: ['a0'], outputs: ['y'], layers: [1, 1, 1].map(() => ({ units: 1, activation: 'sigmoid' as const })) });
    assert.deepEqual(chain.nodes.filter((n) => n.kind === 'hidden').map((n) => n.label), ['hidden unit 1 of layer 1', 'hidden unit 1 of layer 2']);
    // StatQuest's y_j (the layer as a superscript once there are several), 3Blue1Brown's a^(l)_j from 0.
    assert.deepEqual(unitSymbol('statquest', 1, 1, 1), { base: 'y', sup: '', sub: '2' });
    assert.deepEqual(unitSymbol('statquest', 2, 2, 0), { base: 'y', sup: '(2)', sub: '1' });
    assert.deepEqual(unitSymbol('3b1b', 1, 1, 1), { base: 'a', sup: '(1)', sub: '1' });
  });
});

describe('edge labels', () => {
  /** Every edge of a small network labelled, with the widest text a label can show. */
  function place(layout: GraphLayout): { placed: ReturnType<typeof placeLabels>; fixed: Box[] } {
    const fixed = obstacles(layout, (n) => labelWidth(n.kind === 'hidden' ? 12 : n.label.length), 120);
    const placed = placeLabels(layout.edges.map((edge) => ({ edge, width: labelWidth(edge.param.length + 12) })), fixed, layout.edges);
    return { placed, fixed };
  }

  it('gives every edge of every small example a label that covers no other label, unit or bias', () => {
    for (const name of EXAMPLES) {
      const net = loadExample(name);
      const layout = layoutNetwork({ inputs: net.inputNames, outputs: net.outputNames, layers: net.layers });
      if (!layout.edgeLabels) continue;
      const { placed, fixed } = place(layout);
      assert.equal(placed.size, layout.edges.length, `${name}: every edge labelled`);
      const boxes = [...placed.values()].map((p) => p.box);
      boxes.forEach((a, i) => {
        for (const f of fixed) assert.ok(!overlaps(a, f), `${name}: a label covers a unit or bias`);
        boxes.slice(i + 1).forEach((b) => assert.ok(!overlaps(a, b), `${name}: two labels overlap`));
      });
    }
  });

  it('keeps XOR\'s crossing labels apart (w2 and w3, w4 and w5 collided before)', () => {
    const layout = layoutNetwork({ inputs: ['x1', 'x2'], outputs: ['xor'], layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }] });
    const { placed } = place(layout);
    for (const [a, b] of [['w2', 'w3'], ['w4', 'w5']]) assert.ok(!overlaps(placed.get(a)!.box, placed.get(b)!.box), `${a} and ${b}`);
  });

  it("puts no label beside a place where another edge crosses its own (the classifier's w12, w16, w17 sat on crossings, naming either edge)", () => {
    const net = loadExample('classifier.nn.json');
    const layout = layoutNetwork({ inputs: net.inputNames, outputs: net.outputNames, layers: net.layers });
    const trainer = new Trainer(net);
    // The page labels a dense graph's strongest edges (DENSE_LABELS of them); try each edge alone too.
    const strength = (e: { param: string }): number => Math.abs(trainer.params[Number(e.param.slice(1)) - 1]);
    const strongest = layout.edges.slice().sort((a, b) => strength(b) - strength(a));
    let crossed = 0;
    for (const labelled of [strongest.slice(0, DENSE_LABELS), ...layout.edges.map((e) => [e])]) {
      const fixed = obstacles(layout, (n) => labelWidth(n.kind === 'hidden' ? 12 : n.label.length), 120);
      const placed = placeLabels(labelled.map((edge) => ({ edge, width: labelWidth(edge.param.length + 10) })), fixed, layout.edges);
      for (const edge of labelled) {
        const at = placed.get(edge.param);
        assert.ok(at, `${edge.param} labelled`);
        if (at.leader) continue;
        // Where along its edge the label stands, and where other edges cross that edge (found here, by
        // projecting, independently of the placement's own search).
        const length = Math.hypot(edge.to.x - edge.from.x, edge.to.y - edge.from.y);
        const t = ((at.x - edge.from.x) * (edge.to.x - edge.from.x) + (at.y - edge.from.y) * (edge.to.y - edge.from.y)) / length ** 2;
        for (const other of layout.edges) {
          const c = other === edge ? null : crossingAt(edge, other);
          if (c === null) continue;
          crossed++;
          assert.ok(Math.abs(c - t) * length >= at.box.hw, `${edge.param}'s label stands where ${other.param} crosses it`);
        }
      }
    }
    assert.ok(crossed > 10, 'the classifier has crossing edges');
  });

  it('moves a label off its edge, with a leader, when nothing along the edge is free', () => {
    const layout = layoutNetwork({ inputs: ['x'], outputs: ['y'], layers: [{ units: 1, activation: 'identity' }] });
    const edge = layout.edges[0];
    // Cover the whole edge: only a spot off it is left.
    const wall: Box = { cx: (edge.from.x + edge.to.x) / 2, cy: edge.from.y, hw: Math.abs(edge.to.x - edge.from.x) / 2, hh: 22, angle: 0 };
    const placed = placeLabels([{ edge, width: 80 }], [wall], layout.edges).get('w1')!;
    assert.ok(placed.leader, 'a leader line');
    assert.ok(!overlaps(placed.box, wall));
  });

  it('tests turned boxes and lines exactly', () => {
    const a: Box = { cx: 0, cy: 0, hw: 10, hh: 2, angle: Math.PI / 4 };
    assert.equal(overlaps(a, { cx: 9, cy: -9, hw: 2, hh: 2, angle: 0 }), false, 'beside a turned box, inside its bounding box');
    assert.equal(overlaps(a, { cx: 5, cy: 5, hw: 2, hh: 2, angle: 0 }), true);
    const node = (x: number, y: number) => ({ id: '', kind: 'hidden' as const, layer: 0, unit: 0, label: '', x, y, r: 1 });
    const line = { param: 'w1', from: node(-20, 0), to: node(20, 0) };
    assert.equal(segmentHitsBox(line, { cx: 0, cy: 1, hw: 3, hh: 2, angle: 0 }), true);
    assert.equal(segmentHitsBox(line, { cx: 0, cy: 3 + LABEL_HEIGHT, hw: 3, hh: 2, angle: 0 }), false);
  });
});

describe('hover card placement', () => {
  const view: Rect = { left: 0, top: 30, right: 1600, bottom: 1000 };
  const covers = (x: number, y: number, w: number, h: number, r: Rect): boolean => x < r.right && x + w > r.left && y < r.bottom && y + h > r.top;

  it('never covers what it explains when there is room beside it', () => {
    const chain: Rect[] = [{ left: 100, top: 400, right: 300, bottom: 460 }, { left: 280, top: 380, right: 340, bottom: 440 }, { left: 330, top: 400, right: 700, bottom: 470 }];
    for (const [w, h] of [[400, 250], [800, 300], [300, 600]]) {
      const at = placeCard(w, h, { x: 200, y: 430 }, chain, view);
      for (const r of chain) assert.ok(!covers(at.x, at.y, w, h, r), `${w}x${h} at ${JSON.stringify(at)}`);
      assert.ok(at.y >= view.top && at.x >= 0 && at.x + w <= view.right, 'inside the page, below the toolbar');
    }
  });

  it('prefers a spot that leaves the rest of the graph in view', () => {
    const chain: Rect[] = [{ left: 100, top: 400, right: 300, bottom: 460 }];
    const graph: Rect[] = [{ left: 100, top: 470, right: 600, bottom: 900 }];
    const at = placeCard(300, 200, { x: 200, y: 430 }, chain, view, graph);
    assert.ok(!covers(at.x, at.y, 300, 200, graph[0]) && !covers(at.x, at.y, 300, 200, chain[0]), JSON.stringify(at));
  });
});

describe('numbers in formulas', () => {
  it('writes powers of ten as KaTeX reads them, not as an e', () => {
    assert.equal(texNum(1.861e-5), '1.861 \\times 10^{-5}');
    assert.equal(texNum(-2.5e7), '-2.500 \\times 10^{7}');
    assert.equal(texNum(-15.655108), '-15.66');
    assert.equal(texNum(0), '0');
    assert.equal(texNum(Infinity), '\\infty');
  });
});

describe('webview messages are validated, never trusted', () => {
  const goodSpecs: BreakpointSpec[] = [
    { id: 'a', enabled: true, kind: 'step', step: 175 }, { id: 'b', enabled: false, kind: 'every', every: 10, hitCondition: '>= 2' },
    { id: 'c', enabled: true, kind: 'condition', expression: 'abs(dw1) > 10 && step > 100' }, { id: 'd', enabled: true, kind: 'watch', parameter: 'w3', watch: 'cross', value: 0.5 },
  ];
  it('accepts each well-formed message', () => {
    for (const m of [{ type: 'ready' }, { type: 'goToError' }, { type: 'openText' }, { type: 'openExample' }, { type: 'newNetwork' }, { type: 'request', channel: 'c0ffee-1', id: 7, kind: 'explain', params: { parameter: 'w3' } },
      { type: 'viewState', state: { mode: 'gradients', notation: '3b1b', pinned: 'b3' } }, { type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null } },
      ...TRAINING_ACTIONS.map((action) => ({ type: 'control', action })), { type: 'goTo', step: 175 }, { type: 'writeParameters' }, { type: 'request', channel: 'c0ffee-1', id: 2, kind: 'unit', params: { layer: 1, unit: 0 } },
      { type: 'watch', parameters: ['w3', 'b1'] }, { type: 'watch', parameters: [] }, { type: 'retryWorker' },
      { type: 'setBreakpoints', specs: goodSpecs, builtins: defaultBuiltins() }]) {
      assert.deepEqual(parseWebviewMessage(m), m);
    }
  });

  const bad: [string, unknown][] = [
    ['an unknown training action', { type: 'control', action: 'eval' }], ['a negative step', { type: 'goTo', step: -1 }], ['a fractional step', { type: 'goTo', step: 1.5 }],
    ['a breakpoint at step 0', { type: 'setBreakpoints', specs: [{ id: 'a', enabled: true, kind: 'step', step: 0 }], builtins: defaultBuiltins() }],
    ['a breakpoint with an id that is not a name', { type: 'setBreakpoints', specs: [{ id: '<img>', enabled: true, kind: 'every', every: 3 }], builtins: defaultBuiltins() }],
    ['a condition longer than 1000 characters', { type: 'setBreakpoints', specs: [{ id: 'a', enabled: true, kind: 'condition', expression: 'x'.repeat(1001) }], builtins: defaultBuiltins() }],
    ['a watch on a non-parameter', { type: 'setBreakpoints', specs: [{ id: 'a', enabled: true, kind: 'watch', parameter: 'loss', watch: 'sign' }], builtins: defaultBuiltins() }],
    ['a watch crossing NaN', { type: 'setBreakpoints', specs: [{ id: 'a', enabled: true, kind: 'watch', parameter: 'w1', watch: 'cross', value: NaN }], builtins: defaultBuiltins() }],
    ['built-ins missing a kind', { type: 'setBreakpoints', specs: [], builtins: { nan: { enabled: true } } }],
    ['an unknown built-in', { type: 'setBreakpoints', specs: [], builtins: { ...defaultBuiltins(), rmrf: { enabled: true } } }],
    ['5,000 breakpoints', { type: 'setBreakpoints', specs: Array.from({ length: 5000 }, (_, i) => ({ id: `b${i}`, enabled: true, kind: 'step', step: i + 1 })), builtins: defaultBuiltins() }],
    ['null', null], ['a string', 'ready'], ['an array', [{ type: 'ready' }]], ['an unknown type', { type: 'rm -rf' }],
    ['an extra key', { type: 'ready', evil: true }], ['a missing request id', { type: 'request', channel: 'c', kind: 'explain', params: { parameter: 'w1' } }],
    ['a fractional request id', { type: 'request', channel: 'c', id: 1.5, kind: 'explain', params: { parameter: 'w1' } }], ['a negative request id', { type: 'request', channel: 'c', id: -1, kind: 'explain', params: { parameter: 'w1' } }],
    ['a request without a channel', { type: 'request', id: 1, kind: 'explain', params: { parameter: 'w1' } }], ['a channel that is not a token', { type: 'request', channel: '<b>', id: 1, kind: 'explain', params: { parameter: 'w1' } }],
    ['an unknown request', { type: 'request', channel: 'c', id: 1, kind: 'eval', params: {} }], ['a request with an extra parameter', { type: 'request', channel: 'c', id: 1, kind: 'unit', params: { layer: 1, unit: 0, x: 1 } }],
    ['a parameter that is not a name', { type: 'request', channel: 'c', id: 1, kind: 'explain', params: { parameter: '__proto__' } }], ['a parameter w0', { type: 'request', channel: 'c', id: 1, kind: 'explain', params: { parameter: 'w0' } }],
    ['a numeric parameter', { type: 'request', channel: 'c', id: 1, kind: 'explain', params: { parameter: 3 } }], ['five watched parameters', { type: 'watch', parameters: ['w1', 'w2', 'w3', 'w4', 'b1'] }],
    ['a view state with an unknown mode', { type: 'viewState', state: { mode: 'x', notation: 'statquest', pinned: null } }],
    ['a view state pinning a non-parameter', { type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: 'constructor' } }],
    ['a view state with an extra field', { type: 'viewState', state: { mode: 'weights', notation: 'statquest', pinned: null, html: '<script>' } }], ['an enormous parameter number', { type: 'request', channel: 'c', id: 1, kind: 'explain', params: { parameter: 'w12345678901' } }],
  ];
  for (const [what, raw] of bad) it(`rejects ${what}`, () => assert.equal(parseWebviewMessage(raw), undefined));
});

/**
 * What the webview draws for a network at step 0, stopped: the structure, a frame and (for a
 * teaching network) every explanation that follows the stop, put together as the page does.
 */
function buildModel(network: Network) {
  const session = new TrainingSession(network);
  const frame = buildFrame(session, false, [], 7);
  return modelOf(buildStructure(network), frame, carriesExplanations(network) ? unpacked(stopExplained(session, frame.seq)) : undefined);
}

/** A stop's explanations as the page has them, unpacked. */
function unpacked(e: ReturnType<typeof stopExplained>): { seq: number; explanations: Record<string, ExplanationView> } {
  return { seq: e.seq, explanations: unpackExplanations(e.packed) };
}

describe('the model the webview shows', () => {
  const net = loadExample('dosage-b3.nn.json');
  const model = buildModel(net);

  it('carries every parameter with its value and gradient, trainable or not', () => {
    const w3 = model.params.find((p) => p.name === 'w3')!;
    assert.deepEqual([w3.value, w3.gradient.toFixed(2), w3.trainable], [-1.22, '-16.11', false]);
    assert.equal(model.params.find((p) => p.name === 'b3')!.trainable, true);
    assert.equal(model.lossValue.toFixed(4), '20.4236');
    assert.equal(model.lossSymbol, 'SSR');
  });

  it('carries the notation the file asks for', () => {
    assert.equal(model.notation, null);
    const chain = loadExample('3b1b-chain.nn.json');
    assert.equal(buildModel(chain).notation, '3b1b');
  });

  it("gives a cross-entropy network's terms the softmax of the outputs: what the loss compares with the targets", () => {
    const classifier = loadExample('classifier.nn.json');
    const c = buildModel(classifier);
    for (const term of c.explanations!.w1.terms) {
      const p = term.probabilities!;
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      const e = term.predicted.map(Math.exp);
      p.forEach((v, k) => assert.ok(Math.abs(v - e[k] / e.reduce((a, b) => a + b, 0)) < 1e-12));
    }
    assert.equal(model.explanations!.w3.terms[0].probabilities, undefined, 'only with cross-entropy');
  });

  it("carries each unit's x_{j,i} and y_{j,i}, inputs first", () => {
    assert.deepEqual(model.units.map((u) => `${u.layer},${u.unit}`), ['0,0', '1,0', '1,1', '2,0']);
    const h1 = model.units[1];
    assert.ok(Math.abs(h1.x[1] - 0.24) < 1e-12);
    assert.deepEqual(model.data.inputs, [[0], [0.5], [1]]);
  });

  it('sends every explanation with every example, however busy the machine', () => {
    for (const name of ['dosage-b3.nn.json', 'dosage-all.nn.json', '3b1b-chain.nn.json', 'xor.nn.json', 'classifier.nn.json']) {
      const n = loadExample(name);
      assert.ok(explanationCost(n) <= EXPLAIN_ALL_LIMIT, name);
      assert.equal(Object.keys(buildModel(n).explanations ?? {}).length, n.parameterCount, name);
    }
  });

  it('sends every explanation for a small network, each the core\'s own numbers plus the check', () => {
    assert.ok(model.explanations);
    const e = model.explanations!.w3;
    const core = explain(new Trainer(net), findParameter(net, 'w3')!);
    assert.deepEqual(e.terms.map((t) => t.value), core.terms.map((t) => t.value));
    assert.ok(Math.abs(e.finiteDifference - e.derivative) < 1e-6);
    assert.equal(e.nextValue, e.value, 'w3 is not trainable');
    const b3 = model.explanations!.b3;
    assert.ok(Math.abs(b3.nextValue - (0 - 0.1 * -15.655108380577747)) < 1e-12);
  });

  it('leaves explanations to be asked for when building them all would stall the host', () => {
    // 1-8-8-8-8-8-1 on 10 samples: few parameters, but every explanation carries nested paths.
    const deep = loadNetwork(JSON.stringify({ inputs: ['x'], outputs: ['y'], layers: [...Array(5).fill({ units: 8, activation: 'tanh' }), { units: 1, activation: 'identity' }], data: Array.from({ length: 10 }, (_, i) => ({ x: i, y: i })) }));
    assert.ok(deep.parameterCount * deep.data.samples <= EXPLAIN_ALL_LIMIT, 'few parameter x sample terms');
    // Building them all takes seconds (nested paths): counted, not timed, so every machine agrees.
    assert.ok(explanationCost(deep) > EXPLAIN_ALL_LIMIT);
    const m = buildModel(deep);
    assert.equal(m.explanations, null);
  });

  it('sends the structure once and small frames: a frame of the 784-128-64-10 network stays under 1 MB', () => {
    const widths = [784, 128, 64, 10];
    const samples = 64;
    const doc = {
      inputs: Array.from({ length: 784 }, (_, k) => `p${k}`), outputs: Array.from({ length: 10 }, (_, k) => `d${k}`),
      layers: widths.slice(1).map((units, l) => ({ units, activation: l === 2 ? 'identity' : 'tanh' })),
      init: { weights: 'glorot', biases: 0, seed: 3 },
      data: { inputs: Array.from({ length: samples }, (_, i) => Array.from({ length: 784 }, (_, k) => ((i * 31 + k) % 17) / 17)), targets: Array.from({ length: samples }, (_, i) => Array.from({ length: 10 }, (_, k) => (k === i % 10 ? 1 : 0))) },
    };
    const mnist = loadNetwork(JSON.stringify(doc));
    const session = new TrainingSession(mnist);
    session.step();
    const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));
    const running = buildFrame(session, true, []);
    const stopped = buildFrame(session, false, []);
    for (const f of [running, stopped]) {
      assert.ok(bytes(f) < 1024 * 1024, `${bytes(f)} bytes`);
      assert.equal(f.values, null, 'weights travel as a byte each');
      assert.equal(f.units, null, 'unit values are asked for');
      assert.equal(carriesExplanations(mnist), false, 'explanations are asked for');
      assert.equal(f.biases!.values.length, 128 + 64 + 10);
    }
    // What the page rebuilds from the bytes is close enough to draw: sign exact, size within a step of the byte scale.
    const m = modelOf(buildStructure(mnist), stopped);
    assert.equal(m.approximate, true);
    const largest = stopped.weightStyles!.largestValue;
    for (let i = 0; i < mnist.weightCount; i += 997) {
      const exact = session.trainer.params[i];
      assert.equal(Math.sign(m.params[i].value), Math.sign(exact));
      assert.ok(Math.abs(Math.sqrt(Math.abs(m.params[i].value) / largest) - Math.sqrt(Math.abs(exact) / largest)) <= 0.5 / 127 + 1e-12);
    }
    assert.equal(m.params[mnist.weightCount].value, session.trainer.params[mnist.weightCount], 'biases exact');
  });

  it('keeps a stop\'s frame light: the explanations follow it, for that very frame, and never while Continue runs', () => {
    const session = new TrainingSession(net);
    const stopped = buildFrame(session, false, [], 3);
    assert.ok(Buffer.byteLength(JSON.stringify(stopped)) < 8 * 1024, 'no explanation in the frame');
    const all = unpacked(stopExplained(session, stopped.seq));
    assert.equal(Object.keys(all.explanations).length, net.parameterCount);
    assert.ok(modelOf(buildStructure(net), stopped, all).explanations, 'the page puts them with the frame they name');
    assert.equal(modelOf(buildStructure(net), { ...stopped, seq: 4 }, all).explanations, null, 'not with another frame at the same step');
    const running = buildFrame(session, true, [], 5);
    assert.equal(modelOf(buildStructure(net), running, { ...all, seq: 5 }).explanations, null, 'nor while running');
    assert.ok(running.values && running.units, 'a small network\'s numbers and units still travel exactly');
  });

  it('leaves explanations to be asked for when the network is large', () => {
    const big = loadNetwork(JSON.stringify({ inputs: ['x'], outputs: ['y'], layers: [{ units: 40, activation: 'tanh' }, { units: 40, activation: 'tanh' }, { units: 1, activation: 'identity' }], data: Array.from({ length: 10 }, (_, i) => ({ x: i, y: i })) }));
    assert.ok(explanationCost(big) > EXPLAIN_ALL_LIMIT);
    const m = buildModel(big);
    assert.equal(m.explanations, null);
    assert.equal(explainView(big, new Trainer(big), 'w5')!.parameter, 'w5');
    assert.equal(explainView(big, new Trainer(big), 'w99999'), null);
  });
});

describe('notation', () => {
  const net = loadExample('dosage-b3.nn.json');
  const model = buildModel(net);

  it("writes StatQuest's chain for w1 with d, Predicted_i, y_{1,i}, x_{1,i} and dosage_i", () => {
    const names = new TexNames(model, 'statquest');
    const f = names.formula(model.explanations!.w1);
    assert.equal(f.named, '\\frac{d\\text{SSR}}{dw_{1}} = \\sum_{i} \\frac{d\\text{SSR}}{d\\text{Predicted}_{i}} \\cdot \\frac{d\\text{Predicted}_{i}}{dy_{1,i}} \\cdot \\frac{dy_{1,i}}{dx_{1,i}} \\cdot \\frac{dx_{1,i}}{dw_{1}}');
    assert.equal(f.expanded, "= \\sum_{i} -2(\\text{Observed}_i - \\text{Predicted}_{i}) \\cdot w_{3} \\cdot \\text{softplus}'(x_{1,i}) \\cdot \\text{dosage}_i");
  });

  it('escapes names from the file, so a column name cannot inject LaTeX', () => {
    const hostile = loadNetwork(JSON.stringify({ inputs: ['}\\rule{3000px}{3000px}\\text{'], outputs: ['y_1^~'], layers: [{ units: 1, activation: 'identity' }], data: { inputs: [[1]], targets: [[1]] } }));
    const names = new TexNames(buildModel(hostile), 'statquest');
    assert.equal(names.input(0), '\\text{\\}\\textbackslash{}rule\\{3000px\\}\\{3000px\\}\\textbackslash{}text\\{}_i');
    assert.equal(names.observed(0), '\\text{Observed}_i');
    assert.equal(names.unit('y', 1, 0), '\\text{Predicted}_{i}');
  });

  it('writes MSE with its 2/n and cross-entropy through the softmax', () => {
    const chain = loadExample('3b1b-chain.nn.json');
    const m = buildModel(chain);
    assert.match(new TexNames(m, 'statquest').formula(m.explanations!.w3).expanded, /^= \\sum_\{i\} -\\tfrac\{2\}\{3\}\(/);
    assert.match(new TexNames(m, '3b1b').formula(m.explanations!.w3).expanded, /^= \\sum_\{i\} \\tfrac\{2\}\{3\}\(a\^\{\(3\)\}_\{0\} - y_\{0\}\)/);
    const classifier = loadExample('classifier.nn.json');
    const c = buildModel(classifier);
    assert.match(new TexNames(c, 'statquest').formula(c.explanations!.w9).expanded, /\(\\text\{softmax\}_\{0\}\(\\ldots\) - \\text\{Observed\}_\{\\text\{red\},i\}\)/);
  });

  it("writes 3Blue1Brown's with partials, C, a^(l), z^(l) and w^(L)_jk", () => {
    const names = new TexNames(model, '3b1b');
    const f = names.formula(model.explanations!.w1);
    assert.equal(f.named, '\\frac{\\partial C}{\\partial w^{(1)}_{00}} = \\sum_{i} \\frac{\\partial C}{\\partial a^{(2)}_{0}} \\cdot \\frac{\\partial a^{(2)}_{0}}{\\partial a^{(1)}_{0}} \\cdot \\frac{\\partial a^{(1)}_{0}}{\\partial z^{(1)}_{0}} \\cdot \\frac{\\partial z^{(1)}_{0}}{\\partial w^{(1)}_{00}}');
    assert.equal(f.expanded, "= \\sum_{i} 2(a^{(2)}_{0} - y_{0}) \\cdot w^{(2)}_{00} \\cdot \\text{softplus}'(z^{(1)}_{0}) \\cdot a^{(0)}_{0}");
  });
});
