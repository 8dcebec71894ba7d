// Global associative arrays in kernel handlers: packed keys, element reads and updates (atomic
// `++`/`+=`), `in`, insertion numbers, `%` arrays evicting their oldest entry when full, and
// `delete` of elements and whole arrays.

import { arrayOverflowMessage } from '../../elaborate/runtime-messages.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { Assembler } from '../asm.js';
import { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, type Reg } from '../insn.js';
import type { MapSpec } from '../spec.js';
import { KernelLayout, type GlobalLoc } from './layout.js';
import { EXIT, unsupported } from './shared.js';
import type { ProbeGen } from './gen.js';

const EEXIST = 17;
const E2BIG = 7;
/**
 * Evictions one insert into a full `%` array may try, each but the last lost to another CPU's
 * insert (see `evictAndRetry`).
 */
const WRAP_TRIES = 64;
/**
 * The stack context of `evictAndRetry` and its callbacks: the lowest insertion number seen in
 * an eviction pass (-1: none yet), pointers to the victim's key (scratch), to the new key and
 * value, the insert's flags and the last insert's result.
 */
const WRAP_BEST = 0;
const WRAP_VICTIM = 8;
const WRAP_KEY = 16;
const WRAP_VALUE = 24;
const WRAP_FLAGS = 32;
const WRAP_RESULT = 40;
const WRAP_CTX = 48;

