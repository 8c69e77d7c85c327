/**
 * The members of a zip archive (a .keras file), read with bounded work: the central directory's
 * entry count, each wanted member's declared size and their total are checked against the limits
 * before anything is inflated, and a member is inflated in small steps into a buffer of its
 * declared size, stopping as soon as it inflates past that size. A zip bomb (a member that claims
 * a few bytes and inflates to gigabytes, or a thousand members of a gigabyte each) is an error at
 * once, never an allocation. fflate inflates; the directory walk is ours, because fflate's
 * unzipSync would inflate a lying member to its end before saying anything.
 */
import { Inflate } from 'fflate';
import { type Limits, overLimit } from '../limits';
import { ModelFileError } from './files';

/** Compressed bytes given to the inflater at a time: deflate expands at most ~1032x, so one step yields at most ~17 MB. */
const STEP = 16 * 1024;

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly compressed: number;
  readonly size: number;
  readonly local: number;
  readonly at: number;
}

/**
 * The members of `bytes` whose names `wanted` accepts, inflated; every entry's name is listed in
 * `names` (for messages). A ModelFileError at its byte when the archive is damaged, cut short, or
 * asks for more than `limits` allow.
 */
export function readZip(bytes: Uint8Array, wanted: (name: string) => boolean, limits: Limits): { members: Record<string, Uint8Array>; names: string[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  // The end-of-central-directory record: 22 bytes and a comment of up to 65,535, at the end.
  let end = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 65_535; at--) {
    if (u32(at) === 0x06054b50) { end = at; break; }
  }
  if (end < 0) throw new ModelFileError('the zip archive has no central directory at its end: it is cut short or damaged', { byte: bytes.length });
  const count = u16(end + 10);
  const directorySize = u32(end + 12);
  const directory = u32(end + 16);
  if (count === 0xffff || directory === 0xffffffff) throw new ModelFileError('the zip archive is a ZIP64 archive (over 65,535 members or 4 GB): not a .keras file of a dense model', { byte: end });
  if (count > limits.zipEntries) throw new ModelFileError(`the zip archive has ${count} members, more than ${overLimit(limits, 'zipEntries')}`, { byte: end + 10 });
  if (directory + directorySize > end) throw new ModelFileError(`the zip archive's central directory (${directorySize} bytes at byte ${directory}) runs past its end record: the archive is damaged`, { byte: end + 16 });
  const entries: Entry[] = [];
  const names: string[] = [];
  let at = directory;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || u32(at) !== 0x02014b50) throw new ModelFileError(`the zip archive's directory entry ${i + 1} of ${count} is damaged`, { byte: at });
    const nameLength = u16(at + 28);
    const next = at + 46 + nameLength + u16(at + 30) + u16(at + 32);
    if (next > end) throw new ModelFileError(`the zip archive's directory entry ${i + 1} of ${count} runs past the directory`, { byte: at });
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    names.push(name);
    entries.push({ name, method: u16(at + 10), compressed: u32(at + 20), size: u32(at + 24), local: u32(at + 42), at });
    at = next;
  }
  const members: Record<string, Uint8Array> = {};
  let total = 0;
  for (const e of entries) {
    if (!wanted(e.name) || Object.hasOwn(members, e.name)) continue;
    total += e.size;
    if (e.size > limits.modelFileBytes || total > limits.zipBytes) {
      throw new ModelFileError(`member ${e.name} would inflate to ${e.size.toLocaleString('en-US')} bytes, past ${e.size > limits.modelFileBytes ? overLimit(limits, 'modelFileBytes') : overLimit(limits, 'zipBytes')}`, { byte: e.at, member: e.name });
    }
    if (e.local + 30 > bytes.length || u32(e.local) !== 0x04034b50) throw new ModelFileError(`member ${e.name}'s local header is not where the directory says (byte ${e.local}): the archive is damaged`, { byte: e.at, member: e.name });
    const start = e.local + 30 + u16(e.local + 26) + u16(e.local + 28);
    if (start + e.compressed > bytes.length) throw new ModelFileError(`member ${e.name} (${e.compressed} bytes) runs past the end of the archive: it is cut short`, { byte: e.local, member: e.name });
    const data = bytes.subarray(start, start + e.compressed);
    if (e.method === 0) {
      if (e.compressed !== e.size) throw new ModelFileError(`member ${e.name} is stored as ${e.compressed} bytes but its size says ${e.size}: the archive is damaged`, { byte: e.at, member: e.name });
      members[e.name] = data.slice();
    } else if (e.method === 8) {
      members[e.name] = inflate(data, e, start);
    } else {
      throw new ModelFileError(`member ${e.name} is compressed with method ${e.method}: only stored and deflated members (what Keras writes) can be read`, { byte: e.at, member: e.name });
    }
  }
  return { members, names };
}

/** `data` inflated into exactly `e.size` bytes, a step at a time; an error the moment it would inflate past that or stops short of it. */
function inflate(data: Uint8Array, e: Entry, start: number): Uint8Array {
  const out = new Uint8Array(e.size);
  let written = 0;
  let done = false;
  const damaged = (why: string): ModelFileError => new ModelFileError(`member ${e.name} is damaged: ${why}`, { byte: start, member: e.name });
  const inflater = new Inflate((chunk, final) => {
    if (written + chunk.length > e.size) throw damaged(`it inflates past the ${e.size.toLocaleString('en-US')} bytes its size declares`);
    out.set(chunk, written);
    written += chunk.length;
    if (final) done = true;
  });
  try {
    for (let i = 0; i < data.length || i === 0; i += STEP) inflater.push(data.subarray(i, i + STEP), i + STEP >= data.length);
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw damaged(err instanceof Error ? err.message : String(err));
  }
  if (!done || written !== e.size) throw damaged(`it inflates to ${written} bytes, not the ${e.size} its size declares`);
  return out;
}
