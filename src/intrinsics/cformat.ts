// The integer conversions of stap's printf (runtime/vsprintf.c number()) that script-language tapset functions use.

/** The printf flags and sizes number() honours. width/precision -1 mean "not given". */
export interface IntFormat {
  base?: 8 | 10 | 16;
  width?: number;
  precision?: number;
  left?: boolean;
  zeroPad?: boolean;
  /** '#': 0 prefix in octal, 0x in hex (printed even for 0, unlike glibc). */
  special?: boolean;
  upper?: boolean;
}

/**
 * Formats an int64 as stap's %d (base 10, signed) or %o/%x/%u (unsigned 64-bit), following
 * number(): the sign and prefix go before zero padding, precision is the minimum digit count.
 */
export function formatInt(v: bigint, f: IntFormat = {}): string {
  const base = f.base ?? 10;
  let width = f.width ?? -1;
  let precision = f.precision ?? -1;
  const zero = (f.zeroPad ?? false) && !(f.left ?? false);
  let sign = '';
  let num = BigInt.asUintN(64, v);
  if (base === 10 && BigInt.asIntN(64, v) < 0n) {
    sign = '-';
    num = BigInt.asUintN(64, -BigInt.asIntN(64, v));
    width--;
  }
  let prefix = '';
  if (f.special === true) {
    if (base === 16) prefix = f.upper === true ? '0X' : '0x';
    else if (base === 8) prefix = '0';
    width -= prefix.length;
  }
  let digits = num.toString(base);
  if (f.upper === true) digits = digits.toUpperCase();
  if (digits.length > precision) precision = digits.length;
  width -= precision;
  const pad = (c: string): string => (width > 0 ? c.repeat(width) : '');
  let out = '';
  if (!zero && !(f.left ?? false)) out += pad(' ');
  out += sign + prefix;
  if (zero) out += pad('0');
  out += '0'.repeat(precision - digits.length) + digits;
  if (f.left === true) out += pad(' ');
  return out;
}

/** %d */
export function dec(v: bigint, width = -1, precision = -1): string {
  return formatInt(v, { width, precision });
}

/** %p, which stap defines as %#x since 1.3. */
export function pointer(v: bigint): string {
  return formatInt(v, { base: 16, special: true });
}
