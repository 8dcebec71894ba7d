// The view the kernel session's cells need of one BPF map: byte-level lookup, update, delete
// and a full dump. Implemented on the syscall layer; a plain-Map fake serves unit tests.

import type { MapSpec } from '../../bpf/spec.js';

export interface MapHandle {
  readonly spec: MapSpec;
  /** Number of value copies a lookup returns (possible CPUs for per-CPU maps, else 1). */
  readonly copies: number;
  /** Bytes per value copy (per-CPU values are padded to 8 bytes). */
  readonly stride: number;
  lookup(key: Buffer): Buffer | null;
  update(key: Buffer, value: Buffer): void;
  delete(key: Buffer): void;
  /** Every (key, value) pair, in the map's iteration order. */
  dump(): { key: Buffer; value: Buffer }[];
}
