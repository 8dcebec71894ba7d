// The one definition of records crossing from kernel handlers to user space through the ring
// buffer: a u32 format id, u32 reserved, then the fields (longs as 8 bytes little-endian,
// strings as fixed NUL-padded byte arrays).

import type { RecordField } from '../bpf/spec.js';

export const HEADER_SIZE = 8;

export function fieldSize(f: RecordField): number {
  return f.type === 'long' ? 8 : f.size;
}

/** Byte offset of each field after the header (strings keep 8-byte alignment for the stores). */
export function fieldOffsets(fields: RecordField[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let off = HEADER_SIZE;
  for (const f of fields) {
    offsets.push(off);
    off += Math.ceil(fieldSize(f) / 8) * 8;
  }
  return { offsets, size: off };
}

/** Reads the fields of one record: longs as bigint, strings up to their first NUL (latin1). */
export function decodeFields(view: DataView, base: number, fields: RecordField[]): (bigint | string)[] {
  const { offsets } = fieldOffsets(fields);
  return fields.map((f, i) => {
    const at = base + offsets[i]!;
    if (f.type === 'long') return view.getBigInt64(at, true);
    let s = '';
    for (let k = 0; k < f.size; k++) {
      const c = view.getUint8(at + k);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  });
}
