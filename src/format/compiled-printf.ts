// printf compiled once per call site: the common conversions (plain %d %u %x %s %c-free
// formats without width, precision or flags) are rendered directly; anything else, or output
// that could reach the 8 KiB buffer limit, goes through the exact general formatter.

import type { FormatComponent } from '../parse/format.js';
import { unescapeLiteral } from './escapes.js';
import { formatPrintf, STP_BUFFER_SIZE, type PrintfArg } from './printf.js';

type Piece = string | ((a: PrintfArg) => string);

function simple(c: FormatComponent): ((a: PrintfArg) => string) | null {
  const f = c.flags;
  if (c.width !== null || c.precision !== null || f.zeropad || f.plus || f.left || f.space || f.special || f.large) return null;
  if (c.type === 'string') return (a) => a as string;
  if (c.type === 'number' && c.base === 10) {
    return f.sign ? (a) => BigInt.asIntN(64, a as bigint).toString() : (a) => BigInt.asUintN(64, a as bigint).toString();
  }
  if (c.type === 'number' && c.base === 16) return (a) => BigInt.asUintN(64, a as bigint).toString(16);
  return null;
}

/** A function equivalent to `(args) => formatPrintf(components, args)`, faster when it can be. */
export function compilePrintf(components: readonly FormatComponent[]): (args: readonly PrintfArg[]) => string {
  const pieces: Piece[] = [];
  let literalBytes = 0;
  for (const c of components) {
    if (c.type === 'literal') {
      const text = unescapeLiteral(c.literal);
      // A literal stops at an embedded NUL in stap; leave such formats to the general path.
      if (text.includes('\0')) return (args) => formatPrintf(components, args);
      pieces.push(text);
      literalBytes += text.length;
      continue;
    }
    const fn = simple(c);
    if (!fn) return (args) => formatPrintf(components, args);
    pieces.push(fn);
  }
  const n = pieces.length;
  return (args) => {
    let out = '';
    let ai = 0;
    for (let i = 0; i < n; i++) {
      const p = pieces[i]!;
      out += typeof p === 'string' ? p : p(args[ai++]!);
    }
    // Near the buffer limit the exact formatter decides what is cut.
    return out.length < STP_BUFFER_SIZE - literalBytes ? out : formatPrintf(components, args);
  };
}

/** Like compilePrintf, for sprintf: the fast result is used only when it fits MAXSTRINGLEN. */
export function compileSprintf(
  components: readonly FormatComponent[],
  general: (args: readonly PrintfArg[]) => string,
  maxStringLen: number,
): (args: readonly PrintfArg[]) => string {
  const fast = compilePrintf(components);
  return (args) => {
    const s = fast(args);
    return s.length < maxStringLen - 1 && !s.includes('\0') ? s : general(args);
  };
}
