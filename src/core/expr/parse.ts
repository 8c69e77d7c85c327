/**
 * The expression language of breakpoint conditions and input features, parsed with positions: a
 * small grammar of our own (no eval, no Function), so a malformed condition is reported where it
 * was typed, with the column and what was expected.
 *
 *   expr    := or
 *   or      := and ('||' and)*
 *   and     := not ('&&' not)*
 *   not     := '!' not | compare
 *   compare := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | power
 *   power   := atom ('^' unary)?
 *   atom    := number | name ('[' integer ']')? | name '(' args? ')' | '(' expr ')'
 *
 * Names and what they mean are the compiler's business (compile.ts); this only builds the tree.
 */

export type Node =
  | { kind: 'number'; value: number; at: Span }
  | { kind: 'name'; name: string; index: number | null; at: Span }
  | { kind: 'call'; name: string; args: Node[]; at: Span; nameAt: Span }
  | { kind: 'unary'; op: '-' | '!'; operand: Node; at: Span }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node; at: Span };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

/** Where in the typed text: `start` counts from 0, the column a person reads is start + 1. */
export interface Span { start: number; end: number }

/** A problem with a condition, at its column (from 1), with what was expected there. */
export class ExpressionError extends Error {
  constructor(message: string, readonly at: Span) {
    super(message);
  }

  get column(): number {
    return this.at.start + 1;
  }

  /** "column 10: expected a number after '0.'" */
  describe(): string {
    return `column ${this.column}: ${this.message}`;
  }
}

type TokenKind = 'number' | 'name' | 'op' | 'end';
interface Token { kind: TokenKind; text: string; at: Span; value?: number }

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '^', '!', '(', ')', '[', ']', ','];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    const start = i;
    if (/[0-9.]/.test(c)) {
      // digits, an optional fraction, an optional exponent: 12, 0.5, .5, 1e-7
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
      if (!m) throw new ExpressionError(`expected a number, found '${c}'`, { start, end: start + 1 });
      const after = source[i + m[0].length];
      if (after !== undefined && /[0-9.eE]/.test(after)) {
        const shown = source.slice(i, i + m[0].length + 1);
        if (after === 'e' || after === 'E') throw new ExpressionError(`expected the exponent's digits after '${shown}'`, { start, end: i + m[0].length + 1 });
        throw new ExpressionError(after === '.' ? `expected a number after '${m[0]}', found '${shown}'` : `malformed number '${shown}'`, { start, end: i + m[0].length + 1 });
      }
      tokens.push({ kind: 'number', text: m[0], at: { start, end: i + m[0].length }, value: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'name', text: m[0], at: { start, end: i + m[0].length } });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) {
      const hint = c === '=' ? " (compare with '==')" : c === '&' ? " (and is '&&')" : c === '|' ? " (or is '||')" : '';
      throw new ExpressionError(`unexpected '${c}'${hint}`, { start, end: start + 1 });
    }
    tokens.push({ kind: 'op', text: op, at: { start, end: i + op.length } });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', at: { start: source.length, end: source.length } });
  return tokens;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Parses `source` into a tree, or throws an ExpressionError at the first problem. */
export function parseExpression(source: string): Node {
  if (source.trim() === '') throw new ExpressionError('the condition is empty: expected an expression such as loss < 0.01', { start: 0, end: 0 });
  const tokens = tokenize(source);
  let p = 0;
  const peek = (): Token => tokens[p];
  const next = (): Token => tokens[p++];
  const describe = (t: Token): string => (t.kind === 'end' ? 'the end' : `'${t.text}'`);
  const expect = (text: string, what: string): Token => {
    const t = next();
    if (t.kind !== 'op' || t.text !== text) throw new ExpressionError(`expected ${what}, found ${describe(t)}`, t.at);
    return t;
  };
  const span = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });

  const binaryLevel = (ops: readonly string[], inner: () => Node): (() => Node) => () => {
    let left = inner();
    while (peek().kind === 'op' && ops.includes(peek().text)) {
      const op = next().text as BinaryOp;
      const right = inner();
      left = { kind: 'binary', op, left, right, at: span(left.at, right.at) };
    }
    return left;
  };

  const atom = (): Node => {
    const t = next();
    if (t.kind === 'number') return { kind: 'number', value: t.value!, at: t.at };
    if (t.kind === 'name') {
      if (peek().kind === 'op' && peek().text === '(') {
        next();
        const args: Node[] = [];
        if (!(peek().kind === 'op' && peek().text === ')')) {
          for (;;) {
            args.push(expression());
            if (peek().kind === 'op' && peek().text === ',') { next(); continue; }
            break;
          }
        }
        const close = expect(')', `',' or ')' to close ${t.text}(`);
        return { kind: 'call', name: t.text, args, at: span(t.at, close.at), nameAt: t.at };
      }
      if (peek().kind === 'op' && peek().text === '[') {
        next();
        const i = next();
        if (i.kind !== 'number' || !Number.isInteger(i.value) || i.value! < 1) throw new ExpressionError(`expected a unit number from 1 inside [ ], found ${describe(i)}`, i.at);
        const close = expect(']', "']'");
        return { kind: 'name', name: t.text, index: i.value!, at: span(t.at, close.at) };
      }
      return { kind: 'name', name: t.text, index: null, at: t.at };
    }
    if (t.kind === 'op' && t.text === '(') {
      const inner = expression();
      expect(')', "')'");
      return inner;
    }
    throw new ExpressionError(`expected a number, a name or '(', found ${describe(t)}`, t.at);
  };

  const unary = (): Node => {
    if (peek().kind === 'op' && peek().text === '-') {
      const t = next();
      const operand = unary();
      return { kind: 'unary', op: '-', operand, at: span(t.at, operand.at) };
    }
    const base = atom();
    if (peek().kind === 'op' && peek().text === '^') {
      next();
      const exponent = unary();
      return { kind: 'binary', op: '^', left: base, right: exponent, at: span(base.at, exponent.at) };
    }
    return base;
  };
  const product = binaryLevel(['*', '/', '%'], unary);
  const sum = binaryLevel(['+', '-'], product);
  const compare = (): Node => {
    const left = sum();
    if (peek().kind === 'op' && COMPARISONS.has(peek().text)) {
      const op = next().text as BinaryOp;
      const right = sum();
      if (peek().kind === 'op' && COMPARISONS.has(peek().text)) throw new ExpressionError(`comparisons do not chain: write a < b && b < c, not a < b < c`, peek().at);
      return { kind: 'binary', op, left, right, at: span(left.at, right.at) };
    }
    return left;
  };
  const not = (): Node => {
    if (peek().kind === 'op' && peek().text === '!') {
      const t = next();
      const operand = not();
      return { kind: 'unary', op: '!', operand, at: span(t.at, operand.at) };
    }
    return compare();
  };
  const and = binaryLevel(['&&'], not);
  const or = binaryLevel(['||'], and);
  const expression = or;

  const tree = expression();
  const rest = peek();
  if (rest.kind !== 'end') throw new ExpressionError(`expected an operator or the end, found ${describe(rest)}`, rest.at);
  return tree;
}
