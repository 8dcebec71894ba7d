// Integer operators whose right operand is a literal (`i * 7919`, `x % 100003`, `i < 100000`)
// and whose left one is often a local: one or two closure calls fewer per evaluation. That
// matters most while a handler's code is still cold (V8 interprets it before optimizing), as
// in a loop of a hundred thousand iterations that runs once. Same results as arith().

import type { Fn } from './compile-expr.js';

const T = 1n;
const F = 0n;

/** `l op c`, reading frame slot `local` when it is >= 0; null when not specialized. */
export function binaryConst(op: string, l: Fn, c: bigint, local: number): Fn | null {
  const s = local;
  const sh = c & 63n;
  if (s >= 0) {
    switch (op) {
      case '+': return (f) => BigInt.asIntN(64, (f[s] as bigint) + c);
      case '-': return (f) => BigInt.asIntN(64, (f[s] as bigint) - c);
      case '*': return (f) => BigInt.asIntN(64, (f[s] as bigint) * c);
      case '/': return c === 0n ? null : (f) => BigInt.asIntN(64, (f[s] as bigint) / c);
      case '%': return c === 0n ? null : (f) => BigInt.asIntN(64, (f[s] as bigint) % c);
      case '&': return (f) => (f[s] as bigint) & c;
      case '<<': return (f) => BigInt.asIntN(64, (f[s] as bigint) << sh);
      case '>>': return (f) => (f[s] as bigint) >> sh;
      default: return null;
    }
  }
  switch (op) {
    case '+': return (f) => BigInt.asIntN(64, (l(f) as bigint) + c);
    case '-': return (f) => BigInt.asIntN(64, (l(f) as bigint) - c);
    case '*': return (f) => BigInt.asIntN(64, (l(f) as bigint) * c);
    case '/': return c === 0n ? null : (f) => BigInt.asIntN(64, (l(f) as bigint) / c);
    case '%': return c === 0n ? null : (f) => BigInt.asIntN(64, (l(f) as bigint) % c);
    case '&': return (f) => (l(f) as bigint) & c;
    case '<<': return (f) => BigInt.asIntN(64, (l(f) as bigint) << sh);
    case '>>': return (f) => (l(f) as bigint) >> sh;
    default: return null;
  }
}

/** `l op c` for longs, reading frame slot `local` when it is >= 0. */
export function compareConst(op: string, l: Fn, c: bigint, local: number): Fn {
  const s = local;
  if (s >= 0) {
    switch (op) {
      case '==': return (f) => (f[s] === c ? T : F);
      case '!=': return (f) => (f[s] !== c ? T : F);
      case '<': return (f) => ((f[s] as bigint) < c ? T : F);
      case '<=': return (f) => ((f[s] as bigint) <= c ? T : F);
      case '>': return (f) => ((f[s] as bigint) > c ? T : F);
      default: return (f) => ((f[s] as bigint) >= c ? T : F);
    }
  }
  switch (op) {
    case '==': return (f) => (l(f) === c ? T : F);
    case '!=': return (f) => (l(f) !== c ? T : F);
    case '<': return (f) => ((l(f) as bigint) < c ? T : F);
    case '<=': return (f) => ((l(f) as bigint) <= c ? T : F);
    case '>': return (f) => ((l(f) as bigint) > c ? T : F);
    default: return (f) => ((l(f) as bigint) >= c ? T : F);
  }
}
