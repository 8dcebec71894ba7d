// Statistics in kernel handlers: `<<<` into per-CPU aggregates (count, sum, min, max, stap's
// running variance, histogram buckets) and @count/@sum/@min/@max/@avg/@variance/@hist reads,
// every CPU's copy merged.

import { EMPTY_AGGREGATE, HIST_INDEX_RANGE } from '../../format/errors.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import type { Var } from '../../elaborate/model.js';
import { Assembler } from '../asm.js';
import { R0, R1, R2, R3, R4, R5, R7 } from '../insn.js';
import type { MapSpec } from '../spec.js';
import { STAT_AVGS, STAT_COUNT, STAT_HIST, STAT_M2, STAT_MAX, STAT_MIN, STAT_SUM, STAT_VARS, type GlobalLoc } from './layout.js';
import { ZERO_KEY, EXIT, unsupported, histSpecOf } from './shared.js';
import type { ProbeGen } from './gen.js';

export const statisticsMethods = {
  /**
   * The head of a loop over possible CPUs: R0 = the copy of the element at `keyOff` (-1: the
   * one-entry map's key 0) of the CPU counted in a stack slot, or on to `done` past the last
   * CPU or a missing element. Returns the tail (next CPU, back to the head); the caller frees
   * the slot (8 bytes) once past `done`. The counter lives in the frame, not a register, so
   * the loop also works inside callbacks, where every callee-saved register is taken.
   */
  percpuLoopHead(this: ProbeGen, map: MapSpec, keyOff: number, top: string, done: string): () => void {
    const a = this.a;
    const cpu = this.stack(8);
    a.stDW(this.fp, cpu, 0);
    a.label(top);
    a.ldxDW(R3, this.fp, cpu);
    a.jmpImm('jge', R3, this.layout.possibleCpus, done);
    a.ldMapFd(R1, map);
    if (keyOff < 0) {
      a.mov64Reg(R2, this.fp);
      a.alu64Imm('add', R2, ZERO_KEY);
    } else {
      a.mov64Reg(R2, R7);
      a.alu64Imm('add', R2, keyOff);
    }
    a.call('map_lookup_percpu_elem');
    a.jmpImm('jeq', R0, 0, done);
    return () => {
      a.ldxDW(R1, this.fp, cpu);
      a.alu64Imm('add', R1, 1);
      a.stxDW(this.fp, cpu, R1);
      a.ja(top);
    };
  },

  /**
   * `delete a` of a whole array (statistics arrays included): bpf_for_each_map_elem (5.13+)
   * with a callback deleting the entry it visits, which hash and per-CPU hash maps allow (the
   * element's link to the next one survives its deletion).
   */
  clearArray(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>): void {
    const a = this.a;
    let name = this.clearCallbacks.get(loc.map);
    if (!name) {
      // callback(map, key, value, ctx): the map pointer and the key go straight to the helper.
      name = this.fresh('clrcb');
      const cb = new Assembler<MapSpec, Token>();
      cb.at(a.currentSpan);
      cb.func(name);
      cb.call('map_delete_elem');
      cb.mov64Imm(R0, 0);
      cb.exit();
      this.subprogs.push(cb);
      this.clearCallbacks.set(loc.map, name);
    }
    a.ldMapFd(R1, loc.map);
    a.ldFunc(R2, name);
    a.mov64Imm(R3, 0);
    a.mov64Imm(R4, 0);
    a.call('for_each_map_elem');
  },

  /** `delete s` of a scalar statistic: every possible CPU's accumulator is zeroed. */
  clearStats(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'stats' }>): void {
    const a = this.a;
    const top = this.fresh('clr');
    const done = this.fresh('clrdone');
    const nextCpu = this.percpuLoopHead(loc.map, -1, top, done);
    for (let i = 0; i < loc.stats.size; i += 8) a.stDW(R0, i, 0);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
  },

  /**
   * @count/@sum/@min/@max/@avg read in a kernel handler: every possible CPU's accumulator is
   * fetched with map_lookup_percpu_elem (Linux 5.19+) and merged as the interpreter merges
   * them. @min/@max/@avg of an empty statistic are stap's "empty aggregate" error.
   */
  /** A statistic being read: its map and, for an array entry, the key built in scratch (else -1). */
  statLoc(this: ProbeGen, t: A.Expr, what: string, tok: Token): { loc: Exclude<GlobalLoc, { kind: 'scalar' }> & { stats: NonNullable<unknown> }; keyOff: number } {
    let loc: GlobalLoc;
    let keyOff = -1;
    if (t.kind === 'symbol') loc = this.globalLoc(t);
    else if (t.kind === 'arrayindex' && t.base.kind === 'symbol' && t.indexes.every((i) => i !== null)) {
      loc = this.globalLoc(t.base);
      if (loc.kind !== 'array') throw new Error('internal error');
      keyOff = this.key(loc, t.indexes as A.Expr[]);
    } else throw unsupported(what, tok);
    if (loc.kind === 'scalar' || !loc.stats) throw new Error('internal error: not a statistic');
    return { loc: loc as Exclude<GlobalLoc, { kind: 'scalar' }> & { stats: NonNullable<unknown> }, keyOff };
  },

  statRead(this: ProbeGen, e: A.StatOp): void {
    const a = this.a;
    const { loc, keyOff } = this.statLoc(e.stat, `@${e.ctype} of this statistic`, e.tok);
    if (e.ctype === 'variance') {
      this.statVariance(e, loc.map, keyOff, loc.var.varianceShift ?? 0);
      return;
    }
    const [cnt, sum, min, max] = [this.stack(8), this.stack(8), this.stack(8), this.stack(8)];
    for (const slot of [cnt, sum, min, max]) a.stDW(this.fp, slot, 0);
    const top = this.fresh('cpu');
    const next = this.fresh('cpunext');
    const done = this.fresh('cpudone');
    const merge = this.fresh('cpumerge');
    const nextCpu = this.percpuLoopHead(loc.map, keyOff, top, done); // no such element: an empty statistic
    a.ldxDW(R1, R0, STAT_COUNT);
    a.jmpImm('jeq', R1, 0, next);
    a.ldxDW(R2, this.fp, cnt);
    a.jmpImm('jne', R2, 0, merge);
    // The first CPU with values sets min and max.
    a.ldxDW(R3, R0, STAT_MIN);
    a.stxDW(this.fp, min, R3);
    a.ldxDW(R3, R0, STAT_MAX);
    a.stxDW(this.fp, max, R3);
    a.label(merge);
    a.alu64Reg('add', R2, R1);
    a.stxDW(this.fp, cnt, R2);
    a.ldxDW(R2, this.fp, sum);
    a.ldxDW(R3, R0, STAT_SUM);
    a.alu64Reg('add', R2, R3);
    a.stxDW(this.fp, sum, R2);
    // Keep the smaller min and the larger max (R0 = this CPU's accumulator).
    for (const [slot, field, keep] of [[min, STAT_MIN, 'jsge'], [max, STAT_MAX, 'jsle']] as const) {
      const ok = this.fresh('extreme');
      a.ldxDW(R2, this.fp, slot);
      a.ldxDW(R3, R0, field);
      a.jmpReg(keep, R3, R2, ok);
      a.stxDW(this.fp, slot, R3);
      a.label(ok);
    }
    a.label(next);
    nextCpu();
    a.label(done);
    a.at(e.tok);
    if (e.ctype === 'count' || e.ctype === 'sum') {
      a.ldxDW(R0, this.fp, e.ctype === 'count' ? cnt : sum);
    } else {
      const ok = this.fresh('nonempty');
      a.ldxDW(R1, this.fp, cnt);
      a.jmpImm('jne', R1, 0, ok);
      this.runtimeError(EMPTY_AGGREGATE, e.tok);
      a.label(ok);
      if (e.ctype === 'avg') {
        a.ldxDW(R0, this.fp, sum);
        a.alu64Reg('sdiv', R0, R1);
      } else a.ldxDW(R0, this.fp, e.ctype === 'min' ? min : max);
    }
    this.stackTop -= 40;
  },

  /**
   * @variance read in a kernel handler, with the interpreter's (stap's) arithmetic: a global
   * statistic combines every CPU's running variance with the total-variance formula around
   * the mean of all values (aggregateGlobal, two passes); an array entry folds the CPUs that
   * hold values into the first one pairwise, in CPU order (aggregateArrayEntry). R0 = result.
   */
  statVariance(this: ProbeGen, e: A.StatOp, map: MapSpec, keyOff: number, shift: number): void {
    const a = this.a;
    const [cnt, sum, avg, acc, old] = [this.stack(8), this.stack(8), this.stack(8), this.stack(8), this.stack(8)];
    for (const slot of [cnt, sum, avg, acc]) a.stDW(this.fp, slot, 0);
    /** R1 = R1 * R2 * R2, R2 kept. */
    const squareTimes = () => {
      a.alu64Reg('mul', R1, R2);
      a.alu64Reg('mul', R1, R2);
    };
    /** R3 += (count - 1) * variance_s of the accumulator at R0; clobbers R1, R2. */
    const addSpread = () => {
      a.ldxDW(R1, R0, STAT_COUNT);
      a.alu64Imm('sub', R1, 1);
      a.ldxDW(R2, R0, STAT_VARS);
      a.alu64Reg('mul', R1, R2);
      a.alu64Reg('add', R3, R1);
    };
    /** The mean of all values so far, scaled: sum << shift / count, into `avg`. */
    const mean = () => {
      a.ldxDW(R1, this.fp, sum);
      if (shift) a.alu64Imm('lsh', R1, shift);
      a.ldxDW(R2, this.fp, cnt);
      a.alu64Reg('sdiv', R1, R2);
      a.stxDW(this.fp, avg, R1);
    };
    /** count and sum += this CPU's (R0). */
    const addCountSum = () => {
      for (const [slot, field] of [[cnt, STAT_COUNT], [sum, STAT_SUM]] as const) {
        a.ldxDW(R2, this.fp, slot);
        a.ldxDW(R3, R0, field);
        a.alu64Reg('add', R2, R3);
        a.stxDW(this.fp, slot, R2);
      }
    };
    /** No values on any CPU: stap's "empty aggregate". */
    const nonEmpty = () => {
      const some = this.fresh('vsome');
      a.ldxDW(R1, this.fp, cnt);
      a.jmpImm('jne', R1, 0, some);
      a.at(e.tok);
      this.runtimeError(EMPTY_AGGREGATE, e.tok);
      a.label(some);
    };
    const pass = (body: () => void) => {
      const top = this.fresh('vcpu');
      const next = this.fresh('vnext');
      const done = this.fresh('vdone');
      const nextCpu = this.percpuLoopHead(map, keyOff, top, done);
      a.ldxDW(R1, R0, STAT_COUNT);
      a.jmpImm('jeq', R1, 0, next);
      body();
      a.label(next);
      nextCpu();
      a.label(done);
      this.stackTop -= 8;
    };
    if (keyOff < 0) {
      pass(addCountSum);
      nonEmpty();
      mean();
      pass(() => {
        // acc += count * d * d + (count - 1) * variance_s, d = this CPU's mean - the mean.
        a.ldxDW(R3, this.fp, acc);
        a.ldxDW(R2, R0, STAT_AVGS);
        a.ldxDW(R1, this.fp, avg);
        a.alu64Reg('sub', R2, R1);
        a.ldxDW(R1, R0, STAT_COUNT);
        squareTimes();
        a.alu64Reg('add', R3, R1);
        addSpread();
        a.stxDW(this.fp, acc, R3);
      });
      a.ldxDW(R0, this.fp, acc);
    } else {
      pass(() => {
        const merge = this.fresh('vmerge');
        const end = this.fresh('vend');
        a.ldxDW(R2, this.fp, cnt);
        a.jmpImm('jne', R2, 0, merge);
        // The first CPU with values: copied.
        for (const [slot, field] of [[cnt, STAT_COUNT], [sum, STAT_SUM], [avg, STAT_AVGS], [acc, STAT_VARS]] as const) {
          a.ldxDW(R3, R0, field);
          a.stxDW(this.fp, slot, R3);
        }
        a.ja(end);
        a.label(merge);
        // acc = (n1 d1² + (n1 - 1) v1 + n2 d2² + (n2 - 1) v2) / (n1 + n2 - 1) around the new mean.
        a.stxDW(this.fp, old, R2);
        addCountSum();
        a.ldxDW(R4, this.fp, avg); // the old mean
        a.mov64Reg(R5, R0);
        mean();
        a.mov64Reg(R0, R5);
        a.ldxDW(R3, this.fp, old);
        a.alu64Imm('sub', R3, 1);
        a.ldxDW(R1, this.fp, acc);
        a.alu64Reg('mul', R3, R1); // (n1 - 1) v1
        a.mov64Reg(R2, R4);
        a.ldxDW(R1, this.fp, avg);
        a.alu64Reg('sub', R2, R1);
        a.ldxDW(R1, this.fp, old);
        squareTimes();
        a.alu64Reg('add', R3, R1); // + n1 d1²
        a.ldxDW(R2, R0, STAT_AVGS);
        a.ldxDW(R1, this.fp, avg);
        a.alu64Reg('sub', R2, R1);
        a.ldxDW(R1, R0, STAT_COUNT);
        squareTimes();
        a.alu64Reg('add', R3, R1); // + n2 d2²
        addSpread(); // + (n2 - 1) v2
        a.ldxDW(R2, this.fp, cnt);
        a.alu64Imm('sub', R2, 1);
        a.alu64Reg('sdiv', R3, R2);
        a.stxDW(this.fp, acc, R3);
        a.label(end);
      });
      nonEmpty();
      a.ldxDW(R0, this.fp, acc);
      if ((2 * shift) & 63) a.alu64Imm('arsh', R0, (2 * shift) & 63);
      this.stackTop -= 40;
      return;
    }
    // The global statistic: variance_s = acc / (count - 1), unscaled.
    a.ldxDW(R1, this.fp, cnt);
    a.alu64Imm('sub', R1, 1);
    a.alu64Reg('sdiv', R0, R1);
    if ((2 * shift) & 63) a.alu64Imm('arsh', R0, (2 * shift) & 63);
    this.stackTop -= 40;
  },

  /**
   * `@hist_log(s)[i]` (`inOp`: `i in @hist_log(s)`) in a kernel handler: bucket i summed over
   * every CPU, as the interpreter's histBucket/histIn: an empty statistic is "empty aggregate",
   * an index out of range "histogram index out of range"; `in` is 1 for a nonempty bucket.
   */
  histRead(this: ProbeGen, h: A.HistOp, index: A.Expr, inOp: boolean): void {
    const a = this.a;
    const { loc, keyOff } = this.statLoc(h.stat, 'this histogram', h.tok);
    const buckets = loc.stats.buckets;
    const [idx, cnt, hits] = [this.stack(8), this.stack(8), this.stack(8)];
    this.long(index);
    a.stxDW(this.fp, idx, R0);
    a.stDW(this.fp, cnt, 0);
    a.stDW(this.fp, hits, 0);
    const top = this.fresh('hcpu');
    const next = this.fresh('hnext');
    const done = this.fresh('hdone');
    const nextCpu = this.percpuLoopHead(loc.map, keyOff, top, done);
    a.ldxDW(R1, this.fp, cnt);
    a.ldxDW(R2, R0, STAT_COUNT);
    a.alu64Reg('add', R1, R2);
    a.stxDW(this.fp, cnt, R1);
    a.ldxDW(R2, this.fp, idx);
    a.jmpImm('jge', R2, buckets, next); // unsigned: negative indexes too
    a.alu64Imm('lsh', R2, 3);
    a.alu64Reg('add', R0, R2);
    a.ldxDW(R2, R0, STAT_HIST);
    a.ldxDW(R1, this.fp, hits);
    a.alu64Reg('add', R1, R2);
    a.stxDW(this.fp, hits, R1);
    a.label(next);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
    a.at(h.tok);
    a.ldxDW(R2, this.fp, idx);
    if (inOp) {
      const no = this.fresh('hno');
      const end = this.fresh('hend');
      a.jmpImm('jge', R2, buckets, no);
      a.ldxDW(R1, this.fp, hits);
      a.jmpImm('jeq', R1, 0, no);
      a.mov64Imm(R0, 1);
      a.ja(end);
      a.label(no);
      a.mov64Imm(R0, 0);
      a.label(end);
    } else {
      const some = this.fresh('hsome');
      const inRange = this.fresh('hrange');
      a.ldxDW(R1, this.fp, cnt);
      a.jmpImm('jne', R1, 0, some);
      this.runtimeError(EMPTY_AGGREGATE, h.tok);
      a.label(some);
      a.jmpImm('jlt', R2, buckets, inRange);
      this.runtimeError(HIST_INDEX_RANGE, h.tok);
      a.label(inRange);
      a.ldxDW(R0, this.fp, hits);
    }
    this.stackTop -= 24;
  },

  /**
   * One reading of a statistic's histogram (`foreach` over its buckets): every CPU's copy
   * merged as the interpreter's aggregate merges them, CPUs without values skipped. The total
   * count goes to scratch `count` (0: no CPU holds values, or no such array entry) and, unless
   * `buckets` is -1, bucket i to the scratch word at `buckets + 8 * i` (`n` buckets). The adds
   * are unrolled (128 buckets at most): no loop for the verifier to follow but the CPUs'.
   */
  histSnapshot(this: ProbeGen, map: MapSpec, keyOff: number, n: number, count: number, buckets: number): void {
    const a = this.a;
    a.stDW(R7, count, 0);
    if (buckets >= 0) this.zeroScratch(buckets, 8 * n);
    const top = this.fresh('hscpu');
    const next = this.fresh('hsnext');
    const done = this.fresh('hsdone');
    const nextCpu = this.percpuLoopHead(map, keyOff, top, done);
    a.ldxDW(R1, R0, STAT_COUNT);
    a.jmpImm('jeq', R1, 0, next);
    a.ldxDW(R2, R7, count);
    a.alu64Reg('add', R2, R1);
    a.stxDW(R7, count, R2);
    for (let i = 0; buckets >= 0 && i < n; i++) {
      a.ldxDW(R1, R0, STAT_HIST + 8 * i);
      a.ldxDW(R2, R7, buckets + 8 * i);
      a.alu64Reg('add', R2, R1);
      a.stxDW(R7, buckets + 8 * i, R2);
    }
    a.label(next);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
  },

  statAdd(this: ProbeGen, e: A.AssignmentExpr): void {
    const a = this.a;
    const t = e.left;
    let loc: GlobalLoc;
    let keyOff = -1;
    if (t.kind === 'symbol') loc = this.globalLoc(t);
    else if (t.kind === 'arrayindex' && t.base.kind === 'symbol') {
      loc = this.globalLoc(t.base);
      if (loc.kind !== 'array') throw new Error('internal error');
      keyOff = this.key(loc, t.indexes as A.Expr[]);
    } else throw unsupported('this statistic', e.tok);
    if (loc.kind === 'scalar' || !loc.stats) throw new Error('internal error: not a statistic');
    const valSlot = this.stack(8);
    this.long(e.right);
    a.stxDW(this.fp, valSlot, R0);
    const got = this.fresh('stat');
    if (loc.kind === 'stats') {
      a.ldMapFd(R1, loc.map);
      a.mov64Reg(R2, this.fp);
      a.alu64Imm('add', R2, ZERO_KEY);
      a.call('map_lookup_elem');
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
    } else {
      this.lookupKey(loc.map, keyOff);
      a.jmpImm('jne', R0, 0, got);
      // First value for this key: insert zeroed per-CPU slots, then look it up once more
      // (straight-line: the verifier rejects retry loops).
      const zero = this.scratch(loc.stats.size + 8);
      this.zeroScratch(zero, loc.stats.size);
      this.nextSeq();
      a.stxDW(R7, zero + loc.seqOffset, R0);
      // Inserted by another CPU meanwhile is as good; full is the overflow error, or an
      // eviction in a `%` array (arrays.ts).
      const inserted = this.fresh('statins');
      this.updateMap(loc, keyOff, { base: R7, off: zero }, 1, t.kind === 'arrayindex' ? t.base.tok : e.tok, inserted);
      a.label(inserted);
      this.lookupKey(loc.map, keyOff);
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
    }
    a.label(got);
    // R0 = this CPU's stat_data; R1 = value.
    a.ldxDW(R1, this.fp, valSlot);
    const first = this.fresh('first');
    const minok = this.fresh('minok');
    const maxok = this.fresh('maxok');
    const hist = this.fresh('hist');
    a.ldxDW(R2, R0, STAT_COUNT);
    a.jmpImm('jeq', R2, 0, first);
    a.ldxDW(R3, R0, STAT_MIN);
    a.jmpReg('jsle', R3, R1, minok);
    a.stxDW(R0, STAT_MIN, R1);
    a.label(minok);
    a.ldxDW(R3, R0, STAT_MAX);
    a.jmpReg('jsge', R3, R1, maxok);
    a.stxDW(R0, STAT_MAX, R1);
    a.label(maxok);
    a.ldxDW(R3, R0, STAT_SUM);
    a.alu64Reg('add', R3, R1);
    a.stxDW(R0, STAT_SUM, R3);
    a.alu64Imm('add', R2, 1);
    a.stxDW(R0, STAT_COUNT, R2);
    const variance = loc.var.statOps.has('@variance');
    const shift = loc.var.varianceShift ?? 0;
    if (variance) this.welford(shift);
    a.ja(hist);
    a.label(first);
    a.stDW(R0, STAT_COUNT, 1);
    a.stxDW(R0, STAT_SUM, R1);
    a.stxDW(R0, STAT_MIN, R1);
    a.stxDW(R0, STAT_MAX, R1);
    if (variance) {
      a.mov64Reg(R3, R1);
      if (shift) a.alu64Imm('lsh', R3, shift);
      a.stxDW(R0, STAT_AVGS, R3);
      a.stDW(R0, STAT_M2, 0);
    }
    a.label(hist);
    if (loc.stats.buckets > 0) this.histBucket(loc.var, loc.stats.buckets);
    a.ldxDW(R0, this.fp, valSlot);
    this.stackTop -= 8;
  },

  /**
   * stap's running variance (__stp_stat_add, as the interpreter's statAdd): R0 = the stat_data,
   * R1 = the value, R2 = the count with it. `delta` is a C int there, hence the 32-bit cut.
   * Keeps R0 and R1.
   */
  welford(this: ProbeGen, shift: number): void {
    const a = this.a;
    a.mov64Reg(R3, R1);
    if (shift) a.alu64Imm('lsh', R3, shift); // scaled
    a.ldxDW(R5, R0, STAT_AVGS);
    a.mov64Reg(R4, R3);
    a.alu64Reg('sub', R4, R5);
    a.alu64Imm('lsh', R4, 32);
    a.alu64Imm('arsh', R4, 32); // delta
    const q = this.stack(8);
    a.mov64Reg(R5, R4);
    a.alu64Reg('sdiv', R5, R2);
    a.stxDW(this.fp, q, R5);
    a.ldxDW(R5, R0, STAT_AVGS);
    a.ldxDW(R2, this.fp, q);
    a.alu64Reg('add', R5, R2);
    a.stxDW(R0, STAT_AVGS, R5); // avg_s += delta / count
    a.alu64Reg('sub', R3, R5);
    a.alu64Reg('mul', R3, R4);
    a.ldxDW(R4, R0, STAT_M2);
    a.alu64Reg('add', R3, R4);
    a.stxDW(R0, STAT_M2, R3); // m2 += delta * (scaled - avg_s)
    a.ldxDW(R2, R0, STAT_COUNT);
    const few = this.fresh('var1');
    const set = this.fresh('varset');
    a.mov64Imm(R4, -1);
    a.jmpImm('jslt', R2, 2, few);
    a.alu64Imm('sub', R2, 1);
    a.mov64Reg(R4, R3);
    a.alu64Reg('sdiv', R4, R2);
    a.ja(set);
    a.label(few);
    a.label(set);
    a.stxDW(R0, STAT_VARS, R4); // variance_s = m2 / (count - 1)
    this.stackTop -= 8;
  },

  /** Increments the histogram bucket of R1 in the stat_data at R0 (log or linear). */
  histBucket(this: ProbeGen, v: Var, buckets: number): void {
    const a = this.a;
    const spec = histSpecOf(this.prog, v);
    a.mov64Reg(R5, R0);
    if (spec.kind === 'log') {
      // Bucket 64 for 0, 64 + bit length for v > 0, mirrored below 64 for v < 0.
      const neg = this.fresh('hneg');
      const len = this.fresh('hlen');
      const store = this.fresh('hstore');
      a.mov64Imm(R2, 64);
      a.jmpImm('jeq', R1, 0, store);
      a.mov64Reg(R3, R1);
      a.jmpImm('jsge', R1, 0, len);
      a.neg64(R3);
      a.label(len);
      // R4 = bit length of R3 (as unsigned), by halving.
      a.mov64Imm(R4, 0);
      for (const step of [32, 16, 8, 4, 2, 1]) {
        const skip = this.fresh('hb');
        a.mov64Reg(R0, R3);
        a.alu64Imm('rsh', R0, step);
        a.jmpImm('jeq', R0, 0, skip);
        a.mov64Reg(R3, R0);
        a.alu64Imm('add', R4, step);
        a.label(skip);
      }
      a.alu64Imm('add', R4, 1); // R3 is now 1: count it
      a.mov64Imm(R2, 64);
      a.alu64Reg('add', R2, R4);
      a.jmpImm('jsge', R1, 0, store);
      a.mov64Imm(R2, 128);
      a.alu64Reg('sub', R2, R2);
      a.mov64Imm(R2, 64);
      a.alu64Reg('sub', R2, R4);
      a.label(neg);
      a.label(store);
    } else if (spec.kind === 'linear') {
      // (v - start) / interval + 1, 0 below start, clamped to the overflow bucket.
      const under = this.fresh('hunder');
      const store = this.fresh('hstore');
      a.mov64Reg(R2, R1);
      a.ldImm64(R3, BigInt(spec.start));
      a.alu64Reg('sub', R2, R3);
      a.jmpImm('jslt', R2, 0, under);
      a.alu64Imm('div', R2, spec.interval);
      a.alu64Imm('add', R2, 1);
      a.ja(store);
      a.label(under);
      a.mov64Imm(R2, 0);
      a.label(store);
    }
    // Clamp for the verifier (and the overflow bucket).
    this.clampSigned(R2, 0, buckets - 1);
    a.alu64Imm('lsh', R2, 3);
    a.alu64Reg('add', R2, R5);
    a.ldxDW(R3, R2, STAT_HIST);
    a.alu64Imm('add', R3, 1);
    a.stxDW(R2, STAT_HIST, R3);
    a.mov64Reg(R0, R5);
  },
};

export type StatisticsMethods = typeof statisticsMethods;
