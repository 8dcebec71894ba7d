// `foreach` over global arrays and statistics arrays in kernel handlers: bpf_loop iterations,
// each picking the next entry in stap's order with a bpf_for_each_map_elem selection pass.

import type * as A from '../../parse/ast.js';
import { R0, R1, R2, R3, R4, R6, R7, R9 } from '../insn.js';
import { KernelLayout, STAT_COUNT, STAT_MAX, STAT_MIN, STAT_SUM, type GlobalLoc } from './layout.js';
import { unsupported, ForeachState } from './shared.js';
import type { ForeachScratch } from './shared.js';
import type { ProbeGen } from './gen.js';

/** Scratch offsets and facts one foreach over a histogram's buckets shares with its iterations. */
interface HistLoopState {
  s: A.ForeachLoop;
  /** Buckets of the histogram: the iterations at most. */
  n: number;
  count: number; limit: number; index: number; value: number;
  /** The merged bucket counts (-1: no value variable wants them). */
  snap: number;
}

export const foreachMethods = {
  /**
   * `foreach` over a global array, in the kernel. Entries are visited in stap's order: by the
   * sort column (stable: ties by insertion number), else by insertion number (layout.ts). A
   * bpf_loop (Linux 5.17+) runs one iteration per visited entry; each iteration picks the next
   * entry with a selection pass of bpf_for_each_map_elem (5.13+) over the map, then runs the
   * body. The passes cost O(n) each, stap's sort O(n log n): both outside MAXACTION, as in stap.
   * Callbacks work on the handler's own frame (see `callback`), so locals are shared.
   * Entries inserted after the loop starts (insertion number past the counter read at the
   * start) are not visited, as the interpreter iterates a snapshot. A sorted loop over a whole
   * non-statistics array also renumbers every entry in the sorted order, since stap sorts the
   * array in place; entries the body did not get to (break, limit, an error) are renumbered by
   * a second loop without the body.
   */
  foreach(this: ProbeGen, s: A.ForeachLoop): void {
    const a = this.a;
    if (s.base.kind === 'hist_op') {
      this.foreachHist(s, s.base);
      return;
    }
    const loc = this.globalLoc(s.base);
    if (loc.kind !== 'array') throw unsupported('foreach over this value', s.tok);
    const isStats = loc.value === 'stats';
    const sortStr = s.sortDirection !== 0 && (s.sortColumn > 0
      ? loc.keyFields[s.sortColumn - 1]!.type === 'string' : loc.value === 'string');
    const f: ForeachState = {
      loc, s, isStats, sortStr,
      sortSize: s.sortDirection === 0 ? 0 : sortStr ? this.SLOT : 8,
      // Not inside another foreach over the same array: renumbered entries would look new to
      // the outer loop (past its floor) and end it.
      reorder: s.sortDirection !== 0 && s.arraySlice.length === 0 && !isStats && !this.foreachMaps.includes(loc.map),
      keyOffsets: KernelLayout.keyOffsets(loc.keyFields),
      ...this.foreachScratch(loc, s),
    };
    this.tick(1, s.tok);
    a.at(s.tok);
    // The slice's values and the limit, once, in the interpreter's order.
    s.arraySlice.forEach((x, i) => {
      if (!x) return;
      if (loc.keyFields[i]!.type === 'string') {
        // Compared with whole key fields: cleared in full, like a key.
        const src = this.str(x);
        this.ks.zero(R7, f.slice[i]!, this.SLOT);
        this.ks.copy(R7, f.slice[i]!, R7, src);
      } else {
        this.long(x);
        a.stxDW(R7, f.slice[i]!, R0);
      }
    });
    if (s.limit) this.long(s.limit);
    else a.mov64Imm(R0, -1);
    a.stxDW(R7, f.limit, R0);
    a.ldMapValue(R1, this.layout.seq, 0);
    a.ldxDW(R1, R1, 0);
    a.stxDW(R7, f.floor, R1);
    a.stDW(R7, f.havePrev, 0);
    const select = this.callback('elem', () => this.selectPass(f)).name;
    this.foreachMaps.push(loc.map);
    const iterate = this.callback('loop', () => this.foreachIteration(f, select));
    this.foreachMaps.pop();
    this.runLoop(loc.map.maxEntries + 1, iterate.name);
    if (f.reorder) {
      // The rest of the array, renumbered in order (the body saw only part of it).
      const drain = this.callback('loop', () => {
        this.nextEntry(f, select, this.fresh('drained'));
        this.a.mov64Imm(R0, 0);
        this.a.exit();
      });
      this.runLoop(loc.map.maxEntries + 1, drain.name, false);
    }
    this.dispatchEscapes(iterate.escaped);
  },

  /**
   * `foreach ([v =] i in @hist_log(s) limit n)` (or `@hist_linear`, `s[k]`), in the kernel, as the
   * interpreter's foreachHist: every bucket index 0 .. buckets-1 in order, empty buckets too; `v`
   * is the bucket's count. Sort directives mean nothing to the interpreter there and are
   * ignored alike. An array entry no CPU holds values for is stap's NULL aggregate: no
   * iteration, and the limit is not even evaluated. The counts come from one merged snapshot
   * taken as the loop starts (statistics.ts histSnapshot), so a `<<<` in the body into the
   * same statistic changes nothing the loop visits. The interpreter charges no action for the
   * loop itself (only the body's statements), and neither does this. A bpf_loop runs one
   * bucket per iteration; the body works on the handler's frame (see `callback`).
   */
  foreachHist(this: ProbeGen, s: A.ForeachLoop, h: A.HistOp): void {
    const a = this.a;
    a.at(s.tok);
    const { loc, keyOff } = this.statLoc(h.stat, 'this histogram', h.tok);
    const n = loc.stats.buckets;
    const st: HistLoopState = {
      s, n,
      count: this.scratch(8), limit: this.scratch(8), index: this.scratch(8), value: this.scratch(8),
      snap: s.value ? this.scratch(8 * n) : -1,
    };
    const end = this.fresh('hfend');
    // The merged count tells a NULL aggregate apart; a global statistic always has one.
    if (keyOff >= 0 || st.snap >= 0) this.histSnapshot(loc.map, keyOff, n, st.count, st.snap);
    if (keyOff >= 0) {
      a.ldxDW(R1, R7, st.count);
      a.jmpImm('jeq', R1, 0, end);
    }
    if (s.limit) this.long(s.limit);
    else a.mov64Imm(R0, -1);
    a.stxDW(R7, st.limit, R0);
    const iterate = this.callback('loop', () => this.histIteration(st));
    this.runLoop(n, iterate.name);
    this.dispatchEscapes(iterate.escaped);
    a.label(end);
  },

  /**
   * One bucket of a foreach over a histogram: R1 (bpf_loop's index) is the bucket; the
   * limit, the loop variables, the body.
   */
  histIteration(this: ProbeGen, st: HistLoopState): void {
    const a = this.a;
    const { s } = st;
    const stop = this.fresh('hfstop');
    a.stxDW(R7, st.index, R1);
    this.limitStep(st.limit, s.limit !== null, stop);
    this.assignFrom(s.indexes[0]!, st.index, false);
    if (s.value) {
      a.ldxDW(R2, R7, st.index);
      a.jmpImm('jge', R2, st.n, stop); // never taken: bounds the snapshot read for the verifier
      a.alu64Imm('lsh', R2, 3);
      a.alu64Reg('add', R2, R7);
      a.ldxDW(R1, R2, st.snap);
      a.stxDW(R7, st.value, R1);
      this.assignFrom(s.value, st.value, false);
    }
    const { cont, brk } = this.loopLabels('hf');
    this.loopBody(s.body, { cont, brk });
    a.label(cont);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(brk);
    a.label(stop);
    a.mov64Imm(R0, 1);
    a.exit();
  },

  /**
   * The limit of a foreach, at the top of an iteration: the count left at scratch `at`
   * (negative: no limit) is used up one per iteration; at 0 the loop goes to `stop`.
   */
  limitStep(this: ProbeGen, at: number, limited: boolean, stop: string): void {
    if (!limited) return;
    const a = this.a;
    const unlimited = this.fresh('nolimit');
    a.ldxDW(R1, R7, at);
    a.jmpImm('jslt', R1, 0, unlimited);
    a.jmpImm('jeq', R1, 0, stop);
    a.alu64Imm('sub', R1, 1);
    a.stxDW(R7, at, R1);
    a.label(unlimited);
  },

  /** Scratch for one foreach: the candidate, best and previous entries of a selection pass. */
  foreachScratch(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, s: A.ForeachLoop): ForeachScratch {
    const keySize = loc.map.keySize;
    const sortSize = s.sortDirection === 0 ? 8 : this.SLOT; // room enough either way
    const valSize = loc.value === 'string' ? this.SLOT : 8;
    return {
      keyCand: this.scratch(keySize), keyBest: this.scratch(keySize), valBest: this.scratch(valSize),
      sortCand: this.scratch(sortSize), sortBest: this.scratch(sortSize), sortPrev: this.scratch(sortSize),
      seqCand: this.scratch(8), seqBest: this.scratch(8), seqPrev: this.scratch(8),
      haveBest: this.scratch(8), havePrev: this.scratch(8), floor: this.scratch(8), limit: this.scratch(8),
      stats: this.scratch(40), // count, sum, min, max, insertion number of a statistic, merged
      slice: s.arraySlice.map((x, i) => (x ? this.scratch(loc.keyFields[i]!.type === 'string' ? this.SLOT : 8) : -1)),
    };
  },

  /**
   * bpf_loop(n, callback, the handler's frame, 0); `fresh`: with no escape pending (the drain
   * loop after a body keeps the body's).
   */
  runLoop(this: ProbeGen, n: number, fn: string, fresh = true): void {
    const a = this.a;
    if (fresh) a.stDW(this.fp, this.frame().escape, 0);
    const handOver = this.depth === 0 && this.actionsSlot !== 0;
    if (handOver) {
      this.copy(R7, this.callbackBudget, this.fp, this.actionsSlot, 8);
    }
    a.mov64Imm(R1, Math.min(n, 1 << 23));
    a.ldFunc(R2, fn);
    a.mov64Reg(R3, this.fp);
    a.mov64Imm(R4, 0);
    a.call('loop');
    if (handOver) this.copy(this.fp, this.actionsSlot, R7, this.callbackBudget, 8);
  },

  /**
   * Selects the next entry into the "best" slots (haveBest 0: none left), makes it the previous
   * one and, when the loop sorts in place, gives it its new insertion number. Jumps to `none`
   * when no entry is left (and then returns 1 from the callback).
   */
  nextEntry(this: ProbeGen, f: ForeachState, select: string, none: string): void {
    const a = this.a;
    a.stDW(R7, f.haveBest, 0);
    a.ldMapFd(R1, f.loc.map);
    a.ldFunc(R2, select);
    a.mov64Reg(R3, this.fp);
    a.mov64Imm(R4, 0);
    a.call('for_each_map_elem');
    const found = this.fresh('found');
    a.ldxDW(R1, R7, f.haveBest);
    a.jmpImm('jne', R1, 0, found);
    a.label(none);
    a.mov64Imm(R0, 1);
    a.exit();
    a.label(found);
    if (f.sortStr) this.ks.copy(R7, f.sortPrev, R7, f.sortBest);
    else if (f.sortSize) this.copy(R7, f.sortPrev, R7, f.sortBest, f.sortSize);
    this.copy(R7, f.seqPrev, R7, f.seqBest, 8);
    a.stDW(R7, f.havePrev, 1);
    if (f.reorder) {
      const gone = this.fresh('gone');
      this.lookupKey(f.loc.map, f.keyBest);
      a.jmpImm('jeq', R0, 0, gone);
      a.mov64Reg(R2, R0);
      this.nextSeq();
      a.stxDW(R2, f.loc.seqOffset, R0);
      a.label(gone);
    }
  },

  /** One bpf_loop iteration: the limit, the next entry, the loop variables, the body. */
  foreachIteration(this: ProbeGen, f: ForeachState, select: string): void {
    const a = this.a;
    const { s } = f;
    const stop = this.fresh('festop');
    this.limitStep(f.limit, s.limit !== null, stop);
    this.nextEntry(f, select, stop);
    s.indexes.forEach((ix, i) => {
      const field = f.loc.keyFields[i]!;
      this.assignFrom(ix, f.keyBest + f.keyOffsets[i]!, field.type === 'string');
    });
    if (s.value) {
      if (f.isStats) {
        a.mov64Imm(R1, 0);
        a.stxDW(R7, f.valBest, R1);
      }
      this.assignFrom(s.value, f.valBest, f.loc.value === 'string');
    }
    const { cont, brk } = this.loopLabels('fe');
    this.loopBody(s.body, { cont, brk });
    a.label(cont);
    this.tick(1, s.tok);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(brk);
    a.mov64Imm(R0, 1);
    a.exit();
  },

  /** A loop variable (local or scalar global) gets the long or string at scratch `off`. */
  assignFrom(this: ProbeGen, sym: A.SymbolExpr, off: number, isString: boolean): void {
    const v = this.varOf(sym);
    if (v.scope !== 'global') {
      if (isString) this.ks.copy(R7, this.stringLocals.get(v)!, R7, off);
      else this.copy(this.fp, this.localSlots.get(v)!, R7, off, 8);
      return;
    }
    const loc = this.globalLoc(sym);
    if (loc.kind !== 'scalar') throw unsupported('this foreach variable', sym.tok);
    if (isString) this.ks.copy(R9, loc.offset, R7, off);
    else this.copy(R9, loc.offset, R7, off, 8);
  },

  /**
   * The bpf_for_each_map_elem callback of a selection pass: the entry (R6 key, R9 value) becomes
   * the best so far if it comes after the previous one and before the best.
   */
  selectPass(this: ProbeGen, f: ForeachState): void {
    const a = this.a;
    const { loc, s } = f;
    const skip = this.fresh('skip');
    a.mov64Reg(R6, R2);
    a.mov64Reg(R9, R3);
    this.copyBytes(R7, f.keyCand, R6, 0, loc.map.keySize);
    if (f.isStats) this.mergeEntryStats(loc, f.keyCand, f.stats);
    else this.copy(R7, f.seqCand, R9, loc.seqOffset, 8);
    if (f.isStats) this.copy(R7, f.seqCand, R7, f.stats + 32, 8);
    a.ldxDW(R1, R7, f.seqCand);
    a.ldxDW(R2, R7, f.floor);
    a.jmpReg('jgt', R1, R2, skip); // inserted (or renumbered) since the loop started
    s.arraySlice.forEach((x, i) => {
      if (!x) return;
      const at = f.keyCand + f.keyOffsets[i]!;
      if (loc.keyFields[i]!.type === 'string') {
        const same = this.fresh('slice');
        this.ks.difference(R7, at, R7, f.slice[i]!, same);
        a.ja(skip);
        a.label(same);
      } else {
        a.ldxDW(R1, R7, at);
        a.ldxDW(R2, R7, f.slice[i]!);
        a.jmpReg('jne', R1, R2, skip);
      }
    });
    if (f.sortSize) {
      if (s.sortColumn > 0) this.copyValue(R7, f.sortCand, R7, f.keyCand + f.keyOffsets[s.sortColumn - 1]!, f.sortStr);
      else if (f.isStats) this.aggregateOf(f.stats, s.sortAggr ?? 'count', f.sortCand);
      else this.copyValue(R7, f.sortCand, R9, 0, f.sortStr);
    }
    const afterPrev = this.fresh('afterprev');
    a.ldxDW(R1, R7, f.havePrev);
    a.jmpImm('jeq', R1, 0, afterPrev);
    this.orderJump(f, f.sortPrev, f.seqPrev, afterPrev, skip);
    a.label(afterPrev);
    const take = this.fresh('take');
    a.ldxDW(R1, R7, f.haveBest);
    a.jmpImm('jeq', R1, 0, take);
    this.orderJump(f, f.sortBest, f.seqBest, skip, take);
    a.label(take);
    this.copyBytes(R7, f.keyBest, R7, f.keyCand, loc.map.keySize);
    if (f.sortSize) this.copyValue(R7, f.sortBest, R7, f.sortCand, f.sortStr);
    this.copy(R7, f.seqBest, R7, f.seqCand, 8);
    if (!f.isStats) this.copyValue(R7, f.valBest, R9, 0, loc.value === 'string');
    a.stDW(R7, f.haveBest, 1);
    a.label(skip);
    a.mov64Imm(R0, 0);
    a.exit();
  },

  /**
   * Jumps to `after` if the candidate comes after the entry whose sort value and insertion
   * number are at `sort` and `seq`, else to `before`: by the sort value in the loop's
   * direction (strings bytewise, as big-endian words), ties by insertion number.
   */
  orderJump(this: ProbeGen, f: ForeachState, sort: number, seq: number, after: string, before: string): void {
    const a = this.a;
    const asc = f.s.sortDirection > 0;
    const tie = this.fresh('tie');
    if (f.sortSize && !f.sortStr) {
      a.ldxDW(R1, R7, f.sortCand);
      a.ldxDW(R2, R7, sort);
      a.jmpReg(asc ? 'jsgt' : 'jslt', R1, R2, after);
      a.jmpReg(asc ? 'jslt' : 'jsgt', R1, R2, before);
    } else if (f.sortSize) {
      this.ks.difference(R7, f.sortCand, R7, sort, tie);
      a.jmpReg(asc ? 'jgt' : 'jlt', R1, R2, after);
      a.ja(before);
    }
    a.label(tie);
    a.ldxDW(R1, R7, f.seqCand);
    a.ldxDW(R2, R7, seq);
    a.jmpReg('jgt', R1, R2, after);
    a.ja(before);
  },

  /**
   * count, sum, min, max and insertion number of the statistic at key `keyOff`, every CPU's
   * copy merged (as statRead does), into the 40 scratch bytes at `out`.
   */
  mergeEntryStats(this: ProbeGen, loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, out: number): void {
    const a = this.a;
    for (let i = 0; i < 40; i += 8) a.stDW(R7, out + i, 0);
    const top = this.fresh('mcpu');
    const done = this.fresh('mdone');
    const next = this.fresh('mnext');
    const merge = this.fresh('mmerge');
    const nextCpu = this.percpuLoopHead(loc.map, keyOff, top, done);
    const keepSeq = this.fresh('mseq');
    a.ldxDW(R1, R0, loc.seqOffset);
    a.ldxDW(R2, R7, out + 32);
    a.jmpReg('jle', R1, R2, keepSeq);
    a.stxDW(R7, out + 32, R1);
    a.label(keepSeq);
    a.ldxDW(R1, R0, STAT_COUNT);
    a.jmpImm('jeq', R1, 0, next);
    a.ldxDW(R2, R7, out);
    a.jmpImm('jne', R2, 0, merge);
    // The first CPU with values sets min and max (R3: R1 holds the count).
    for (const at of [STAT_MIN, STAT_MAX]) {
      a.ldxDW(R3, R0, at);
      a.stxDW(R7, out + at - STAT_MIN + 16, R3);
    }
    a.label(merge);
    a.alu64Reg('add', R2, R1);
    a.stxDW(R7, out, R2);
    a.ldxDW(R2, R7, out + 8);
    a.ldxDW(R3, R0, STAT_SUM);
    a.alu64Reg('add', R2, R3);
    a.stxDW(R7, out + 8, R2);
    for (const [at, field, keep] of [[out + 16, STAT_MIN, 'jsge'], [out + 24, STAT_MAX, 'jsle']] as const) {
      const ok = this.fresh('mext');
      a.ldxDW(R2, R7, at);
      a.ldxDW(R3, R0, field);
      a.jmpReg(keep, R3, R2, ok);
      a.stxDW(R7, at, R3);
      a.label(ok);
    }
    a.label(next);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
  },

  /** The interpreter's aggregate of merged stats at `stats` for sorting (0 when empty). */
  aggregateOf(this: ProbeGen, stats: number, which: A.StatKind, out: number): void {
    const a = this.a;
    if (which === 'variance') throw unsupported('@variance', this.probe.tok);
    const field = { count: 0, sum: 8, min: 16, max: 24, avg: -1 }[which as 'count'];
    if (field >= 0 && (which === 'count' || which === 'sum')) {
      this.copy(R7, out, R7, stats + field, 8);
      return;
    }
    const empty = this.fresh('aggempty');
    const done = this.fresh('aggdone');
    a.ldxDW(R1, R7, stats);
    a.jmpImm('jeq', R1, 0, empty);
    if (which === 'avg') {
      a.ldxDW(R0, R7, stats + 8);
      a.alu64Reg('sdiv', R0, R1);
    } else a.ldxDW(R0, R7, stats + field);
    a.ja(done);
    a.label(empty);
    a.mov64Imm(R0, 0);
    a.label(done);
    a.stxDW(R7, out, R0);
  },
};

export type ForeachMethods = typeof foreachMethods;
