// StapArray (columns + own hash table) against a plain insertion-ordered Map model: lookups,
// iteration order (also after a sort is kept), deletes, wrap-around eviction, limits, and the
// slot renumbering that drops deleted entries.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { StapArray } from '../../src/interp/stap-array.js';
import { ArrayFullError } from '../../src/interp/arrays.js';
import type { Value } from '../../src/interp/values.js';

/** A deterministic pseudo-random sequence (tests must not flake). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

const keyName = (keys: Value[]) => keys.map((k) => `${typeof k}:${k}`).join('|');

/** The model: stap's list of entries, sorted in place by a sorted foreach. */
class Model {
  list: { keys: Value[]; value: Value }[] = [];
  constructor(readonly max: number, readonly wrap: boolean) {}
  find(keys: Value[]) {
    return this.list.findIndex((e) => keyName(e.keys) === keyName(keys));
  }
  put(keys: Value[], value: Value): boolean {
    const i = this.find(keys);
    if (i >= 0) {
      this.list[i]!.value = value;
      return true;
    }
    if (this.list.length >= this.max) {
      if (!this.wrap) return false;
      this.list.shift();
    }
    this.list.push({ keys, value });
    return true;
  }
  delete(keys: Value[]) {
    const i = this.find(keys);
    if (i >= 0) this.list.splice(i, 1);
  }
}

function check(a: StapArray<Value>, m: Model, what: string) {
  assert.equal(a.size, m.list.length, what);
  assert.deepEqual(a.entries().map((e) => [keyName(e.keys), e.value]), m.list.map((e) => [keyName(e.keys), e.value]), what);
  for (const e of m.list) assert.equal(a.valueOf(e.keys), e.value, what);
  // Doubles: the kept bounds cover every live value (a sort by value relies on it).
  if (a.nums) for (const s of a.slots()) assert.ok(a.nums[s]! >= a.numsLow && a.nums[s]! <= a.numsHigh, what);
}

for (const arity of [1, 2]) {
  for (const [max, wrap, longs] of [[1000, false, false], [1000, false, true], [50, false, true], [50, true, true]] as const) {
    test(`random operations, ${arity} column(s), max ${max}${wrap ? ' %' : ''}${longs ? ', values as doubles' : ''}`, () => {
      const r = rng(arity * 1000 + max + (wrap ? 1 : 0) + (longs ? 2 : 0));
      // Values move to doubles at 8 slots here (4096 in real runs).
      const a = new StapArray<Value>(max, wrap, arity, longs, 8);
      const m = new Model(max, wrap);
      const key = (): Value[] => Array.from({ length: arity }, (_, i) => {
        const n = Math.floor(r() * 120);
        // Strings, small longs and longs beyond 2^53 (equal as bigints, not as doubles).
        return i === 0 && n % 3 === 0 ? `k${n}` : n % 3 === 1 ? 2n ** 60n + BigInt(n) : BigInt(n);
      });
      for (let step = 0; step < 4000; step++) {
        const x = r();
        const keys = key();
        // Late in the run a value beyond 53 bits moves the values out of the doubles.
        const value = step > 3000 && r() < 0.01 ? -(2n ** 62n) - BigInt(step) : BigInt(step);
        if (x < 0.5) assert.equal(a.put([...keys], value), m.put(keys, value));
        else if (x < 0.8) {
          a.delete(keys);
          m.delete(keys);
        } else if (x < 0.95) assert.equal(a.has(keys), m.find(keys) >= 0);
        else if (x < 0.98) {
          // A sorted foreach keeps its order: by value, descending, ties in list order.
          const slots = a.slots();
          const sorted = slots.map((s, i) => ({ s, i, v: a.valueAt(s) as bigint })).sort((p, q) => (q.v > p.v ? 1 : q.v < p.v ? -1 : p.i - q.i));
          a.setOrder(sorted.map((e) => e.s));
          m.list = m.list.map((e, i) => ({ e, i })).sort((p, q) => ((q.e.value as bigint) > (p.e.value as bigint) ? 1 : (q.e.value as bigint) < (p.e.value as bigint) ? -1 : p.i - q.i)).map((p) => p.e);
        } else {
          a.clear();
          m.list = [];
        }
        if (step % 97 === 0) check(a, m, `step ${step}`);
      }
      check(a, m, 'end');
    });
  }
}

test('values move into doubles and back out exactly', () => {
  const a = new StapArray<Value>(100, false, 1, true, 4);
  for (let i = 0; i < 6; i++) a.set1(`k${i}`, BigInt(-i * 1000));
  assert.ok(a.nums !== null, 'unboxed');
  a.set1('k2', 2n ** 53n - 1n);
  assert.ok(a.nums !== null, '2^53 - 1 still fits');
  a.set1('k3', -(2n ** 53n));
  assert.equal(a.nums, null, '2^53 does not');
  assert.deepEqual(a.entries().map((e) => e.value), [0n, -1000n, 2n ** 53n - 1n, -(2n ** 53n), -4000n, -5000n]);
  const b = new StapArray<Value>(100, false, 1, true, 4);
  b.set1('big', 2n ** 60n);
  for (let i = 0; i < 6; i++) b.set1(`k${i}`, 1n);
  assert.equal(b.nums, null, 'a value beyond 53 bits keeps BigInts');
  assert.equal(b.value1('big'), 2n ** 60n);
});

test('a full array refuses new keys but updates existing ones', () => {
  const a = new StapArray<Value>(2, false);
  assert.ok(a.set1('a', 1n) && a.set1('b', 2n));
  assert.equal(a.set1('c', 3n), false);
  assert.ok(a.set1('a', 5n));
  assert.throws(() => a.valueOrCreate(['c'], () => 0n), ArrayFullError);
  assert.equal(a.value1('a'), 5n);
});

test('deleted entries keep their slot for a running foreach, then get squeezed out', () => {
  const a = new StapArray<Value>(100000, false);
  for (let i = 0; i < 1000; i++) a.set1(BigInt(i), BigInt(i * 2));
  const slots = a.slots();
  const keys = a.keyCol;
  a.iterating++;
  for (let i = 0; i < 900; i++) a.delete([BigInt(i)]);
  for (let i = 1000; i < 1100; i++) a.set1(BigInt(i), 0n);
  // No renumbering while iterating: the loop's slots still name its entries.
  assert.equal(keys[slots[950]!], 950n);
  assert.equal(a.valueAt(slots[950]!), 1900n);
  a.iterating--;
  for (let i = 1100; i < 1200; i++) a.set1(BigInt(i), 0n);
  assert.ok(a.keyCol.length < 1000, 'renumbered');
  assert.deepEqual(a.entries().map((e) => e.keys[0]), Array.from({ length: 300 }, (_, i) => BigInt(900 + i)));
  assert.equal(a.value1(950n), 1900n);
});
