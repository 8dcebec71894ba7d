// Where kernel handlers keep what matched(), matched_str() and ngroups() read: the last `=~`
// of each CPU (stap keeps it in the per-CPU probe context, so a handler sees the match of the
// one before it on that CPU), with the room the backtracker needs to find the groups. Planned
// once per script from every regex literal it has, so all handlers share one layout.

import type * as A from '../../parse/ast.js';
import type { Program } from '../../elaborate/model.js';
import { walk, type Node } from '../../parse/walk.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { compiledRegex } from '../../regex/compiled.js';
import type { RegexProgram } from '../../regex/program.js';
import { slotSize } from './kstrings.js';

export const GROUP_READERS = new Set(['matched', 'matched_str', 'ngroups']);

/** Byte offsets in a CPU's entry of the `regex` map. */
export interface RegexPlan {
  /** 1 after a successful match. */
  readonly result: number;
  /** The last regex's groups (group 0 included); 0 before any match. */
  readonly count: number;
  /** The subject's length, and the backtracker's registers while it runs. */
  readonly length: number;
  readonly pc: number;
  readonly pos: number;
  readonly start: number;
  readonly sp: number;
  /** 1 when the next step pops the stack. */
  readonly popping: number;
  /** Capture slots, one u64 each (-1: unset). */
  readonly caps: number;
  /** A copy of the subject (matched() cuts its groups out of it). */
  readonly subject: number;
  /** One bit per (instruction, position), rows of `length + 1` bits. */
  readonly visited: number;
  /** u32 entries (backtrack.ts packing). */
  readonly stack: number;
  readonly size: number;
  /** The largest program any literal has, and the stack entries it may need. */
  readonly maxInsns: number;
  readonly maxStack: number;
  readonly maxGroups: number;
}

/** Stack entries a program may hold at once: one per (fork or capture, position) visited, and the start job. */
export function stackEntries(p: RegexProgram, maxStringLen: number): number {
  const pushing = p.insns.filter((i) => i.op === 'split' || i.op === 'save').length;
  return pushing * maxStringLen + 1;
}

/** The plan, or null when no code of the script reads groups (then `=~` only decides). */
export function planRegexes(p: Program, maxStringLen: number): RegexPlan | null {
  let readsGroups = false;
  const programs: RegexProgram[] = [];
  const visit = (n: Node) => walk(n, (c) => {
    if (c.kind === 'functioncall' && GROUP_READERS.has(c.name) && p.bindings.calls.get(c)?.intrinsic) readsGroups = true;
    if (c.kind === 'regex_query') programs.push(compiledRegex(unescapeLiteral((c as A.RegexQuery).right.value)).program);
  });
  for (const probe of p.probes) {
    if (probe.condition) visit(probe.condition);
    visit(probe.body);
  }
  for (const f of p.functions) if (f.decl) visit(f.decl.body);
  if (!readsGroups || programs.length === 0) return null;
  const maxInsns = Math.max(...programs.map((x) => x.insns.length));
  const maxGroups = Math.max(...programs.map((x) => x.groups));
  const maxStack = Math.max(...programs.map((x) => stackEntries(x, maxStringLen)));
  const caps = 64;
  const subject = caps + 16 * maxGroups;
  const visited = subject + slotSize(maxStringLen);
  const stack = visited + Math.ceil((maxInsns * maxStringLen) / 64) * 8;
  const size = stack + Math.ceil(maxStack / 2) * 8;
  return {
    result: 0, count: 8, length: 16, pc: 24, pos: 32, start: 40, sp: 48, popping: 56,
    caps, subject, visited, stack, size, maxInsns, maxStack, maxGroups,
  };
}
