// Tokens as the lexer produces them, and their stap-style description ("operator ';' at f:1:2").

import type { SourceFile } from '../diag/source.js';

export type TokenType = 'junk' | 'identifier' | 'operator' | 'string' | 'number' | 'embedded' | 'keyword';

/** Why a token is junk; the lexer defers these errors to whoever reads the token (as stap). */
export type JunkKind = 'unknown' | 'nested_arg' | 'invalid_arg' | 'unclosed_quote' | 'unclosed_embedded';

export interface Token {
  type: TokenType;
  content: string;
  file: SourceFile;
  line: number;
  col: number;
  /** The macro invocation this token was expanded from, if any. */
  chain: Token | null;
  junk: JunkKind | undefined;
}

/** A copy of `t` marked as coming from the expansion at `chain`. */
export function chained(t: Token, chain: Token | null): Token {
  // An explicit literal (not a spread) keeps every token the same shape: this is a hot path.
  return { type: t.type, content: t.content, file: t.file, line: t.line, col: t.col, chain, junk: t.junk };
}

const typeNames: Record<TokenType, string> = {
  junk: 'junk', identifier: 'identifier', operator: 'operator', string: 'string',
  number: 'number', embedded: 'embedded-code', keyword: 'keyword',
};

export function tokenTypeName(t: TokenType): string {
  return typeNames[t];
}

export function locationString(t: Token): string {
  return `${t.file.name}:${t.line}:${t.col}`;
}

/** stap's `operator<<(ostream, token)`: type, quoted content (not for keywords/embedded), location. */
export function describeToken(t: Token): string {
  let s = typeNames[t.type];
  if (t.type !== 'embedded' && t.type !== 'keyword') {
    let c = '';
    for (const ch of t.content) {
      const code = ch.charCodeAt(0);
      c += code >= 0x20 && code < 0x7f ? ch : '?';
    }
    s += ` '${c}'`;
  }
  return `${s} at ${locationString(t)}`;
}

export function isOp(t: Token | null, op: string): boolean {
  return t !== null && t.type === 'operator' && t.content === op;
}

export function isKw(t: Token | null, kw: string): boolean {
  return t !== null && t.type === 'keyword' && t.content === kw;
}
