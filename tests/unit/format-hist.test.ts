// Histogram text exactly as stap 4.8's _stp_stat_print_histogram_buf (runtime/stat-common.c)
// prints it. Expected outputs are the stap testsuite's (testsuite/systemtap.maps/*.exp), cited
// per test; their scripts' values are replayed through the accumulator.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  LOG_HIST, aggregateArrayEntry, aggregateGlobal, linearHist, newStatData, statAdd, statClear, statConfig,
  type HistSpec, type StatConfig, type StatData,
} from '../../src/format/stats.js';
import { formatHistogram, histogramBucket, histogramBucketCount, sprintHistogram, type HistPrintOptions } from '../../src/format/hist.js';
import { StapRuntimeError } from '../../src/format/errors.js';

function linear(start: number, stop: number, interval: number): HistSpec {
  const h = linearHist(start, stop, interval);
  if ('warning' in h) throw new Error(h.warning);
  return h;
}

/** A global statistic fed `values` on one CPU, read as print(@hist_*(s)) reads it. */
function hist(h: HistSpec, values: Iterable<bigint>, opts: HistPrintOptions = {}): string {
  const cfg = statConfig(h);
  const sd = newStatData(cfg);
  for (const v of values) statAdd(cfg, sd, v);
  return formatHistogram(h, aggregateGlobal(cfg, [sd]), opts);
}

const big = (...xs: number[]): bigint[] => xs.map(BigInt);

function* range(from: bigint, to: bigint): Generator<bigint> {
  for (let v = from; v < to; v++) yield v;
}

/** The 1600 values of maps/linear.stp and linear_overunder.stp. */
function* linearStpValues(): Generator<bigint> {
  for (let key = 0n; key < 100n; key++) {
    for (const m of [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 12n, 13n, 14n, 15n]) yield key * m;
  }
}

test('linear histogram (maps/linear.exp)', () => {
  assert.equal(hist(linear(0, 1500, 50), linearStpValues()), `value |-------------------------------------------------- count
    0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@       177
   50 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         170
  100 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                      117
  150 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                     122
  200 |@@@@@@@@@@@@@@@@@@@@@@@                             94
  250 |@@@@@@@@@@@@@@@@@@@@@@@                             94
  300 |@@@@@@@@@@@@@@@@@@@                                 79
  350 |@@@@@@@@@@@@@@@@@@@                                 79
  400 |@@@@@@@@@@@@@@@@                                    65
  450 |@@@@@@@@@@@@@@@@                                    67
  500 |@@@@@@@@@@@@@                                       55
  550 |@@@@@@@@@@@@@                                       54
  600 |@@@@@@@@@@@@                                        51
  650 |@@@@@@@@@@@                                         45
  700 |@@@@@@@@@@                                          41
  750 |@@@@@@@@@@                                          40
  800 |@@@@@@@@                                            34
  850 |@@@@@@@@                                            33
  900 |@@@@@@@                                             31
  950 |@@@@@@                                              27
 1000 |@@@@@                                               23
 1050 |@@@@@@                                              24
 1100 |@@@@                                                19
 1150 |@@@@                                                18
 1200 |@@@                                                 12
 1250 |@@                                                   9
 1300 |@                                                    7
 1350 |@                                                    7
 1400 |                                                     3
 1450 |                                                     3
 1500 |                                                     0

`);
});

test('underflow and overflow rows (maps/linear_overunder.exp, linear_under.exp, linear_over.exp)', () => {
  assert.equal(hist(linear(250, 1000, 50), linearStpValues()), `value |-------------------------------------------------- count
 <250 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@   680
  250 |@@@@@@                                              94
  300 |@@@@@                                               79
  350 |@@@@@                                               79
  400 |@@@@                                                65
  450 |@@@@                                                67
  500 |@@@                                                 55
  550 |@@@                                                 54
  600 |@@@                                                 51
  650 |@@@                                                 45
  700 |@@                                                  41
  750 |@@                                                  40
  800 |@@                                                  34
  850 |@@                                                  33
  900 |@@                                                  31
  950 |@                                                   27
 1000 |@                                                   23
>1000 |@@@@@@@                                            102

`);
  assert.equal(hist(linear(1800, 2500, 100), range(0n, 100n)), `value |-------------------------------------------------- count
<1800 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 100
 1800 |                                                     0
 1900 |                                                     0

`);
  assert.equal(hist(linear(0, 100, 10), range(1000n, 10000n)), `value |-------------------------------------------------- count
   90 |                                                      0
  100 |                                                      0
 >100 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 9000

`);
});

