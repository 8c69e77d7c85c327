/**
 * A logpoint's message, as DAP writes it: text with `{expression}` parts, each an expression of the
 * breakpoint language evaluated where the logpoint fires (`step {step}: loss {loss}, dw3 {dw3}`);
 * `{{` and `}}` write a brace. Compiled once when the breakpoint is set, so a malformed part is
 * reported then, at its column in the message, and firing allocates only the line it writes.
 */
import { formatNumber, type Network } from '../core';
import { compileExpression, type Compiled, type ExprState } from './expr/compile';
import { ExpressionError } from '../core/expr/parse';

export interface LogMessage {
  /** The message with every part's value at the state now. */
  render(): string;
  readonly needsEvaluation: boolean;
  readonly needsValidation: boolean;
  readonly needsTraining: boolean;
  /** The names its parts read. */
  readonly names: readonly string[];
}

/** Compiles `message`; throws an ExpressionError whose column is the column in the whole message. */
export function compileLogMessage(message: string, network: Network, state: ExprState): LogMessage {
  const texts: string[] = [];
  const parts: Compiled[] = [];
  let text = '';
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if ((c === '{' || c === '}') && message[i + 1] === c) { text += c; i++; continue; }
    if (c === '}') throw new ExpressionError("a '}' with no '{' before it (write '}}' for a brace)", { start: i, end: i + 1 });
    if (c !== '{') { text += c; continue; }
    const close = message.indexOf('}', i + 1);
    if (close < 0) throw new ExpressionError("a '{' that is never closed (write '{{' for a brace)", { start: i, end: i + 1 });
    const source = message.slice(i + 1, close);
    if (source.trim() === '') throw new ExpressionError('an empty {}: put an expression inside, such as {loss}', { start: i, end: close + 1 });
    try {
      parts.push(compileExpression(source, network, state));
    } catch (e) {
      // The part's column, moved to where the part stands in the message.
      if (e instanceof ExpressionError) throw new ExpressionError(e.message, { start: e.at.start + i + 1, end: e.at.end + i + 1 });
      throw e;
    }
    texts.push(text);
    text = '';
    i = close;
  }
  texts.push(text);
  return {
    render: () => {
      let out = texts[0];
      for (let k = 0; k < parts.length; k++) out += formatNumber(parts[k].evaluate()) + texts[k + 1];
      return out;
    },
    needsEvaluation: parts.some((p) => p.needsEvaluation),
    needsValidation: parts.some((p) => p.needsValidation),
    needsTraining: parts.some((p) => p.needsTraining),
    names: parts.flatMap((p) => p.names),
  };
}
