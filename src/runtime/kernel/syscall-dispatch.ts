// Many syscall probes (`syscall.*` is ~360 of them) share one attachment per direction: a tiny
// program on raw_syscalls:sys_enter (sys_exit) tail-calls the probe's own program through a
// program array indexed by the syscall number. Arming costs one perf event instead of
// hundreds, and so does ending the run (each closed tracepoint event waits for an RCU grace
// period, ~45 ms here). The probe programs need no change: syscalls:sys_enter_NAME records
// and raw_syscalls:sys_enter records have the same layout (the number at offset 8, arguments
// from 16; on exit the return value at 16), and both are BPF_PROG_TYPE_TRACEPOINT.

import { Assembler } from '../../bpf/asm.js';
import { R0, R1, R2, R3 } from '../../bpf/insn.js';
import { resolveRelocations } from '../../bpf/program.js';
import type { ProgramSpec } from '../../bpf/spec.js';
import { BPF_ANY, MapType, ProgType } from '../sys/bpf-const.js';
import { mapCreate, mapUpdate } from '../sys/bpf.js';
import { linkCreatePerfEvent } from '../sys/link.js';
import { progLoad } from '../sys/prog.js';
import type { SysApi } from '../sys/syscall.js';
import { readEventFormat } from '../meta/tracefs.js';
import { SYSCALL_NR_X86_64 } from '../meta/syscall-table.js';
import { openTracepointEvent } from './tracepoint.js';

/** Below this many syscall probes in one direction, each keeps its own tracepoint. */
export const DISPATCH_MIN = 8;
/** Program array size: every x86_64 syscall number fits. */
const MAX_NR = 512;

export interface Dispatched {
  /** Programs now reached through a dispatcher (not to be attached on their own). */
  programs: Set<ProgramSpec>;
  /** Descriptors to close at the end (maps, programs, perf events) and links to close first. */
  fds: number[];
  links: number[];
}

/**
 * Sets up the dispatchers for the syscall tracepoint programs among `progs` (x86_64 only).
 * A syscall with more than one program keeps its own attachments: a tail call reaches one.
 */
export function dispatchSyscalls(sys: SysApi, progs: Map<ProgramSpec, number>): Dispatched {
  const out: Dispatched = { programs: new Set(), fds: [], links: [] };
  if (process.arch !== 'x64') return out;
  for (const dir of ['enter', 'exit'] as const) {
    const byNr = new Map<number, [ProgramSpec, number][]>();
    for (const [p, fd] of progs) {
      if (p.attach.kind !== 'tracepoint' || p.attach.category !== 'syscalls' || !p.attach.name.startsWith(`sys_${dir}_`)) continue;
      const nr = SYSCALL_NR_X86_64[p.attach.name.slice(`sys_${dir}_`.length)];
      if (nr === undefined || nr >= MAX_NR) continue;
      byNr.set(nr, [...(byNr.get(nr) ?? []), [p, fd]]);
    }
    const single = [...byNr].filter(([, ps]) => ps.length === 1);
    if (single.length < DISPATCH_MIN) continue;
    const table = mapCreate(sys, { type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: MAX_NR, name: `sys_${dir}_progs` });
    out.fds.push(table.fd);
    const key = Buffer.alloc(4);
    const value = Buffer.alloc(4);
    for (const [nr, [[p, fd]]] of single as [number, [ProgramSpec, number][]][]) {
      key.writeUInt32LE(nr);
      value.writeUInt32LE(fd);
      mapUpdate(sys, table.fd, key, value, BPF_ANY);
      out.programs.add(p);
    }
    // Named like the probes' programs (tstap<pid>_...), so inventories of ours find it too.
    const prog = progLoad(sys, { type: ProgType.TRACEPOINT, insns: dispatcherCode(table.fd), name: `tstap${process.pid % 100000}_${dir === 'enter' ? 'se' : 'sx'}` });
    out.fds.push(prog);
    const perf = openTracepointEvent(sys, readEventFormat('raw_syscalls', `sys_${dir}`).id);
    out.fds.push(perf);
    out.links.push(linkCreatePerfEvent(sys, prog, perf));
  }
  return out;
}

/** tail_call(ctx, table, (u32) ctx->id); return 0 (a syscall without a program falls through). */
function dispatcherCode(tableFd: number): Buffer {
  const table = { name: 'table' };
  const a = new Assembler<typeof table, null>('dispatch');
  a.ldxW(R3, R1, 8);
  a.ldMapFd(R2, table);
  a.call('tail_call');
  a.mov64Imm(R0, 0);
  a.exit();
  return resolveRelocations(a.link(), { mapFd: () => tableFd, kfunc: () => ({ btfId: 0 }) });
}
