// Where kernel handlers keep the globals they share with user space: scalars in one array map,
// each array in its own hash map (keys and values packed as fixed-size fields), statistics in
// per-CPU maps merged on read; plus the ring buffer and a per-CPU scratch area.

import type { Var } from '../../elaborate/model.js';
import type { MapSpec, RecordField } from '../spec.js';
import { slotSize } from './kstrings.js';
import type { RegexPlan } from './regex-plan.js';

/**
 * The most per-CPU scratch (string temporaries, map keys, records being built) a handler may
 * use: a per-CPU array value holds at most 32 KiB (PCPU_MIN_UNIT_SIZE).
 */
export const SCRATCH_MAX = 32768;
/** 16 MiB: half a million printf records of buffering between two drains. */
export const RINGBUF_SIZE = 1 << 24;
/**
 * 256 KiB for sessions whose kernel handlers send nothing but exit() and error records (at most
 * a few: the first error or exit stops every handler): the 16 MiB ring would cost ~4 ms of
 * start-up to create and map, and that much locked kernel memory, for nothing.
 */
export const QUIET_RINGBUF_SIZE = 1 << 18;
/** stap's MAXBACKTRACE: frames kept per stack. */
export const MAXBACKTRACE = 20;

/** stats value: count, sum, min, max, avg_s, m2, variance_s, then histogram buckets (8 bytes each). */
export interface StatsLayout {
  buckets: number;
  size: number;
}

export type GlobalLoc =
  | { kind: 'scalar'; var: Var; offset: number; type: 'long' | 'string' }
  /**
   * An array's value is its payload (a long, a string slot or a statistic) followed, at
   * `seqOffset`, by the entry's insertion number: foreach visits entries in that order, as stap
   * and the interpreter do (a hash map's own order is arbitrary). A sorted foreach renumbers
   * the entries, because stap sorts the array in place. Per-CPU values keep it in the copy of
   * the CPU that inserted the entry (the others hold 0).
   */
  | { kind: 'array'; var: Var; map: MapSpec; keyFields: RecordField[]; value: 'long' | 'string' | 'stats'; stats: StatsLayout | null; seqOffset: number }
  | { kind: 'stats'; var: Var; map: MapSpec; stats: StatsLayout };

export const STAT_COUNT = 0;
export const STAT_SUM = 8;
export const STAT_MIN = 16;
export const STAT_MAX = 24;
/** stap's running mean scaled by 2^shift (`avg_s`), Welford's `_M2` and `variance_s` (stat-common.c). */
export const STAT_AVGS = 32;
export const STAT_M2 = 40;
export const STAT_VARS = 48;
export const STAT_HIST = 56;

export class KernelLayout {
  readonly maps: MapSpec[] = [];
  readonly globals = new Map<Var, GlobalLoc>();
  /** Possible CPUs of the machine the programs load on: kernel reads of statistics merge them. */
  possibleCpus = 1;
  private constMap: { name: string; kind: 'array'; keySize: number; valueSize: number; maxEntries: number; constant: Buffer } | null = null;
  private readonly constOffsets = new Map<string, number>();

  /**
   * Where NUL-terminated `bytes` (latin1) sit in the read-only constants map, created on first
   * use (bpf_snprintf takes its format only from such a map).
   */
  constant(bytes: string): { map: MapSpec; offset: number } {
    if (!this.constMap) {
      this.constMap = { name: 'rodata', kind: 'array', keySize: 4, valueSize: 0, maxEntries: 1, constant: Buffer.alloc(0) };
      this.maps.push(this.constMap);
    }
    const m = this.constMap;
    let offset = this.constOffsets.get(bytes);
    if (offset === undefined) {
      offset = m.valueSize;
      const grown = Buffer.alloc(Math.ceil((offset + bytes.length + 1) / 8) * 8);
      m.constant.copy(grown);
      grown.write(bytes, offset, 'latin1');
      m.constant = grown;
      m.valueSize = grown.length;
      this.constOffsets.set(bytes, offset);
    }
    return { map: m, offset };
  }
  readonly globalsMap: MapSpec;
  /** The next insertion number (one u64, bumped atomically); created when there are arrays. */
  readonly seq: MapSpec = { name: 'seq', kind: 'array', keySize: 4, valueSize: 8, maxEntries: 1 };
  readonly ringbuf: MapSpec = { name: 'events', kind: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: RINGBUF_SIZE };
  /** Per-CPU scratch; its size is set once every handler is generated (`sizeScratch`). */
  readonly scratch: MapSpec = { name: 'scratch', kind: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 1 };
  /** Bytes of a string slot (MAXSTRINGLEN rounded up to a word). */
  readonly strSlot: number;
  /** Stacks for backtraces; created only when a handler asks for one. */
  readonly stacks: MapSpec = { name: 'stacks', kind: 'stack_trace', keySize: 4, valueSize: 8 * MAXBACKTRACE, maxEntries: 4096 };
  private stacksUsed = false;
  /** Where matched() and kin find the last match (regex-plan.ts); null: no code reads groups. */
  regexPlan: RegexPlan | null = null;
  /** The map of that plan, once a handler uses it. */
  regexMap: MapSpec | null = null;