test('large values and the value column (maps/linear_large.exp, linear_large_neg.exp)', () => {
  const pos = big(1e7, 1e7, 1e7, 1e8, 1e8, 5e8, 5e8, 5e8, 5e8, 5e8, 1e9, 1e9, 1e9, 1e9, 1e10);
  assert.equal(hist(linear(0, 1000000000, 100000000), pos), `      value |-------------------------------------------------- count
          0 |@@@                                                3
  100000000 |@@                                                 2
  200000000 |                                                   0
  300000000 |                                                   0
  400000000 |                                                   0
  500000000 |@@@@@                                              5
  600000000 |                                                   0
  700000000 |                                                   0
  800000000 |                                                   0
  900000000 |                                                   0
 1000000000 |@@@@                                               4
>1000000000 |@                                                  1

`);
  const neg = big(0, -1e8, -1e8, -5e8, -5e8, -5e8, -5e8, -5e8, -1e9, -1e9, -1e9, -1e9, -1e10);
  assert.equal(hist(linear(-1000000000, 0, 100000000), neg), `       value |-------------------------------------------------- count
<-1000000000 |@                                                  1
 -1000000000 |@@@@                                               4
  -900000000 |                                                   0
  -800000000 |                                                   0
  -700000000 |                                                   0
  -600000000 |                                                   0
  -500000000 |@@@@@                                              5
  -400000000 |                                                   0
  -300000000 |                                                   0
  -200000000 |                                                   0
  -100000000 |@@                                                 2
           0 |@                                                  1

`);
});

test('elided zero rows and "~" marks (maps/linear_nearlyempty.exp)', () => {
  assert.equal(hist(linear(0, 1500, 50), big(444, 999)), `value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |                                                   0
      ~
  850 |                                                   0
  900 |                                                   0
  950 |@                                                  1
 1000 |                                                   0
 1050 |                                                   0

`);
});

test('log histogram edges (maps/log_edge.exp)', () => {
  assert.equal(hist(LOG_HIST, big(-1, 1)), `value |-------------------------------------------------- count
   -4 |                                                   0
   -2 |                                                   0
   -1 |@                                                  1
    0 |                                                   0
    1 |@                                                  1
    2 |                                                   0
    4 |                                                   0

`);
  assert.equal(hist(LOG_HIST, big(0)), `value |-------------------------------------------------- count
    0 |@                                                  1
    1 |                                                   0
    2 |                                                   0

`);
  assert.equal(hist(LOG_HIST, [0x7fffffffffffffffn]), `              value |-------------------------------------------------- count
1152921504606846976 |                                                   0
2305843009213693952 |                                                   0
4611686018427387904 |@                                                  1

`);
  assert.equal(hist(LOG_HIST, big(1, 2, 3, 4)), `value |-------------------------------------------------- count
    0 |                                                   0
    1 |@                                                  1
    2 |@@                                                 2
    4 |@                                                  1
    8 |                                                   0
   16 |                                                   0

`);
});

