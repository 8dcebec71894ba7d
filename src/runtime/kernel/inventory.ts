// What BPF programs are loaded in the kernel right now (BPF_PROG_GET_NEXT_ID), by name: used to
// check that a run leaves nothing of its own behind.

import { bpfAttr, bpfTry } from '../sys/bpf.js';
import { progInfo } from '../sys/prog.js';
import type { SysApi } from '../sys/syscall.js';

const PROG_GET_NEXT_ID = 11;
const PROG_GET_FD_BY_ID = 13;

/** Names of all loaded BPF programs (those that vanish while listing are skipped). */
export function loadedProgramNames(sys: SysApi): string[] {
  const names: string[] = [];
  let id = 0;
  for (;;) {
    const next = bpfAttr(sys).u32(0, id);
    const r = bpfTry(sys, PROG_GET_NEXT_ID, next);
    if (r.ret < 0) break;
    id = next.buf.readUInt32LE(4);
    const fdr = bpfTry(sys, PROG_GET_FD_BY_ID, bpfAttr(sys).u32(0, id));
    if (fdr.ret < 0) continue;
    try {
      names.push(progInfo(sys, Number(fdr.ret)).name);
    } finally {
      sys.close(Number(fdr.ret));
    }
  }
  return names;
}
