// Statistics aggregates: `<<<`, the @count/@sum/@min/@max/@avg/@variance values, histogram buckets.
//
// stap 4.8's runtime/stat-common.c __stp_stat_add, stat.c _stp_stat_get and map.c
// _new_map_copy_stat, in their exact 64-bit (and one 32-bit) integer arithmetic.

import { EMPTY_AGGREGATE, StapRuntimeError } from './errors.js';

/** HIST_LOG_BUCKETS and HIST_LOG_BUCKET0 (stat.h). */
export const LOG_BUCKETS = 128;
export const LOG_BUCKET0 = 64;
/** STP_MAX_BUCKETS (stat.h): linear histograms have at most this many, under/overflow included. */
export const MAX_LINEAR_BUCKETS = 128;

export type HistSpec =
  | { kind: 'none'; buckets: 0 }
  | { kind: 'log'; buckets: number }
  | {
      kind: 'linear';
      /** start, stop and interval as the C `int`s the runtime receives. */
      start: number;
      stop: number;
      interval: number;
      /** (stop - start) / interval + 3: the underflow and overflow buckets included. */
      buckets: number;
    };

export type StatOp = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'variance';

export interface StatConfig {
  hist: HistSpec;
  /**
   * The @operators the script applies to this statistic anywhere (elaborate.cxx
   * stat_decl_collector). `<<<` only maintains what they need, which is observable.
   */
  ops: ReadonlySet<StatOp>;
  /** The N of @variance(s, N), 0..62: values are scaled by 2^N for the variance arithmetic. */
  bitShift: number;
}

/** struct stat_data: one CPU's accumulator, or an aggregate read from them. */
export interface StatData {
  count: bigint;
  sum: bigint;
  min: bigint;
  max: bigint;
  /** Running mean, scaled by 2^bitShift. */
  avgS: bigint;
  /** Welford's sum of squared differences, scaled by 4^bitShift. */
  m2: bigint;
  varianceS: bigint;
  /** What @variance returns; only set on aggregates. */
  variance: bigint;
  histogram: bigint[];
}

export const NO_HIST: HistSpec = { kind: 'none', buckets: 0 };
export const LOG_HIST: HistSpec = { kind: 'log', buckets: LOG_BUCKETS };
export const ALL_OPS: ReadonlySet<StatOp> = new Set<StatOp>(['count', 'sum', 'min', 'max', 'avg', 'variance']);

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const toCInt = (v: number | bigint): number => Number(BigInt.asIntN(32, BigInt(v)));

/** arith.c _stp_div64 with no error pointer: x/0 is 0, x/-1 is -x, else C's truncation. */
export function div64(x: bigint, y: bigint): bigint {
  if (y === 0n) return 0n;
  if (y === -1n) return i64(-x);
  return i64(x / y);
}

/**
 * @hist_linear(s, start, stop, interval), checked as _stp_stat_calc_buckets does when the
 * module starts. On failure returns the text stap prints after "WARNING: " (then the module
 * fails to initialise the statistic).
 */
export function linearHist(start: number | bigint, stop: number | bigint, interval: number | bigint): HistSpec | { warning: string } {
  const s = toCInt(start);
  const e = toCInt(stop);
  const iv = toCInt(interval);
  if (iv === 0) return { warning: 'histogram: interval cannot be zero.\n' };
  const buckets = toCInt(Math.trunc(toCInt(e - s) / iv) + 3);
  if (buckets > MAX_LINEAR_BUCKETS || buckets < 3) {
    return {
      warning:
        `histogram: Number of buckets must be between 1 and ${MAX_LINEAR_BUCKETS - 2}\n` +
        'Number_of_buckets = (stop - start) / interval.\n' +
        'Please adjust your start, stop, and interval values.\n',
    };
  }
  return { kind: 'linear', start: s, stop: e, interval: iv, buckets };
}

export function statConfig(hist: HistSpec = NO_HIST, ops: ReadonlySet<StatOp> = ALL_OPS, bitShift = 0): StatConfig {
  return { hist, ops, bitShift };
}

/** A zeroed accumulator (a fresh per-CPU slot or array entry). */
export function newStatData(cfg: StatConfig): StatData {
  return {
    count: 0n, sum: 0n, min: 0n, max: 0n, avgS: 0n, m2: 0n, varianceS: 0n, variance: 0n,
    histogram: new Array<bigint>(cfg.hist.buckets).fill(0n),
  };
}