test('@hist_log(s)[i] and foreach over buckets (maps/log_edge.exp "bucket N: M" lines)', () => {
  const cfg = statConfig(LOG_HIST);
  const sd = newStatData(cfg);
  for (const v of big(1, 2, 3, 4)) statAdd(cfg, sd, v);
  const agg = aggregateGlobal(cfg, [sd]);
  const lines: string[] = [];
  for (let b = 0; b < histogramBucketCount(LOG_HIST); b++) {
    const n = histogramBucket(LOG_HIST, agg, BigInt(b));
    if (n !== 0n) lines.push(`bucket ${b}: ${n}`);
  }
  assert.deepEqual(lines, ['bucket 65: 1', 'bucket 66: 2', 'bucket 67: 1']);
  assert.throws(() => histogramBucket(LOG_HIST, agg, 128n), new StapRuntimeError('histogram index out of range'));
  assert.throws(() => histogramBucket(LOG_HIST, agg, -1n), new StapRuntimeError('histogram index out of range'));
  assert.throws(() => histogramBucket(LOG_HIST, null, 0n), new StapRuntimeError('empty aggregate'));
  // Linear bucket 0 is the underflow, the last the overflow.
  const lin = linear(0, 100, 10);
  const lcfg = statConfig(lin);
  const lsd = newStatData(lcfg);
  for (const v of big(-5, 5, 500)) statAdd(lcfg, lsd, v);
  const lagg = aggregateGlobal(lcfg, [lsd]);
  assert.equal(histogramBucketCount(lin), 13);
  assert.deepEqual([0n, 1n, 12n].map((i) => histogramBucket(lin, lagg, i)), [1n, 1n, 1n]);
});

test('empty statistics are an error, not an empty histogram (translate.cxx PR 2142)', () => {
  const cfg = statConfig(LOG_HIST);
  const empty = aggregateGlobal(cfg, [newStatData(cfg)]);
  assert.throws(() => formatHistogram(LOG_HIST, empty), new StapRuntimeError('empty aggregate'));
  assert.throws(() => formatHistogram(LOG_HIST, null), new StapRuntimeError('empty aggregate'));
});

test('histogram into a string (maps/hist_in_string.exp), cut to MAXSTRINGLEN-1', () => {
  const h = linear(0, 0, 1);
  const cfg = statConfig(h);
  const sd = newStatData(cfg);
  for (let i = 0; i < 128; i++) statAdd(cfg, sd, 0n);
  const agg = aggregateGlobal(cfg, [sd]);
  assert.equal(sprintHistogram(h, agg), `value |-------------------------------------------------- count
    0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         128

`);
  const long = hist(LOG_HIST, big(1, 1000, 1000000));
  assert.ok(long.length > 511);
  const lcfg = statConfig(LOG_HIST);
  const lsd = newStatData(lcfg);
  for (const v of big(1, 1000, 1000000)) statAdd(lcfg, lsd, v);
  assert.equal(sprintHistogram(LOG_HIST, aggregateGlobal(lcfg, [lsd])), long.slice(0, 511));
  // The value column is 7 wide here (the last row shown is 2097152).
  assert.equal(sprintHistogram(LOG_HIST, aggregateGlobal(lcfg, [lsd]), { maxStringLen: 10 }), '  value |');
});

test('histograms of array entries, scaled bars (maps/ix_hist.exp)', () => {
  // ix_hist.stp: foo[i] <<< i*j for j < i*128, printed for i = 1..4.
  const cfg: StatConfig = statConfig(LOG_HIST);
  const out: string[] = [];
  for (let i = 1n; i < 5n; i++) {
    const sd = newStatData(cfg);
    for (let j = 0n; j < i * 128n; j++) statAdd(cfg, sd, i * j);
    out.push(formatHistogram(LOG_HIST, aggregateArrayEntry(cfg, [sd])));
  }
  assert.equal(out.join(''), IX_HIST);
});

