// Whether a string matches a regex, as a DFA: the subset construction over the program's
// instructions, searching (a match may start anywhere, so every step also restarts the
// program). Bytes that no set tells apart share one class; a state's flags say whether a match
// has ended (MATCHED), would end if the string ended here ($ satisfied: AT_END), or can no
// longer happen (DEAD). The kernel runs these tables in a loop over the string
// (bpf/codegen/regex.ts); the interpreter runs them in `dfaSearch`.

import type { RegexProgram } from './program.js';

export const MATCHED = 1;
export const AT_END = 2;
export const DEAD = 4;

export interface Dfa {
  /** Byte → class. NUL has a class of its own that no set contains. */
  readonly classOf: Uint8Array;
  readonly classes: number;
  /** next[state * classes + class]. State 0 is the start. */
  readonly next: Uint16Array;
  readonly flags: Uint8Array;
  readonly states: number;
}

/** More states than this and the regex is left to the backtracker (tables grow with it). */
export const MAX_DFA_STATES = 1024;

export class DfaTooLarge extends Error {}

function byteClasses(p: RegexProgram): { classOf: Uint8Array; classes: number } {
  const classOf = new Uint8Array(256);
  const seen = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    const sig = b === 0 ? 'nul' : p.sets.map((s) => s[b]).join('');
    let c = seen.get(sig);
    if (c === undefined) seen.set(sig, c = seen.size);
    classOf[b] = c;
  }
  return { classOf, classes: seen.size };
}

/**
 * The instructions reached from `pcs` without reading a byte: forks and captures followed,
 * `^` only at the start, `$` only when `atEnd`. Kept: byte tests, match, and (not at the
 * end) the `$` tests still waiting for the end.
 */
function closure(p: RegexProgram, pcs: Iterable<number>, atStart: boolean, atEnd: boolean): number[] {
  const seen = new Set<number>();
  const kept: number[] = [];
  const work = [...pcs];
  while (work.length > 0) {
    const pc = work.pop()!;
    if (seen.has(pc)) continue;
    seen.add(pc);
    const i = p.insns[pc]!;
    switch (i.op) {
      case 'split': work.push(i.x, i.y); break;
      case 'jmp': work.push(i.x); break;
      case 'save': work.push(pc + 1); break;
      case 'bol': if (atStart) work.push(pc + 1); break;
      case 'eol':
        if (atEnd) work.push(pc + 1);
        else kept.push(pc);
        break;
      default: kept.push(pc);
    }
  }
  return kept.sort((x, y) => x - y);
}

export function buildDfa(p: RegexProgram, maxStates = MAX_DFA_STATES): Dfa {
  const { classOf, classes } = byteClasses(p);
  const representative: number[] = [];
  for (let b = 255; b >= 0; b--) representative[classOf[b]!] = b;
  const sets: { pcs: number[]; atStart: boolean }[] = [];
  const ids = new Map<string, number>();
  const edges: number[] = [];
  const intern = (pcs: number[], atStart: boolean): number => {
    const key = `${atStart ? 's' : ''}${pcs.join(',')}`;
    let id = ids.get(key);
    if (id === undefined) {
      if (sets.length >= maxStates) throw new DfaTooLarge(`more than ${maxStates} DFA states`);
      id = sets.length;
      ids.set(key, id);
      sets.push({ pcs, atStart });
    }
    return id;
  };
  intern(closure(p, [0], true, false), true);
  for (let s = 0; s < sets.length; s++) {
    const { pcs } = sets[s]!;
    for (let c = 0; c < classes; c++) {
      const b = representative[c]!;
      const moved: number[] = [0];
      if (b !== 0) {
        for (const pc of pcs) {
          const i = p.insns[pc]!;
          if (i.op === 'byte' && p.sets[i.set]![b]) moved.push(pc + 1);
        }
      }
      edges[s * classes + c] = b === 0 ? s : intern(closure(p, moved, false, false), false);
    }
  }
  const states = sets.length;
  const flags = new Uint8Array(states);
  const isMatch = (pc: number) => p.insns[pc]!.op === 'match';
  sets.forEach(({ pcs, atStart }, s) => {
    if (pcs.some(isMatch)) flags[s]! |= MATCHED;
    if (closure(p, pcs, atStart, true).some(isMatch)) flags[s]! |= AT_END;
  });
  // DEAD: no flagged state reachable.
  const live = new Uint8Array(states);
  for (let s = 0; s < states; s++) if (flags[s]) live[s] = 1;
  for (let changed = true; changed;) {
    changed = false;
    for (let s = 0; s < states; s++) {
      if (live[s]) continue;
      for (let c = 0; c < classes; c++) {
        if (live[edges[s * classes + c]!]) {
          live[s] = 1;
          changed = true;
          break;
        }
      }
    }
  }
  for (let s = 0; s < states; s++) if (!live[s]) flags[s]! |= DEAD;
  return { classOf, classes, next: Uint16Array.from(edges), flags, states };
}

/** Whether `subject` matches (the loop the kernel runs, in JavaScript). */
export function dfaSearch(d: Dfa, subject: string): boolean {
  let s = 0;
  for (let k = 0; ; k++) {
    const f = d.flags[s]!;
    if (f & MATCHED) return true;
    if (f & DEAD) return false;
    if (k === subject.length) return (f & AT_END) !== 0;
    s = d.next[s * d.classes + d.classOf[subject.charCodeAt(k) & 0xff]!]!;
  }
}
