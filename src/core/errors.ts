/** Where something is in a file, 1-based like an editor shows it; offset is 0-based for editors. */
export interface SourcePosition {
  offset: number;
  length: number;
  line: number;
  column: number;
}

/**
 * An error in a network file, with the position of the offending text. The CLI prints it as
 * `FILE:LINE:COL: message`; the editor turns it into a diagnostic and a "Go to error" action.
 */
export class NetworkFileError extends Error {
  /**
   * `file`: the position is in a data file the network names (its path relative to the network
   * file, e.g. "points.csv"), not in the network file; `reference` is then where the network file
   * names it (its "file" value), for a surface that shows only the network file.
   */
  constructor(message: string, readonly position: SourcePosition, readonly file?: string, readonly reference?: SourcePosition) {
    super(message);
    this.name = 'NetworkFileError';
  }

  /** `FILE:LINE:COL: message`, FILE being the data file (beside `fileName`) when the error is in one. */
  format(fileName: string): string {
    const where = this.file === undefined ? fileName : besideFile(fileName, this.file);
    return `${where}:${this.position.line}:${this.position.column}: ${this.message}`;
  }

  /**
   * The error as the network file shows it: at the "file" value naming the data file, its message
   * saying where in the data file (`points.csv:41:3: ...`). Itself when it is in the network file.
   */
  inNetworkFile(): NetworkFileError {
    if (this.file === undefined || this.reference === undefined) return this;
    return new NetworkFileError(`${this.file}:${this.position.line}:${this.position.column}: ${this.message}`, this.reference);
  }
}

/** `relative` (a data file's '/'-separated path) in the folder of `fileName`, with `fileName`'s own separator. */
export function besideFile(fileName: string, relative: string): string {
  const slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  if (slash < 0) return relative;
  const separator = fileName[slash];
  return `${fileName.slice(0, slash + 1)}${separator === '/' ? relative : relative.split('/').join(separator)}`;
}

/** Maps offsets to line and column once per text, so many errors cost one scan. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  position(offset: number, length = 0): SourcePosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, length, line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}
