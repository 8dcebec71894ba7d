// bpf(2) attach commands: RAW_TRACEPOINT_OPEN and the LINK_CREATE variants (perf event, tracing, uprobe/kprobe multi).

import { cString, u64Array, type Attr } from './attr.js';
import { AttachType, BPF_F_KPROBE_MULTI_RETURN, BPF_F_UPROBE_MULTI_RETURN, BpfCmd } from './bpf-const.js';
import { bpfAttr, bpfCall } from './bpf.js';
import type { SysApi } from './syscall.js';

/**
 * BPF_RAW_TRACEPOINT_OPEN: attach a RAW_TRACEPOINT program to tracepoint `name`, or a tp_btf /
 * fentry program (name null: the target comes from attach_btf_id). Returns a link fd.
 * Plain raw_tp programs must use this: LINK_CREATE gives EINVAL for them.
 */
export function rawTracepointOpen(sys: SysApi, progFd: number, name: string | null): number {
  const a = bpfAttr(sys).u32(8, progFd);
  if (name !== null) a.str(0, name);
  return bpfCall(sys, BpfCmd.RAW_TRACEPOINT_OPEN, a, name === null ? undefined : `tracepoint ${name}`);
}

function linkAttr(sys: SysApi, progFd: number, targetFd: number, attachType: number, flags = 0): Attr {
  return bpfAttr(sys).u32(0, progFd).u32(4, targetFd).u32(8, attachType).u32(12, flags);
}

/** LINK_CREATE on a perf event fd (tracepoint, uprobe, kprobe, cpu-clock); Linux 5.15. */
export function linkCreatePerfEvent(sys: SysApi, progFd: number, perfFd: number, cookie = 0n): number {
  return bpfCall(sys, BpfCmd.LINK_CREATE, linkAttr(sys, progFd, perfFd, AttachType.PERF_EVENT).u64(16, cookie));
}

/** LINK_CREATE for a TRACING program (tp_btf: TRACE_RAW_TP, fentry/fexit/fmod_ret); target from attach_btf_id. */
export function linkCreateTracing(sys: SysApi, progFd: number, attachType: number, cookie = 0n): number {
  return bpfCall(sys, BpfCmd.LINK_CREATE, linkAttr(sys, progFd, 0, attachType).u64(24, cookie));
}

export interface UprobeMultiOptions {
  /** The binary (or library) to probe. */
  path: string;
  /** File offsets of the probed instructions (see kernel-facts §6 for symbol → offset). */
  offsets: readonly bigint[];
  refCtrOffsets?: readonly bigint[];
  cookies?: readonly bigint[];
  retprobe?: boolean;
  /** Only this process (0 = all). */
  pid?: number;
}

/** uprobe_multi LINK_CREATE attr (exported for unit tests of the encoding). */
export function encodeUprobeMulti(sys: SysApi, progFd: number, o: UprobeMultiOptions): Attr {
  return linkAttr(sys, progFd, 0, AttachType.TRACE_UPROBE_MULTI)
    .str(16, o.path)
    .ptr(24, u64Array(o.offsets))
    .ptr(32, u64Array(o.refCtrOffsets))
    .ptr(40, u64Array(o.cookies))
    .u32(48, o.offsets.length)
    .u32(52, o.retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0)
    .u32(56, o.pid ?? 0);
}

/**
 * LINK_CREATE uprobe_multi (Linux 6.6): many uprobes of one binary in one call, no perf fd.
 * The program must be KPROBE with expected_attach_type TRACE_UPROBE_MULTI.
 */
export function linkCreateUprobeMulti(sys: SysApi, progFd: number, o: UprobeMultiOptions): number {
  return bpfCall(sys, BpfCmd.LINK_CREATE, encodeUprobeMulti(sys, progFd, o), `uprobe_multi ${o.path}`);
}

export interface KprobeMultiOptions {
  symbols: readonly string[];
  cookies?: readonly bigint[];
  retprobe?: boolean;
}

/**
 * LINK_CREATE kprobe_multi (Linux 5.18): kprobes on many kernel functions by name. The program
 * must be KPROBE with expected_attach_type TRACE_KPROBE_MULTI. Needs fprobe (EOPNOTSUPP without).
 */
export function linkCreateKprobeMulti(sys: SysApi, progFd: number, o: KprobeMultiOptions): number {
  const names = o.symbols.map(cString);
  const table = Buffer.alloc(names.length * 8);
  names.forEach((n, i) => table.writeBigUInt64LE(sys.address(n), i * 8));
  const a = linkAttr(sys, progFd, 0, AttachType.TRACE_KPROBE_MULTI)
    .u32(16, o.retprobe ? BPF_F_KPROBE_MULTI_RETURN : 0)
    .u32(20, names.length)
    .ptr(24, table)
    .ptr(40, u64Array(o.cookies));
  // The name strings are reachable only through `table`'s raw addresses.
  a.refs.push(...names);
  const what = `kprobe_multi ${o.symbols.slice(0, 3).join(',')}${o.symbols.length > 3 ? ',...' : ''}`;
  return bpfCall(sys, BpfCmd.LINK_CREATE, a, what);
}
