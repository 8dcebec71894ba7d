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

/**
 * A call site's printf/sprintf straight from its argument closures: `l0 + conv0(a0) + l1 + ...`
 * with no argument array and no per-call closure, for formats of up to three simple
 * conversions; null otherwise. Whenever the result might not be what the exact path above
 * gives (long output, MAXSTRINGLEN, a NUL from %s), `slow` formats the evaluated arguments.
 * `maxStringLen` is null for printf, sprintf's limit otherwise.
 */
export function compileDirect<F>(
  components: readonly FormatComponent[],
  args: readonly ((f: F) => PrintfArg)[],
  maxStringLen: number | null,
  slow: (args: PrintfArg[]) => string,
): ((f: F) => string) | null {
  const lits = [''];
  const convs: ((a: PrintfArg) => string)[] = [];
  let limit = STP_BUFFER_SIZE;
  let nulPossible = false;
  for (const c of components) {
    if (c.type === 'literal') {
      const text = unescapeLiteral(c.literal);
      if (text.includes('\0')) return null;
      lits[lits.length - 1] += text;
      limit -= text.length;
      continue;
    }
    const fn = simple(c);
    if (!fn) return null;
    if (c.type === 'string') nulPossible = true;
    convs.push(fn);
    lits.push('');
  }
  if (convs.length !== args.length) return null;
  // sprintf keeps the fast result only below MAXSTRINGLEN - 1 and without a NUL.
  if (maxStringLen !== null) limit = Math.min(limit, maxStringLen - 1);
  const check = maxStringLen !== null && nulPossible;
  // Checked inline below (no call per printf while the code is still cold).
  const [l0, l1, l2, l3] = lits as [string, string, string, string];
  switch (convs.length) {
    case 0: return () => (l0.length < limit ? l0 : slow([]));
    case 1: {
      const [a0] = args as [(f: F) => PrintfArg];
      const [c0] = convs as [(a: PrintfArg) => string];
      return (f) => {
        const x = a0(f);
        const s = l0 + c0(x) + l1;
        return s.length < limit && !(check && s.includes('\0')) ? s : slow([x]);
      };
    }
    case 2: {
      const [a0, a1] = args as [(f: F) => PrintfArg, (f: F) => PrintfArg];
      const [c0, c1] = convs as [(a: PrintfArg) => string, (a: PrintfArg) => string];
      return (f) => {
        const x = a0(f);
        const y = a1(f);
        const s = l0 + c0(x) + l1 + c1(y) + l2;
        return s.length < limit && !(check && s.includes('\0')) ? s : slow([x, y]);
      };
    }
    case 3: {
      const [a0, a1, a2] = args as [(f: F) => PrintfArg, (f: F) => PrintfArg, (f: F) => PrintfArg];
      const [c0, c1, c2] = convs as [(a: PrintfArg) => string, (a: PrintfArg) => string, (a: PrintfArg) => string];
      return (f) => {
        const x = a0(f);
        const y = a1(f);
        const z = a2(f);
        const s = l0 + c0(x) + l1 + c1(y) + l2 + c2(z) + l3;
        return s.length < limit && !(check && s.includes('\0')) ? s : slow([x, y, z]);
      };
    }
    default: return null;
  }
}
