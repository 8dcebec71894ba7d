// Escaping strings for display: text_str, text_strn, string_quoted (stap's _stp_text_str, runtime/stp_string.c).

import type { Intrinsic, IntrinsicContext } from './types.js';
import { intrinsic, maxLen } from './define.js';

export const ESCAPE_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('text_str', ['input:string'], 'string', (ctx, s) => textStr(ctx, s, 0, 0, false)),
  // len limits the OUTPUT (0 means MAXSTRINGLEN); it is clamped to [0, MAXSTRINGLEN] first.
  intrinsic('text_strn', ['input:string', 'len:long', 'quoted:long'], 'string', (ctx, s, len, quoted) => {
    const out = len < 0n ? 0 : len > BigInt(ctx.maxStringLen) ? ctx.maxStringLen : Number(len);
    return textStr(ctx, s, 0, out, quoted !== 0n);
  }),
  intrinsic('string_quoted', ['str:string'], 'string', (ctx, s) => textStr(ctx, s, ctx.maxStringLen, ctx.maxStringLen, true)),
];

const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, 'a'], [0x08, 'b'], [0x0c, 'f'], [0x0a, 'n'], [0x0d, 'r'], [0x09, 't'], [0x0b, 'v'],
  [0x22, '"'], [0x5c, '\\'],
]);

/**
 * stap's _stp_text_str over an in-memory string. Printable ASCII stays, C escapes (\n, \", ...)
 * and \ooo octal replace other bytes, well-formed UTF-8 sequences become \uXXXX / \UXXXXXXXX.
 * inlen/outlen <= 0 or too big mean MAXSTRINGLEN-1. Quoted output reserves room for the quotes
 * and, when input remains, ends in `"...` placed so that no escape sequence is cut in half.
 */
export function textStr(ctx: IntrinsicContext, input: string, inlenArg: number, outlenArg: number, quoted: boolean): string {
  const max = maxLen(ctx);
  let inlen = inlenArg <= 0 || inlenArg > max ? max : inlenArg;
  let outlen = outlenArg <= 0 || outlenArg > max ? max : outlenArg;
  const byteAt = (i: number): number => (i < input.length ? input.charCodeAt(i) : 0);
  let out = '';
  // Start (in `out`) and length of the first escape emitted close enough to the end to be cut.
  let esc = -1;
  let escLen = 0;
  let c = 0;
  let pos = 0;
  if (quoted) {
    outlen = Math.max(outlen, 5) - 2;
    out += '"';
  }
  while (inlen > 0) {
    let num = 1;
    const d = decodeUtf8(byteAt, pos, inlen);
    c = d.c;
    if (c === 0 || outlen <= 0) break;
    pos += d.n;
    inlen -= d.n;
    if (d.n > 1) {
      num = c <= 0xffff ? 6 : 10;
      if (esc < 0 && outlen - 3 < num) [esc, escLen] = [out.length, num];
      if (outlen < num) break;
      out += (c <= 0xffff ? '\\u' : '\\U') + c.toString(16).toUpperCase().padStart(num - 2, '0');
    } else if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
      out += String.fromCharCode(c);
    } else {
      const short = SHORT_ESCAPES.get(c);
      num = short !== undefined ? 2 : 4;
      if (esc < 0 && outlen - 3 < num) [esc, escLen] = [out.length, num];
      if (outlen < num) break;
      out += '\\' + (short ?? c.toString(8).padStart(3, '0'));
    }
    outlen -= num;
  }
  if (quoted) {
    if (c !== 0 && inlen > 0) {
      const trunc = out.length - 3 + outlen;
      const cut = esc >= 0 && esc < trunc && trunc < esc + escLen ? esc : trunc;
      out = out.slice(0, cut) + '"...';
    } else {
      out += '"';
    }
  }
  return out;
}

/**
 * _stp_decode_utf8: one code point of 2-4 bytes when well formed (no surrogates, <= U+10FFFF,
 * shortest form) and complete within `size` bytes; otherwise the single byte verbatim.
 */
function decodeUtf8(byteAt: (i: number) => number, at: number, size: number): { c: number; n: number } {
  const b = byteAt(at);
  let n: number;
  let c: number;
  if ((b & 0xe0) === 0xc0 && size - 1 >= 1) [n, c] = [2, b & 0x1f];
  else if ((b & 0xf0) === 0xe0 && size - 1 >= 2) [n, c] = [3, b & 0x0f];
  else if ((b & 0xf8) === 0xf0 && size - 1 >= 3) [n, c] = [4, b & 0x07];
  else return { c: b, n: 1 };
  for (let i = 1; i < n; i++) {
    const b2 = byteAt(at + i);
    if ((b2 & 0xc0) !== 0x80) return { c: b, n: 1 };
    c = (c << 6) | (b2 & 0x3f);
  }
  if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) return { c: b, n: 1 };
  if (c < 0x80 || (n === 3 && c < 0x800) || (n === 4 && c < 0x10000)) return { c: b, n: 1 };
  return { c, n };
}
