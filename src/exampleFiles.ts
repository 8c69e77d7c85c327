/**
 * The shipped examples (examples/*.nn.json), in the order they teach: StatQuest's walk-through
 * first, as the videos take it. The one list the Open Example command, the walkthrough and the
 * tests read. Pure, so every test level can import it.
 */
export const EXAMPLE_FILES = ['dosage-b3.nn.json', 'dosage-w3-w4-b3.nn.json', 'dosage-all.nn.json', '3b1b-chain.nn.json', 'xor.nn.json', 'classifier.nn.json', 'dosage-adam.nn.json', 'classifier-batches.nn.json', 'spiral.nn.json', 'points.nn.json'] as const;
export type ExampleFile = (typeof EXAMPLE_FILES)[number];
