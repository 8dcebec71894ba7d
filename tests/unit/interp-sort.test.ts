// foreach sort orders: stable (ties keep iteration order) in both directions, for every path
// (counting sort for dense longs, packed doubles, comparator for wide longs and strings).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sortAllByValue, sortOrder, sortSlotsByValue } from '../../src/interp/sort.js';
import { compareValues } from '../../src/interp/arrays.js';
import type { Value } from '../../src/interp/values.js';

/** The reference: a stable comparator sort of positions. */
function reference(keys: Value[], dir: 1 | -1): number[] {
  return keys.map((_, i) => i).sort((a, b) => dir * compareValues(keys[a]!, keys[b]!) || a - b);
}

const SETS: Record<string, Value[]> = {
  dense: Array.from({ length: 3000 }, (_, i) => BigInt((i * 7919) % 1000) - 500n),
  sparse: Array.from({ length: 3000 }, (_, i) => BigInt(i % 7) * 10n ** 12n - BigInt(i % 3)),
  wide: Array.from({ length: 500 }, (_, i) => (i % 2 ? 2n ** 62n : -(2n ** 60n)) + BigInt(i % 5)),
  strings: Array.from({ length: 500 }, (_, i) => `k${(i * 31) % 97}`),
  empty: [],
};

test('sortOrder is a stable sort in both directions', () => {
  for (const [name, keys] of Object.entries(SETS)) {
    for (const dir of [1, -1] as const) assert.deepEqual(Array.from(sortOrder(keys, dir)), reference(keys, dir), `${name} ${dir}`);
  }
});

test('sortSlotsByValue orders slots by their values, stably', () => {
  for (const name of ['dense', 'sparse']) {
    const keys = SETS[name]! as bigint[];
    const nums = Float64Array.from(keys, Number);
    // Slots in some iteration order: every third one first.
    const slots = [...keys.keys()].sort((a, b) => (a % 3) - (b % 3) || a - b);
    for (const dir of [1, -1] as const) {
      const want = reference(slots.map((s) => keys[s]!), dir).map((i) => slots[i]!);
      assert.deepEqual(sortSlotsByValue(slots, nums, slots.length, dir), want, `${name} ${dir}`);
      const all = reference(keys, dir);
      assert.deepEqual(sortSlotsByValue(null, nums, keys.length, dir), all, `${name} ${dir}, all slots`);
      // Given bounds wider than the values, as a StapArray keeps them.
      const lo = Math.min(...nums) - 3;
      const hi = Math.max(...nums) + 2;
      const dense = sortAllByValue(nums, keys.length, lo, hi, dir);
      if (name === 'dense') assert.deepEqual(dense, all, `${name} ${dir}, bounds known`);
      else assert.equal(dense, null, 'a sparse range is left to the other sorts');
    }
  }
});
