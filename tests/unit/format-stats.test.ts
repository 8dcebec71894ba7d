// Statistics aggregates: `<<<` and the @ operators in stap 4.8's integer arithmetic
// (runtime/stat-common.c, stat.c, map.c). Expectations cite the stap testsuite or the C code.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  ALL_OPS, LOG_HIST, aggregateArrayEntry, aggregateGlobal, div64, histBucket, linearHist, logBucket, logBucketValue,
  mergeArrayEntry, newStatData, statAdd, statClear, statConfig, statValue,
  type HistSpec, type StatConfig, type StatData, type StatOp,
} from '../../src/format/stats.js';
import { StapRuntimeError } from '../../src/format/errors.js';

function linear(start: number, stop: number, interval: number): HistSpec {
  const h = linearHist(start, stop, interval);
  if ('warning' in h) throw new Error(h.warning);
  return h;
}

function fill(cfg: StatConfig, values: Iterable<bigint>): StatData {
  const sd = newStatData(cfg);
  for (const v of values) statAdd(cfg, sd, v);
  return sd;
}

const OPS: StatOp[] = ['count', 'sum', 'min', 'max', 'avg', 'variance'];
const report = (agg: StatData | null): string => OPS.map((op) => `${op}=${statValue(agg, op)}`).join(' ');

function* range(from: bigint, to: bigint): Generator<bigint> {
  for (let v = from; v < to; v++) yield v;
}

/** The 1600 values of testsuite/systemtap.maps/linear.stp. */
function* linearStpValues(): Generator<bigint> {
  for (let key = 0n; key < 100n; key++) {
    for (const m of [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 12n, 13n, 14n, 15n]) yield key * m;
  }
}

test('global statistics (maps/linear.exp, linear_over.exp, linear_under.exp)', () => {
  const cfg = statConfig(linear(0, 1500, 50));
  assert.equal(report(aggregateGlobal(cfg, [fill(cfg, linearStpValues())])),
    'count=1600 sum=653400 min=0 max=1485 avg=408 variance=450768');
  assert.equal(report(aggregateGlobal(cfg, [fill(cfg, range(1000n, 10000n))])),
    'count=9000 sum=49495500 min=1000 max=9999 avg=5499 variance=47241750');
  assert.equal(report(aggregateGlobal(cfg, [fill(cfg, range(0n, 100n))])),
    'count=100 sum=4950 min=0 max=99 avg=49 variance=5741');
});

test('@avg truncates toward zero (maps/linear_large.exp, linear_large_neg.exp)', () => {
  const cfg = statConfig(linear(0, 1000000000, 100000000));
  const pos = [1e7, 1e7, 1e7, 1e8, 1e8, 5e8, 5e8, 5e8, 5e8, 5e8, 1e9, 1e9, 1e9, 1e9, 1e10].map(BigInt);
  const agg = aggregateGlobal(cfg, [fill(cfg, pos)]);
  assert.deepEqual([agg.count, agg.sum, agg.min, agg.max, statValue(agg, 'avg')], [15n, 16730000000n, 10000000n, 10000000000n, 1115333333n]);
  const neg = [0, -1e8, -1e8, -5e8, -5e8, -5e8, -5e8, -5e8, -1e9, -1e9, -1e9, -1e9, -1e10].map(BigInt);
  const nagg = aggregateGlobal(cfg, [fill(cfg, neg)]);
  assert.deepEqual([nagg.count, nagg.sum, nagg.min, nagg.max, statValue(nagg, 'avg')], [13n, -16700000000n, -10000000000n, 0n, -1284615384n]);
});

test('@variance(s, N) scales by 2^N (maps/linear_nearlyempty.exp)', () => {
  const cfg = statConfig(linear(0, 1500, 50), ALL_OPS, 7);
  const agg = aggregateGlobal(cfg, [fill(cfg, [444n, 999n])]);
  assert.equal(report(agg), 'count=2 sum=1443 min=444 max=999 avg=721 variance=154012');
});

