// Interpreter storage for globals that kernel handlers share: cells that read and write the
// BPF maps (decoding the packed key and value fields of the kernel layout), so begin, end and
// timer handlers see exactly what the kernel handlers wrote.

import type { Value } from '../../interp/values.js';
import type { ArrayStore, Entry } from '../../interp/arrays.js';
import { ArrayFullError } from '../../interp/arrays.js';
import type { Cell } from '../../interp/context.js';
import type { PerCpuStats } from '../../interp/natives.js';
import type { RecordField } from '../../bpf/spec.js';
import { STAT_AVGS, STAT_COUNT, STAT_HIST, STAT_M2, STAT_MAX, STAT_MIN, STAT_SUM, STAT_VARS, type GlobalLoc, type StatsLayout } from '../../bpf/codegen/layout.js';
import { slotSize } from '../../bpf/codegen/kstrings.js';
import type { StatData } from '../../format/stats.js';
import type { MapHandle } from './map-handle.js';

/** Evictions one user-space insert into a full `%` array may try (see KernelArray.put). */
const WRAP_TRIES = 64;

/** A key's fields packed as the kernel builds them: strings cut to maxLen - 1, zero-padded. */
function encodeFields(fields: RecordField[], values: Value[], size: number, maxLen: number): Buffer {
  const b = Buffer.alloc(size);
  let off = 0;
  fields.forEach((f, i) => {
    const v = values[i]!;
    if (f.type === 'long') {
      b.writeBigInt64LE(BigInt.asIntN(64, v as bigint), off);
      off += 8;
    } else {
      b.write((v as string).slice(0, maxLen - 1), off, 'latin1');
      off += f.size;
    }
  });
  return b;
}

function decodeFields(fields: RecordField[], b: Buffer): Value[] {
  let off = 0;
  return fields.map((f) => {
    if (f.type === 'long') {
      const v = b.readBigInt64LE(off);
      off += 8;
      return v;
    }
    const s = decodeString(b, off, f.size);
    off += f.size;
    return s;
  });
}

function decodeString(b: Buffer, off: number, size: number): string {
  const end = b.indexOf(0, off);
  return b.toString('latin1', off, end < 0 || end > off + size ? off + size : end);
}

function decodeStats(b: Buffer, at: number, layout: StatsLayout): StatData {
  const hist: bigint[] = [];
  for (let i = 0; i < layout.buckets; i++) hist.push(b.readBigInt64LE(at + STAT_HIST + 8 * i));
  const field = (off: number) => b.readBigInt64LE(at + off);
  return {
    count: field(STAT_COUNT), sum: field(STAT_SUM), min: field(STAT_MIN), max: field(STAT_MAX),
    avgS: field(STAT_AVGS), m2: field(STAT_M2), varianceS: field(STAT_VARS), variance: 0n, histogram: hist,
  };
}

function encodeStats(b: Buffer, at: number, layout: StatsLayout, sd: StatData): void {
  b.writeBigInt64LE(sd.count, at + STAT_COUNT);
  b.writeBigInt64LE(sd.sum, at + STAT_SUM);
  b.writeBigInt64LE(sd.min, at + STAT_MIN);
  b.writeBigInt64LE(sd.max, at + STAT_MAX);
  b.writeBigInt64LE(sd.avgS, at + STAT_AVGS);
  b.writeBigInt64LE(sd.m2, at + STAT_M2);
  b.writeBigInt64LE(sd.varianceS, at + STAT_VARS);
  for (let i = 0; i < layout.buckets; i++) b.writeBigInt64LE(sd.histogram[i] ?? 0n, at + STAT_HIST + 8 * i);
}

/**
 * The per-CPU accumulators of one statistic. A `<<<` in an interpreted handler goes into the
 * first CPU's copy and `commit` writes it back, so kernel and user writers add up.
 */
function perCpuStats(map: MapHandle, layout: StatsLayout, b: Buffer | null, write: (b: Buffer) => void): PerCpuStats {
  const buf = b ?? Buffer.alloc(map.stride * map.copies);
  const perCpu: StatData[] = [];
  for (let c = 0; c < map.copies; c++) perCpu.push(decodeStats(buf, c * map.stride, layout));
  return {
    perCpu,
    commit: () => {
      encodeStats(buf, 0, layout, perCpu[0]!);
      write(buf);
    },
  };
}

