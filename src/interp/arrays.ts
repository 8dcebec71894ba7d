// Associative arrays: keys of 1..N longs/strings, insertion-ordered entries, MAXMAPENTRIES
// limits and `%` wrap-around (oldest entry evicted), and foreach ordering.

import type { Value } from './values.js';

export interface Entry<V> {
  keys: Value[];
  value: V;
}

/** A key tuple as one Map key: the value itself for one column, an unambiguous string otherwise. */
export function keyOf(keys: Value[]): Value {
  if (keys.length === 1) return keys[0]!;
  let s = '';
  for (const k of keys) s += typeof k === 'bigint' ? `n${k}\u0000` : `s${k.length}:${k}\u0000`;
  return s;
}

export class ArrayFullError extends Error {}

export class StapArray<V> {
  readonly map = new Map<Value, Entry<V>>();

  constructor(readonly maxEntries: number, readonly wrap: boolean) {}

  get size(): number {
    return this.map.size;
  }

  get(keys: Value[]): Entry<V> | undefined {
    return this.map.get(keyOf(keys));
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
      const oldest = this.map.keys().next().value as Value;
      this.map.delete(oldest);
    }
    e = { keys: keys.slice(), value: init() };
    this.map.set(k, e);
    return e;
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
