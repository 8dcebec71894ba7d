// C string-literal escapes: the bytes a stap string literal or format string really holds.
//
// stap's lexer keeps `\n`, `\t`, `\\`, octal and `\x` escapes raw and pastes the text into the
// generated C, so GCC decides what they mean. These functions apply GCC's rules (libcpp
// charset.c convert_escape) to one literal, without the surrounding quotes.

const SIMPLE: Readonly<Record<string, number>> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
  e: 0x1b, E: 0x1b, // GNU extension, accepted without -pedantic
  '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f,
};

const isOct = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

interface Escape {
  /** The byte the escape stands for (already reduced to 8 bits, as GCC does after warning). */
  byte: number;
  /** Index just past the escape. */
  next: number;
  /** GCC's diagnostic for this escape, if any. stap builds with -Werror, so any one is fatal. */
  problem: string | null;
}

/** Decodes the escape whose backslash is at `raw[i]`; `i + 1 < raw.length`. */
function decodeEscape(raw: string, i: number): Escape {
  const c = raw[i + 1]!;
  if (isOct(c)) {
    let v = 0;
    let j = i + 1;
    while (j < i + 4 && isOct(raw[j])) v = v * 8 + (raw.charCodeAt(j++) - 48);
    return { byte: v & 0xff, next: j, problem: v > 0xff ? 'octal escape sequence out of range' : null };
  }
  if (c === 'x') {
    let v = 0n;
    let j = i + 2;
    while (isHex(raw[j])) v = v * 16n + BigInt(parseInt(raw[j++]!, 16));
    if (j === i + 2) return { byte: 0x78, next: j, problem: '\\x used with no following hex digits' };
    return { byte: Number(v & 0xffn), next: j, problem: v > 0xffn ? 'hex escape sequence out of range' : null };
  }
  const simple = SIMPLE[c];
  if (simple !== undefined) return { byte: simple, next: i + 2, problem: null };
  return { byte: raw.charCodeAt(i + 1) & 0xff, next: i + 2, problem: `unknown escape sequence: '\\${c}'` };
}

/**
 * The bytes of a raw literal (one latin1 char per byte), as the C compiler would store them,
 * without the terminating NUL. Embedded NULs (`\0`, `\x00`) are kept: callers that treat the
 * value as a C string (nearly all of stap) must cut at the first one, see stringLiteralValue.
 * Out-of-range escapes are reduced to 8 bits and an unknown `\q` yields `q`, as GCC does after
 * warning; escapeProblem reports those cases.
 */
export function unescapeLiteral(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch !== '\\' || i + 1 >= raw.length) {
      out += ch;
      i++;
      continue;
    }
    const e = decodeEscape(raw, i);
    out += String.fromCharCode(e.byte);
    i = e.next;
  }
  return out;
}

/** The value a script sees for a string literal: C string semantics stop at the first NUL. */
export function stringLiteralValue(raw: string): string {
  const bytes = unescapeLiteral(raw);
  const nul = bytes.indexOf('\0');
  return nul < 0 ? bytes : bytes.slice(0, nul);
}

/**
 * GCC's complaint about the first bad escape in `raw`, or null. stap compiles its module with
 * -Werror, so a literal with such an escape makes stap fail in pass 4.
 */
export function escapeProblem(raw: string): string | null {
  for (let i = 0; i + 1 < raw.length; i++) {
    if (raw[i] !== '\\') continue;
    const e = decodeEscape(raw, i);
    if (e.problem !== null) return e.problem;
    i = e.next - 1;
  }
  return null;
}
