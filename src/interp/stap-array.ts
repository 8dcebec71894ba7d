// The interpreter's own associative arrays, kept as columns with their own hash table.

import { ArrayFullError, type ArrayStore, type Entry } from './arrays.js';
import { hashKey, hashKeys, hashString, sameKeys } from './key-hash.js';
import type { Value } from './values.js';

/** What StapArray hands out through the generic ArrayStore calls: a copy of one slot. */
interface SlotEntry<V> extends Entry<V> {
  readonly slot: number;
}

/** Hash table positions: a slot number, or one of these. */
const EMPTY = -1;
const GONE = -2;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/**
 * An array of longs moves its values into doubles once it has this many slots: that spares the
 * garbage collector a BigInt per entry of big arrays, while small ones (often counters updated
 * in hot loops) keep their BigInts and skip two conversions per update.
 */
const UNBOX_AT = 4096;

/**
 * Slot i holds one entry: its key (the key itself for one-column arrays, else the key tuple),
 * value and key hash, in columns. Values of a big array of longs are doubles in a Float64Array
 * (`nums`) while they fit 53 bits (nearly always): no BigInt object per entry either. Slots
 * are handed out in insertion order and never reused; an open-addressing table of slot
 * numbers (an Int32Array) finds a key's slot. So a 100k-entry
 * array is a few arrays, not 300k small objects for the garbage collector to copy, the table
 * holds no pointers (no write barriers, rehashing reads only the hash column), and a foreach
 * walks slot numbers.
 *
 * Deleting keeps the slot's key and value (only `live` changes): a running foreach, which
 * works on its own list of slots and on the columns it started with, sees what it would have
 * seen of a snapshot of entries. Dead slots are squeezed out when they outnumber live ones
 * and no foreach over the array is running; clear() starts new columns.
 */
export class StapArray<V> implements ArrayStore<V> {
  readonly isArray = true as const;
  /** Per slot: the key (one column) or key tuple. */
  keyCol: (Value | Value[])[] = [];
  /** Per slot: the value, unless `nums` holds the values. */
  valCol: V[] = [];
  /** Per slot of a big array of longs, while all its values fit 53 bits: the value. */
  nums: Float64Array | null = null;
  /** Whether `nums` may still take over the values. */
  private unboxable: boolean;
  /**
   * Bounds of every value stored in `nums` since it took over (a superset of the live ones'):
   * a sort by value needs no pass to find them.
   */
  numsLow = Infinity;
  numsHigh = -Infinity;
  private hashCol = new Int32Array(16);
  /** Per slot: 1 while the key is in the array. */
  private live = new Uint8Array(16);
  private table = new Int32Array(16).fill(EMPTY);
  /** Table positions not EMPTY. */
  private used = 0;
  private count = 0;
  private dead = 0;
  /**
   * The iteration order after a sorted foreach (stap sorts the array's list in place), with
   * later insertions appended; null means slot (insertion) order. May hold dead slots.
   */
  private order: number[] | null = null;
  /** Where to look for the oldest live entry (wrap-around eviction) in `order` or the slots. */
  private head = 0;
  /** Running foreach loops over this array: slots must keep their numbers meanwhile. */
  iterating = 0;
  /**
   * Changes whenever a slot may stop holding its entry (delete, clear, compaction): code that
   * looked a slot up, then ran arbitrary code, writes to it directly only if this is unchanged.
   */
  epoch = 0;

  constructor(
    readonly maxEntries: number,
    readonly wrap: boolean,
    readonly arity = 1,
    readonly longs = false,
    private readonly unboxAt = UNBOX_AT,
  ) {
    this.unboxable = longs;
  }

  get size(): number {
    return this.count;
  }

  keysAt(slot: number): Value[] {
    const k = this.keyCol[slot]!;
    return this.arity === 1 ? [k as Value] : (k as Value[]);
  }

  /** The value in slot `s`. */
  valueAt(s: number): V {
    const n = this.nums;
    return n !== null ? (BigInt(n[s]!) as V) : this.valCol[s]!;
  }

  /** Stores `v` in slot `s`; a long beyond 53 bits moves the values to `valCol` for good. */
  storeAt(s: number, v: V): void {
    const n = this.nums;
    if (n !== null) {
      const x = Number(v as bigint);
      // Exact: a long beyond 2^53 - 1 converts to at least 2^53 in magnitude.
      if (Math.abs(x) <= MAX_SAFE) {
        n[s] = x;
        if (x < this.numsLow) this.numsLow = x;
        if (x > this.numsHigh) this.numsHigh = x;
        return;
      }
      this.valCol = Array.from(n.subarray(0, this.keyCol.length), (d) => BigInt(d) as V);
      this.nums = null;
      this.unboxable = false;
    }
    this.valCol[s] = v;
  }

  // ---- finding keys -------------------------------------------------------------------------

  private hashOf(keys: Value[]): number {
    return this.arity === 1 ? hashKey(keys[0]!) : hashKeys(keys);
  }

