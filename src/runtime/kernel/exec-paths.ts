// Which file each process last exec'd, kept by the kernel for print_ubacktrace(): a small program
// on sched:sched_process_exec writes (time, filename) into an LRU hash map keyed by pid. User
// space reads it when it formats a stack, however long after the process exited, to find the
// executable that a short-lived process (one never seen alive in /proc) was running
// (runtime/meta/ustack.ts).

import { Assembler } from '../../bpf/asm.js';
import { R0, R1, R2, R3, R4, R6, FP } from '../../bpf/insn.js';
import { resolveRelocations } from '../../bpf/program.js';
import { BPF_ANY, MapType, ProgType } from '../sys/bpf-const.js';
import { mapCreate, mapLookup } from '../sys/bpf.js';
import { linkCreatePerfEvent } from '../sys/link.js';
import { progLoad } from '../sys/prog.js';
import type { SysApi } from '../sys/syscall.js';
import { readEventFormat } from '../meta/tracefs.js';
import { openTracepointEvent } from './tracepoint.js';

/** Bytes of a path kept (bprm->filename as exec got it; longer ones are cut). */
const PATH_MAX = 256;
/** Processes remembered; the least recently exec'd are forgotten first. */
const ENTRIES = 16384;
const VALUE_SIZE = 8 + PATH_MAX;

export interface ExecRecord {
  /** CLOCK_MONOTONIC nanoseconds of the exec (bpf_ktime_get_ns, as print_ubacktrace records). */
  readonly time: bigint;
  /** The file name given to execve: absolute, or relative to the process's directory then. */
  readonly path: string;
}

export class ExecPaths {
  /** Descriptors to close at the end (map, program, perf event) and the link, to close first. */
  readonly fds: number[] = [];
  readonly links: number[] = [];
  private readonly mapFd: number;
  private readonly key = Buffer.alloc(4);
  private readonly value = Buffer.alloc(VALUE_SIZE);

  private constructor(private readonly sys: SysApi, mapFd: number) {
    this.mapFd = mapFd;
    this.fds.push(mapFd);
  }

  /**
   * Creates the map, loads and attaches the program; null where the kernel cannot (stacks are
   * then symbolized without exec paths).
   */
  static attach(sys: SysApi): ExecPaths | null {
    let self: ExecPaths | null = null;
    try {
      const map = mapCreate(sys, { type: MapType.LRU_HASH, keySize: 4, valueSize: VALUE_SIZE, maxEntries: ENTRIES, name: 'exec_paths' });
      self = new ExecPaths(sys, map.fd);
      const format = readEventFormat('sched', 'sched_process_exec');
      const filename = format.fields.find((f) => f.name === 'filename');
      if (!filename) throw new Error('sched:sched_process_exec has no filename field');
      const prog = progLoad(sys, { type: ProgType.TRACEPOINT, insns: code(map.fd, filename.offset), name: `tstap${process.pid % 100000}_ex` });
      self.fds.push(prog);
      const perf = openTracepointEvent(sys, format.id);
      self.fds.push(perf);
      self.links.push(linkCreatePerfEvent(sys, prog, perf));
      return self;
    } catch {
      for (const fd of [...(self?.links ?? []), ...(self?.fds ?? [])]) sys.close(fd);
      return null;
    }
  }

  /** The last exec of `pid` the kernel saw since the session started. */
  lookup(pid: number): ExecRecord | undefined {
    this.key.writeUInt32LE(pid);
    if (!mapLookup(this.sys, this.mapFd, this.key, this.value)) return undefined;
    const end = this.value.indexOf(0, 8);
    return { time: this.value.readBigUInt64LE(0), path: this.value.toString('latin1', 8, end < 0 ? VALUE_SIZE : end) };
  }
}

// key = tgid; value = { ktime_get_ns(), filename }; map[key] = value.
function code(mapFd: number, filenameOffset: number): Buffer {
  const map = { name: 'exec_paths' };
  const a = new Assembler<typeof map, null>('exec_paths');
  const keyAt = -4;
  const valueAt = -4 - 4 - VALUE_SIZE;
  a.mov64Reg(R6, R1);
  a.call('get_current_pid_tgid');
  a.alu64Imm('rsh', R0, 32);
  a.stxW(FP, keyAt, R0);
  a.call('ktime_get_ns');
  a.stxDW(FP, valueAt, R0);
  // The string's place: __data_loc, its offset in the low 16 bits.
  a.ldxW(R3, R6, filenameOffset);
  a.alu64Imm('and', R3, 0xffff);
  a.alu64Reg('add', R3, R6);
  a.mov64Reg(R1, FP);
  a.alu64Imm('add', R1, valueAt + 8);
  a.mov64Imm(R2, PATH_MAX);
  a.call('probe_read_kernel_str');
  a.ldMapFd(R1, map);
  a.mov64Reg(R2, FP);
  a.alu64Imm('add', R2, keyAt);
  a.mov64Reg(R3, FP);
  a.alu64Imm('add', R3, valueAt);
  a.mov64Imm(R4, BPF_ANY);
  a.call('map_update_elem');
  a.mov64Imm(R0, 0);
  a.exit();
  return resolveRelocations(a.link(), { mapFd: () => mapFd, kfunc: () => ({ btfId: 0 }) });
}