test('array entries copy the running variance (maps/ix.exp)', () => {
  // ix.stp: foo[i] <<< 100, foo[i] <<< i, foo[i] <<< -2, then later foo[i] <<< 10.
  const three = [3410n, 3429n, 3355n, 3348n, 3276n, 3297n, 3226n, 3249n, 3180n, 3176n, 3108n];
  const four = [2411n, 2430n, 2380n, 2376n, 2328n, 2356n, 2309n, 2339n, 2293n, 2290n, 2245n];
  const cfg = statConfig();
  for (let i = 0; i < 11; i++) {
    const sd = fill(cfg, [100n, BigInt(i), -2n]);
    const agg = aggregateArrayEntry(cfg, [sd]);
    assert.equal(statValue(agg, 'variance'), three[i], `foo[${i}]`);
    assert.equal(statValue(agg, 'avg'), BigInt(98 + i) / 3n);
    // The global read path would give 3411 for foo[0]: the two runtime paths differ.
    if (i === 0) assert.equal(statValue(aggregateGlobal(cfg, [sd]), 'variance'), 3411n);
    statAdd(cfg, sd, 10n);
    assert.equal(statValue(aggregateArrayEntry(cfg, [sd]), 'variance'), four[i], `foo[${i}] + 10`);
  }
});

test('array entries with more values (maps/foreach_limit2.exp)', () => {
  const cfg = statConfig();
  const cases: Array<[bigint[], string]> = [
    [[18n, 9n, 54n, 1n, 2n, 18n, 18n, 18n, 18n, 18n], 'count=10 sum=174 min=1 max=54 avg=17 variance=216'],
    [[40n, 20n, 120n, 2n, 3n, 40n, 40n, 40n, 40n], 'count=9 sum=345 min=2 max=120 avg=38 variance=1209'],
    [[16n, 8n, 48n, 3n, 16n, 16n, 16n, 16n], 'count=8 sum=139 min=3 max=48 avg=17 variance=181'],
    [[4n, 2n, 12n, 4n, 4n, 4n, 4n], 'count=7 sum=34 min=2 max=12 avg=4 variance=12'],
    [[14n, 7n, 42n, 42n, 14n, 14n], 'count=6 sum=133 min=7 max=42 avg=22 variance=245'],
    [[36n, 18n, 36n, 108n, 36n], 'count=5 sum=234 min=18 max=108 avg=46 variance=1240'],
    [[12n, 6n, 12n, 12n], 'count=4 sum=42 min=6 max=12 avg=10 variance=9'],
    [[10n, 5n, 10n], 'count=3 sum=25 min=5 max=10 avg=8 variance=9'],
    [[8n, 8n], 'count=2 sum=16 min=8 max=8 avg=8 variance=0'],
    [[20n], 'count=1 sum=20 min=20 max=20 avg=20 variance=0'],
  ];
  for (const [vals, want] of cases) assert.equal(report(aggregateArrayEntry(cfg, [fill(cfg, vals)])), want);
});

test('per-CPU aggregation: total variance over truncated running means (stat.c, map.c)', () => {
  const cfg = statConfig();
  const cpu0 = fill(cfg, [1n, 2n, 3n]); // running mean 1, variance_s 5/2 = 2
  const cpu1 = fill(cfg, [10n, 20n]); // running mean 15, variance_s 50
  assert.deepEqual([cpu0.avgS, cpu0.varianceS, cpu1.avgS, cpu1.varianceS], [1n, 2n, 15n, 50n]);
  // avg_s = 36/5 = 7; S1 = 3*(1-7)^2 + 2*(15-7)^2 = 236; S2 = 2*2 + 1*50 = 54; 290/4 = 72
  // (the exact sample variance would be 63.7).
  const g = aggregateGlobal(cfg, [cpu0, newStatData(cfg), cpu1]);
  assert.equal(report(g), 'count=5 sum=36 min=1 max=20 avg=7 variance=72');
  assert.equal(report(aggregateArrayEntry(cfg, [cpu0, cpu1])), 'count=5 sum=36 min=1 max=20 avg=7 variance=72');
  // Pairwise merging is what the array path does; the first CPU is copied.
  const dst = aggregateArrayEntry(cfg, [cpu1])!;
  mergeArrayEntry(cfg, dst, cpu0);
  assert.equal(report(dst), 'count=5 sum=36 min=1 max=20 avg=7 variance=72');
  assert.equal(aggregateArrayEntry(cfg, []), null);
});

