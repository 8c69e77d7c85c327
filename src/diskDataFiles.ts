/**
 * Data files on disk, for the hosts that have Node (the CLI, `backprop dap`, the extension host for
 * files on disk): a data file is read from the network file's folder, never through a symbolic
 * link that leads out of it. The path itself was checked by the core (dataPath: no "..", no
 * absolute path, no URI); this adds what only the disk can tell.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { currentLimits, type ReadFile } from './core';

/**
 * Where the network file `networkFile` finds its data file `relative` (a path dataPath checked):
 * the full path, once its real path (every link followed) is known to stay inside the network
 * file's own folder; undefined when there is no such file. Throws when it leads out. Reads nothing.
 */
export function diskDataPath(networkFile: string, relative: string): string | undefined {
  const folder = path.dirname(path.resolve(networkFile));
  const full = path.join(folder, ...relative.split('/'));
  let real: string;
  try {
    real = realpathSync(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
  const root = realpathSync(folder);
  if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    throw new Error('it is a link to a file outside the network file\'s folder, which a data file may not be');
  }
  return full;
}

/**
 * Reads the data files of the network file `networkFile` (undefined: no such file); `read` reads a
 * checked path. A file larger than `maxBytes` (the dataFileBytes limit by default) is refused by its
 * size on disk before a byte of it is read, so a huge file costs no memory.
 */
export function diskDataReader(networkFile: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8'), maxBytes?: number): ReadFile {
  return (relative) => {
    const full = diskDataPath(networkFile, relative);
    if (full === undefined) return undefined;
    const limit = maxBytes ?? currentLimits().dataFileBytes;
    let size = 0;
    try { size = statSync(full).size; } catch { /* read() below says why */ }
    if (size > limit) throw new Error(`it is ${size.toLocaleString('en-US')} bytes, more than the limit of ${limit.toLocaleString('en-US')} (dataFileBytes: docs/security.md#limits)`);
    try {
      return read(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EISDIR') throw new Error('it is a folder, not a file');
      if (code === 'EACCES') throw new Error('permission denied');
      throw e;
    }
  };
}