  /** Adds a map the programs use. */
  addMap(map: MapSpec): MapSpec {
    this.maps.push(map);
    return map;
  }

  /** The stack map, added to the maps the first time a handler needs it. */
  useStacks(): MapSpec {
    if (!this.stacksUsed) {
      this.stacksUsed = true;
      this.maps.push(this.stacks);
    }
    return this.stacks;
  }
  /**
   * Offsets 0, 8, 16, 24 of the globals value: dropped records, target(), session state, and
   * the CLOCK_REALTIME - CLOCK_MONOTONIC offset for gettimeofday_*() (gen.ts).
   */
  private scalarBytes = 32;

  constructor(shared: Var[], maxMapEntries: number, histBuckets: (v: Var) => number, /** MAXSTRINGLEN */ readonly maxStringLen: number) {
    const slot = this.strSlot = slotSize(maxStringLen);
    for (const v of shared) {
      const name = v.name.slice(0, 15);
      if (v.arity > 0) {
        const keyFields: RecordField[] = v.indexTypes.map((t) => (t === 'string' ? { type: 'string', size: slot } : { type: 'long' }));
        const keySize = keyFields.reduce((n, f) => n + (f.type === 'long' ? 8 : f.size), 0);
        const isStats = v.type === 'stats';
        const stats = isStats ? statsLayout(histBuckets(v)) : null;
        const seqOffset = stats ? stats.size : v.type === 'string' ? slot : 8;
        const map: MapSpec = {
          name, kind: isStats ? 'percpu_hash' : 'hash', keySize, valueSize: seqOffset + 8,
          maxEntries: v.maxSize > 0 ? v.maxSize : maxMapEntries,
        };
        this.maps.push(map);
        this.globals.set(v, {
          kind: 'array', var: v, map, keyFields, value: isStats ? 'stats' : v.type === 'string' ? 'string' : 'long', stats, seqOffset,
        });
      } else if (v.type === 'stats') {
        const stats = statsLayout(histBuckets(v));
        const map: MapSpec = { name, kind: 'percpu_array', keySize: 4, valueSize: stats.size, maxEntries: 1 };
        this.maps.push(map);
        this.globals.set(v, { kind: 'stats', var: v, map, stats });
      } else {
        const size = v.type === 'string' ? slot : 8;
        this.globals.set(v, { kind: 'scalar', var: v, offset: this.scalarBytes, type: v.type === 'string' ? 'string' : 'long' });
        this.scalarBytes += size;
      }
    }
    this.globalsMap = { name: 'globals', kind: 'array', keySize: 4, valueSize: Math.max(8, this.scalarBytes), maxEntries: 1 };
    this.maps.push(this.globalsMap, this.ringbuf, this.scratch);
    if (shared.some((v) => v.arity > 0)) this.maps.push(this.seq);
  }

  /**
   * The scratch map holds the most any handler used, plus one string slot: the verifier checks a
   * helper's variable-length write (a string appended at a computed offset) against the whole
   * value, not against the slot that holds it at run time.
   */
  /** Sizes the ring buffer once every handler is generated: `quiet` when none prints. */
  sizeRing(quiet: boolean): void {
    (this.ringbuf as { maxEntries: number }).maxEntries = quiet ? QUIET_RINGBUF_SIZE : RINGBUF_SIZE;
  }

  sizeScratch(used: number): void {
    (this.scratch as { valueSize: number }).valueSize = Math.min(SCRATCH_MAX, Math.max(8, used + this.strSlot));
  }

  /** Where each field of an array's key starts (strings take whole zero-padded slots). */
  static keyOffsets(fields: RecordField[]): number[] {
    let off = 0;
    return fields.map((f) => {
      off += f.type === 'long' ? 8 : f.size;
      return off - (f.type === 'long' ? 8 : f.size);
    });
  }
}

function statsLayout(buckets: number): StatsLayout {
  return { buckets, size: STAT_HIST + 8 * buckets };
}
