// The one entry point for raw system calls: the SysApi interface, its result shape, and SysError.

import { ERRNO_TABLE } from './errno.js';

/** What a raw call returns: `ret` as the C function returned it, `errno` when `ret` is -1 (else 0). */
export interface SysResult {
  readonly ret: number;
  readonly errno: number;
}

/** mmap's result: the address (BigInt, koffi's pointer type), MAP_FAILED on failure. */
export interface MmapResult {
  readonly addr: bigint;
  readonly errno: number;
}

export const MAP_FAILED = 0xffffffffffffffffn;

/**
 * Every kernel call the project makes. The real implementation is `koffiSys()` (koffi-sys.ts),
 * the test double `FakeSys` (fake-sys.ts). Buffers passed in are read and written in place by the
 * kernel; pointers stored inside attribute structs come from `address()`.
 */
export interface SysApi {
  readonly kind: 'koffi' | 'fake';
  /**
   * bpf(2): `attr` is the bpf_attr union, `size` the byte count passed to the kernel. `refs` are
   * the Buffers whose addresses `attr` holds: kept reachable until the kernel has read them.
   */
  bpf(cmd: number, attr: Buffer, size: number, refs?: readonly Buffer[]): SysResult;
  /** bpf(2) on a worker thread (program loads verify in parallel); `refs` kept until it returns. */
  bpfAsync(cmd: number, attr: Buffer, size: number, refs?: readonly Buffer[]): Promise<SysResult>;
  /** perf_event_open(2); `refs` as for bpf (the uprobe path behind config1). */
  perfEventOpen(attr: Buffer, pid: number, cpu: number, groupFd: number, flags: number, refs?: readonly Buffer[]): SysResult;
  ioctl(fd: number, request: number, arg: number): SysResult;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): MmapResult;
  munmap(addr: bigint, length: number): SysResult;
  close(fd: number): SysResult;
  /** close(2) on a worker thread: detaching perf events waits for RCU (tens of ms each). */
  closeAsync(fd: number): Promise<SysResult>;
  read(fd: number, buf: Buffer): SysResult;
  write(fd: number, buf: Buffer): SysResult;
  eventfd(initval: number, flags: number): SysResult;
  epollCreate1(flags: number): SysResult;
  /** epoll_ctl(2) with an epoll_event {events, data} built by the implementation. */
  epollCtl(epfd: number, op: number, fd: number, events: number, data: number): SysResult;
  /** epoll_wait(2) into `out` (EPOLL_EVENT_SIZE bytes per event). */
  epollWait(epfd: number, out: Buffer, maxEvents: number, timeoutMs: number): SysResult;
  /** epoll_wait(2) on a worker thread, so the event loop stays free while idle. */
  epollWaitAsync(epfd: number, out: Buffer, maxEvents: number, timeoutMs: number): Promise<SysResult>;
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): SysResult;
  /** Raw syscalls (not glibc's cached or wrapped versions). */
  getpid(): number;
  gettid(): number;
  getppid(): number;
  /** The address of a Buffer's bytes, for pointer fields of kernel structs; keep `buf` referenced. */
  address(buf: Buffer): bigint;
  /** An ArrayBuffer over mapped memory at `addr`, no copy. */
  view(addr: bigint, length: number): ArrayBuffer;
}

/** epoll_event is packed on x86-64: u32 events; u64 data. */
export const EPOLL_EVENT_SIZE = 12;

export const EPOLLIN = 0x1;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CLOEXEC = 0x80000;
export const EFD_CLOEXEC = 0x80000;
export const EFD_NONBLOCK = 0x800;

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x1;

/** Syscall numbers that differ per architecture; only the ones called through `syscall()`. */
export interface SyscallNumbers {
  readonly bpf: number;
  readonly perfEventOpen: number;
  readonly getpid: number;
  readonly gettid: number;
  readonly getppid: number;
}

const SYSCALL_NUMBERS: Readonly<Record<string, SyscallNumbers>> = {
  x64: { bpf: 321, perfEventOpen: 298, getpid: 39, gettid: 186, getppid: 110 },
  arm64: { bpf: 280, perfEventOpen: 241, getpid: 172, gettid: 178, getppid: 173 },
};

export function syscallNumbers(arch: string = process.arch): SyscallNumbers {
  const n = SYSCALL_NUMBERS[arch];
  if (!n) throw new Error(`tstap: unsupported architecture ${arch} (supported: ${Object.keys(SYSCALL_NUMBERS).join(', ')})`);
  return n;
}

function lookupErrno(errno: number): readonly [string, string] | undefined {
  return ERRNO_TABLE.get(errno);
}

/** The symbolic name of an errno value ("EPERM"), or "E<n>" when unknown. */
export function errnoName(errno: number): string {
  return lookupErrno(errno)?.[0] ?? `E${errno}`;
}

/** strerror(3)-like text, computed without the FFI so it works with the fake. */
export function errnoMessage(errno: number): string {
  return lookupErrno(errno)?.[1] ?? `Unknown error ${errno}`;
}

/** The numeric value of an errno name, for scripting fakes and comparing codes. */
export function errnoValue(name: string): number {
  for (const [n, entry] of ERRNO_TABLE) if (entry[0] === name) return n;
  throw new Error(`unknown errno name ${name}`);
}

/** A failed kernel call: which operation, and the errno by number and name. */
export class SysError extends Error {
  readonly op: string;
  readonly errno: number;
  /** "EPERM", "EINVAL", ... */
  readonly code: string;
  constructor(op: string, errno: number, detail?: string) {
    super(`${op}: ${errnoName(errno)} (${errnoMessage(errno)})${detail ? `: ${detail}` : ''}`);
    this.name = 'SysError';
    this.op = op;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

/** `res.ret`, or a SysError for `op` when the call failed. */
export function check(res: SysResult, op: string, detail?: string): number {
  if (res.ret < 0) throw new SysError(op, res.errno || 0, detail);
  return res.ret;
}

/** True when `e` is a SysError with errno `code` (a name such as "ENOENT"). */
export function isErrno(e: unknown, code: string): e is SysError {
  return e instanceof SysError && e.code === code;
}
