// Global associative arrays in kernel handlers: packed keys, element reads and updates (atomic
// `++`/`+=`), `in`, insertion numbers, and `delete` of elements and whole arrays.

import { arrayOverflowMessage } from '../../elaborate/runtime-messages.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { R0, R1, R2, R3, R4, R7, R9, type Reg } from '../insn.js';
import type { MapSpec } from '../spec.js';
import { KernelLayout, type GlobalLoc } from './layout.js';
import { EXIT, unsupported } from './shared.js';
import type { ProbeGen } from './gen.js';

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

  /** map_update_elem(map, key, &value, flags); E2BIG is stap's array overflow error. */
  updateMap(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, value: { base: Reg; off: number },
    flags: number, tok: Token, onExists: string | null): void {
    const a = this.a;
    const map = loc.map;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, keyOff);
    a.mov64Reg(R3, value.base);
    a.alu64Imm('add', R3, value.off);
    a.mov64Imm(R4, flags);
    a.call('map_update_elem');
    const ok = this.fresh('updok');
    a.jmpImm('jeq', R0, 0, ok);
    if (onExists) a.jmpImm('jeq', R0, -17, onExists); // EEXIST: another CPU inserted it first
    this.runtimeError(arrayOverflowMessage(loc.var), tok);
    a.label(ok);
  },
};

export type ArraysMethods = typeof arraysMethods;
