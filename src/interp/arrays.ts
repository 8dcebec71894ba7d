// Associative arrays: keys of 1..N longs/strings, insertion-ordered entries, MAXMAPENTRIES
// limits and `%` wrap-around (oldest entry evicted), and foreach ordering.

import type { Value } from './values.js';

export interface Entry<V> {
  keys: Value[];
  value: V;
}

/** A key tuple as one Map key: the value itself for one column, an unambiguous string otherwise. */
export function keyOf(keys: Value[]): Value | number {
  if (keys.length === 1) {
    // Small longs become JS numbers: V8 hashes those far faster than bigints.
    const k = keys[0]!;
    return typeof k === 'bigint' && k >= -0x1fffffffffffffn && k <= 0x1fffffffffffffn ? Number(k) : k;
  }
  let s = '';
  for (const k of keys) s += typeof k === 'bigint' ? `n${k}\u0000` : `s${k.length}:${k}\u0000`;
  return s;
}

export class ArrayFullError extends Error {}

export class StapArray<V> {
  readonly map = new Map<Value | number, Entry<V>>();

  constructor(readonly maxEntries: number, readonly wrap: boolean) {}

  get size(): number {
    return this.map.size;
  }

  get(keys: Value[]): Entry<V> | undefined {
    return this.map.get(keyOf(keys));
  }

  /** get() for a one-column array, without building a key tuple. */
  get1(k: Value): Entry<V> | undefined {
    return this.map.get(typeof k === 'bigint' && k >= -0x1fffffffffffffn && k <= 0x1fffffffffffffn ? Number(k) : k);
  }

  has(keys: Value[]): boolean {
    return this.map.has(keyOf(keys));
  }

  /** The entry for `keys`, created with `init()` if absent (may evict or throw when full). */
  slot(keys: Value[], init: () => V): Entry<V> {
    const k = keyOf(keys);
    let e = this.map.get(k);
    if (e) return e;
    if (this.map.size >= this.maxEntries) {
      if (!this.wrap) throw new ArrayFullError();
      const oldest = this.map.keys().next().value as Value | number;
      this.map.delete(oldest);
    }
    e = { keys: keys.slice(), value: init() };
    this.map.set(k, e);
    return e;
  }

  /** Makes `entries` (all of them, in this order) the iteration order. */
  reorder(entries: Entry<V>[]): void {
    const byEntry = new Map<Entry<V>, Value | number>();
    for (const [k, e] of this.map) byEntry.set(e, k);
    this.map.clear();
    for (const e of entries) this.map.set(byEntry.get(e)!, e);
  }

  delete(keys: Value[]): void {
    this.map.delete(keyOf(keys));
  }

  clear(): void {
    this.map.clear();
  }
}

/** Compares two values of one column: longs numerically, strings bytewise. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
