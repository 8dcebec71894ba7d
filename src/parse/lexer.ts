// The lexer: SystemTap source bytes to tokens, with stap 4.8's exact rules (operators,
// escapes kept raw, embedded C blocks, $1/@1/$#/@# argument pasting, deferred junk errors).

import type { SourceFile } from '../diag/source.js';
import type { ParseEnv } from './env.js';
import type { Token } from './token.js';
import { strverscmp } from '../util/strverscmp.js';

/** @-words stap knows as operators; defining a macro with one of these names draws a warning. */
export function builtinAtWords(hasVersion: (v: string) => boolean): Set<string> {
  const w = ['cast', 'defined', 'probewrite', 'entry', 'perf', 'var', 'avg', 'count', 'sum', 'min', 'max', 'hist_linear', 'hist_log'];
  if (hasVersion('3.1')) w.push('const', 'variance');
  if (hasVersion('4.0')) w.push('kregister', 'uregister', 'kderef', 'uderef');
  return new Set(w);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPunct = (c: number) => c > 0x20 && c < 0x7f && !isAlnum(c);

const threeCharOps = new Set(['<<<', '>>>', '<<=', '>>=']);
const twoCharOps = new Set([
  '==', '!=', '<=', '>=', '=~', '!~', '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=', '.=',
  '&&', '||', '++', '--', '->', '<<', '>>', '%(', '%?', '%:', '%)',
]);

/** stap's lex_cast_qstring: a C string literal, non-printables as octal escapes. */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    if (c < 0x20 || c >= 0x7f) out += '\\' + ((c >> 6) & 7) + ((c >> 3) & 7) + (c & 7);
    else if (c === 0x22 || c === 0x5c) out += '\\' + s[i];
    else out += s[i];
  }
  return out + '"';
}

export class Lexer {
  /** The current token followed whitespace (or a comment). */
  ateWhitespace = false;
  ateComment = false;
  /** The lexer produced at least one token (before preprocessing). */
  sawTokens = false;
  readonly keywords: Set<string>;
  private input: string;
  private pos = 0;
  private line = 1;
  private col = 1;
  private suspendCount = 0;
  private suspendLine = 1;
  private suspendCol = 1;

  constructor(
    readonly file: SourceFile,
    private readonly env: ParseEnv,
    /** False for the built-in tapset, which may use every feature whatever --compatible says. */
    private readonly checkCompatible: boolean,
  ) {
    this.input = file.text;
    const kw = ['probe', 'global', 'function', 'if', 'else', 'for', 'foreach', 'in', 'limit', 'return',
      'delete', 'while', 'break', 'continue', 'next', 'string', 'long', 'try', 'catch'];
    if (this.hasVersion('3.0')) kw.push('private');
    this.keywords = new Set(kw);
  }

  hasVersion(v: string): boolean {
    return this.checkCompatible ? strverscmp(this.env.compatible, v) >= 0 : true;
  }

  private peekc(n = 0): number {
    const p = this.pos + n;
    return p < this.input.length ? this.input.charCodeAt(p) & 0xff : -1;
  }