test('stap quirks kept: 32-bit Welford delta, one-value variance, skipped counters', () => {
  const cfg = statConfig();
  // `int delta`: 2^32 - 0 truncates to 0, so the running mean and M2 never move.
  const sd = fill(cfg, [0n, 1n << 32n]);
  assert.deepEqual([sd.avgS, sd.m2, sd.varianceS], [0n, 0n, 0n]);
  assert.equal(statValue(aggregateArrayEntry(cfg, [sd]), 'variance'), 0n);
  // A single value: the global path divides by count-1 = 0, which _stp_div64 makes 0.
  assert.equal(statValue(aggregateGlobal(cfg, [fill(cfg, [5n])]), 'variance'), 0n);
  // With only @max used, <<< maintains neither count nor sum (translate.cxx stat_op_*).
  const maxOnly = statConfig(undefined, new Set<StatOp>(['max']));
  const m = fill(maxOnly, [3n, 9n, 4n]);
  assert.deepEqual([m.count, m.sum, m.max, m.min], [1n, 3n, 9n, 3n]);
});

test('empty aggregates', () => {
  const cfg = statConfig();
  const empty = aggregateGlobal(cfg, [newStatData(cfg)]);
  assert.equal(statValue(empty, 'count'), 0n);
  assert.equal(statValue(empty, 'sum'), 0n);
  assert.equal(statValue(null, 'count'), 0n);
  for (const op of ['min', 'max', 'avg', 'variance'] as const) {
    assert.throws(() => statValue(empty, op), new StapRuntimeError('empty aggregate'));
    assert.throws(() => statValue(null, op), new StapRuntimeError('empty aggregate'));
  }
  const sd = fill(cfg, [1n, 2n]);
  statClear(sd);
  assert.equal(sd.count, 0n);
  statAdd(cfg, sd, 7n);
  assert.equal(report(aggregateGlobal(cfg, [sd])), 'count=1 sum=7 min=7 max=7 avg=7 variance=0');
});

test('log buckets (maps/log_edge.exp; stat-common.c _stp_val_to_bucket)', () => {
  assert.equal(logBucket(-1n), 63);
  assert.equal(logBucket(1n), 65);
  assert.equal(logBucket(0n), 64);
  assert.equal(logBucket(0x7fffffffffffffffn), 127);
  assert.deepEqual([1n, 2n, 3n, 4n].map(logBucket), [65, 66, 66, 67]);
  assert.equal(logBucket(-(2n ** 63n)), 0);
  assert.equal(logBucket(-3n), 62);
  assert.deepEqual([0, 1, 62, 63, 64, 65, 66, 127].map(logBucketValue),
    [-(2n ** 63n), -(2n ** 62n), -2n, -1n, 0n, 1n, 2n, 2n ** 62n]);
  assert.equal(histBucket(LOG_HIST, 1000n), 65 + 9);
  const sd = fill(statConfig(LOG_HIST), [1n, 2n, 3n, 4n]);
  assert.deepEqual([sd.histogram[65], sd.histogram[66], sd.histogram[67]], [1n, 2n, 1n]);
});

test('linear buckets: underflow, overflow and the bucket count (stat-common.c)', () => {
  const h = linear(0, 100, 10);
  assert.equal(h.buckets, 13);
  assert.deepEqual([-1n, 0n, 9n, 10n, 99n, 100n, 109n, 110n, 10n ** 12n].map((v) => histBucket(h, v)), [0, 1, 1, 2, 10, 11, 11, 12, 12]);
  const n = linear(-100, 100, 10);
  assert.deepEqual([-101n, -100n, -10n, -1n, 0n, 99n, 100n].map((v) => histBucket(n, v)), [0, 1, 10, 10, 11, 20, 21]);
  // (stop - start) / interval is C int division.
  assert.equal(linear(0, 1005, 10).buckets, 103);
  // linear_0.exp, linear_bad.exp, linear_neg.exp: the module warns and the statistic fails.
  assert.deepEqual(linearHist(0, 1500, 0), { warning: 'histogram: interval cannot be zero.\n' });
  const bad = 'histogram: Number of buckets must be between 1 and 126\n' +
    'Number_of_buckets = (stop - start) / interval.\nPlease adjust your start, stop, and interval values.\n';
  assert.deepEqual(linearHist(0, 1500, 2), { warning: bad });
  assert.deepEqual(linearHist(0, 1500, -1), { warning: bad });
  assert.deepEqual(linearHist(10, 0, 10), { warning: bad });
  assert.equal(linear(0, 0, 1).buckets, 3);
  assert.equal(linear(0, 125, 1).buckets, 128);
});

test('_stp_div64', () => {
  assert.deepEqual([div64(7n, 2n), div64(-7n, 2n), div64(7n, -2n), div64(5n, 0n)], [3n, -3n, -3n, 0n]);
  assert.equal(div64(-(2n ** 63n), -1n), -(2n ** 63n));
});
