// One printf conversion written into a bounded buffer.
//
// Ports of stap 4.8's runtime/vsprintf.c number(), _stp_vsprint_char, _stp_vsprint_memory and
// _stp_vsprint_binary, including what they do at and past the end of the buffer.

import type { FormatComponent } from '../parse/format.js';

export type ConvFlags = FormatComponent['flags'];

/**
 * The C helpers' `str`/`end` pair. `pos` is `str - buf`: some helpers keep advancing it past
 * the end without writing (number, char), others stop at the end (memory), and the next
 * conversion's width is clamped to `room()`, so both must be modelled.
 */
export class OutBuf {
  pos = 0;
  private out = '';

  constructor(readonly cap: number) {}

  /** `end - str + 1`: negative once a helper has run past the end. */
  room(): number {
    return this.cap - this.pos;
  }

  /** `str <= end` */
  fits(): boolean {
    return this.pos < this.cap;
  }

  /** `if (str <= end) *str = c; ++str;` */
  put(c: string): void {
    if (this.pos < this.cap) this.out += c;
    this.pos++;
  }

  /** The bytes written (always the first min(pos, cap) positions). */
  text(): string {
    return this.out;
  }
}

const SMALL = '0123456789abcdefghijklmnopqrstuvwxyz';
const LARGE = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** vsprintf.c number(): `width` and `precision` are -1 when unspecified. */
export function putNumber(out: OutBuf, value: bigint, base: 8 | 10 | 16, width: number, precision: number, flags: ConvFlags): void {
  const digits = flags.large ? LARGE : SMALL;
  const left = flags.left;
  const zeropad = flags.zeropad && !left;
  let num = BigInt.asUintN(64, value);
  let size = width;
  let sign = '';
  if (flags.sign) {
    if (BigInt.asIntN(64, num) < 0n) {
      sign = '-';
      num = BigInt.asUintN(64, -BigInt.asIntN(64, num));
      size--;
    } else if (flags.plus) {
      sign = '+';
      size--;
    } else if (flags.space) {
      sign = ' ';
      size--;
    }
  }
  let prefix = '';
  if (flags.special) {
    if (base === 16) {
      prefix = '0' + digits[33];
      size -= 2;
    } else if (base === 8) {
      prefix = '0';
      size--;
    }
  }
  let body = num.toString(base);
  if (flags.large) body = body.toUpperCase();
  // stap prints "0" even for precision 0, unlike C's printf.
  const prec = Math.max(precision, body.length);
  size -= prec;
  // Only one of the three padding loops in number() can run: each leaves size negative.
  const pad = Math.max(size, 0);
  if (!zeropad && !left) for (let k = 0; k < pad; k++) out.put(' ');
  for (const c of sign + prefix) out.put(c);
  if (zeropad) for (let k = 0; k < pad; k++) out.put('0');
  for (let k = body.length; k < prec; k++) out.put('0');
  for (const c of body) out.put(c);
  if (left) for (let k = 0; k < pad; k++) out.put(' ');
}

const CHAR_ESCAPES: Readonly<Record<number, string>> = {
  0x07: 'a', 0x08: 'b', 0x0c: 'f', 0x0a: 'n', 0x0d: 'r', 0x09: 't', 0x0b: 'v', 0x27: "'", 0x5c: '\\',
};

/** How `%c` shows byte `c`: itself, or with `#` a C escape for anything but printable ASCII. */
function charText(c: number, special: boolean): string {
  // kernel isprint(c) && isascii(c): 0x20..0x7e
  if (!special || (c >= 0x20 && c <= 0x7e && c !== 0x27 && c !== 0x5c)) return String.fromCharCode(c);
  const esc = CHAR_ESCAPES[c];
  if (esc !== undefined) return '\\' + esc;
  return '\\' + ((c >> 6) & 3) + ((c >> 3) & 7) + (c & 7);
}

