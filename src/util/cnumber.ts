// C's strtoull/strtoll number syntax (base 0: decimal, 0x hex, 0 octal), as stap parses literals.

/** Parses an unsigned C integer with base 0. Returns null unless the whole string is consumed. */
export function parseCUnsigned(s: string): { value: bigint; overflow: boolean } | null {
  let i = 0;
  let base = 10;
  if (s.length === 0) return null;
  if (s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && isDigitIn(s[2], 16)) {
    base = 16;
    i = 2;
  } else if (s[0] === '0') {
    base = 8;
  }
  let v = 0n;
  const start = i;
  while (i < s.length && isDigitIn(s[i], base)) {
    v = v * BigInt(base) + BigInt(parseInt(s[i]!, base));
    i++;
  }
  if (i === start || i !== s.length) return null;
  return { value: v, overflow: v > 0xffffffffffffffffn };
}

function isDigitIn(c: string | undefined, base: number): boolean {
  if (c === undefined) return false;
  const d = parseInt(c, 36);
  return !Number.isNaN(d) && d < base;
}

/** Two's complement wrap of an unsigned 64-bit value to int64. */
export function toInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/**
 * strtoll(s, &end, 0) with the "*end == 0 and no ERANGE" check stap applies to CONFIG_ values.
 * An empty string yields 0, as strtoll does.
 */
export function parseCSignedStrict(s: string): bigint | null {
  let i = 0;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const rest = s.slice(i);
  if (rest === '') return s.length === 0 ? 0n : null;
  const u = parseCUnsigned(rest);
  if (!u) return null;
  const v = neg ? -u.value : u.value;
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return null;
  return v;
}

/** C++ `stringstream >> int64_t`: leading decimal digits (optional sign); null on failure. */
export function lexCastInt64(s: string): bigint | null {
  const m = /^\s*([+-]?\d+)/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1]!);
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return null;
  return v;
}