/** The histograms of maps/elision.stp; `elision` is its -DHIST_ELISION. */
function elisionScript(elision: number): string {
  const opts = { elision };
  const run = (h: HistSpec, values: bigint[], sd?: StatData): string => {
    const cfg = statConfig(h);
    const data = sd ?? newStatData(cfg);
    for (const v of values) statAdd(cfg, data, v);
    const text = formatHistogram(h, aggregateGlobal(cfg, [data]), opts);
    statClear(data); // `delete a`
    return text;
  };
  const a = linear(0, 1500, 50);
  const b = linear(-100, 100, 10);
  return [
    run(a, big(444, 999)), run(a, big(444, 500)), run(a, big(0)), run(a, big(50)), run(a, big(1450)), run(a, big(1500)),
    run(b, big(-10)), run(b, big(0)),
    run(LOG_HIST, big(128)), run(LOG_HIST, big(0)), run(LOG_HIST, big(-2, -4096)),
  ].join('');
}

test('elision with -DHIST_ELISION=-1, 0, 1, 2, 3 (maps/elision.exp)', () => {
  assert.equal(elisionScript(-1), ELISION[-1]);
  assert.equal(elisionScript(0), ELISION[0]);
  assert.equal(elisionScript(1), ELISION[1]);
  assert.equal(elisionScript(2), ELISION[2]);
  assert.equal(elisionScript(3), ELISION[3]);
});

test('HIST_WIDTH changes the bar scale', () => {
  // valmax 4 > width 2: scale = ceil(4 / 2) = 2, so the count-1 row gets no bar.
  assert.equal(hist(LOG_HIST, big(1, 1, 1, 1, 2), { width: 2 }), `value |-- count
    0 |   0
    1 |@@ 4
    2 |   1
    4 |   0
    8 |   0

`);
});

test('the full log range, INT64_MIN included (maps/log.exp)', () => {
  const values: bigint[] = [];
  let v = 1n;
  for (let i = 0; i < 63; i++, v <<= 1n) values.push(v);
  v = 1n;
  for (let i = 0; i < 64; i++, v = BigInt.asIntN(64, v << 1n)) values.push(BigInt.asIntN(64, -v));
  for (let i = 0; i < 20; i++) values.push(0n);
  assert.equal(hist(LOG_HIST, values), LOG_FULL);
});

