// Histogram text and bucket access for @hist_log / @hist_linear.
//
// stap 4.8's runtime/stat-common.c _stp_stat_print_histogram_buf (print and sprint of a
// histogram) and translate.cxx's @hist_*(s)[i] and foreach over buckets.

import { EMPTY_AGGREGATE, HIST_INDEX_RANGE, StapRuntimeError } from './errors.js';
import { MAXSTRINGLEN } from './printf.js';
import { LOG_BUCKET0, logBucketValue, type HistSpec, type StatData } from './stats.js';

export interface HistPrintOptions {
  /** HIST_WIDTH (-DHIST_WIDTH=...): the bar length for the largest bucket. Default 50. */
  width?: number;
  /** HIST_ELISION: zero rows kept next to data; negative keeps every row. Default 2. */
  elision?: number;
}

/** stat-common.c needed_space: characters of the decimal form, sign included. */
function neededSpace(v: bigint): number {
  return BigInt.asIntN(64, v).toString().length;
}

/** `%*s` of the legacy vsnprintf: a negative width left-justifies. */
function padField(s: string, width: number): string {
  const pad = ' '.repeat(Math.max(Math.abs(width) - s.length, 0));
  return width < 0 ? s + pad : pad + s;
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const i32 = (v: number): number => Number(BigInt.asIntN(32, BigInt(v)));

/**
 * The text `print(@hist_log(s))` / `print(@hist_linear(s, a, b, c))` writes, trailing blank
 * line included; "" for a statistic without a histogram. Throws "empty aggregate" for an
 * absent or empty statistic, as the generated code checks before printing.
 */
export function formatHistogram(hist: HistSpec, agg: StatData | null, opts: HistPrintOptions = {}): string {
  if (agg === null || agg.count === 0n) throw new StapRuntimeError(EMPTY_AGGREGATE);
  if (hist.kind === 'none') return '';
  const width = opts.width ?? 50;
  const elision = opts.elision ?? 2;
  const h = agg.histogram;
  const nb = hist.buckets;
  const at = (i: number): bigint => h[i] ?? 0n; // i = -1 only if no bucket is set, which <<< never allows

  let low = -1;
  let high = 0;
  let valmax = 0n;
  for (let i = 0; i < nb; i++) {
    if (at(i) > 0n && low === -1) low = i;
    if (at(i) > 0n) high = i;
    if (at(i) > valmax) valmax = at(i);
  }
  // Two empty rows of margin on each side, but a log histogram only shows negative buckets
  // when it has negative values.
  for (let k = 0; k < 2; k++) {
    if (hist.kind === 'log') {
      if (low !== LOG_BUCKET0 && low > 0) low--;
    } else if (low > 0) {
      low--;
    }
    if (high < nb - 1) high++;
  }
  let under = 0;
  let over = 0;
  if (hist.kind === 'linear') {
    if (low === 0 && at(0) === 0n) low++;
    if (high === nb - 1 && at(high) === 0n) high--;
    if (low === 0) under = 1;
    if (high === nb - 1) over = 1;
  }

  const w = BigInt(width);
  const scale = valmax <= w ? 1n : valmax / w + (valmax % w !== 0n ? 1n : 0n);
  const cntSpace = neededSpace(valmax);
  let valSpace: number;
  if (hist.kind === 'linear') {
    // stap sizes the column with start + interval * high_bucket in C int arithmetic, one
    // interval more than the last row shows.
    valSpace = Math.max(
      neededSpace(BigInt(hist.start)) + under,
      neededSpace(BigInt(i32(hist.start + i32(hist.interval * high)))) + over,
    );
  } else {
    valSpace = Math.max(neededSpace(logBucketValue(high)), neededSpace(logBucketValue(low)));
  }
  valSpace = Math.max(valSpace, 5); // "value"

  let out = padField('value', valSpace) + ' |' + '-'.repeat(Math.max(width, 0)) + ' count\n';
  let eliding = false;
  for (let i = low; i <= high; i++) {
    if (elision >= 0) {
      // Skip a zero row when every row within `elision` of it (inside the shown range) is zero.
      const maxElide = Math.min(elision, nb);
      const from = Math.max(low, i - maxElide);
      const to = Math.min(high, i + maxElide);
      let elide = true;
      for (let k = from; k <= to; k++) if (at(k) !== 0n) elide = false;
      if (elide) {
        eliding = true;
        continue;
      }
      if (eliding) {
        out += padField('', valSpace) + ' ~\n';
        eliding = false;
      }
    }

    let val: bigint;
    let prefix = '';
    if (hist.kind === 'linear') {
      const start = BigInt(hist.start);
      const interval = BigInt(hist.interval);
      if (i === 0) {
        val = start;
        prefix = '<';
      } else if (i === nb - 1) {
        val = i64(start + BigInt(i - 2) * interval);
        prefix = '>';
      } else {
        val = i64(start + BigInt(i - 1) * interval);
      }
    } else {
      val = logBucketValue(i);
    }
    out += padField(prefix, valSpace - neededSpace(val)) + val.toString() + ' |';
    const count = at(i);
    const bar = Number(count / scale);
    out += '@'.repeat(bar);
    out += padField(count.toString(), width - bar + 1 + cntSpace) + '\n';
  }
  return out + '\n';
}

/**
 * sprint(@hist_*(s)): the same text written into a MAXSTRINGLEN buffer, so cut to
 * maxStringLen - 1 bytes.
 */
export function sprintHistogram(hist: HistSpec, agg: StatData | null, opts: HistPrintOptions & { maxStringLen?: number } = {}): string {
  return formatHistogram(hist, agg, opts).slice(0, (opts.maxStringLen ?? MAXSTRINGLEN) - 1);
}

/**
 * The number of buckets: `foreach (i in @hist_*(s))` visits every index 0 .. n-1, zero buckets
 * included (translate.cxx; maps/foreach_limit.exp: `limit 71` runs 71 iterations), and linear
 * histograms count their underflow and overflow buckets.
 */
export function histogramBucketCount(hist: HistSpec): number {
  return hist.buckets;
}

/**
 * @hist_log(s)[i] / @hist_linear(s, ...)[i]: the raw bucket count. For log histograms bucket 64
 * holds 0, 65 + k holds [2^k, 2^(k+1)), 63 - k holds (-2^(k+1), -2^k]; linear bucket 0 is the
 * underflow and bucket n-1 the overflow. Throws stap's "empty aggregate" or
 * "histogram index out of range".
 */
export function histogramBucket(hist: HistSpec, agg: StatData | null, index: bigint): bigint {
  if (agg === null || agg.count === 0n) throw new StapRuntimeError(EMPTY_AGGREGATE);
  if (index < 0n || index >= BigInt(hist.buckets)) throw new StapRuntimeError(HIST_INDEX_RANGE);
  return agg.histogram[Number(index)] ?? 0n;
}
