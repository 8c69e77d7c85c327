/**
 * A data file's cost: loading a network whose `data` is a 100,000-row x 10-column CSV (parsing,
 * numbers, the whole loader), and training on it against the same samples written inline (the
 * same engine: a file's samples are the same typed arrays). `node out/bench/dataFile.js [rounds]`
 * runs it alone; bench.ts runs it with the rest.
 */
import { loadNetwork, SeededRandom, Trainer } from '../src/core';

export interface DataFileFigures {
  rows: number;
  columns: number;
  csvBytes: number;
  /** Median over the rounds, in ms: loadNetwork of the network with its CSV (parse included). */
  loadMs: number;
  /** Full-batch steps a second on the CSV's samples and on the same samples inline, and their ratio. */
  stepsPerSecond: number;
  inlineStepsPerSecond: number;
  ratio: number;
}

const ROWS = 100_000;
const COLUMNS = 10;

export function benchDataFile(rounds: number): DataFileFigures {
  const random = new SeededRandom(5);
  const names = Array.from({ length: COLUMNS }, (_, k) => `c${k}`);
  const lines = [names.join(',')];
  const cells: number[][] = [];
  for (let i = 0; i < ROWS; i++) {
    const row = names.map(() => Number((random.normal()).toFixed(6)));
    cells.push(row);
    lines.push(row.join(','));
  }
  const csv = `${lines.join('\n')}\n`;
  const inputs = names.slice(0, COLUMNS - 1);
  const shape = { inputs, outputs: ['y'], layers: [{ units: 16, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', training: { learningRate: 0.01 } };
  const text = JSON.stringify({ ...shape, data: { file: 'big.csv', inputs, targets: [names[COLUMNS - 1]] } });
  const readFile = (p: string): string | undefined => (p === 'big.csv' ? csv : undefined);
  const times: number[] = [];
  let network = loadNetwork(text, { readFile });
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    network = loadNetwork(text, { readFile });
    times.push(performance.now() - t0);
  }
  const inline = loadNetwork(JSON.stringify({ ...shape, data: { inputs: cells.map((row) => row.slice(0, COLUMNS - 1)), targets: cells.map((row) => [row[COLUMNS - 1]]) } }));
  const rate = (t: Trainer): number => {
    for (let i = 0; i < 3; i++) t.step();
    const steps: number[] = [];
    for (let r = 0; r < Math.max(5, rounds); r++) {
      const t0 = performance.now();
      t.step();
      steps.push(1000 / (performance.now() - t0));
    }
    return steps.sort((a, b) => a - b)[steps.length >> 1];
  };
  const fromFile = new Trainer(network);
  const written = new Trainer(inline);
  const stepsPerSecond = rate(fromFile);
  const inlineStepsPerSecond = rate(written);
  return {
    rows: ROWS, columns: COLUMNS, csvBytes: csv.length, loadMs: times.sort((a, b) => a - b)[times.length >> 1],
    stepsPerSecond, inlineStepsPerSecond, ratio: stepsPerSecond / inlineStepsPerSecond,
  };
}

/** One line for a person. */
export function describeDataFile(f: DataFileFigures): string {
  return `a ${f.rows.toLocaleString('en-US')}-row x ${f.columns}-column CSV (${(f.csvBytes / 1e6).toFixed(1)} MB): loads in ${f.loadMs.toFixed(0)} ms (target < 1000 ms); trains at ${f.stepsPerSecond.toFixed(1)} full-batch steps/s, ${f.inlineStepsPerSecond.toFixed(1)} on the same samples inline (${(f.ratio * 100).toFixed(0)}%)`;
}

// Run alone (`node out/bench/dataFile.js`); bundled into bench.js, require.main is the bundle, so the script's name decides.
if (/[\\/]dataFile\.js$/.test(process.argv[1] ?? '')) {
  const figures = benchDataFile(Number(process.argv[2] ?? 5));
  console.log(describeDataFile(figures));
  console.log(JSON.stringify(figures));
}
