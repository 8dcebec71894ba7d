// The error values passes throw, and how stap renders them ("parse error: ...", saw/at, source, caret).
//
// Layout follows stap 4.8's session.cxx build_error_msg/print_error_source exactly, since users
// (and tests) diff our diagnostics against stap's.

import { describeToken, type Token } from '../parse/token.js';

/**
 * A parse error. `site` names the place in the parser that raised it: stap prints only the
 * first error from each throw site unless -v (duplicate elimination), so sites mirror stap's.
 */
export class ParseError extends Error {
  chain: ParseError | null = null;
  constructor(
    readonly site: string,
    message: string,
    /** The token the error is about; when null the last token read is reported ("saw:"). */
    readonly tok: Token | null = null,
    /** Whether recovery should skip to the next top-level keyword. */
    readonly skipSome = true,
  ) {
    super(message);
  }

  siteChain(): string {
    return this.site + (this.chain ? '|' + this.chain.siteChain() : '');
  }
}

/** A semantic (pass 2+) error: message, up to two tokens, detail lines. */
export class SemanticError extends Error {
  chain: SemanticError | null = null;
  details: string[] = [];
  constructor(
    readonly site: string,
    message: string,
    readonly tok1: Token | null = null,
    readonly tok2: Token | null = null,
  ) {
    super(message);
  }

  siteChain(): string {
    return this.site + (this.chain ? '|' + this.chain.siteChain() : '');
  }
}

const isCSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** stap's print_error_source: the source line and a caret under the token's column. */
export function errorSource(align: string, tok: Token): string {
  const text = tok.file.text;
  let start = 0;
  let end = 0;
  for (let i = 0; i !== tok.line; i++) {
    start = end;
    end = text.indexOf('\n', start) + 1; // as stap: npos + 1 wraps to 0
  }
  const srcline = end === 0 ? text.slice(start) : text.slice(start, end - 1);
  let out = `${align}source: ${srcline}\n${align}        `;
  for (let i = start; i < start + tok.col - 1; i++) {
    const c = text[i] ?? ' ';
    out += isCSpace(c) ? c : ' ';
  }
  out += '^\n';
  if (tok.chain) {
    out += tok.file.synthetic ? '\tin synthesized code from: ' : '\tin expansion of macro: ';
    out += describeToken(tok.chain) + '\n';
    out += errorSource(align, tok.chain);
  }
  return out;
}

const junkMessages = {
  nested_arg: () => 'invalid nested substitution of command line arguments',
  invalid_arg: (nargs: number) => `command line argument out of range [1-${nargs}]`,
  unclosed_quote: () => 'Could not find matching closing quote',
  unclosed_embedded: () => "Could not find matching '%}' to close embedded function block",
};

/** stap's build_error_msg for a parse error; `tok` is the error's token or the last one read. */
export function renderParseError(pe: ParseError, tok: Token | null, inputName: string, nargs: number): string {
  const align = '     ';
  let out: string;
  const foundJunk = tok !== null && tok.type === 'junk' && tok.junk !== undefined && tok.junk !== 'unknown';
  if (foundJunk) out = `parse error: ${junkMessages[tok!.junk as keyof typeof junkMessages](nargs)}\n`;
  else out = `parse error: ${pe.message}\n`;
  if ((pe.tok || foundJunk) && tok) {
    out += `${align}    at: ${describeToken(tok)}\n` + errorSource(align, tok);
  } else if (tok) {
    out += `${align}   saw: ${describeToken(tok)}\n` + errorSource(align, tok);
  } else {
    out += `${align}   saw: ${inputName} EOF\n`;
  }
  return out + '\n';
}
