// The one definition of records crossing from kernel handlers to user space through the ring
// buffer: a u32 format id, u32 reserved, then the long fields (8 bytes little-endian each, in
// field order), then the string fields back to back, each as its length (u16 little-endian), its
// bytes and a NUL. Strings take only the bytes they use (a field's `size` is its most with the
// NUL, MAXSTRINGLEN), so a record of short strings costs the ring buffer little even when strings
// may hold 512 bytes. The length lets a field carry any bytes: a printf's %m/%M dump (NULs and
// all) travels as a string field.

import type { RecordField } from '../bpf/spec.js';

export const HEADER_SIZE = 8;

/** Bytes a string field takes besides its own: the length before, the NUL after. */
const STRING_FRAME = 3;

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
  const maxSize = strings.reduce((n, f) => n + (f.type === 'string' ? f.size - 1 + STRING_FRAME : 0), off);
  return { longOffsets, stringsAt: off, maxSize, hasStrings: strings.length > 0 };
}

/** Reads the fields of one record: longs as bigint, strings (latin1) by their length. */
export function decodeFields(view: DataView, base: number, fields: RecordField[]): (bigint | string)[] {
  const { longOffsets, stringsAt } = recordLayout(fields);
  const bytes = bytesOf(view);
  let at = base + stringsAt;
  return fields.map((f, i) => {
    if (f.type === 'long') return view.getBigInt64(base + longOffsets[i]!, true);
    const len = view.getUint16(at, true);
    const s = bytes.toString('latin1', at + 2, at + 2 + Math.min(len, f.size - 1));
    at += len + STRING_FRAME;
    return s;
  });
}

/** A Buffer over a DataView's bytes, kept for the next record of the same ring. */
let last: { view: DataView; bytes: Buffer } | null = null;
function bytesOf(view: DataView): Buffer {
  if (last?.view !== view) last = { view, bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength) };
  return last.bytes;
}
