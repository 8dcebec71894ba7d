// A parsed regex as a small program of byte tests, forks and captures (a Thompson NFA in
// Pike's instruction form). Both matchers run it: the DFA (dfa.ts) decides whether a string
// matches, the backtracker (backtrack.ts) finds where and where each group is. A fork's first
// branch has priority, so repetition is greedy and alternatives are tried left to right.

import { parseRegex, type ByteSet, type ReNode } from './syntax.js';

export type Insn =
  /** One byte of sets[set], else fail. */
  | { op: 'byte'; set: number }
  /** Continue at x; on failure at y. */
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  /** Capture slot (2 * group for its start, + 1 for its end) = the position. */
  | { op: 'save'; slot: number }
  | { op: 'bol' }
  | { op: 'eol' }
  | { op: 'match' };

export interface RegexProgram {
  readonly insns: readonly Insn[];
  readonly sets: readonly ByteSet[];
  /** Groups including group 0 (what ngroups() returns after a match). */
  readonly groups: number;
}

class Emitter {
  readonly insns: Insn[] = [];
  readonly sets: ByteSet[] = [];
  private readonly setIndex = new Map<string, number>();

  emit(i: Insn): number {
    this.insns.push(i);
    return this.insns.length - 1;
  }

  set(s: ByteSet): number {
    const key = Buffer.from(s).toString('latin1');
    let n = this.setIndex.get(key);
    if (n === undefined) {
      n = this.sets.length;
      this.sets.push(s);
      this.setIndex.set(key, n);
    }
    return n;
  }

  node(n: ReNode): void {
    switch (n.kind) {
      case 'bytes': this.emit({ op: 'byte', set: this.set(n.set) }); return;
      case 'bol': this.emit({ op: 'bol' }); return;
      case 'eol': this.emit({ op: 'eol' }); return;
      case 'empty': return;
      case 'cat': for (const x of n.items) this.node(x); return;
      case 'group':
        this.emit({ op: 'save', slot: 2 * n.index });
        this.node(n.item);
        this.emit({ op: 'save', slot: 2 * n.index + 1 });
        return;
      case 'alt': {
        const ends: Insn[] = [];
        n.items.forEach((item, k) => {
          if (k === n.items.length - 1) {
            this.node(item);
            return;
          }
          const split: Insn & { op: 'split' } = { op: 'split', x: 0, y: 0 };
          this.emit(split);
          split.x = this.insns.length;
          this.node(item);
          const jmp: Insn & { op: 'jmp' } = { op: 'jmp', x: 0 };
          this.emit(jmp);
          ends.push(jmp);
          split.y = this.insns.length;
        });
        for (const j of ends) (j as { x: number }).x = this.insns.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) this.node(n.item);
        if (n.max === Infinity) {
          const split: Insn & { op: 'split' } = { op: 'split', x: 0, y: 0 };
          const top = this.emit(split);
          split.x = this.insns.length;
          this.node(n.item);
          this.emit({ op: 'jmp', x: top });
          split.y = this.insns.length;
          return;
        }
        // x{0,k}: k optional copies, each only tried after the one before matched.
        const splits: (Insn & { op: 'split' })[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split: Insn & { op: 'split' } = { op: 'split', x: 0, y: 0 };
          this.emit(split);
          split.x = this.insns.length;
          splits.push(split);
          this.node(n.item);
        }
        for (const s of splits) s.y = this.insns.length;
        return;
      }
    }
  }
}

/** Compiles a regex literal's bytes (throws RegexSyntaxError). */
export function compileRegex(src: string): RegexProgram {
  const parsed = parseRegex(src);
  const e = new Emitter();
  e.emit({ op: 'save', slot: 0 });
  e.node(parsed.root);
  e.emit({ op: 'save', slot: 1 });
  e.emit({ op: 'match' });
  return { insns: e.insns, sets: e.sets, groups: parsed.groups + 1 };
}