/** _stp_stat_clear_data (`delete s`). Like stap, m2 is left alone: the next add resets it. */
export function statClear(sd: StatData): void {
  sd.count = sd.sum = sd.min = sd.max = 0n;
  sd.avgS = sd.variance = sd.varianceS = 0n;
  sd.histogram.fill(0n);
}

/** stat-common.c _stp_val_to_bucket: 64 for 0, 65 + log2(v) for v > 0, mirrored below 64. */
export function logBucket(val: bigint): number {
  if (val === 0n) return LOG_BUCKET0;
  const neg = val < 0n;
  const mag = BigInt.asUintN(64, neg ? -val : val);
  const res = LOG_BUCKETS - 64 + mag.toString(2).length;
  return neg ? LOG_BUCKETS - res : res;
}

/** stat-common.c _stp_bucket_to_val: the lowest value of log bucket `num`. */
export function logBucketValue(num: number): bigint {
  if (num === LOG_BUCKET0) return 0n;
  if (num < LOG_BUCKET0) return i64(-(1n << 63n)) >> BigInt(num);
  return i64(1n << BigInt(num - LOG_BUCKET0 - 1));
}

/** The bucket `val` lands in. */
export function histBucket(hist: HistSpec, val: bigint): number {
  switch (hist.kind) {
    case 'none':
      return -1;
    case 'log':
      return Math.min(logBucket(val), hist.buckets - 1);
    case 'linear': {
      const off = i64(val - BigInt(hist.start));
      // do_div's divisor is a uint32_t.
      const n = off < 0n ? 0n : off / BigInt.asUintN(32, BigInt(hist.interval)) + 1n;
      return n >= BigInt(hist.buckets - 1) ? hist.buckets - 1 : Number(n);
    }
  }
}

/** `s <<< val` on one CPU's accumulator (__stp_stat_add). */
export function statAdd(cfg: StatConfig, sd: StatData, val: bigint): void {
  const ops = cfg.ops;
  const shift = BigInt(cfg.bitShift);
  const variance = ops.has('variance');
  if (sd.count === 0n) {
    sd.count = 1n;
    sd.sum = sd.min = sd.max = val;
    sd.avgS = i64(val << shift);
    sd.m2 = 0n;
  } else {
    // The translator passes these "stat_op_*" switches (translate.cxx, `<<<`).
    if (ops.has('count') || ops.has('avg') || variance) sd.count = i64(sd.count + 1n);
    if (ops.has('sum') || ops.has('avg') || variance) sd.sum = i64(sd.sum + val);
    if (ops.has('max') && val > sd.max) sd.max = val;
    if (ops.has('min') && val < sd.min) sd.min = val;
    if (variance) {
      // Welford's update; stap declares `delta` as a C int, so it is truncated to 32 bits.
      const scaled = i64(val << shift);
      const delta = BigInt.asIntN(32, scaled - sd.avgS);
      sd.avgS = i64(sd.avgS + div64(delta, sd.count));
      sd.m2 = i64(sd.m2 + i64(delta * i64(scaled - sd.avgS)));
      sd.varianceS = sd.count < 2n ? -1n : div64(sd.m2, sd.count - 1n);
    }
  }
  const b = histBucket(cfg.hist, val);
  if (b >= 0) sd.histogram[b] = i64(sd.histogram[b]! + 1n);
}

/** variance_s >> (2 * shift): a variable shift on x86-64 uses only the low 6 bits of the count. */
function unscaleVariance(varianceS: bigint, bitShift: number): bigint {
  return varianceS >> BigInt((2 * bitShift) & 63);
}

/**
 * Reading a global (non-array) statistic: stat.c _stp_stat_get over every CPU's accumulator.
 * The mean is recomputed from the sum and the per-CPU variances are combined with the
 * "total variance" formula, so even a single CPU's result can differ from its running value.
 */
