// Typed wrappers for the bpf(2) map commands, plus the shared bpf_attr plumbing the other wrappers use.

import { Attr, cStringAt } from './attr.js';
import { BPF_ANY, BPF_ATTR_SIZE, BPF_STATS_RUN_TIME, BpfCmd, MapType, bpfCmdName } from './bpf-const.js';
import { percpuValueSize } from './cpus.js';
import { SysError, type SysApi, type SysResult } from './syscall.js';

/** A zeroed bpf_attr of the standard size. */
export function bpfAttr(sys: SysApi): Attr {
  return new Attr(sys, BPF_ATTR_SIZE);
}

/** Run one bpf command; a SysError names the command ("bpf(MAP_CREATE)"). */
export function bpfCall(sys: SysApi, cmd: number, attr: Attr, detail?: string): number {
  const res = sys.bpf(cmd, attr.buf, attr.buf.length, attr.refs);
  if (res.ret < 0) throw new SysError(`bpf(${bpfCmdName(cmd)})`, res.errno, detail);
  return res.ret;
}

/** Like bpfCall but returns the raw result, for commands where an errno is an answer (ENOENT). */
export function bpfTry(sys: SysApi, cmd: number, attr: Attr): SysResult {
  return sys.bpf(cmd, attr.buf, attr.buf.length, attr.refs);
}

/** What MAP_CREATE needs; see kernel-facts §3 for per-type rules (RINGBUF: key/value 0, size in max_entries). */
export interface MapCreateOptions {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  name?: string;
  flags?: number;
  innerMapFd?: number;
  numaNode?: number;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  mapExtra?: bigint;
}

/** A created map: its fd and the shape needed to size key/value buffers. */
export interface BpfMapInfo {
  readonly fd: number;
  readonly type: number;
  readonly keySize: number;
  /** The value size as declared (per CPU for per-CPU maps). */
  readonly valueSize: number;
  /** Bytes user space reads/writes per value: n_possible_cpus × round_up(valueSize, 8) for per-CPU maps. */
  readonly valueBufSize: number;
  readonly maxEntries: number;
  readonly name: string;
}

const PERCPU_TYPES: ReadonlySet<number> = new Set([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH]);

export function isPercpuMap(type: number): boolean {
  return PERCPU_TYPES.has(type);
}

/** MAP_CREATE attr (exported for unit tests of the encoding). */
export function encodeMapCreate(sys: SysApi, o: MapCreateOptions): Attr {
  return bpfAttr(sys)
    .u32(0, o.type)
    .u32(4, o.keySize)
    .u32(8, o.valueSize)
    .u32(12, o.maxEntries)
    .u32(16, o.flags ?? 0)
    .u32(20, o.innerMapFd ?? 0)
    .u32(24, o.numaNode ?? 0)
    .objName(28, o.name)
    .u32(48, o.btfFd ?? 0)
    .u32(52, o.btfKeyTypeId ?? 0)
    .u32(56, o.btfValueTypeId ?? 0)
    .u64(64, o.mapExtra ?? 0n);
}

/** BPF_MAP_CREATE. The caller owns the fd (see fd.ts). */
export function mapCreate(sys: SysApi, o: MapCreateOptions): BpfMapInfo {
  const fd = bpfCall(sys, BpfCmd.MAP_CREATE, encodeMapCreate(sys, o), o.name ? `map ${o.name}` : undefined);
  const valueBufSize = isPercpuMap(o.type) ? percpuValueSize(o.valueSize) : o.valueSize;
  return { fd, type: o.type, keySize: o.keySize, valueSize: o.valueSize, valueBufSize, maxEntries: o.maxEntries, name: o.name ?? '' };
}

function elemAttr(sys: SysApi, fd: number, key: Buffer | null, value: Buffer | null, flags: number): Attr {
  return bpfAttr(sys).u32(0, fd).ptr(8, key).ptr(16, value).u64(24, flags);
}

/** BPF_MAP_LOOKUP_ELEM into `value`; false when the key is absent (ENOENT). */
export function mapLookup(sys: SysApi, fd: number, key: Buffer, value: Buffer, flags = 0): boolean {
  const res = bpfTry(sys, BpfCmd.MAP_LOOKUP_ELEM, elemAttr(sys, fd, key, value, flags));
  if (res.ret >= 0) return true;
  if (res.errno === 2) return false;
  throw new SysError('bpf(MAP_LOOKUP_ELEM)', res.errno);
}

/** BPF_MAP_FREEZE: no more writes from user space (a read-only map becomes constant for the verifier). */
export function mapFreeze(sys: SysApi, fd: number): void {
  bpfCall(sys, BpfCmd.MAP_FREEZE, bpfAttr(sys).u32(0, fd));
}

/** BPF_MAP_UPDATE_ELEM (flags BPF_ANY / BPF_NOEXIST / BPF_EXIST). */
export function mapUpdate(sys: SysApi, fd: number, key: Buffer, value: Buffer, flags: number = BPF_ANY): void {
  bpfCall(sys, BpfCmd.MAP_UPDATE_ELEM, elemAttr(sys, fd, key, value, flags));
}

/** BPF_MAP_DELETE_ELEM; false when the key was absent. */
export function mapDelete(sys: SysApi, fd: number, key: Buffer): boolean {
  const res = bpfTry(sys, BpfCmd.MAP_DELETE_ELEM, elemAttr(sys, fd, key, null, 0));
  if (res.ret >= 0) return true;
  if (res.errno === 2) return false;
  throw new SysError('bpf(MAP_DELETE_ELEM)', res.errno);
}

