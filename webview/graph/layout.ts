/**
 * Where everything in the graph goes: a layered left-to-right layout (inputs, hidden layers,
 * outputs), parameters named as the core names them. Pure geometry, no DOM, so it is unit-tested
 * in Node and the renderer only draws what this decides.
 */
import type { Activation } from '../../src/core/math';

export interface LayoutInput {
  inputs: readonly string[];
  outputs: readonly string[];
  layers: readonly { units: number; activation: Activation }[];
}

export type NodeKind = 'input' | 'hidden' | 'output';

export interface GraphNode {
  /** "L,j" with the layer from 0 (inputs) and the unit from 1, as data-unit carries it (1-based unit). */
  id: string;
  kind: NodeKind;
  /** 0 for inputs, 1.. for layers. */
  layer: number;
  /** From 0. */
  unit: number;
  label: string;
  activation?: Activation;
  x: number;
  y: number;
  r: number;
}

export interface GraphEdge {
  param: string;
  from: GraphNode;
  to: GraphNode;
}

export interface GraphBias {
  param: string;
  node: GraphNode;
  x: number;
  y: number;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  biases: GraphBias[];
  width: number;
  height: number;
  /** Whether there is room to write each edge's value on it. */
  edgeLabels: boolean;
  /** Whether nodes are big enough for activation glyphs and bias boxes. */
  detailed: boolean;
}

const MARGIN = 70;

export function layoutNetwork(input: LayoutInput): GraphLayout {
  const columns = [input.inputs.length, ...input.layers.map((l) => l.units)];
  const widest = Math.max(...columns);
  // Small networks get StatQuest-sized nodes with room for bias boxes; wide ones shrink to dots.
  const detailed = widest <= 12;
  const r = detailed ? 24 : Math.max(2, Math.min(10, 400 / widest));
  const rowGap = detailed ? 120 : Math.max(2 * r + 2, 6);
  const columnGap = detailed ? Math.max(220, 40 * Math.min(widest, 6)) : 260;
  const height = Math.max(1, widest - 1) * rowGap + 2 * MARGIN + (detailed ? 40 : 0);
  const width = (columns.length - 1) * columnGap + 2 * MARGIN + 80;

  const nodes: GraphNode[] = [];
  const byColumn: GraphNode[][] = [];
  columns.forEach((count, layer) => {
    const top = (height - (count - 1) * rowGap) / 2;
    const column: GraphNode[] = [];
    for (let unit = 0; unit < count; unit++) {
      const kind: NodeKind = layer === 0 ? 'input' : layer === columns.length - 1 ? 'output' : 'hidden';
      const node: GraphNode = {
        id: `${layer},${unit + 1}`,
        kind, layer, unit,
        label: kind === 'input' ? input.inputs[unit] : kind === 'output' ? input.outputs[unit] : `h${layer === 1 && columns.length === 3 ? '' : `${layer}.`}${unit + 1}`,
        activation: layer > 0 ? input.layers[layer - 1].activation : undefined,
        x: MARGIN + 40 + layer * columnGap,
        y: top + unit * rowGap,
        r,
      };
      column.push(node);
      nodes.push(node);
    }
    byColumn.push(column);
  });

  // Weights are numbered layer by layer, unit by unit, input by input (w1, w2, ...); biases after.
  const edges: GraphEdge[] = [];
  const biases: GraphBias[] = [];
  let w = 0;
  let b = 0;
  for (let layer = 1; layer < columns.length; layer++) {
    for (const to of byColumn[layer]) {
      for (const from of byColumn[layer - 1]) edges.push({ param: `w${++w}`, from, to });
    }
  }
  for (let layer = 1; layer < columns.length; layer++) {
    for (const node of byColumn[layer]) {
      biases.push({ param: `b${++b}`, node, x: node.x, y: node.y + node.r + (detailed ? 26 : 0) });
    }
  }
  // Past a dozen edges the labels pile up where the edges cross; the hover card carries the numbers.
  return { nodes, edges, biases, width, height, edgeLabels: detailed && edges.length <= 12, detailed };
}

/**
 * Where along an edge its label sits: nearer the target, staggered by the source's row so the
 * labels of edges converging on one unit do not pile up (StatQuest writes them beside the lines).
 */
export function labelPoint(edge: GraphEdge, siblings: number): { x: number; y: number; angle: number } {
  // Between 40% and 65% of the way: clear of the source's box and of the target's bias.
  const t = siblings > 1 ? 0.4 + 0.25 * (edge.from.unit / (siblings - 1)) : 0.5;
  const x = edge.from.x + (edge.to.x - edge.from.x) * t;
  const y = edge.from.y + (edge.to.y - edge.from.y) * t;
  const angle = (Math.atan2(edge.to.y - edge.from.y, edge.to.x - edge.from.x) * 180) / Math.PI;
  return { x, y, angle };
}
