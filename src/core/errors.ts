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
  constructor(message: string, readonly position: SourcePosition) {
    super(message);
    this.name = 'NetworkFileError';
  }

  format(fileName: string): string {
    return `${fileName}:${this.position.line}:${this.position.column}: ${this.message}`;
  }
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