  private getc(): number {
    const c = this.peekc();
    if (c < 0) return c;
    this.pos++;
    if (this.suspendCount) {
      // Characters pasted by putInput keep the location of the token they replaced.
      if (--this.suspendCount === 0) {
        this.line = this.suspendLine;
        this.col = this.suspendCol;
      }
    } else if (c === 0x0a) {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  private putInput(chars: string, at: Token): void {
    this.input = this.input.slice(0, this.pos) + chars + this.input.slice(this.pos);
    this.suspendCount += chars.length;
    this.suspendLine = this.line;
    this.suspendCol = this.col;
    this.line = at.line;
    this.col = at.col;
  }

  scan(): Token | null {
    this.ateComment = false;
    this.ateWhitespace = false;
    const oldSawTokens = this.sawTokens;
    this.sawTokens = true;
    const n: Token = { type: 'junk', content: '', file: this.file, line: 0, col: 0, chain: null, junk: undefined };
    const junk = (kind: Token['junk']): Token => {
      n.type = 'junk';
      n.junk = kind;
      return n;
    };

    for (;;) {
      const suspended = this.suspendCount > 0;
      n.line = this.line;
      n.col = this.col;
      let c = this.getc();
      if (c < 0) {
        this.sawTokens = oldSawTokens;
        return null;
      }
      if (isSpace(c)) {
        this.ateWhitespace = true;
        continue;
      }
      let c2 = this.peekc();

      // Command line arguments are pasted into the input as characters: $N raw, @N quoted.
      if ((c === 0x24 || c === 0x40) && c2 === 0x23) {
        this.getc();
        if (suspended) return junk('nested_arg');
        const count = String(this.env.args.length);
        this.putInput(c === 0x24 ? count : quoteString(count), n);
        continue;
      }
      if ((c === 0x24 || c === 0x40) && isDigit(c2)) {
        let idx = 0;
        do {
          this.getc();
          idx = idx * 10 + (c2 - 0x30);
          c2 = this.peekc();
        } while (c2 > 0 && isDigit(c2) && idx <= this.env.args.length);
        if (suspended) return junk('nested_arg');
        if (idx === 0 || idx - 1 >= this.env.args.length) return junk('invalid_arg');
        this.env.usedArgs[idx - 1] = true;
        const arg = this.env.args[idx - 1]!;
        this.putInput(c === 0x24 ? arg : quoteString(arg), n);
        continue;
      }

      if (isAlpha(c) || c === 0x24 || c === 0x40 || c === 0x5f) {
        const start = this.pos - 1;
        while (isAlnum(c2) || c2 === 0x5f || c2 === 0x24) {
          this.getc();
          c2 = this.peekc();
        }
        n.content = this.input.slice(start, this.pos);
        if (c === 0x40) n.type = 'operator'; // makes misuse of @words easy to detect
        else n.type = this.keywords.has(n.content) ? 'keyword' : 'identifier';
        return n;
      }

      if (isDigit(c)) {
        // Permissive on purpose: the parser's strtoull check rejects malformed numbers.
        const start = this.pos - 1;
        while (isAlnum(c2)) {
          this.getc();
          c2 = this.peekc();
        }
        n.type = 'number';
        n.content = this.input.slice(start, this.pos);
        return n;
      }

      if (c === 0x22) {
        n.type = 'string';
        let s = '';
        for (;;) {
          c = this.getc();
          if (c < 0 || c === 0x0a) return junk('unclosed_quote');
          if (c === 0x22) break;
          if (c === 0x5c) {
            c = this.getc();
            // These escapes stay escaped in the value (emitted into C later); others lose the '\'.
            const keep = (c === 0x78 && this.hasVersion('2.3')) || 'abtnvfr\\'.includes(String.fromCharCode(c)) || (c >= 0x30 && c <= 0x37);
            if (keep) s += '\\';
            if (c >= 0) s += String.fromCharCode(c);
          } else {
            s += String.fromCharCode(c);
          }
        }
        n.content = s;
        return n;
      }

      if (isPunct(c)) {
        const c3 = this.peekc(1);
        if (c === 0x23 || (c === 0x2f && c2 === 0x2f)) {
          const thisLine = this.line;
          do c = this.getc();
          while (c >= 0 && this.line === thisLine);
          this.ateComment = this.ateWhitespace = true;
          continue;
        }
        if (c === 0x2f && c2 === 0x2a) {
          this.getc();
          c = this.getc();
          c2 = this.getc();
          while (c2 >= 0) {
            if (c === 0x2a && c2 === 0x2f) break;
            c = c2;
            c2 = this.getc();
          }
          this.ateComment = this.ateWhitespace = true;
          continue;
        }
        if (c === 0x25 && c2 === 0x7b) {
          n.type = 'embedded';
          this.getc();
          c = this.getc();
          c2 = this.getc();
          let s = '';
          while (c2 >= 0) {
            if (c === 0x25 && c2 === 0x7d) {
              n.content = s;
              return n;
            }
            if (c === 0x7d && c2 === 0x25) this.env.reporter.warning("possible erroneous closing '}%', use '%}'?", n);
            s += String.fromCharCode(c);
            c = c2;
            c2 = this.getc();
          }
          return junk('unclosed_embedded');
        }
        n.type = 'operator';
        const ch = String.fromCharCode(c);
        const three = c2 >= 0 && c3 >= 0 ? ch + String.fromCharCode(c2) + String.fromCharCode(c3) : '';
        const two = c2 >= 0 ? ch + String.fromCharCode(c2) : '';
        if (threeCharOps.has(three)) {
          this.getc();
          this.getc();
          n.content = three;
        } else if (twoCharOps.has(two)) {
          this.getc();
          n.content = two;
        } else {
          n.content = ch;
        }
        return n;
      }

      n.content = '\\x' + c.toString(16).padStart(2, '0');
      return junk('unknown');
    }
  }
}