  /** The slot of one-column key `k` with hash `h`, -1 if absent. */
  private probe1(k: Value, h: number): number {
    const t = this.table;
    const mask = t.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = t[i]!;
      if (s === EMPTY) return -1;
      if (s >= 0 && this.hashCol[s] === h && this.keyCol[s] === k) return s;
    }
  }

  /** The slot of `keys` with hash `h`, -1 if absent. */
  private probe(keys: Value[], h: number): number {
    if (this.arity === 1) return this.probe1(keys[0]!, h);
    const t = this.table;
    const mask = t.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = t[i]!;
      if (s === EMPTY) return -1;
      if (s >= 0 && this.hashCol[s] === h && sameKeys(this.keyCol[s] as Value[], keys)) return s;
    }
  }

  /** The slot of one-column key `k`, -1 when absent. */
  find1(k: Value): number {
    return this.probe1(k, hashKey(k));
  }

  // ---- value-level access (the compiled code's fast paths) ------------------------------

  /** `a[k]` of a one-column array, undefined when absent. */
  value1(k: Value): V | undefined {
    const s = this.probe1(k, hashKey(k));
    return s < 0 ? undefined : this.valueAt(s);
  }

  /** `a[k1, ...]`, undefined when absent. */
  valueOf(keys: Value[]): V | undefined {
    const s = this.probe(keys, this.hashOf(keys));
    return s < 0 ? undefined : this.valueAt(s);
  }

  /** `a[k1, ...] = value`; false when the array is full (and does not wrap). */
  put(keys: Value[], value: V): boolean {
    const h = this.hashOf(keys);
    const s = this.probe(keys, h);
    if (s >= 0) {
      this.storeAt(s, value);
      return true;
    }
    if (!this.makeRoom()) return false;
    this.append(this.arity === 1 ? keys[0]! : keys, h, value);
    return true;
  }

  /** `a[k] = value` for a one-column array; false when full (and not wrapping). */
  set1(k: Value, value: V): boolean {
    // The calls below spelled out where cheap: this runs for every `a[k] = v`, often before
    // V8 has optimized (and inlined) anything.
    const h = typeof k === 'string' ? hashString(k) : hashKey(k);
    const s = this.probe1(k, h);
    if (s >= 0) {
      this.storeAt(s, value);
      return true;
    }
    if (this.count >= this.maxEntries && !this.makeRoom()) return false;
    this.append(k, h, value);
    return true;
  }

  /** The value at `keys`, created with `init()` if absent; ArrayFullError when full. */
  valueOrCreate(keys: Value[], init: () => V): V {
    return this.valueAt(this.slotFor(keys, init));
  }

  /** The live slots in iteration order (a fresh list). */
  slots(): number[] {
    const out: number[] = new Array(this.count);
    let j = 0;
    if (this.order) {
      for (const s of this.order) if (this.live[s] === 1) out[j++] = s;
      if (this.order.length !== j) this.setOrder(out.slice());
      return out;
    }
    const n = this.keyCol.length;
    for (let s = 0; s < n; s++) if (this.live[s] === 1) out[j++] = s;
    return out;
  }

  /** Whether the iteration order is all slots 0..n-1: insertion order, nothing deleted. */
  inSlotOrder(): boolean {
    return this.order === null && this.dead === 0;
  }

  /** Makes `slots` (all live ones, in this order) the iteration order; the array keeps it. */
  setOrder(slots: number[]): void {
    this.order = slots;
    this.head = 0;
  }

  // ---- the generic ArrayStore calls --------------------------------------------------------

  private view(slot: number): SlotEntry<V> {
    return { keys: this.keysAt(slot), value: this.valueAt(slot), slot };
  }

  get(keys: Value[]): Entry<V> | undefined {
    const s = this.probe(keys, this.hashOf(keys));
    return s < 0 ? undefined : this.view(s);
  }

  get1(k: Value): Entry<V> | undefined {
    const s = this.probe1(k, hashKey(k));
    return s < 0 ? undefined : this.view(s);
  }

  has(keys: Value[]): boolean {
    return this.probe(keys, this.hashOf(keys)) >= 0;
  }

  slot(keys: Value[], init: () => V): Entry<V> {
    return this.view(this.slotFor(keys, init));
  }

  /** Writes a value changed in an entry from get/slot back to its slot. */
  store(entry: Entry<V>): void {
    const s = (entry as SlotEntry<V>).slot;
    if (this.live[s] === 1) this.storeAt(s, entry.value);
  }

  entries(): Entry<V>[] {
    return this.slots().map((s) => this.view(s));
  }

  /** Makes `entries` (all live ones, from entries(), in this order) the iteration order. */
  reorder(entries: Entry<V>[]): void {
    this.setOrder(entries.map((e) => (e as SlotEntry<V>).slot));
  }

  delete(keys: Value[]): void {
    const s = this.probe(keys, this.hashOf(keys));
    if (s >= 0) this.remove(s);
  }

  clear(): void {
    // New columns: a running foreach keeps walking the old ones, as over a snapshot.
    this.keyCol = [];
    this.valCol = [];
    this.nums = null;
    this.unboxable = this.longs;
    this.numsLow = Infinity;
    this.numsHigh = -Infinity;
    this.hashCol = new Int32Array(16);
    this.live = new Uint8Array(16);
    this.table = new Int32Array(16).fill(EMPTY);
    this.used = 0;
    this.count = 0;
    this.dead = 0;
    this.order = null;
    this.head = 0;
    this.epoch++;
  }

  // ---- slots and the table ------------------------------------------------------------------

  /** The slot of `keys`, created with `init()` if absent; ArrayFullError when full. */
  private slotFor(keys: Value[], init: () => V): number {
    const h = this.hashOf(keys);
    const s = this.probe(keys, h);
    if (s >= 0) return s;
    if (!this.makeRoom()) throw new ArrayFullError();
    return this.append(this.arity === 1 ? keys[0]! : keys, h, init()); // callers pass fresh tuples
  }

  /** Whether a new key fits, evicting the oldest entry of a wrapping array when full. */
  private makeRoom(): boolean {
    if (this.count < this.maxEntries) return true;
    if (!this.wrap) return false;
    const s = this.oldest();
    if (s >= 0) this.remove(s);
    return true;
  }

  /** The first live slot in iteration order, -1 if none. */
  private oldest(): number {
    const list = this.order;
    const n = list ? list.length : this.keyCol.length;
    while (this.head < n) {
      const s = list ? list[this.head]! : this.head;
      if (this.live[s] === 1) return s;
      this.head++;
    }
    return -1;
  }

  /** Moves the values into `nums`, if they all fit 53 bits (else they stay BigInts for good). */
  private unbox(): void {
    const n = this.keyCol.length;
    const nums = new Float64Array(this.live.length);
    for (let s = 0; s < n; s++) {
      const x = Number(this.valCol[s] as bigint);
      if (!(Math.abs(x) <= MAX_SAFE)) {
        this.unboxable = false;
        return;
      }
      nums[s] = x;
      if (x < this.numsLow) this.numsLow = x;
      if (x > this.numsHigh) this.numsHigh = x;
    }
    this.nums = nums;
    this.valCol = [];
  }

  private remove(s: number): void {
    const t = this.table;
    const mask = t.length - 1;
    let i = this.hashCol[s]! & mask;
    while (t[i] !== s) i = (i + 1) & mask;
    t[i] = GONE;
    this.live[s] = 0;
    this.count--;
    this.dead++;
    this.epoch++;
  }

  private append(key: Value | Value[], h: number, value: V): number {
    if (this.dead > 64 && this.dead * 2 > this.keyCol.length && this.iterating === 0) this.compact();
    if ((this.used + 1) * 2 > this.table.length) this.rehash();
    const s = this.keyCol.length;
    this.keyCol.push(key);
    if (s === this.live.length) {
      this.live = grow(this.live, new Uint8Array(s * 2));
      this.hashCol = grow(this.hashCol, new Int32Array(s * 2));
      if (this.nums) this.nums = grow(this.nums, new Float64Array(s * 2));
    }
    if (this.nums) this.storeAt(s, value);
    else {
      this.valCol.push(value);
      if (this.unboxable && s + 1 >= this.unboxAt && this.iterating === 0) this.unbox();
    }
    this.live[s] = 1;
    this.hashCol[s] = h;
    this.count++;
    this.order?.push(s);
    this.place(h, s);
    return s;
  }

  /** Puts slot `s` at the first free position of its probe sequence. */
  private place(h: number, s: number): void {
    const t = this.table;
    const mask = t.length - 1;
    let i = h & mask;
    while (t[i]! >= 0) i = (i + 1) & mask;
    if (t[i] === EMPTY) this.used++;
    t[i] = s;
  }

  /** A new table for the live slots, at most a quarter full (drops GONE positions). */
  private rehash(): void {
    let size = 16;
    while (size < (this.count + 1) * 4) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.used = 0;
    const n = this.keyCol.length;
    for (let s = 0; s < n; s++) if (this.live[s] === 1) this.place(this.hashCol[s]!, s);
  }

  /** Drops dead slots, renumbering the rest in the same order (new columns, as clear()). */
  private compact(): void {
    const n = this.keyCol.length;
    const renumber = new Int32Array(n).fill(-1);
    const keys: (Value | Value[])[] = [];
    const vals: V[] = [];
    const hashes = new Int32Array(Math.max(16, this.count * 2));
    const nums = this.nums ? new Float64Array(hashes.length) : null;
    for (let s = 0; s < n; s++) {
      if (this.live[s] !== 1) continue;
      renumber[s] = keys.length;
      hashes[keys.length] = this.hashCol[s]!;
      if (nums) nums[keys.length] = this.nums![s]!;
      else vals.push(this.valCol[s]!);
      keys.push(this.keyCol[s]!);
    }
    if (this.order) this.order = this.order.filter((s) => renumber[s]! >= 0).map((s) => renumber[s]!);
    this.keyCol = keys;
    this.valCol = vals;
    this.nums = nums;
    this.hashCol = hashes;
    this.live = new Uint8Array(hashes.length);
    this.live.fill(1, 0, keys.length);
    this.dead = 0;
    this.head = 0;
    this.epoch++;
    this.rehash();
  }
}

function grow<T extends Uint8Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