/** _stp_vsprint_char: the long is truncated to a C char. */
export function putChar(out: OutBuf, value: bigint, width: number, flags: ConvFlags): void {
  const text = charText(Number(BigInt.asUintN(8, value)), flags.special);
  const pad = Math.max(width - text.length, 0);
  if (!flags.left) for (let k = 0; k < pad; k++) out.put(' ');
  for (const c of text) out.put(c);
  if (flags.left) for (let k = 0; k < pad; k++) out.put(' ');
}

/** Where %s/%m/%M bytes come from: a string's bytes, or a read of `n` bytes (which may throw). */
export type ByteSource = { kind: 'string'; text: string } | { kind: 'memory'; read: (n: number) => string };

/**
 * _stp_vsprint_memory for 's', 'm' and 'M'. `bufferSize` is STP_BUFFER_SIZE, which also caps
 * a %s (its precision is clamped to it, and "unspecified" is -1 cast to size_t).
 */
export function putMemory(
  out: OutBuf, src: ByteSource, width: number, precision: number,
  format: 's' | 'm' | 'M', flags: ConvFlags, bufferSize: number,
): void {
  let len: number;
  if (format === 's') {
    const text = src.kind === 'string' ? src.text : '';
    const nul = text.indexOf('\0');
    const strlen = nul < 0 ? text.length : nul;
    len = Math.min(strlen, precision < 0 ? bufferSize : Math.min(precision, bufferSize));
  } else {
    len = precision > 0 ? precision : 1;
  }

  let w = width;
  if (!flags.left) {
    const actlen = format === 'M' ? len * 2 : len;
    // Literal port: `while (actlen < width-- && str <= end)` decrements even on the last test.
    while (actlen < w-- && out.fits()) out.put(' ');
  }

  if (format === 's') {
    const text = src.kind === 'string' ? src.text : '';
    for (let i = 0; i < len && out.fits(); i++) out.put(text[i]!);
  } else {
    // Find how many bytes the copy loop consumes before reading them, so a fault past the
    // end of the output buffer is not reported (stap never reads those bytes).
    let n = 0;
    for (let p = out.pos; n < len && (format === 'M' ? p < out.cap - 1 : p < out.cap); p += format === 'M' ? 2 : 1) n++;
    const bytes = readBytes(src, n);
    for (let i = 0; i < n; i++) {
      const b = bytes.charCodeAt(i) & 0xff;
      if (format === 'M') {
        out.put(SMALL[b >> 4]!);
        out.put(SMALL[b & 15]!);
      } else {
        out.put(String.fromCharCode(b));
      }
    }
    if (format === 'M') len *= 2;
  }

  while (len < w-- && out.fits()) out.put(' ');
  // "%0s": stap appends a NUL byte (useful in binary output).
  if (flags.zeropad && out.fits()) out.put('\0');
}

function readBytes(src: ByteSource, n: number): string {
  if (src.kind === 'memory') return src.read(n);
  const t = src.text.slice(0, n);
  return t + '\0'.repeat(n - t.length);
}

/** vsprintf.c check_binary_precision: only 1, 2, 4 and 8 byte writes exist. */
function binaryPrecision(p: number): number {
  return p === 1 || p === 2 || p === 4 || p === 8 ? p : -1;
}

/** _stp_vsprint_binary: the value's low bytes in little-endian order, NUL-padded to width. */
export function putBinary(out: OutBuf, value: bigint, width: number, precision: number, flags: ConvFlags): void {
  let prec = binaryPrecision(precision);
  let w = width;
  if (w === -1) {
    if (prec === -1) {
      w = 8;
      prec = 8;
    } else {
      w = prec;
    }
  } else if (prec === -1) {
    prec = binaryPrecision(w);
    if (prec === -1) prec = 8;
  }
  if (!flags.left) while (prec < w-- && out.fits()) out.put('\0');
  // A value that does not fit whole is skipped, without advancing.
  if (out.pos + prec - 1 < out.cap) {
    let v = BigInt.asUintN(64, value);
    for (let k = 0; k < prec; k++) {
      out.put(String.fromCharCode(Number(v & 0xffn)));
      v >>= 8n;
    }
  }
  while (prec >= 0 && w >= 0 && prec < w-- && out.fits()) out.put('\0');
}
