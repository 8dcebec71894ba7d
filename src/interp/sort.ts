// The order of a sorted foreach: stable (ties keep iteration order), longs numerically,
// strings bytewise. A 100k-entry report sorts here, so longs avoid comparator calls.

import { compareValues } from './arrays.js';
import type { Value } from './values.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Positions 0..n-1 of `keys` in sorted order (`dir` 1 ascending, -1 descending). */
export function sortOrder(keys: Value[], dir: 1 | -1): ArrayLike<number> {
  const nums = asNumbers(keys);
  if (!nums) {
    const order = keys.map((_, i) => i);
    return order.sort((a, b) => dir * compareValues(keys[a]!, keys[b]!));
  }
  return sortNumbers(nums, dir);
}

/** sortOrder for longs already held as doubles (exact integers). */
export function sortNumbers(nums: Float64Array, dir: 1 | -1): ArrayLike<number> {
  const n = nums.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = nums[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const range = hi - lo + 1;
  if (n === 0 || range <= 4 * n + 1024) return countingSort(nums, lo, hi, dir);
  // Pack (key, position) into one double when it fits 53 bits: a native typed-array sort then
  // orders by key with ties by position, without a comparator call per pair.
  const shift = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  if (range * shift < 2 ** 53) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = (dir > 0 ? nums[i]! - lo : hi - nums[i]!) * shift + i;
    packed.sort();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = packed[i]!;
      out[i] = p - Math.floor(p / shift) * shift;
    }
    return out;
  }
  const order = Array.from(nums, (_, i) => i);
  return order.sort((a, b) => dir * (nums[a]! - nums[b]!));
}

/** The keys as doubles when all are longs that doubles hold exactly, else null. */
function asNumbers(keys: Value[]): Float64Array | null {
  const n = keys.length;
  const nums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (typeof k !== 'bigint') return null;
    const x = Number(k);
    // Exact: a long beyond 2^53 - 1 converts to at least 2^53 in magnitude.
    if (!(Math.abs(x) <= MAX_SAFE)) return null;
    nums[i] = x;
  }
  return nums;
}

/** A stable counting sort, for keys in a range not much larger than their number. */
function countingSort(nums: Float64Array, lo: number, hi: number, dir: 1 | -1): Int32Array {
  const n = nums.length;
  // Each key's rank in the range, in an Int32Array: integer indexes for the two passes.
  const rank = new Int32Array(n);
  if (dir > 0) for (let i = 0; i < n; i++) rank[i] = nums[i]! - lo;
  else for (let i = 0; i < n; i++) rank[i] = hi - nums[i]!;
  const starts = new Int32Array(n === 0 ? 1 : hi - lo + 2);
  for (let i = 0; i < n; i++) starts[rank[i]! + 1]++;
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[starts[rank[i]!]++] = i;
  return out;
}

/**
 * All slots 0..n-1 ordered by their values in `nums`, stable, given bounds of those values: a
 * counting sort in three passes when the range is dense (the report case), else null.
 */
export function sortAllByValue(nums: Float64Array, n: number, lo: number, hi: number, dir: 1 | -1): number[] | null {
  if (n === 0 || !(hi - lo + 1 <= 4 * n + 1024)) return null;
  const starts = new Int32Array(hi - lo + 2);
  if (dir > 0) for (let i = 0; i < n; i++) starts[nums[i]! - lo + 1]++;
  else for (let i = 0; i < n; i++) starts[hi - nums[i]! + 1]++;
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1]!;
  const out: number[] = new Array(n);
  if (dir > 0) for (let i = 0; i < n; i++) out[starts[nums[i]! - lo]++] = i;
  else for (let i = 0; i < n; i++) out[starts[hi - nums[i]!]++] = i;
  return out;
}

/**
 * `slots` ordered by their values in `nums` (a StapArray's longs as doubles), stable; null
 * `slots` means all slots 0..n-1 in order. The common report case, a sort by value, in a few
 * passes: no key list is built.
 */
export function sortSlotsByValue(slots: number[] | null, nums: Float64Array, n: number, dir: 1 | -1): number[] {
  // The values in list order: with all slots in order, the column itself.
  let vals = nums.subarray(0, n);
  if (slots !== null) {
    vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = nums[slots[i]!]!;
  }
  const order = sortNumbers(vals, dir);
  const out: number[] = new Array(n);
  if (slots === null) for (let i = 0; i < n; i++) out[i] = order[i]!;
  else for (let i = 0; i < n; i++) out[i] = slots[order[i]!]!;
  return out;
}
