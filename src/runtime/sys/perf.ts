// perf_event_open(2) for the events BPF programs attach to (tracepoint, uprobe, kprobe, cpu-clock) and the perf ioctls.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Attr } from './attr.js';
import { onlineCpus } from './cpus.js';
import { SysError, check, type SysApi } from './syscall.js';

/** enum perf_type_id (fixed ids; kprobe/uprobe PMUs are dynamic, read from sysfs). */
export const PerfType = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5 } as const;

/** enum perf_sw_ids */
export const PerfSw = { CPU_CLOCK: 0, TASK_CLOCK: 1, PAGE_FAULTS: 2, CONTEXT_SWITCHES: 3, CPU_MIGRATIONS: 4 } as const;

export const PERF_FLAG_FD_CLOEXEC = 8;

/** ioctl request numbers (_IO('$', n) / _IOW('$', 8, u32)). */
export const PerfIoctl = { ENABLE: 0x2400, DISABLE: 0x2401, SET_BPF: 0x40042408 } as const;

/** sizeof(struct perf_event_attr) as PERF_ATTR_SIZE_VER7 (Linux 5.x+ accept it; older take a zero tail). */
export const PERF_ATTR_SIZE = 128;

/** The fields of perf_event_attr tstap sets. */
export interface PerfEventAttr {
  type: number;
  config?: bigint;
  /** sample_period, or sample_freq when `freq` is set. */
  samplePeriod?: bigint;
  freq?: boolean;
  sampleType?: bigint;
  disabled?: boolean;
  inherit?: boolean;
  excludeUser?: boolean;
  excludeKernel?: boolean;
  excludeHv?: boolean;
  excludeIdle?: boolean;
  wakeupEvents?: number;
  bpType?: number;
  /** config1 as a pointer to this NUL-terminated string (uprobe path, kprobe symbol). */
  config1String?: string;
  config1?: bigint;
  /** config2 (uprobe file offset, kprobe offset, breakpoint length). */
  config2?: bigint;
}

/** perf_event_attr bytes (exported for unit tests of the encoding). */
export function encodePerfAttr(sys: SysApi, a: PerfEventAttr): Attr {
  const bits =
    (a.disabled ? 1n << 0n : 0n) |
    (a.inherit ? 1n << 1n : 0n) |
    (a.excludeUser ? 1n << 4n : 0n) |
    (a.excludeKernel ? 1n << 5n : 0n) |
    (a.excludeHv ? 1n << 6n : 0n) |
    (a.excludeIdle ? 1n << 7n : 0n) |
    (a.freq ? 1n << 10n : 0n);
  const attr = new Attr(sys, PERF_ATTR_SIZE)
    .u32(0, a.type)
    .u32(4, PERF_ATTR_SIZE)
    .u64(8, a.config ?? 0n)
    .u64(16, a.samplePeriod ?? 0n)
    .u64(24, a.sampleType ?? 0n)
    .u64(40, bits)
    .u32(48, a.wakeupEvents ?? 0)
    .u32(52, a.bpType ?? 0)
    .u64(64, a.config2 ?? 0n);
  if (a.config1String !== undefined) attr.str(56, a.config1String);
  else attr.u64(56, a.config1 ?? 0n);
  return attr;
}

export interface PerfTarget {
  /** -1 = every process (then cpu must be >= 0). */
  pid?: number;
  /** -1 = any CPU (then pid must be >= 0). */
  cpu?: number;
  groupFd?: number;
  flags?: number;
}

/** perf_event_open(2); returns the perf fd, owned by the caller. */
export function perfEventOpen(sys: SysApi, a: PerfEventAttr, t: PerfTarget = {}, what = 'perf event'): number {
  const attr = encodePerfAttr(sys, a);
  const res = sys.perfEventOpen(attr.buf, t.pid ?? -1, t.cpu ?? 0, t.groupFd ?? -1, t.flags ?? PERF_FLAG_FD_CLOEXEC, attr.refs);
  if (res.ret < 0) throw new SysError('perf_event_open', res.errno, what);
  return res.ret;
}

