/**
 * The hops a control's answer takes, in order: each figure is the time from the one before it (ms).
 * A module of its own so the bench's bundle can print them without loading Playwright (which
 * bench/vscodePause.ts drives in a process of its own).
 */
export const HOPS = ['clicked', 'pageSent', 'hostReceived', 'workerReceived', 'workerAnswered', 'hostHad', 'hostPosted', 'pageReceived', 'shown', 'painted'] as const;
