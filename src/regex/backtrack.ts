// Where a regex matches and where its groups are: a backtracking run of the program that never
// tries the same (instruction, position) twice (RE2's "bit state"), so it takes at most
// instructions × (length + 1) steps. Start positions are tried left to right and, at each, the
// first path by priority wins: Perl's leftmost-first matching, not POSIX's leftmost-longest.
// The kernel's matcher (bpf/codegen/regex.ts) runs this same algorithm step for step, with the
// stack entries packed as below, so both give the same groups.

import type { RegexProgram } from './program.js';

/** A stack entry: resume at (pc, pos), or (RESTORE) put a capture slot's old value back. */
export const RESTORE = 0x80000000;
/** A capture slot not set, packed in 16 bits. */
export const UNSET16 = 0xffff;

/**
 * Capture positions after a match (slot 2g: group g's start, 2g + 1: its end, -1 when the group
 * took no part), or null when `subject` does not match.
 */
export function backtrack(p: RegexProgram, subject: string): Int32Array | null {
  const n = subject.length;
  const stride = n + 1;
  const visited = new Uint8Array(p.insns.length * stride);
  const caps = new Int32Array(2 * p.groups).fill(-1);
  const stack: number[] = [];
  for (let start = 0; start <= n; start++) {
    stack.push((0 << 16) | start);
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e & RESTORE) {
        const v = e & 0xffff;
        caps[(e >>> 16) & 0x7fff] = v === UNSET16 ? -1 : v;
        continue;
      }
      let pc = e >>> 16;
      let pos = e & 0xffff;
      for (;;) {
        const bit = pc * stride + pos;
        if (visited[bit]) break;
        visited[bit] = 1;
        const i = p.insns[pc]!;
        if (i.op === 'byte') {
          if (pos >= n || !p.sets[i.set]![subject.charCodeAt(pos) & 0xff]) break;
          pc++;
          pos++;
        } else if (i.op === 'split') {
          stack.push((i.y << 16) | pos);
          pc = i.x;
        } else if (i.op === 'jmp') pc = i.x;
        else if (i.op === 'save') {
          stack.push((RESTORE | (i.slot << 16) | (caps[i.slot]! & 0xffff)) >>> 0);
          caps[i.slot] = pos;
          pc++;
        } else if (i.op === 'bol') {
          if (pos !== 0) break;
          pc++;
        } else if (i.op === 'eol') {
          if (pos !== n) break;
          pc++;
        } else return caps;
      }
    }
  }
  return null;
}