export const arraysMethods = {
  /**
   * `s = x`, `s .= x` on a string variable or array element; returns the scratch offset of the
   * value stored. An element's index expressions are evaluated once, before the value (as the
   * interpreter does).
   */
  stringAssignment(this: ProbeGen, e: A.AssignmentExpr): number {
    const target = e.left;
    if (e.op !== '=' && e.op !== '.=') throw unsupported(`${e.op} on strings`, e.tok);
    if (target.kind === 'arrayindex') {
      const loc = this.arrayOf(target);
      const key = this.key(loc, target.indexes as A.Expr[]);
      const src = e.op === '.=' ? this.concatOffsets(this.elementString(loc, key), this.str(e.right)) : this.str(e.right);
      const fresh = this.scratch(this.SLOT + 8);
      this.ks.store(R7, fresh, R7, src);
      this.storeElement(loc, key, { base: R7, off: fresh }, () => this.ks.store(R0, 0, R7, src), target.base.tok);
      return src;
    }
    if (target.kind === 'symbol' && this.varOf(target).scope !== 'global') {
      const slot = this.stringLocals.get(this.varOf(target))!;
      if (e.op === '.=') return this.appendToLocal(slot, e.right);
      this.storeString(slot, e.right);
      return slot;
    }
    const src = e.op === '.=' ? this.concat({ kind: 'concat', tok: e.tok, op: '.', left: target, right: e.right }) : this.str(e.right);
    if (target.kind === 'symbol') {
      const loc = this.globalLoc(target);
      if (loc.kind !== 'scalar') throw unsupported('this assignment', e.tok);
      this.ks.store(R9, loc.offset, R7, src);
      return src;
    }
    throw unsupported('this assignment', e.tok);
  },

  /** The string element at packed key `key` into a fresh slot; a missing element reads as "". */
  elementString(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, key: number): number {
    const a = this.a;
    const out = this.scratch(this.SLOT);
    this.ks.empty(R7, out);
    this.lookupKey(loc.map, key);
    const miss = this.fresh('smiss');
    a.jmpImm('jeq', R0, 0, miss);
    this.ks.copy(R7, out, R0, 0);
    a.label(miss);
    return out;
  },

  assignment(this: ProbeGen, e: A.AssignmentExpr): void {
    const a = this.a;
    if (e.op === '<<<') {
      this.statAdd(e);
      return;
    }
    const target = e.left;
    if (this.typeOf(target) === 'string') {
      this.stringAssignment(e);
      return;
    }
    const op = e.op === '=' ? null : e.op.slice(0, -1);
    if (target.kind === 'symbol') {
      const v = this.varOf(target);
      if (v.scope !== 'global') {
        const slot = this.localSlots.get(v)!;
        if (op) {
          this.binary({ kind: 'binary', tok: e.right.tok, op, left: target, right: e.right });
        } else {
          this.long(e.right);
        }
        a.stxDW(this.fp, slot, R0);
        return;
      }
      const loc = this.globalLoc(target);
      if (loc.kind !== 'scalar') throw unsupported('this assignment', e.tok);
      if (op === '+' || op === '-') {
        this.long(e.right);
        if (op === '-') a.neg64(R0);
        a.mov64Reg(R1, R0);
        a.atomic('fetch_add', 'dw', R9, loc.offset, R1);
        a.alu64Reg('add', R0, R1); // new value = delta + old
        return;
      }
      if (op) this.binary({ kind: 'binary', tok: e.right.tok, op, left: target, right: e.right });
      else this.long(e.right);
      a.stxDW(R9, loc.offset, R0);
      return;
    }
    if (target.kind === 'arrayindex' && target.base.kind === 'symbol') {
      this.updateElement(target, op, e.right, e.tok, false);
      return;
    }
    throw unsupported('this assignment', e.tok);
  },

  crement(this: ProbeGen, e: A.PreCrement | A.PostCrement): void {
    const delta: A.LiteralNumber = { kind: 'literal_number', tok: e.tok, value: e.op === '++' ? 1n : -1n };
    const t = e.operand;
    if (t.kind === 'arrayindex' && t.base.kind === 'symbol') {
      this.updateElement(t, '+', delta, e.tok, e.kind === 'post_crement');
      return;
    }
    this.assignment({ kind: 'assignment', tok: e.tok, op: '+=', left: t, right: delta });
    if (e.kind === 'post_crement') this.a.alu64Imm('sub', R0, Number(delta.value));
  },

  /** Builds the key of `loc` from `indexes` in a scratch slot; returns its offset. */
  key(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, indexes: A.Expr[]): number {
    const offsets = KernelLayout.keyOffsets(loc.keyFields);
    const size = loc.map.keySize;
    const off = this.scratch(size);
    indexes.forEach((ix, i) => {
      const at = off + offsets[i]!;
      if (loc.keyFields[i]!.type === 'long') {
        this.long(ix);
        this.a.stxDW(R7, at, R0);
      } else {
        // The kernel hashes and compares keys whole: the field is cleared, then the string.
        const s = this.str(ix);
        this.ks.zero(R7, at, this.SLOT);
        this.ks.store(R7, at, R7, s);
      }
    });
    return off;
  },

  lookupKey(this: ProbeGen, map: MapSpec, keyOff: number): void {
    const a = this.a;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, keyOff);
    a.call('map_lookup_elem');
  },

  arrayOf(this: ProbeGen, e: A.ArrayIndex): Extract<GlobalLoc, { kind: 'array' }> {
    if (e.base.kind !== 'symbol') throw unsupported('histogram buckets in a kernel probe', e.tok);
    const loc = this.globalLoc(e.base);
    if (loc.kind !== 'array') throw new Error('internal error: not an array');
    return loc;
  },

  readElement(this: ProbeGen, e: A.ArrayIndex): void {
    if (e.base.kind === 'hist_op') {
      this.histRead(e.base, e.indexes[0]!, false);
      return;
    }
    const loc = this.arrayOf(e);
    if (loc.value !== 'long') throw unsupported('reading this array in a kernel probe', e.tok);
    const key = this.key(loc, e.indexes as A.Expr[]);
    this.lookupKey(loc.map, key);
    const miss = this.fresh('miss');
    const a = this.a;
    a.jmpImm('jeq', R0, 0, miss);
    a.ldxDW(R0, R0, 0);
    a.label(miss);
  },

  arrayIn(this: ProbeGen, e: A.ArrayIn): void {
    if (e.operand.base.kind === 'hist_op') {
      this.histRead(e.operand.base, e.operand.indexes[0]!, true);
      return;
    }
    const loc = this.arrayOf(e.operand);
    if (e.operand.indexes.some((i) => i === null)) throw unsupported('wildcard `in`', e.tok);
    const key = this.key(loc, e.operand.indexes as A.Expr[]);
    this.lookupKey(loc.map, key);
    this.boolOf('jne', 0);
  },

  /**
   * `a[k] = v`, `a[k] op= v`, `a[k]++`: += and -= are atomic (fetch_add) on an existing entry;
   * a new entry is inserted with BPF_NOEXIST, retrying the atomic path if another CPU won.
   */
  updateElement(this: ProbeGen, t: A.ArrayIndex, op: string | null, rhs: A.Expr, tok: Token, post: boolean): void {
    const a = this.a;
    const loc = this.arrayOf(t);
    if (loc.value !== 'long') throw unsupported('this array update in a kernel probe', tok);
    const valSlot = this.stack(16); // the value, then its insertion number when it is new
    this.long(rhs);
    if (op === '-') a.neg64(R0);
    a.stxDW(this.fp, valSlot, R0);
    const key = this.key(loc, t.indexes as A.Expr[]);
    const done = this.fresh('upd');
    const insert = this.fresh('ins');
    if (op === '+' || op === '-') {
      // The verifier rejects retry loops, so the "another CPU inserted it first" path repeats
      // the lookup once, straight-line.
      const add = () => {
        a.ldxDW(R1, this.fp, valSlot);
        a.mov64Reg(R2, R1);
        a.atomic('fetch_add', 'dw', R0, 0, R1);
        // R1 = old value; the expression's value is new (or old for post-increment).
        a.mov64Reg(R0, R1);
        if (!post) a.alu64Reg('add', R0, R2);
        a.ja(done);
      };
      this.lookupKey(loc.map, key);
      a.jmpImm('jeq', R0, 0, insert);
      add();
      a.label(insert);
      const raced = this.fresh('raced');
      this.nextSeq();
      a.stxDW(this.fp, valSlot + 8, R0);
      this.updateMap(loc, key, { base: this.fp, off: valSlot }, 1, t.base.tok, raced);
      a.mov64Imm(R0, 0);
      if (!post) a.ldxDW(R0, this.fp, valSlot);
      a.ja(done);
      a.label(raced);
      this.lookupKey(loc.map, key);
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
      add();
      a.label(done);
    } else {
      if (op) {
        // Non-additive compound updates: read, combine, write back (not atomic, as in stap
        // without locking).
        this.lookupKey(loc.map, key);
        const miss = this.fresh('miss');
        a.mov64Imm(R1, 0);
        a.jmpImm('jeq', R0, 0, miss);
        a.ldxDW(R1, R0, 0);
        a.label(miss);
        const slot2 = valSlot;
        a.ldxDW(R2, this.fp, slot2);
        a.mov64Reg(R0, R1);
        a.mov64Reg(R1, R2);
        switch (op) {
          case '*': a.alu64Reg('mul', R0, R1); break;
          case '&': a.alu64Reg('and', R0, R1); break;
          case '|': a.alu64Reg('or', R0, R1); break;
          case '^': a.alu64Reg('xor', R0, R1); break;
          case '<<': a.alu64Imm('and', R1, 63); a.alu64Reg('lsh', R0, R1); break;
          case '>>': a.alu64Imm('and', R1, 63); a.alu64Reg('arsh', R0, R1); break;
          default: throw unsupported(`${op}= on array elements in a kernel probe`, tok);
        }
        a.stxDW(this.fp, valSlot, R0);
      }
      this.storeElement(loc, key, { base: this.fp, off: valSlot }, () => {
        a.ldxDW(R1, this.fp, valSlot);
        a.stxDW(R0, 0, R1);
      }, t.base.tok);
      a.ldxDW(R0, this.fp, valSlot);
    }
    this.stackTop -= 16;
  },

  /** R0 = a fresh insertion number (layout.ts); clobbers R1. */
  nextSeq(this: ProbeGen): void {
    const a = this.a;
    a.ldMapValue(R1, this.layout.seq, 0);
    a.mov64Imm(R0, 1);
    a.atomic('fetch_add', 'dw', R1, 0, R0);
    a.alu64Imm('add', R0, 1);
  },

  /**
   * Stores an element's value: an existing entry is written in place (`inPlace`, with R0 its
   * value) and keeps its insertion number; a new one is inserted from `fresh` (the whole value;
   * its insertion number is filled in here) with BPF_NOEXIST, and if another CPU inserted the
   * key first, written in place after all.
   */
  storeElement(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, fresh: { base: Reg; off: number },
    inPlace: () => void, tok: Token): void {
    const a = this.a;
    const insert = this.fresh('ins');
    const raced = this.fresh('raced');
    const done = this.fresh('stored');
    this.lookupKey(loc.map, keyOff);
    a.jmpImm('jeq', R0, 0, insert);
    inPlace();
    a.ja(done);
    a.label(insert);
    this.nextSeq();
    a.stxDW(fresh.base, fresh.off + loc.seqOffset, R0);
    this.updateMap(loc, keyOff, fresh, 1, tok, raced);
    a.ja(done);
    a.label(raced);
    this.lookupKey(loc.map, keyOff);
    a.jmpImm('jeq', R0, 0, done); // deleted again meanwhile: as if overwritten
    inPlace();
    a.label(done);
  },

  /**
   * map_update_elem(map, key, &value, flags). E2BIG (the map is full) is stap's array overflow
   * error, except in a `%` array, which makes room instead (`evictAndRetry`): the extra code
   * runs only once the map is full, the common path is the one helper call.
   */
  updateMap(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, value: { base: Reg; off: number },
    flags: number, tok: Token, onExists: string | null): void {
    const a = this.a;
    const ok = this.fresh('updok');
    this.emitUpdate(loc.map, keyOff, value, flags);
    a.jmpImm('jeq', R0, 0, ok);
    if (onExists) a.jmpImm('jeq', R0, -EEXIST, onExists); // another CPU inserted it first
    if (loc.var.wrap) this.evictAndRetry(loc, keyOff, value, flags, ok, onExists);
    this.runtimeError(arrayOverflowMessage(loc.var), tok);
    a.label(ok);
  },

  /** R0 = map_update_elem(map, key at R7+keyOff, &value, flags). */
  emitUpdate(this: ProbeGen, map: MapSpec, keyOff: number, value: { base: Reg; off: number }, flags: number): void {
    const a = this.a;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, keyOff);
    a.mov64Reg(R3, value.base);
    a.alu64Imm('add', R3, value.off);
    a.mov64Imm(R4, flags);
    a.call('map_update_elem');
  },

  /**
   * A `%` array refused a new key (R0 = the update's error): as in stap and the interpreter
   * (StapArray.makeRoom), the entry first in iteration order, the lowest insertion number, is
   * evicted, then the insert tried again (`wrapRetryCallback`). Without a lock, another CPU may
   * take the room first (E2BIG again) or evict the same entry (our delete finds nothing): each
   * lost race costs one more eviction, up to WRAP_TRIES in all (a bpf_loop, which the verifier
   * checks once however many), then the overflow error below. Other errors go there at once.
   */
  evictAndRetry(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, value: { base: Reg; off: number },
    flags: number, ok: string, onExists: string | null): void {
    const a = this.a;
    const fail = this.fresh('wrapfail');
    const ctx = this.stack(WRAP_CTX);
    const victim = this.scratch(loc.map.keySize);
    a.jmpImm('jne', R0, -E2BIG, fail);
    // The verifier refuses a stack pointer stored into a caller's frame (this code may run in a
    // foreach callback, on the handler's frame): a value on the stack goes to scratch first.
    let stored = value;
    if (value.base !== R7) {
      stored = { base: R7, off: this.scratch(loc.map.valueSize) };
      this.copyBytes(R7, stored.off, value.base, value.off, loc.map.valueSize);
    }
    for (const [at, base, off] of [[WRAP_VICTIM, R7, victim], [WRAP_KEY, R7, keyOff], [WRAP_VALUE, stored.base, stored.off]] as const) {
      a.mov64Reg(R1, base);
      a.alu64Imm('add', R1, off);
      a.stxDW(this.fp, ctx + at, R1);
    }
    a.stDW(this.fp, ctx + WRAP_FLAGS, flags);
    a.mov64Imm(R1, WRAP_TRIES);
    a.ldFunc(R2, this.wrapRetryCallback(loc));
    a.mov64Reg(R3, this.fp);
    a.alu64Imm('add', R3, ctx);
    a.mov64Imm(R4, 0);
    a.call('loop');
    a.ldxDW(R0, this.fp, ctx + WRAP_RESULT);
    a.jmpImm('jeq', R0, 0, ok);
    if (onExists) a.jmpImm('jeq', R0, -EEXIST, onExists);
    a.label(fail);
    this.stackTop -= WRAP_CTX;
  },

  /**
   * The callbacks of `evictAndRetry` for `loc`'s map (made once per handler; returns retry's
   * name), sharing its context on the stack (WRAP_*):
   * - retry, a bpf_loop step: an eviction pass over the map (`oldest`), the delete of the entry
   *   it found, the insert again; its result is kept, and the loop stops unless it is E2BIG.
   * - oldest, a bpf_for_each_map_elem step: an entry numbered lower than the best so far
   *   becomes the best, its key copied to the victim bytes. Copying at each improvement rather
   *   than deleting in a second pass: in a map filled in order but walked in hash order, the
   *   best improves about ln(n) times.
   */
  wrapRetryCallback(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>): string {
    const known = this.wrapCallbacks.get(loc.map);
    if (known) return known;
    const map = loc.map;
    const oldest = this.fresh('oldestcb');
    const retry = this.fresh('retrycb');
    const subprogram = (name: string, body: (cb: Assembler<MapSpec, Token>) => void) => {
      const cb = new Assembler<MapSpec, Token>();
      cb.at(this.a.currentSpan);
      cb.func(name);
      body(cb);
      this.subprogs.push(cb);
    };
    // retry(index R1, ctx R2)
    subprogram(retry, (cb) => {
      const insert = this.fresh('reinsert');
      const stop = this.fresh('retrystop');
      cb.mov64Reg(R6, R2);
      cb.stDW(R6, WRAP_BEST, -1);
      cb.ldMapFd(R1, map);
      cb.ldFunc(R2, oldest);
      cb.mov64Reg(R3, R6);
      cb.mov64Imm(R4, 0);
      cb.call('for_each_map_elem');
      cb.ldxDW(R1, R6, WRAP_BEST);
      cb.jmpImm('jeq', R1, -1, insert); // emptied meanwhile by other CPUs
      cb.ldMapFd(R1, map);
      cb.ldxDW(R2, R6, WRAP_VICTIM);
      cb.call('map_delete_elem'); // ENOENT: another CPU evicted it first; the insert tells
      cb.label(insert);
      cb.ldMapFd(R1, map);
      cb.ldxDW(R2, R6, WRAP_KEY);
      cb.ldxDW(R3, R6, WRAP_VALUE);
      cb.ldxDW(R4, R6, WRAP_FLAGS);
      cb.call('map_update_elem');
      cb.stxDW(R6, WRAP_RESULT, R0);
      cb.mov64Reg(R1, R0);
      cb.mov64Imm(R0, 1);
      cb.jmpImm('jne', R1, -E2BIG, stop);
      cb.mov64Imm(R0, 0);
      cb.label(stop);
      cb.exit();
    });
    // oldest(map R1, key R2, value R3, ctx R4)
    subprogram(oldest, (cb) => {
      const younger = this.fresh('younger');
      if (loc.value === 'stats') mergedSeq(cb, map, loc.seqOffset, this.layout.possibleCpus, (h) => this.fresh(h));
      else cb.ldxDW(R1, R3, loc.seqOffset);
      cb.ldxDW(R5, R4, WRAP_BEST);
      cb.jmpReg('jge', R1, R5, younger);
      cb.stxDW(R4, WRAP_BEST, R1);
      cb.ldxDW(R1, R4, WRAP_VICTIM);
      const size = map.keySize;
      if (size <= 64) {
        for (let i = 0; i < size; i += 8) {
          cb.ldxDW(R3, R2, i);
          cb.stxDW(R1, i, R3);
        }
      } else {
        // A key with string fields: one helper call rather than a long run of loads and stores.
        cb.mov64Reg(R3, R2);
        cb.mov64Imm(R2, size);
        cb.call('probe_read_kernel');
      }
      cb.label(younger);
      cb.mov64Imm(R0, 0);
      cb.exit();
    });
    this.wrapCallbacks.set(map, retry);
    return retry;
  },
};

