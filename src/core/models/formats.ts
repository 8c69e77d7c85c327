/**
 * The model formats Backprop Debugger reads and writes: one registry that the CLI's `import` and
 * `export`, the Import Model... and Export... commands and the docs' table all go through, so a
 * format is added here, in one line, and nowhere else.
 */
import { ACTIVATIONS, type Activation } from '../math';
import { type Exporter, type ExporterId, FormatError, type Importer, type ImporterId, type LayerActivation } from './files';
import { kerasImporter } from './keras';
import { numpyExporter } from './numpy';
import { onnxExporter, onnxImporter } from './onnx';
import { pytorchExporter } from './pytorch';
import { safetensorsImporter } from './safetensors';
import { tfjsExporter, tfjsImporter } from './tfjs';

export * from './files';

export const IMPORTERS: readonly Importer[] = [
  onnxImporter,
  tfjsImporter,
  kerasImporter,
  safetensorsImporter,
];

export const EXPORTERS: readonly Exporter[] = [
  onnxExporter,
  tfjsExporter,
  pytorchExporter,
  numpyExporter,
];

/** Every format the project knows by name, read or written by this build or not: a name outside these is a typo. */
const KNOWN_IMPORTS: readonly ImporterId[] = ['onnx', 'tfjs', 'keras', 'safetensors'];
const KNOWN_EXPORTS: readonly ExporterId[] = ['onnx', 'tfjs', 'pytorch', 'numpy'];

/** The importer for a file called `name`: the one whose extension it ends with (the longest wins). */
export function importerFor(name: string, importers: readonly Importer[] = IMPORTERS): Importer {
  const lower = name.toLowerCase();
  if (lower.endsWith('.nn.json')) throw new FormatError(`${name} is a network file already: open it as it is (backprop check ${name})`);
  let best: { importer: Importer; length: number } | undefined;
  for (const importer of importers) {
    for (const ext of importer.extensions) {
      if (lower.endsWith(ext.toLowerCase()) && (!best || ext.length > best.length)) best = { importer, length: ext.length };
    }
  }
  if (!best) throw new FormatError(`cannot import ${name}: ${describeImports(importers)}`);
  return best.importer;
}

/** "it reads ONNX (.onnx), TensorFlow.js (.json)": what the registry reads, for messages and docs. */
export function describeImports(importers: readonly Importer[] = IMPORTERS): string {
  return `Backprop Debugger imports ${importers.map((i) => `${i.label} (${i.extensions.join(', ')})`).join(', ')}`;
}

/** The exporter called `id` (`--to onnx`), or a FormatError saying what there is. */
export function exporterFor(id: string, exporters: readonly Exporter[] = EXPORTERS): Exporter {
  const found = exporters.find((e) => e.id === id);
  if (found) return found;
  const ids = exporters.map((e) => e.id).join(', ');
  if ((KNOWN_EXPORTS as readonly string[]).includes(id)) throw new FormatError(`this build of Backprop Debugger cannot export ${id} yet: it exports ${ids}`);
  throw new FormatError(`unknown format '${id}': Backprop Debugger exports ${ids}`);
}

/** Whether `id` names a format the project imports somewhere (for a "not in this build" message). */
export function isKnownImport(id: string): boolean {
  return (KNOWN_IMPORTS as readonly string[]).includes(id);
}

/** The files an import writes next to a model: `mlp.onnx` -> `mlp.nn.json`, `model.json` -> `model.nn.json`. */
export function networkNameFor(modelName: string, importer: Importer): string {
  const lower = modelName.toLowerCase();
  const ext = [...importer.extensions].sort((a, b) => b.length - a.length).find((e) => lower.endsWith(e.toLowerCase())) ?? '';
  let stem = modelName.slice(0, modelName.length - ext.length);
  if (importer.id === 'tfjs' && stem.toLowerCase().endsWith('.model')) stem = stem.slice(0, -'.model'.length);
  return `${stem}.nn.json`;
}

/** The name exports are given: `xor.nn.json` -> `xor`. */
export function exportBaseName(networkFileName: string): string {
  const base = networkFileName.slice(Math.max(networkFileName.lastIndexOf('/'), networkFileName.lastIndexOf('\\')) + 1);
  return base.replace(/\.nn\.json$|\.json$/i, '') || 'network';
}

/**
 * "relu,relu,identity": one activation a layer, for a format that holds none (safetensors); the
 * last may be `softmax` ("relu,softmax"): that layer is then linear and the network ends in the
 * softmax and cross-entropy, as a Keras or ONNX model's softmax does. The list, or a FormatError
 * naming the first word that is not an activation (or a softmax before the last) and where it is.
 */
export function parseActivations(text: string): LayerActivation[] {
  const words = text.split(',');
  let column = 1;
  return words.map((word, i) => {
    const name = word.trim().toLowerCase();
    const at = column + (word.length - word.trimStart().length);
    column += word.length + 1;
    if (name === 'softmax') {
      if (i === words.length - 1) return 'softmax';
      throw new FormatError(`column ${at}: softmax can only be the last layer's (the network's output, with cross-entropy); this is layer ${i + 1} of ${words.length}`);
    }
    if (!(ACTIVATIONS as readonly string[]).includes(name)) {
      throw new FormatError(`column ${at}: ${name ? `"${word.trim()}" is not an activation` : 'an activation is missing'}: use ${ACTIVATIONS.join(', ')}, one a layer, and softmax for the last one of a classifier`);
    }
    return name as Activation;
  });
}