/** maps/elision.exp myresults(N). */
const ELISION: Record<number, string> = {
  [-1]: `value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |                                                   0
  550 |                                                   0
  600 |                                                   0
  650 |                                                   0
  700 |                                                   0
  750 |                                                   0
  800 |                                                   0
  850 |                                                   0
  900 |                                                   0
  950 |@                                                  1
 1000 |                                                   0
 1050 |                                                   0

value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |@                                                  1
  550 |                                                   0
  600 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
   50 |                                                   0
  100 |                                                   0

value |-------------------------------------------------- count
    0 |                                                   0
   50 |@                                                  1
  100 |                                                   0
  150 |                                                   0

value |-------------------------------------------------- count
 1350 |                                                   0
 1400 |                                                   0
 1450 |@                                                  1
 1500 |                                                   0

value |-------------------------------------------------- count
 1400 |                                                   0
 1450 |                                                   0
 1500 |@                                                  1

value |-------------------------------------------------- count
  -30 |                                                   0
  -20 |                                                   0
  -10 |@                                                  1
    0 |                                                   0
   10 |                                                   0

value |-------------------------------------------------- count
  -20 |                                                   0
  -10 |                                                   0
    0 |@                                                  1
   10 |                                                   0
   20 |                                                   0

value |-------------------------------------------------- count
   32 |                                                   0
   64 |                                                   0
  128 |@                                                  1
  256 |                                                   0
  512 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
    1 |                                                   0
    2 |                                                   0

 value |-------------------------------------------------- count
-16384 |                                                   0
 -8192 |                                                   0
 -4096 |@                                                  1
 -2048 |                                                   0
 -1024 |                                                   0
  -512 |                                                   0
  -256 |                                                   0
  -128 |                                                   0
   -64 |                                                   0
   -32 |                                                   0
   -16 |                                                   0
    -8 |                                                   0
    -4 |                                                   0
    -2 |@                                                  1
    -1 |                                                   0
     0 |                                                   0

`,
  [0]: `value |-------------------------------------------------- count
      ~
  400 |@                                                  1
      ~
  950 |@                                                  1

value |-------------------------------------------------- count
      ~
  400 |@                                                  1
      ~
  500 |@                                                  1

value |-------------------------------------------------- count
    0 |@                                                  1

value |-------------------------------------------------- count
      ~
   50 |@                                                  1

value |-------------------------------------------------- count
      ~
 1450 |@                                                  1

value |-------------------------------------------------- count
      ~
 1500 |@                                                  1

value |-------------------------------------------------- count
      ~
  -10 |@                                                  1

value |-------------------------------------------------- count
      ~
    0 |@                                                  1

value |-------------------------------------------------- count
      ~
  128 |@                                                  1

value |-------------------------------------------------- count
    0 |@                                                  1

 value |-------------------------------------------------- count
       ~
 -4096 |@                                                  1
       ~
    -2 |@                                                  1

`,
  [1]: `value |-------------------------------------------------- count
      ~
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
      ~
  900 |                                                   0
  950 |@                                                  1
 1000 |                                                   0

value |-------------------------------------------------- count
      ~
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |@                                                  1
  550 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
   50 |                                                   0

value |-------------------------------------------------- count
    0 |                                                   0
   50 |@                                                  1
  100 |                                                   0

value |-------------------------------------------------- count
      ~
 1400 |                                                   0
 1450 |@                                                  1
 1500 |                                                   0

value |-------------------------------------------------- count
      ~
 1450 |                                                   0
 1500 |@                                                  1

value |-------------------------------------------------- count
      ~
  -20 |                                                   0
  -10 |@                                                  1
    0 |                                                   0

value |-------------------------------------------------- count
      ~
  -10 |                                                   0
    0 |@                                                  1
   10 |                                                   0

value |-------------------------------------------------- count
      ~
   64 |                                                   0
  128 |@                                                  1
  256 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
    1 |                                                   0

 value |-------------------------------------------------- count
       ~
 -8192 |                                                   0
 -4096 |@                                                  1
 -2048 |                                                   0
       ~
    -4 |                                                   0
    -2 |@                                                  1
    -1 |                                                   0

`,
  [2]: `value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |                                                   0
      ~
  850 |                                                   0
  900 |                                                   0
  950 |@                                                  1
 1000 |                                                   0
 1050 |                                                   0

value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |@                                                  1
  550 |                                                   0
  600 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
   50 |                                                   0
  100 |                                                   0

value |-------------------------------------------------- count
    0 |                                                   0
   50 |@                                                  1
  100 |                                                   0
  150 |                                                   0

value |-------------------------------------------------- count
 1350 |                                                   0
 1400 |                                                   0
 1450 |@                                                  1
 1500 |                                                   0

value |-------------------------------------------------- count
 1400 |                                                   0
 1450 |                                                   0
 1500 |@                                                  1

value |-------------------------------------------------- count
  -30 |                                                   0
  -20 |                                                   0
  -10 |@                                                  1
    0 |                                                   0
   10 |                                                   0

value |-------------------------------------------------- count
  -20 |                                                   0
  -10 |                                                   0
    0 |@                                                  1
   10 |                                                   0
   20 |                                                   0

value |-------------------------------------------------- count
   32 |                                                   0
   64 |                                                   0
  128 |@                                                  1
  256 |                                                   0
  512 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
    1 |                                                   0
    2 |                                                   0

 value |-------------------------------------------------- count
-16384 |                                                   0
 -8192 |                                                   0
 -4096 |@                                                  1
 -2048 |                                                   0
 -1024 |                                                   0
       ~
    -8 |                                                   0
    -4 |                                                   0
    -2 |@                                                  1
    -1 |                                                   0
     0 |                                                   0

`,
  [3]: `value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |                                                   0
  550 |                                                   0
      ~
  800 |                                                   0
  850 |                                                   0
  900 |                                                   0
  950 |@                                                  1
 1000 |                                                   0
 1050 |                                                   0

value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |@                                                  1
  550 |                                                   0
  600 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
   50 |                                                   0
  100 |                                                   0

value |-------------------------------------------------- count
    0 |                                                   0
   50 |@                                                  1
  100 |                                                   0
  150 |                                                   0

value |-------------------------------------------------- count
 1350 |                                                   0
 1400 |                                                   0
 1450 |@                                                  1
 1500 |                                                   0

value |-------------------------------------------------- count
 1400 |                                                   0
 1450 |                                                   0
 1500 |@                                                  1

value |-------------------------------------------------- count
  -30 |                                                   0
  -20 |                                                   0
  -10 |@                                                  1
    0 |                                                   0
   10 |                                                   0

value |-------------------------------------------------- count
  -20 |                                                   0
  -10 |                                                   0
    0 |@                                                  1
   10 |                                                   0
   20 |                                                   0

value |-------------------------------------------------- count
   32 |                                                   0
   64 |                                                   0
  128 |@                                                  1
  256 |                                                   0
  512 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
    1 |                                                   0
    2 |                                                   0

 value |-------------------------------------------------- count
-16384 |                                                   0
 -8192 |                                                   0
 -4096 |@                                                  1
 -2048 |                                                   0
 -1024 |                                                   0
  -512 |                                                   0
       ~
   -16 |                                                   0
    -8 |                                                   0
    -4 |                                                   0
    -2 |@                                                  1
    -1 |                                                   0
     0 |                                                   0

`,
};

