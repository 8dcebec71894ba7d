// Hashes of array keys for StapArray's own hash table. Equal keys (=== per column: longs by
// value, strings by content) hash equally; the table compares keys only when hashes match.

import type { Value } from './values.js';

/** FNV-1a over the string's bytes (latin1: one char per byte), then a final mix. */
export function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

/**
 * A long through its double: exact below 2^53, and above it equal longs still round to the
 * same double. Low and high 32-bit halves are mixed.
 */
function hashLong(k: bigint): number {
  const x = Number(k);
  return mix(Math.imul(x | 0, 0x9e3779b1) ^ ((x / 4294967296) | 0));
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

export function hashKey(k: Value): number {
  return typeof k === 'string' ? hashString(k) : hashLong(k);
}

export function hashKeys(keys: Value[]): number {
  let h = keys.length;
  for (let i = 0; i < keys.length; i++) h = Math.imul(h, 0x01000193) ^ hashKey(keys[i]!);
  return mix(h);
}

/** Whether two key tuples of one array are the same key. */
export function sameKeys(a: Value[], b: Value[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
