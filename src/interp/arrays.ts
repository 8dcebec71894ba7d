// Associative arrays: keys of 1..N longs/strings, insertion-ordered entries, MAXMAPENTRIES
// limits and `%` wrap-around (oldest entry evicted), and foreach ordering.

import type { Value } from './values.js';

export interface Entry<V> {
  keys: Value[];
  value: V;
  /** Set when deleted, so a kept sorted order can skip it. */
  dead?: boolean;
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

/**
 * What the interpreter needs of an associative array. StapArray keeps it in JS; the kernel
 * runtime supplies one backed by a BPF map for globals that kernel handlers share.
 */
export interface ArrayStore<V> {
  readonly isArray: true;
  readonly size: number;
  get(keys: Value[]): Entry<V> | undefined;
  get1(k: Value): Entry<V> | undefined;
  has(keys: Value[]): boolean;
  /** The entry for `keys`, created with `init()` if absent; ArrayFullError when full. */
  slot(keys: Value[], init: () => V): Entry<V>;
  /** Stores an existing or new entry's value (a store writes through to the backing map). */
  store?(entry: Entry<V>): void;
  /** `a[k] = value` for one-column arrays; false when full. */
  set1(k: Value, value: V): boolean;
  entries(): Entry<V>[];
  reorder(entries: Entry<V>[]): void;
  delete(keys: Value[]): void;
  clear(): void;
}

export class StapArray<V> implements ArrayStore<V> {
  readonly isArray = true as const;
  readonly map = new Map<Value | number, Entry<V>>();
  /**
   * The iteration order after a sorted foreach (stap sorts the array's list in place), with
   * later insertions appended; null means insertion order. Kept as a list so a sort does not
   * rebuild the hash table.
   */
  private order: Entry<V>[] | null = null;

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
      const first = this.entries()[0];
      if (first) this.delete(first.keys);
    }
    e = { keys, value: init() }; // callers pass a fresh key tuple
    this.map.set(k, e);
    this.order?.push(e);
    return e;
  }

  /**
   * `a[k] = value` for a one-column array: one key normalization and no tuple unless the
   * entry is new. Returns false when the array is full (and does not wrap).
   */
  set1(k: Value, value: V): boolean {
    const nk = typeof k === 'bigint' && k >= -0x1fffffffffffffn && k <= 0x1fffffffffffffn ? Number(k) : k;
    const e = this.map.get(nk);
    if (e) {
      e.value = value;
      return true;
    }
    if (this.map.size >= this.maxEntries) {
      if (!this.wrap) return false;
      const first = this.entries()[0];
      if (first) this.delete(first.keys);
    }
    const created: Entry<V> = { keys: [k], value };
    this.map.set(nk, created);
    this.order?.push(created);
    return true;
  }

  /** The entries in iteration order. */
  entries(): Entry<V>[] {
    if (!this.order) return [...this.map.values()];
    if (this.order.length !== this.map.size) this.order = this.order.filter((e) => !e.dead);
    return this.order.slice();
  }

  /** Makes `entries` (all live ones, in this order) the iteration order. */
  reorder(entries: Entry<V>[]): void {
    this.order = entries;
  }

  delete(keys: Value[]): void {
    const k = keyOf(keys);
    const e = this.map.get(k);
    if (!e) return;
    e.dead = true;
    this.map.delete(k);
  }

  clear(): void {
    for (const e of this.map.values()) e.dead = true;
    this.map.clear();
    this.order = null;
  }
}

/** Compares two values of one column: longs numerically, strings bytewise. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
