// The one definition of records crossing from kernel handlers to user space through the ring
// buffer: a u32 format id, u32 reserved, then the long fields (8 bytes little-endian each, in
// field order), then the string fields back to back, each NUL-terminated. Strings take only the
// bytes they use (a field's `size` is its most, MAXSTRINGLEN), so a record of short strings
// costs the ring buffer little even when strings may hold 512 bytes.

import type { RecordField } from '../bpf/spec.js';

export const HEADER_SIZE = 8;

export interface RecordLayout {
  /** Offset of each long field (by field index; -1 for strings). */
  longOffsets: number[];
  /** Where the first string starts (= the record's size when it has no strings). */
  stringsAt: number;
  /** The largest the record can be. */
  maxSize: number;
  hasStrings: boolean;
}

export function recordLayout(fields: RecordField[]): RecordLayout {
  let off = HEADER_SIZE;
  const longOffsets = fields.map((f) => {
    if (f.type !== 'long') return -1;
    off += 8;
    return off - 8;
  });
  const strings = fields.filter((f) => f.type === 'string');
  const maxSize = strings.reduce((n, f) => n + (f.type === 'string' ? f.size : 0), off);
  return { longOffsets, stringsAt: off, maxSize, hasStrings: strings.length > 0 };
}

/** Reads the fields of one record: longs as bigint, strings up to their NUL (latin1). */
export function decodeFields(view: DataView, base: number, fields: RecordField[]): (bigint | string)[] {
  const { longOffsets, stringsAt } = recordLayout(fields);
  const bytes = bytesOf(view);
  let at = base + stringsAt;
  return fields.map((f, i) => {
    if (f.type === 'long') return view.getBigInt64(base + longOffsets[i]!, true);
    let end = bytes.indexOf(0, at);
    if (end < 0 || end > at + f.size) end = at + f.size;
    const s = bytes.toString('latin1', at, end);
    at = end + 1;
    return s;
  });
}

/** A Buffer over a DataView's bytes, kept for the next record of the same ring. */
let last: { view: DataView; bytes: Buffer } | null = null;
function bytesOf(view: DataView): Buffer {
  if (last?.view !== view) last = { view, bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength) };
  return last.bytes;
}