/** maps/ix_hist.exp */
const IX_HIST = `value |-------------------------------------------------- count
    0 |                                                    1
    1 |                                                    1
    2 |@                                                   2
    4 |@@                                                  4
    8 |@@@@                                                8
   16 |@@@@@@@@                                           16
   32 |@@@@@@@@@@@@@@@@                                   32
   64 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                   64
  128 |                                                    0
  256 |                                                    0

value |-------------------------------------------------- count
    0 |                                                     1
    1 |                                                     0
    2 |                                                     1
    4 |                                                     2
    8 |@                                                    4
   16 |@@                                                   8
   32 |@@@@@                                               16
   64 |@@@@@@@@@@                                          32
  128 |@@@@@@@@@@@@@@@@@@@@@                               64
  256 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         128
  512 |                                                     0
 1024 |                                                     0

value |-------------------------------------------------- count
    0 |                                                     1
    1 |                                                     0
    2 |                                                     1
    4 |                                                     1
    8 |                                                     3
   16 |@                                                    5
   32 |@@                                                  11
   64 |@@@@@                                               21
  128 |@@@@@@@@@@                                          43
  256 |@@@@@@@@@@@@@@@@@@@@@                               85
  512 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         171
 1024 |@@@@@@@@@@                                          42
 2048 |                                                     0
 4096 |                                                     0

value |-------------------------------------------------- count
    0 |                                                     1
    1 |                                                     0
    2 |                                                     0
    4 |                                                     1
    8 |                                                     2
   16 |                                                     4
   32 |@                                                    8
   64 |@@                                                  16
  128 |@@@@@                                               32
  256 |@@@@@@@@@@                                          64
  512 |@@@@@@@@@@@@@@@@@@@@@                              128
 1024 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         256
 2048 |                                                     0
 4096 |                                                     0

`;