/** The numeric id of tracepoint `category:name` from `<tracefs>/events/<category>/<name>/id`. */
export function tracepointId(tracefsRoot: string, category: string, name: string): number {
  const file = path.join(tracefsRoot, 'events', category, name, 'id');
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no tracepoint ${category}:${name} (${file} does not exist)` : `cannot read ${file}: ${code}`);
  }
  return Number(text.trim());
}

/**
 * A tracepoint perf event. ONE event (pid -1, cpu 0) is enough: the BPF program hangs off the
 * tracepoint itself and runs on every CPU; a second attach of the same program gives EEXIST.
 */
export function openTracepoint(sys: SysApi, id: number, what = `tracepoint id ${id}`): number {
  return perfEventOpen(sys, { type: PerfType.TRACEPOINT, config: BigInt(id) }, { pid: -1, cpu: 0 }, what);
}

export interface CpuClockOptions {
  /** Samples per second per CPU (freq mode), or ... */
  freq?: number;
  /** ... a fixed period in ns of CPU time. */
  periodNs?: bigint;
  cpus?: readonly number[];
}

/** cpu-clock sampling events, one per CPU (sampling events are per CPU, unlike tracepoints). */
export function openCpuClock(sys: SysApi, o: CpuClockOptions, onOpen: (cpu: number, fd: number) => void): void {
  const freq = o.periodNs === undefined;
  const attr: PerfEventAttr = {
    type: PerfType.SOFTWARE,
    config: BigInt(PerfSw.CPU_CLOCK),
    samplePeriod: freq ? BigInt(o.freq ?? 99) : o.periodNs,
    freq,
  };
  for (const cpu of o.cpus ?? onlineCpus()) {
    // Hand each fd over at once so the caller owns it even if a later CPU fails.
    onOpen(cpu, perfEventOpen(sys, attr, { pid: -1, cpu }, `cpu-clock on CPU ${cpu}`));
  }
}

/** A dynamic PMU's type number (/sys/bus/event_source/devices/<pmu>/type), or null if absent. */
export function pmuType(pmu: string): number | null {
  try {
    return Number(fs.readFileSync(`/sys/bus/event_source/devices/${pmu}/type`, 'latin1').trim());
  } catch {
    return null;
  }
}

/** The config bit a PMU uses for "return probe" (format/retprobe reads "config:0"). */
export function pmuRetprobeBit(pmu: string): number {
  try {
    const m = /config:(\d+)/.exec(fs.readFileSync(`/sys/bus/event_source/devices/${pmu}/format/retprobe`, 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // Kernels before 4.17 have no format dir; bit 0 has always been the value.
  }
  return 0;
}

export interface UprobeOptions {
  path: string;
  /** File offset of the probed instruction. */
  offset: bigint;
  retprobe?: boolean;
  /** USDT semaphore offset (config bits 32-63). */
  refCtrOffset?: bigint;
  /** Only this process; default all (-1, with cpu 0: the program runs on every CPU as for tracepoints). */
  pid?: number;
}

/** A uprobe/uretprobe perf event through the uprobe PMU (Linux 4.17). */
export function openUprobe(sys: SysApi, o: UprobeOptions): number {
  const type = pmuType('uprobe');
  if (type === null) throw new Error('no uprobe PMU (/sys/bus/event_source/devices/uprobe): kernel without CONFIG_UPROBE_EVENTS or older than 4.17');
  let config = o.retprobe ? 1n << BigInt(pmuRetprobeBit('uprobe')) : 0n;
  config |= (o.refCtrOffset ?? 0n) << 32n;
  const pid = o.pid ?? -1;
  const what = `${o.retprobe ? 'uretprobe' : 'uprobe'} ${o.path}:0x${o.offset.toString(16)}`;
  return perfEventOpen(sys, { type, config, config1String: o.path, config2: o.offset }, { pid, cpu: pid === -1 ? 0 : -1 }, what);
}

export interface KprobeOptions {
  symbol: string;
  offset?: bigint;
  retprobe?: boolean;
}

/** A kprobe/kretprobe perf event through the kprobe PMU (Linux 4.17). */
export function openKprobe(sys: SysApi, o: KprobeOptions): number {
  const type = pmuType('kprobe');
  if (type === null) throw new Error('no kprobe PMU (/sys/bus/event_source/devices/kprobe): kernel without CONFIG_KPROBE_EVENTS or older than 4.17');
  const config = o.retprobe ? 1n << BigInt(pmuRetprobeBit('kprobe')) : 0n;
  const what = `${o.retprobe ? 'kretprobe' : 'kprobe'} ${o.symbol}`;
  return perfEventOpen(sys, { type, config, config1String: o.symbol, config2: o.offset ?? 0n }, { pid: -1, cpu: 0 }, what);
}

/** PERF_EVENT_IOC_SET_BPF: the pre-5.15 way to attach (no link; detaches when the perf fd closes). */
export function perfSetBpf(sys: SysApi, perfFd: number, progFd: number): void {
  check(sys.ioctl(perfFd, PerfIoctl.SET_BPF, progFd), 'ioctl(PERF_EVENT_IOC_SET_BPF)');
}

export function perfEnable(sys: SysApi, perfFd: number): void {
  check(sys.ioctl(perfFd, PerfIoctl.ENABLE, 0), 'ioctl(PERF_EVENT_IOC_ENABLE)');
}

export function perfDisable(sys: SysApi, perfFd: number): void {
  check(sys.ioctl(perfFd, PerfIoctl.DISABLE, 0), 'ioctl(PERF_EVENT_IOC_DISABLE)');
}
