// printf-style format strings, split into literal text and conversions exactly as stap's
// print_format::string_to_components does (one flag character, width, precision, 'l', type).

import { perr } from './cursor.js';

export type ConvType = 'literal' | 'binary' | 'char' | 'string' | 'memory' | 'memory_hex' | 'number' | 'pointer';

export interface FormatComponent {
  type: ConvType;
  /** Literal text that precedes this conversion (or is the whole component for 'literal'). */
  literal: string;
  flags: { zeropad: boolean; plus: boolean; left: boolean; space: boolean; special: boolean; sign: boolean; large: boolean };
  width: number | '*' | null;
  precision: number | '*' | null;
  base: 8 | 10 | 16;
}

function blank(): FormatComponent {
  return {
    type: 'literal', literal: '',
    flags: { zeropad: false, plus: false, left: false, space: false, special: false, sign: false, large: false },
    width: null, precision: null, base: 10,
  };
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Splits `fmt`; throws stap's parse errors for a bad or trailing incomplete conversion. */
export function parseFormat(fmt: string): FormatComponent[] {
  const out: FormatComponent[] = [];
  let lit = '';
  let i = 0;
  const flushLiteral = () => {
    if (lit !== '') {
      const c = blank();
      c.literal = lit;
      out.push(c);
      lit = '';
    }
  };
  while (i < fmt.length) {
    if (fmt[i] !== '%') {
      lit += fmt[i++];
      continue;
    }
    if (i + 1 >= fmt.length || fmt[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    flushLiteral();
    i++;
    const c = blank();
    let incomplete = true;
    do {
      switch (fmt[i]) {
        case '0': c.flags.zeropad = true; i++; break;
        case '+': c.flags.plus = true; i++; break;
        case '-': c.flags.left = true; i++; break;
        case ' ': c.flags.space = true; i++; break;
        case '#': c.flags.special = true; i++; break;
      }
      if (i >= fmt.length) break;
      if (fmt[i] === '*') {
        c.width = '*';
        i++;
      } else if (isDigit(fmt[i])) {
        let w = 0;
        while (isDigit(fmt[i])) w = w * 10 + (fmt.charCodeAt(i++) - 48);
        c.width = w;
      }
      if (i >= fmt.length) break;
      if (fmt[i] === '.') {
        i++;
        if (i >= fmt.length) break;
        if (fmt[i] === '*') {
          c.precision = '*';
          i++;
        } else if (isDigit(fmt[i])) {
          let p = 0;
          while (isDigit(fmt[i])) p = p * 10 + (fmt.charCodeAt(i++) - 48);
          c.precision = p;
        }
      }
      if (i >= fmt.length) break;
      if (fmt[i] === 'l') i++;
      if (i >= fmt.length) break;
      incomplete = false;
    } while (false);
    if (incomplete) {
      // stap drops a bare trailing "%." or "%l" silently; anything with flags or sizes is an error.
      const f = c.flags;
      if (f.zeropad || f.plus || f.left || f.space || f.special || c.width !== null || c.precision !== null) {
        throw perr('format:trailing', 'trailing incomplete print format conversion');
      }
      break;
    }
    switch (fmt[i]) {
      case 'b': c.type = 'binary'; break;
      case 'c': c.type = 'char'; break;
      case 's': c.type = 'string'; break;
      case 'm': c.type = 'memory'; break;
      case 'M': c.type = 'memory_hex'; break;
      case 'd': case 'i': c.flags.sign = true; c.type = 'number'; c.base = 10; break;
      case 'u': c.type = 'number'; c.base = 10; break;
      case 'o': c.type = 'number'; c.base = 8; break;
      case 'X': c.flags.large = true; c.type = 'number'; c.base = 16; break;
      case 'x': c.type = 'number'; c.base = 16; break;
      case 'p': c.flags.special = true; c.type = 'pointer'; c.base = 16; break;
      default: throw perr('format:conv', 'invalid or missing conversion specifier');
    }
    i++;
    c.literal = '';
    out.push(c);
  }
  flushLiteral();
  return out;
}