/** maps/log.exp */
const LOG_FULL = `               value |-------------------------------------------------- count
-9223372036854775808 |@                                                   1
-4611686018427387904 |@                                                   1
-2305843009213693952 |@                                                   1
-1152921504606846976 |@                                                   1
 -576460752303423488 |@                                                   1
 -288230376151711744 |@                                                   1
 -144115188075855872 |@                                                   1
  -72057594037927936 |@                                                   1
  -36028797018963968 |@                                                   1
  -18014398509481984 |@                                                   1
   -9007199254740992 |@                                                   1
   -4503599627370496 |@                                                   1
   -2251799813685248 |@                                                   1
   -1125899906842624 |@                                                   1
    -562949953421312 |@                                                   1
    -281474976710656 |@                                                   1
    -140737488355328 |@                                                   1
     -70368744177664 |@                                                   1
     -35184372088832 |@                                                   1
     -17592186044416 |@                                                   1
      -8796093022208 |@                                                   1
      -4398046511104 |@                                                   1
      -2199023255552 |@                                                   1
      -1099511627776 |@                                                   1
       -549755813888 |@                                                   1
       -274877906944 |@                                                   1
       -137438953472 |@                                                   1
        -68719476736 |@                                                   1
        -34359738368 |@                                                   1
        -17179869184 |@                                                   1
         -8589934592 |@                                                   1
         -4294967296 |@                                                   1
         -2147483648 |@                                                   1
         -1073741824 |@                                                   1
          -536870912 |@                                                   1
          -268435456 |@                                                   1
          -134217728 |@                                                   1
           -67108864 |@                                                   1
           -33554432 |@                                                   1
           -16777216 |@                                                   1
            -8388608 |@                                                   1
            -4194304 |@                                                   1
            -2097152 |@                                                   1
            -1048576 |@                                                   1
             -524288 |@                                                   1
             -262144 |@                                                   1
             -131072 |@                                                   1
              -65536 |@                                                   1
              -32768 |@                                                   1
              -16384 |@                                                   1
               -8192 |@                                                   1
               -4096 |@                                                   1
               -2048 |@                                                   1
               -1024 |@                                                   1
                -512 |@                                                   1
                -256 |@                                                   1
                -128 |@                                                   1
                 -64 |@                                                   1
                 -32 |@                                                   1
                 -16 |@                                                   1
                  -8 |@                                                   1
                  -4 |@                                                   1
                  -2 |@                                                   1
                  -1 |@                                                   1
                   0 |@@@@@@@@@@@@@@@@@@@@                               20
                   1 |@                                                   1
                   2 |@                                                   1
                   4 |@                                                   1
                   8 |@                                                   1
                  16 |@                                                   1
                  32 |@                                                   1
                  64 |@                                                   1
                 128 |@                                                   1
                 256 |@                                                   1
                 512 |@                                                   1
                1024 |@                                                   1
                2048 |@                                                   1
                4096 |@                                                   1
                8192 |@                                                   1
               16384 |@                                                   1
               32768 |@                                                   1
               65536 |@                                                   1
              131072 |@                                                   1
              262144 |@                                                   1
              524288 |@                                                   1
             1048576 |@                                                   1
             2097152 |@                                                   1
             4194304 |@                                                   1
             8388608 |@                                                   1
            16777216 |@                                                   1
            33554432 |@                                                   1
            67108864 |@                                                   1
           134217728 |@                                                   1
           268435456 |@                                                   1
           536870912 |@                                                   1
          1073741824 |@                                                   1
          2147483648 |@                                                   1
          4294967296 |@                                                   1
          8589934592 |@                                                   1
         17179869184 |@                                                   1
         34359738368 |@                                                   1
         68719476736 |@                                                   1
        137438953472 |@                                                   1
        274877906944 |@                                                   1
        549755813888 |@                                                   1
       1099511627776 |@                                                   1
       2199023255552 |@                                                   1
       4398046511104 |@                                                   1
       8796093022208 |@                                                   1
      17592186044416 |@                                                   1
      35184372088832 |@                                                   1
      70368744177664 |@                                                   1
     140737488355328 |@                                                   1
     281474976710656 |@                                                   1
     562949953421312 |@                                                   1
    1125899906842624 |@                                                   1
    2251799813685248 |@                                                   1
    4503599627370496 |@                                                   1
    9007199254740992 |@                                                   1
   18014398509481984 |@                                                   1
   36028797018963968 |@                                                   1
   72057594037927936 |@                                                   1
  144115188075855872 |@                                                   1
  288230376151711744 |@                                                   1
  576460752303423488 |@                                                   1
 1152921504606846976 |@                                                   1
 2305843009213693952 |@                                                   1
 4611686018427387904 |@                                                   1

`;
