// Field readers shared by the ELF modules: little-endian u64 as a JS number, NUL-terminated strings.

/** A u64 field as a number; user-space ELF addresses and sizes stay far below 2^53. */
export function u64(b: Buffer, off: number): number {
  const v = b.readUInt32LE(off) + b.readUInt32LE(off + 4) * 0x100000000;
  if (v > Number.MAX_SAFE_INTEGER) throw new RangeError(`64-bit value at ${off} does not fit a JS number`);
  return v;
}

/** The NUL-terminated string at `off` ('' past the end). */
export function cstr(b: Buffer, off: number): string {
  if (off >= b.length) return '';
  const e = b.indexOf(0, off);
  return b.toString('latin1', off, e < 0 ? b.length : e);
}
