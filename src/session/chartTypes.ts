/**
 * What the charts draw, as the worker computes it and the webview receives it: plain data (it
 * crosses two thread boundaries), no behaviour. The webview imports these types only.
 */
import type { FitCurve, FitPlane, FitSamples } from '../core/curves';
import type { OptimizerType } from '../core/optimizers';

/** The panels, in the order the strip shows them. */
export const CHART_PANELS = ['loss', 'profile', 'fit', 'trajectories', 'instruments', 'compare'] as const;
export type ChartPanel = (typeof CHART_PANELS)[number];

/** Each panel's title, as its header shows it (the loss-against-a-parameter panel names its parameter once it has one). */
export const CHART_TITLES: Record<ChartPanel, string> = {
  loss: 'Loss over steps',
  profile: 'Loss against a parameter',
  fit: 'The fit',
  trajectories: 'Parameters and gradients over steps',
  instruments: 'Instruments',
  compare: 'Compare optimizers',
};

/** What a page asks the charts for: which panels are open, and which parameters (one or two) are selected. */
export interface ChartRequest {
  panels: ChartPanel[];
  parameters: string[];
  /** The optimizers Compare optimizers races against the file's (absent: none). */
  optimizers?: OptimizerType[];
  /** Each unit's picture in the graph (a network with one or two inputs, see UnitMapsChart). */
  units?: boolean;
}

/** The loss over steps: thinned for drawing, with where breakpoints hit. */
export interface LossChart {
  steps: number[];
  losses: number[];
  /** The first and current step and loss: what the text alternative says. */
  first: { step: number; loss: number };
  current: { step: number; loss: number };
  /** The newest step the history reaches (the current step may be before it, after going back). */
  latest: number;
  earliest: number;
  /** The file's step limit: the axis leaves room up to it for breakpoints still ahead. */
  maxSteps: number;
  /** How many losses the history keeps before thinning: one every `stride` steps. */
  recorded: number;
  stride: number;
  /** The step where the loss stopped being a finite number, if it did. */
  divergedAt: number | null;
  /** Steps where a breakpoint stopped the run (the latest few hundred). */
  hits: number[];
  /**
   * Real training (batches, a validation set): `losses` above are each step's batch's (noisy);
   * these are the whole training set's and the validation set's, sampled over the history as the
   * series are. Absent in plain full-batch training, where `losses` are the whole set's already.
   */
  sampled?: { steps: number[]; training: number[]; validation: number[] | null; batches: boolean };
}

/** The loss against one parameter, the others held: StatQuest's pink curve with its tangent. */
export interface ProfileChart {
  parameter: string;
  value: number;
  loss: number;
  /** dLoss/dparameter here: the tangent's slope. */
  slope: number;
  learningRate: number;
  trainable: boolean;
  /** One step down the tangent: value - learningRate x slope (the value itself when not trainable). */
  next: number;
  /** The loss there (on the curve, not the tangent). */
  nextLoss: number;
  xs: number[];
  losses: number[];
  /** The curve's lowest point in its range. */
  minimum: { x: number; loss: number };
}

/** The loss over two parameters, with the path gradient descent took across it. */
export interface SurfaceChart {
  parameters: [string, string];
  xs: number[];
  ys: number[];
  /** Row-major: losses[r * xs.length + c] at (xs[c], ys[r]). */
  losses: number[];
  path: { xs: number[]; ys: number[] };
  current: { x: number; y: number; loss: number };
}

export interface FitChart {
  inputs: string[];
  outputs: string[];
  samples: FitSamples;
  /** The loss as the file defines it, beside the SSR the residuals add up to. */
  loss: number;
  lossSymbol: string;
  curve: FitCurve | null;
  plane: FitPlane | null;
}

/** Instruments for the whole network or one layer, at each sampled step. */
export interface InstrumentSeries {
  /** ‖gradient‖ over the trainable parameters. */
  gradientNorm: number[];
  /** ‖learning rate x gradient‖: the size of the next update. */
  updateSize: number[];
  /** ‖update‖ / ‖parameters‖. */
  updateRatio: number[];
  /** Shares of units dead (ReLU) and saturated (sigmoid, tanh). */
  dead: number[];
  saturated: number[];
}