/** A scalar long or string (MAXSTRINGLEN `maxLen`) in the shared globals value. */
export function scalarCell(globals: MapHandle, loc: Extract<GlobalLoc, { kind: 'scalar' }>, maxLen: number): Cell {
  const key = Buffer.alloc(4);
  const slot = slotSize(maxLen);
  const read = (): Buffer => globals.lookup(key) ?? Buffer.alloc(globals.spec.valueSize);
  return {
    get v(): Value {
      const b = read();
      return loc.type === 'long' ? b.readBigInt64LE(loc.offset) : decodeString(b, loc.offset, slot);
    },
    set v(x: Value) {
      const b = read();
      if (loc.type === 'long') b.writeBigInt64LE(BigInt.asIntN(64, x as bigint), loc.offset);
      else {
        b.fill(0, loc.offset, loc.offset + slot);
        b.write((x as string).slice(0, maxLen - 1), loc.offset, 'latin1');
      }
      globals.update(key, b);
    },
  } as Cell;
}

/** A statistic kept per CPU in a one-entry per-CPU array. */
export function statsCell(map: MapHandle, stats: StatsLayout): Cell {
  const key = Buffer.alloc(4);
  return {
    get v(): PerCpuStats {
      return perCpuStats(map, stats, map.lookup(key), (b) => map.update(key, b));
    },
  } as unknown as Cell;
}

/**
 * The shared insertion counter (layout.seq): user space takes numbers from the same sequence
 * as kernel handlers, so both kinds of writer append in one order. The read-modify-write is not
 * atomic against a kernel handler inserting at the same instant; a shared number only makes
 * the two entries' relative order arbitrary.
 */
export function seqCounter(map: MapHandle): () => bigint {
  const key = Buffer.alloc(4);
  return () => {
    const b = map.lookup(key) ?? Buffer.alloc(8);
    const n = b.readBigUInt64LE(0);
    b.writeBigUInt64LE(n + 1n, 0);
    map.update(key, b);
    return n + 1n; // numbers start at 1, as the kernel's fetch_add + 1
  };
}

/**
 * An associative array in a hash map; statistics arrays yield per-CPU values. Entries are
 * ordered by the insertion number stored after each value (layout.ts), which a sorted foreach
 * renumbers (stap sorts in place).
 */
export class KernelArray implements ArrayStore<Value | PerCpuStats> {
  readonly isArray = true as const;

  constructor(private readonly map: MapHandle, private readonly loc: Extract<GlobalLoc, { kind: 'array' }>,
    private readonly nextSeq: () => bigint, /** MAXSTRINGLEN */ private readonly maxLen: number) {}

  get size(): number {
    return this.map.dump().length;
  }

  private key(keys: Value[]): Buffer {
    return encodeFields(this.loc.keyFields, keys, this.map.spec.keySize, this.maxLen);
  }

  /** An entry's insertion number (per-CPU values: the copy that has one). */
  private seqOf(b: Buffer): bigint {
    let seq = 0n;
    for (let c = 0; c < this.map.copies; c++) {
      const s = b.readBigUInt64LE(c * this.map.stride + this.loc.seqOffset);
      if (s > seq) seq = s;
    }
    return seq;
  }

  private decodeValue(b: Buffer | null, key: Buffer): Value | PerCpuStats {
    if (this.loc.value === 'long') return b ? b.readBigInt64LE(0) : 0n;
    if (this.loc.value === 'string') return b ? decodeString(b, 0, this.loc.seqOffset) : '';
    return perCpuStats(this.map, this.loc.stats!, b, (v) => {
      // A statistic created by user space is numbered in CPU 0's copy, once.
      if (!b && v.readBigUInt64LE(this.loc.seqOffset) === 0n) v.writeBigUInt64LE(this.nextSeq(), this.loc.seqOffset);
      this.put(key, v);
    });
  }