/** BPF_MAP_GET_NEXT_KEY: `key` null asks for the first key; false at the end (ENOENT). */
export function mapNextKey(sys: SysApi, fd: number, key: Buffer | null, next: Buffer): boolean {
  const res = bpfTry(sys, BpfCmd.MAP_GET_NEXT_KEY, elemAttr(sys, fd, key, next, 0));
  if (res.ret >= 0) return true;
  if (res.errno === 2) return false;
  throw new SysError('bpf(MAP_GET_NEXT_KEY)', res.errno);
}

/** All keys, by GET_NEXT_KEY (each a fresh Buffer). Concurrent deletes may restart a hash walk. */
export function mapKeys(sys: SysApi, fd: number, keySize: number): Buffer[] {
  const keys: Buffer[] = [];
  let cur: Buffer | null = null;
  for (;;) {
    const next = Buffer.alloc(keySize);
    if (!mapNextKey(sys, fd, cur, next)) return keys;
    keys.push(next);
    cur = next;
  }
}

/** Result of a full MAP_LOOKUP_BATCH walk: `count` entries packed in `keys` and `values`. */
export interface MapBatch {
  readonly count: number;
  readonly keys: Buffer;
  readonly values: Buffer;
  readonly keySize: number;
  readonly valueSize: number;
}

/** The i-th key and value of a batch result, as views (no copy). */
export function batchEntry(b: MapBatch, i: number): { key: Buffer; value: Buffer } {
  return {
    key: b.keys.subarray(i * b.keySize, (i + 1) * b.keySize),
    value: b.values.subarray(i * b.valueSize, (i + 1) * b.valueSize),
  };
}

/**
 * Read a whole map with BPF_MAP_LOOKUP_BATCH (Linux 5.6). `valueSize` is the per-element buffer
 * size (valueBufSize for per-CPU maps). Protocol: first call with in_batch NULL; each reply's
 * out_batch is the next in_batch; the last batch fails with ENOENT yet its count is valid.
 */
export function mapLookupBatch(sys: SysApi, fd: number, keySize: number, valueSize: number, maxEntries: number, batchSize = 256): MapBatch {
  let cap = Math.max(1, maxEntries);
  let keys = Buffer.alloc(cap * keySize);
  let values = Buffer.alloc(cap * valueSize);
  // Hash maps use a u32 bucket cursor, arrays a key: room for either.
  const tokenSize = Math.max(8, keySize);
  const inTok = Buffer.alloc(tokenSize);
  const outTok = Buffer.alloc(tokenSize);
  let total = 0;
  let first = true;
  let chunk = Math.max(1, batchSize);
  for (;;) {
    if (cap - total < chunk) {
      // Entries can be added while we walk; grow instead of failing.
      cap = Math.max(cap * 2, total + chunk);
      keys = Buffer.concat([keys, Buffer.alloc(cap * keySize - keys.length)]);
      values = Buffer.concat([values, Buffer.alloc(cap * valueSize - values.length)]);
    }
    const a = bpfAttr(sys)
      .ptr(0, first ? null : inTok)
      .ptr(8, outTok)
      .ptr(16, keys, total * keySize)
      .ptr(24, values, total * valueSize)
      .u32(32, chunk)
      .u32(36, fd);
    const res = bpfTry(sys, BpfCmd.MAP_LOOKUP_BATCH, a);
    const got = a.readU32(32);
    if (res.ret < 0 && res.errno === 28 && got === 0) {
      // ENOSPC: one hash bucket holds more entries than `chunk`; retry the same cursor bigger.
      chunk *= 2;
      continue;
    }
    if (res.ret < 0 && res.errno !== 2) throw new SysError('bpf(MAP_LOOKUP_BATCH)', res.errno);
    total += got;
    if (res.ret < 0) break; // ENOENT: that was the last batch
    outTok.copy(inTok);
    first = false;
  }
  return { count: total, keys: keys.subarray(0, total * keySize), values: values.subarray(0, total * valueSize), keySize, valueSize };
}

/** BPF_ENABLE_STATS(RUN_TIME) (Linux 5.8): run_cnt/run_time_ns are counted while the returned fd is open. */
export function enableRunTimeStats(sys: SysApi): number {
  return bpfCall(sys, BpfCmd.ENABLE_STATS, bpfAttr(sys).u32(0, BPF_STATS_RUN_TIME));
}

/** BPF_OBJ_GET_INFO_BY_FD into a zeroed info struct of `infoLen` bytes; returns the filled struct. */
export function objGetInfo(sys: SysApi, fd: number, infoLen: number): Buffer {
  const info = Buffer.alloc(infoLen);
  bpfCall(sys, BpfCmd.OBJ_GET_INFO_BY_FD, bpfAttr(sys).u32(0, fd).u32(4, infoLen).ptr(8, info));
  return info;
}

/** struct bpf_map_info, the fields tstap reads. */
export interface MapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

export function mapInfo(sys: SysApi, fd: number): MapInfo {
  // sizeof(struct bpf_map_info) is 88 in the 6.1 uapi.
  const b = objGetInfo(sys, fd, 88);
  return {
    type: b.readUInt32LE(0),
    id: b.readUInt32LE(4),
    keySize: b.readUInt32LE(8),
    valueSize: b.readUInt32LE(12),
    maxEntries: b.readUInt32LE(16),
    flags: b.readUInt32LE(20),
    name: cStringAt(b, 24, 16),
  };
}