/** Parameters, their gradients and the instruments over steps, sampled at every `stride` steps. */
export interface SeriesChart {
  steps: number[];
  stride: number;
  parameters: { name: string; values: number[]; gradients: number[] }[];
  network: InstrumentSeries & {
    /** ‖parameters - where the run began‖. */
    distance: number[];
    /** With a schedule, the learning rate of each sampled step's update; absent for a constant rate. */
    learningRate?: number[];
    /**
     * The largest eigenvalue of the loss's Hessian (null when the instruments are folded, or past
     * HESSIAN_LIMIT trainable parameters; a null value where the loss was not finite).
     */
    sharpness: (number | null)[] | null;
    /**
     * The cosine between this step's update and the next one's, computed with the sharpness: +1
     * when they go the same way, near -1 when each step undoes the last (gradient descent
     * oscillating across a valley too sharp for its learning rate).
     */
    turn: (number | null)[] | null;
  };
  layers: InstrumentSeries[];
  /**
   * Gradient descent on a quadratic diverges once the sharpness passes 2 / learning rate (with
   * momentum, a limit of its own: see stabilityLimit in the core). null for an adaptive optimizer
   * (RMSProp, Adam, AdamW), where no such limit holds for the plain sharpness.
   */
  stabilityLimit: number | null;
  /** How the limit is written ("2 / learning rate"), or, with none, why not. */
  stabilityRule: string;
}

/** Compare optimizers draws at most this many lines: the file's optimizer and three others. */
export const RACE_MOST = 4;
/** What it races against the file's until the person picks (the file's own, if among them, is not counted twice). */
export const DEFAULT_RACE: readonly OptimizerType[] = ['sgd', 'momentum', 'adam'];

/** One optimizer's line in Compare optimizers: the whole training set's loss at recorded steps. */
export interface CompareLine {
  optimizer: OptimizerType;
  label: string;
  /** The file's own optimizer (its settings, its line the run's own); the others take PyTorch's defaults. */
  own: boolean;
  steps: number[];
  losses: number[];
  /** The step where its loss stopped being a number, if it did (the line ends there). */
  divergedAt: number | null;
}

/** Compare optimizers: the same network from the same parameters and batches, under two to four rules. */
export interface CompareChart {
  /** Where every line starts (the history's first step) and where the race ends (as far as the run has gone, at least 200 steps). */
  from: number;
  finish: number;
  learningRate: number;
  /** The batch size every line shares, or null in full batch. */
  batchSize: number | null;
  lines: CompareLine[];
}

export interface ChartData {
  step: number;
  /** Samples of the series are still being computed (a large network's long history): more follows. */
  pending: boolean;
  loss?: LossChart;
  profile?: ProfileChart;
  surface?: SurfaceChart;
  fit?: FitChart;
  series?: SeriesChart;
  compare?: CompareChart;
  /** Each unit's picture, when asked for (null: this network gets none: see UnitMapsChart.omitted's rule). */
  units?: UnitMapsChart | null;
}

/**
 * Each hidden and output unit's picture in the graph: its output over the plane of the two inputs
 * (a heat map) or along the one input's range (a curve), computed in one forward pass of a grid.
 */
export interface UnitMapsChart {
  /** The input columns the pictures are drawn over: two (a plane) or one (a curve). */
  inputs: string[];
  xRange: [number, number];
  yRange: [number, number] | null;
  /** Grid points a side (a plane) or along the range (a curve). */
  side: number;
  units: UnitMapView[];
  /**
   * The samples drawn on the output units' maps (at most MAP_SAMPLES, evenly chosen): their inputs
   * and each output's target (`targets[k][i]`), coloured on that output's scale.
   */
  samples: { x: number[]; y: number[]; targets: number[][]; total: number };
}

export interface UnitMapView {
  /** The layer from 1, the unit from 0 (as the graph's data-unit "L,j" with j = unit + 1). */
  layer: number;
  unit: number;
  /** What the picture shows: the unit's activation a, or (a cross-entropy output) its class's probability. */
  shows: 'activation' | 'probability';
  /**
   * A plane: one byte per grid point, row-major from the lowest x2 (cells[r * side + c] at
   * x1 = xRange's c-th point, x2 = yRange's r-th), each the value's place on `domain` from 0
   * (its low end) to 255 (its high end), as base64. Null for a curve.
   */
  cells: string | null;
  /** A curve: the value at each of `side` evenly spaced points of the input's range. Null for a plane. */
  curve: number[] | null;
  /** The colour scale's ends: orange at the low end, the background in the middle, blue at the high end. */
  domain: [number, number];
  min: number;
  max: number;
  /** The level the words speak of (0: positive; 0.5: above a half) and the share of the grid above it. */
  level: number;
  above: number;
  /** Where that share lies, from -1 (the low end of an input's range) to 1 (the high end), per input. */
  toward: [number, number];
  /** An output's decision boundary, as segments x1, y1, x2, y2 in the inputs' coordinates (null: it decides nothing). */
  boundary: number[] | null;
}