/**
 * In an eviction pass over a statistics array (per-CPU values, `oldest` above): R1 = the entry's
 * insertion number, which only the copy of the CPU that inserted it holds (the others are 0),
 * so the largest of every possible CPU's (map_lookup_percpu_elem, Linux 5.19+); R2 and R4 are
 * kept, R3 is not. The for_each_map_elem step gives only this CPU's copy.
 */
function mergedSeq(cb: Assembler<MapSpec, Token>, map: MapSpec, seqOffset: number, cpus: number, fresh: (h: string) => string): void {
  const top = fresh('seqcpu');
  const next = fresh('seqnext');
  const done = fresh('seqdone');
  cb.mov64Reg(R6, R2); // key
  cb.mov64Reg(R8, R4); // ctx
  cb.mov64Imm(R7, 0); // the largest number so far
  cb.mov64Imm(R9, 0); // the CPU
  cb.label(top);
  cb.jmpImm('jge', R9, cpus, done);
  cb.ldMapFd(R1, map);
  cb.mov64Reg(R2, R6);
  cb.mov64Reg(R3, R9);
  cb.call('map_lookup_percpu_elem');
  cb.jmpImm('jeq', R0, 0, next);
  cb.ldxDW(R1, R0, seqOffset);
  cb.jmpReg('jle', R1, R7, next);
  cb.mov64Reg(R7, R1);
  cb.label(next);
  cb.alu64Imm('add', R9, 1);
  cb.ja(top);
  cb.label(done);
  cb.mov64Reg(R1, R7);
  cb.mov64Reg(R2, R6);
  cb.mov64Reg(R4, R8);
}

export type ArraysMethods = typeof arraysMethods;
