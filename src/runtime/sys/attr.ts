// A kernel attribute struct being built (bpf_attr, perf_event_attr), keeping alive the Buffers its pointers point to.

import { BPF_OBJ_NAME_LEN } from './bpf-const.js';
import type { SysApi } from './syscall.js';

export class Attr {
  readonly buf: Buffer;
  /** Buffers whose addresses were written into `buf`. */
  readonly refs: Buffer[] = [];

  constructor(
    private readonly sys: SysApi,
    size: number,
  ) {
    // Zeroed: the kernel rejects non-zero bytes in fields a command does not use.
    this.buf = Buffer.alloc(size);
  }

  u16(off: number, v: number): this {
    this.buf.writeUInt16LE(v, off);
    return this;
  }
  u32(off: number, v: number): this {
    this.buf.writeUInt32LE(v >>> 0, off);
    return this;
  }
  i32(off: number, v: number): this {
    this.buf.writeInt32LE(v, off);
    return this;
  }
  u64(off: number, v: bigint | number): this {
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), off);
    return this;
  }

  /** A pointer field to `b` (+ byteOffset), or NULL. */
  ptr(off: number, b: Buffer | null | undefined, byteOffset = 0): this {
    if (!b) return this.u64(off, 0n);
    this.refs.push(b);
    return this.u64(off, this.sys.address(b) + BigInt(byteOffset));
  }

  /** A pointer field to a fresh NUL-terminated copy of `s`. */
  str(off: number, s: string): this {
    return this.ptr(off, cString(s));
  }

  /**
   * An inline object name (maps, programs): the kernel accepts only [A-Za-z0-9_.] and at most 15
   * chars (EINVAL otherwise), so other characters become '_' and long names are cut, as libbpf does.
   */
  objName(off: number, name: string | undefined): this {
    if (name) this.buf.write(sanitizeObjName(name), off, 'latin1');
    return this;
  }

  readU32(off: number): number {
    return this.buf.readUInt32LE(off);
  }
}

export function sanitizeObjName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, BPF_OBJ_NAME_LEN - 1);
}

/** A NUL-terminated C string in its own Buffer. */
export function cString(s: string): Buffer {
  return Buffer.from(s + '\0', 'utf8');
}

/** A NUL-terminated string inside a fixed-size field. */
export function cStringAt(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('latin1', off, end < 0 || end > off + len ? off + len : end);
}

/** u64 array for pointer fields (offsets, cookies); null when empty. */
export function u64Array(values: readonly bigint[] | undefined): Buffer | null {
  if (!values || values.length === 0) return null;
  const b = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt.asUintN(64, v), i * 8));
  return b;
}
