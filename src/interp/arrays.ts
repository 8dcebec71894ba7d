// Associative arrays: keys of 1..N longs/strings, insertion-ordered entries, MAXMAPENTRIES
// limits and `%` wrap-around (oldest entry evicted), and foreach ordering. The interpreter's
// own arrays are StapArray (stap-array.ts); this is the interface both back ends implement.

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

/** Compares two values of one column: longs numerically, strings bytewise. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
