// The parser's view of the token stream: one token of lookahead with stap's exact
// peek/next/swallow semantics (error messages report the last token looked at), and the
// small `expect_*` helpers. Subclassed by the expression, statement and file parsers.

import { ParseError } from '../diag/errors.js';
import type { LiteralString } from './ast.js';
import type { Lexer } from './lexer.js';
import type { Preprocessor } from './preprocessor.js';
import { isOp, tokenTypeName, type Token, type TokenType } from './token.js';
import { parseCUnsigned, toInt64 } from '../util/cnumber.js';

export type ParseContext = 'unknown' | 'probe' | 'global' | 'function' | 'embedded';

/** A parse error raised at `site`; without `tok`, the last token read is reported ("saw:"). */
export function perr(site: string, msg: string, tok: Token | null = null, skipSome = true): ParseError {
  return new ParseError(site, msg, tok, skipSome);
}

export class TokenCursor {
  /** The last token returned by peek() or next(): what "saw:" reports. */
  lastT: Token | null = null;
  private nextT: Token | null = null;
  context: ParseContext = 'unknown';

  constructor(
    protected readonly lexer: Lexer,
    protected readonly pp: Preprocessor,
    /** Whether embedded C and guru-only operators are allowed (-g, or a tapset). */
    protected readonly privileged: boolean,
  ) {}

  next(): Token {
    if (!this.nextT) this.nextT = this.pp.next();
    if (!this.nextT) throw perr('next', 'unexpected end-of-file');
    this.lastT = this.nextT;
    this.nextT = null;
    return this.lastT;
  }

  peek(): Token | null {
    if (!this.nextT) this.nextT = this.pp.next();
    this.lastT = this.nextT;
    return this.nextT;
  }

  /** Drops the token last peeked or read. */
  swallow(): void {
    this.lastT = this.nextT = null;
  }

  peekOp(op: string): boolean {
    return isOp(this.peek(), op);
  }

  expectKnown(type: TokenType, expected: string): void {
    const t = this.next();
    if (!(t.type === type && t.content === expected)) throw perr('expect_known', `expected '${expected}'`);
    this.swallow();
  }

  expectOp(expected: string): void {
    this.expectKnown('operator', expected);
  }

  expectKw(expected: string): void {
    this.expectKnown('keyword', expected);
  }

  expectKwToken(expected: string): Token {
    const t = this.next();
    if (!(t.type === 'keyword' && t.content === expected)) throw perr('expect_kw_token', `expected '${expected}'`);
    return t;
  }

  expectOpAny(expected: string[]): string {
    const t = this.next();
    if (t.type === 'operator' && expected.includes(t.content)) {
      this.swallow();
      return t.content;
    }
    throw perr('expect_op_any', `expected one of '${expected.join(' ')}'`);
  }

  /** A token of `type`; strings are concatenated with adjacent string literals. */
  expectUnknown(type: TokenType): string {
    const t = this.next();
    if (t.type !== type) throw perr('expect_unknown', `expected ${tokenTypeName(type)}`);
    if (t.type === 'string') return this.consumeStringLiterals(t).value;
    this.swallow();
    return t.content;
  }

  expectUnknown2(t1: TokenType, t2: TokenType): string {
    const t = this.next();
    if (!(t.type === t1 || t.type === t2)) throw perr('expect_unknown2', `expected ${tokenTypeName(t1)} or ${tokenTypeName(t2)}`);
    this.swallow();
    return t.content;
  }

  /** An optionally negated integer literal (array sizes, histogram parameters). */
  expectNumber(): bigint {
    let neg = false;
    let t = this.next();
    if (t.type === 'operator' && t.content === '-') {
      neg = true;
      this.swallow();
      t = this.next();
    }
    if (t.type !== 'number') throw perr('expect_number', 'expected number');
    const v = this.checkedNumber(t.content, neg, 'expect_number:range');
    this.swallow();
    return v;
  }

  /** strtoull with stap's range rules: up to ULLONG_MAX, or LLONG_MIN when negated. */
  protected checkedNumber(text: string, neg: boolean, site: string): bigint {
    const u = parseCUnsigned(text);
    if (!u || u.overflow || (neg && u.value > 0x8000000000000000n)) throw perr(site, 'number invalid or out of range');
    return neg ? toInt64(-u.value) : toInt64(u.value);
  }

  /** Adjacent string literals are one string: "a" "b" is "ab". */
  consumeStringLiterals(t: Token): LiteralString {
    let value = t.content;
    let n = this.peek();
    while (n !== null && n.type === 'string') {
      value += n.content;
      this.next();
      n = this.peek();
    }
    return { kind: 'literal_string', tok: t, value };
  }
}
