/** The pure training core: no vscode, DOM or node imports, so the CLI, tests, extension host and workers share it. */
export * from './errors';
export * from './explain';
export * from './format';
export * from './math';
export * from './network';
export * from './random';
export * from './train';
export * from './history';
export * from './trace';
export * from './scaffold';
export * from './compare';
export * from './writeback';
export * from './parameterLayout';
export * from './rounding';
export * from './curves';
export * from './numbers';