export function aggregateGlobal(cfg: StatConfig, cpus: readonly StatData[]): StatData {
  const agg = newStatData(cfg);
  for (const sd of cpus) {
    if (sd.count === 0n) continue;
    if (agg.count === 0n) {
      agg.min = sd.min;
      agg.max = sd.max;
    }
    agg.count = i64(agg.count + sd.count);
    agg.sum = i64(agg.sum + sd.sum);
    if (sd.max > agg.max) agg.max = sd.max;
    if (sd.min < agg.min) agg.min = sd.min;
    addHistogram(agg, sd);
  }
  agg.avgS = div64(i64(agg.sum << BigInt(cfg.bitShift)), agg.count);
  let s1 = 0n;
  let s2 = 0n;
  for (const sd of cpus) {
    if (sd.count === 0n) continue;
    const d = i64(sd.avgS - agg.avgS);
    s1 = i64(s1 + i64(i64(sd.count * d) * d));
    s2 = i64(s2 + i64((sd.count - 1n) * sd.varianceS));
  }
  agg.varianceS = div64(i64(s1 + s2), agg.count - 1n);
  agg.variance = unscaleVariance(agg.varianceS, cfg.bitShift);
  return agg;
}

/**
 * Reading one entry of a statistics array: map.c _stp_pmap_agg, which copies the first CPU's
 * entry and merges the others pairwise in CPU order. Pass only the CPUs holding the key; null
 * if none does (stap's NULL aggregate).
 */
export function aggregateArrayEntry(cfg: StatConfig, cpus: readonly StatData[]): StatData | null {
  let agg: StatData | null = null;
  for (const sd of cpus) {
    if (agg === null) {
      agg = newStatData(cfg);
      copyStat(cfg, agg, sd);
    } else {
      mergeArrayEntry(cfg, agg, sd);
    }
  }
  return agg;
}

/** map.c _new_map_copy_stat with add=1: folds `src` into the aggregate `dst`. */
export function mergeArrayEntry(cfg: StatConfig, dst: StatData, src: StatData): void {
  if (!(dst.count > 0n && src.count > 0n)) {
    copyStat(cfg, dst, src);
    return;
  }
  const dstCount = dst.count;
  const dstAvgS = dst.avgS;
  dst.count = i64(dst.count + src.count);
  dst.sum = i64(dst.sum + src.sum);
  if (src.min < dst.min) dst.min = src.min;
  if (src.max > dst.max) dst.max = src.max;
  if (cfg.ops.has('variance')) {
    dst.avgS = div64(i64(dst.sum << BigInt(cfg.bitShift)), dst.count);
    const d1 = i64(dstAvgS - dst.avgS);
    const d2 = i64(src.avgS - dst.avgS);
    const s11 = i64(i64(dstCount * d1) * d1);
    const s12 = i64((dstCount - 1n) * dst.varianceS);
    const s21 = i64(i64(src.count * d2) * d2);
    const s22 = i64((src.count - 1n) * src.varianceS);
    dst.varianceS = div64(i64(s11 + s12 + s21 + s22), dst.count - 1n);
    dst.variance = unscaleVariance(dst.varianceS, cfg.bitShift);
  }
  addHistogram(dst, src);
}

/** map.c _new_map_copy_stat's copying branch. */
function copyStat(cfg: StatConfig, dst: StatData, src: StatData): void {
  dst.count = src.count;
  dst.sum = src.sum;
  dst.min = src.min;
  dst.max = src.max;
  if (cfg.ops.has('variance')) {
    dst.avgS = src.avgS;
    dst.varianceS = src.varianceS;
    dst.variance = unscaleVariance(src.varianceS, cfg.bitShift);
  }
  dst.histogram = src.histogram.slice();
}

function addHistogram(dst: StatData, src: StatData): void {
  for (let j = 0; j < dst.histogram.length; j++) dst.histogram[j] = i64(dst.histogram[j]! + (src.histogram[j] ?? 0n));
}

/**
 * @count(s), @sum(s), ... on an aggregate (translate.cxx visit_stat_op). `agg` is null for an
 * absent array entry. @count and @sum read 0 from nothing; the others throw "empty aggregate"
 * when there is nothing or the count is 0. @avg is sum/count truncated toward zero.
 */
export function statValue(agg: StatData | null, op: StatOp): bigint {
  if (op === 'count') return agg === null ? 0n : agg.count;
  if (op === 'sum') return agg === null ? 0n : agg.sum;
  if (agg === null || agg.count === 0n) throw new StapRuntimeError(EMPTY_AGGREGATE);
  switch (op) {
    case 'min':
      return agg.min;
    case 'max':
      return agg.max;
    case 'avg':
      return div64(agg.sum, agg.count);
    case 'variance':
      return agg.variance;
  }
}