  get(keys: Value[]): Entry<Value | PerCpuStats> | undefined {
    const key = this.key(keys);
    const b = this.map.lookup(key);
    return b ? { keys, value: this.decodeValue(b, key) } : undefined;
  }

  get1(k: Value): Entry<Value | PerCpuStats> | undefined {
    return this.get([k]);
  }

  has(keys: Value[]): boolean {
    return this.map.lookup(this.key(keys)) !== null;
  }

  slot(keys: Value[], init: () => Value | PerCpuStats): Entry<Value | PerCpuStats> {
    if (this.loc.value !== 'stats') return this.get(keys) ?? { keys, value: init() };
    // A statistic is created in the map by its first `<<<` (commit).
    const key = this.key(keys);
    return { keys, value: this.decodeValue(this.map.lookup(key), key) };
  }

  /** Writes a value; an existing entry keeps its place in the order, a new one goes last. */
  store(entry: Entry<Value | PerCpuStats>): void {
    if (this.loc.value === 'stats') throw new Error('statistics cannot be assigned');
    const key = this.key(entry.keys);
    const old = this.map.lookup(key);
    const b = Buffer.alloc(this.map.spec.valueSize);
    if (this.loc.value === 'long') b.writeBigInt64LE(BigInt.asIntN(64, entry.value as bigint), 0);
    else b.write((entry.value as string).slice(0, this.maxLen - 1), 0, 'latin1');
    b.writeBigUInt64LE(old ? old.readBigUInt64LE(this.loc.seqOffset) : this.nextSeq(), this.loc.seqOffset);
    this.put(key, b);
  }

  /**
   * Writes an entry; ArrayFullError when the map is full. A new key in a full `%` array evicts
   * the entry first in iteration order (lowest insertion number) instead, as StapArray.makeRoom
   * and kernel handlers (codegen/arrays.ts) do. Kernel handlers inserting meanwhile may take
   * the room each time (a probe on tstap's own syscalls inserts before each of them): once
   * others have taken as many insertion numbers as the array holds since this entry's, it
   * would have been evicted by now had it gone in first, and the store is as good as done.
   */
  private put(key: Buffer, value: Buffer): void {
    const mine = value.readBigUInt64LE(this.loc.seqOffset);
    const room = BigInt(this.map.spec.maxEntries);
    for (let tries = 1; ; tries++) {
      try {
        this.map.update(key, value);
        return;
      } catch {
        if (!this.loc.var.wrap || tries > WRAP_TRIES) throw new ArrayFullError();
        // Numbers taken since ours, but for these looks of our own (one per try).
        if (this.nextSeq() - mine - BigInt(tries) >= room) return;
        this.evictOldest();
      }
    }
  }

  /** Deletes the entry with the lowest insertion number, if any. */
  private evictOldest(): void {
    let oldest: Buffer | null = null;
    let low = 0n;
    for (const { key, value } of this.map.dump()) {
      const seq = this.seqOf(value);
      if (!oldest || seq < low) [oldest, low] = [key, seq];
    }
    if (oldest) this.map.delete(oldest);
  }

  set1(k: Value, value: Value | PerCpuStats): boolean {
    try {
      this.store({ keys: [k], value });
      return true;
    } catch {
      return false;
    }
  }

  entries(): Entry<Value | PerCpuStats>[] {
    const all = this.map.dump().map(({ key, value }) => ({
      seq: this.seqOf(value), entry: { keys: decodeFields(this.loc.keyFields, key), value: this.decodeValue(value, key) },
    }));
    return all.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0)).map((x) => x.entry);
  }

  /** The new order becomes the insertion order: every entry gets a fresh number, in turn. */
  reorder(entries: Entry<Value | PerCpuStats>[]): void {
    if (this.loc.value === 'stats') return; // stap does not reorder statistics arrays
    for (const e of entries) {
      const key = this.key(e.keys);
      const b = this.map.lookup(key);
      if (!b) continue;
      b.writeBigUInt64LE(this.nextSeq(), this.loc.seqOffset);
      this.map.update(key, b);
    }
  }

  delete(keys: Value[]): void {
    this.map.delete(this.key(keys));
  }

  clear(): void {
    for (const { key } of this.map.dump()) this.map.delete(key);
  }
}
