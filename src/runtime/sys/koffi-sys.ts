// The real SysApi: libc through koffi. The only module in the project that loads the FFI.

import type * as Koffi from 'koffi';
import { EPOLL_EVENT_SIZE, MAP_FAILED, syscallNumbers, type MmapResult, type SysApi, type SysResult } from './syscall.js';

// koffi's declared functions are typed `any`; these are the shapes we bind them to.
type Fn<A extends unknown[], R> = ((...args: A) => R) & {
  async: (...args: [...A, (err: unknown, res: R) => void]) => void;
};

interface Libc {
  sys3: Fn<[number, number, Buffer | null, number], number>;
  sys0: Fn<[number], number>;
  sysPerf: Fn<[number, Buffer, number, number, number, number], number>;
  ioctl: Fn<[number, number, number], number>;
  mmap: Fn<[null, number, number, number, number, number], bigint>;
  munmap: Fn<[bigint, number], number>;
  close: Fn<[number], number>;
  read: Fn<[number, Buffer, number], number>;
  write: Fn<[number, Buffer, number], number>;
  eventfd: Fn<[number, number], number>;
  epollCreate1: Fn<[number], number>;
  epollCtl: Fn<[number, number, number, Buffer], number>;
  epollWait: Fn<[number, Buffer, number, number], number>;
  mount: Fn<[string, string, string, number, string | null], number>;
}

function bind(koffi: typeof Koffi): Libc {
  const libc = koffi.load('libc.so.6');
  // syscall(2) is variadic; fixed prototypes are ABI-safe on x86-64/arm64 for integer and pointer
  // arguments, and unlike variadic ones they can be called with .async.
  return {
    sys3: libc.func('long syscall(long nr, long a1, void *a2, long a3)'),
    sys0: libc.func('long syscall(long nr)'),
    sysPerf: libc.func('long syscall(long nr, void *attr, int pid, int cpu, int group_fd, unsigned long flags)'),
    ioctl: libc.func('int ioctl(int fd, unsigned long req, long arg)'),
    mmap: libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)'),
    munmap: libc.func('int munmap(void *addr, size_t len)'),
    close: libc.func('int close(int fd)'),
    read: libc.func('long read(int fd, void *buf, size_t n)'),
    write: libc.func('long write(int fd, void *buf, size_t n)'),
    eventfd: libc.func('int eventfd(unsigned int initval, int flags)'),
    epollCreate1: libc.func('int epoll_create1(int flags)'),
    epollCtl: libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)'),
    epollWait: libc.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)'),
    mount: libc.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  } as Libc;
}

// Buffers whose raw addresses sit inside an attr struct are invisible to the GC; an optimizing
// compiler may treat them as dead before the syscall. Touching them afterwards, in a way the
// compiler cannot fold away, keeps them (and their memory) alive across the call.
const SENTINEL: unknown[] = [];
function keepAlive(refs: readonly Buffer[] | undefined): void {
  if ((refs as unknown) === SENTINEL) throw new Error('unreachable');
}

class KoffiSys implements SysApi {
  readonly kind = 'koffi' as const;
  private readonly nr = syscallNumbers();
  private readonly koffi: typeof Koffi;
  private readonly c: Libc;

  constructor() {
    // Loaded lazily so that compiling (passes 1-4) never needs the native binary.
    this.koffi = require('koffi') as typeof Koffi;
    this.c = bind(this.koffi);
  }

  // errno must be read straight after the failing call, before any other koffi call.
  private r(ret: number): SysResult {
    return ret < 0 ? { ret, errno: this.koffi.errno() } : { ret, errno: 0 };
  }

  private rAsync<A extends unknown[]>(fn: Fn<A, number>, args: A): Promise<SysResult> {
    return new Promise((resolve, reject) => {
      // koffi copies the worker thread's errno back before invoking the callback.
      fn.async(...args, (err: unknown, ret: number) => (err ? reject(err) : resolve(this.r(ret))));
    });
  }

  bpf(cmd: number, attr: Buffer, size: number, refs?: readonly Buffer[]): SysResult {
    const res = this.r(this.c.sys3(this.nr.bpf, cmd, attr, size));
    keepAlive(refs);
    return res;
  }
  async bpfAsync(cmd: number, attr: Buffer, size: number, refs?: readonly Buffer[]): Promise<SysResult> {
    const res = await this.rAsync(this.c.sys3, [this.nr.bpf, cmd, attr, size]);
    keepAlive(refs);
    return res;
  }
  perfEventOpen(attr: Buffer, pid: number, cpu: number, groupFd: number, flags: number, refs?: readonly Buffer[]): SysResult {
    const res = this.r(this.c.sysPerf(this.nr.perfEventOpen, attr, pid, cpu, groupFd, flags));
    keepAlive(refs);
    return res;
  }
  ioctl(fd: number, request: number, arg: number): SysResult {
    return this.r(this.c.ioctl(fd, request, arg));
  }
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): MmapResult {
    const addr = BigInt(this.c.mmap(null, length, prot, flags, fd, offset));
    return addr === MAP_FAILED ? { addr, errno: this.koffi.errno() } : { addr, errno: 0 };
  }
  munmap(addr: bigint, length: number): SysResult {
    return this.r(this.c.munmap(addr, length));
  }
  close(fd: number): SysResult {
    return this.r(this.c.close(fd));
  }
  closeAsync(fd: number): Promise<SysResult> {
    return this.rAsync(this.c.close, [fd]);
  }
  read(fd: number, buf: Buffer): SysResult {
    return this.r(this.c.read(fd, buf, buf.length));
  }
  write(fd: number, buf: Buffer): SysResult {
    return this.r(this.c.write(fd, buf, buf.length));
  }
  eventfd(initval: number, flags: number): SysResult {
    return this.r(this.c.eventfd(initval, flags));
  }
  epollCreate1(flags: number): SysResult {
    return this.r(this.c.epollCreate1(flags));
  }
  epollCtl(epfd: number, op: number, fd: number, events: number, data: number): SysResult {
    const ev = Buffer.alloc(EPOLL_EVENT_SIZE);
    ev.writeUInt32LE(events >>> 0, 0);
    ev.writeBigUInt64LE(BigInt(data), 4);
    return this.r(this.c.epollCtl(epfd, op, fd, ev));
  }
  epollWait(epfd: number, out: Buffer, maxEvents: number, timeoutMs: number): SysResult {
    return this.r(this.c.epollWait(epfd, out, maxEvents, timeoutMs));
  }
  epollWaitAsync(epfd: number, out: Buffer, maxEvents: number, timeoutMs: number): Promise<SysResult> {
    return this.rAsync(this.c.epollWait, [epfd, out, maxEvents, timeoutMs]);
  }
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): SysResult {
    return this.r(this.c.mount(source, target, fstype, flags, data));
  }
  getpid(): number {
    return this.c.sys0(this.nr.getpid);
  }
  gettid(): number {
    return this.c.sys0(this.nr.gettid);
  }
  getppid(): number {
    return this.c.sys0(this.nr.getppid);
  }
  address(buf: Buffer): bigint {
    return BigInt(this.koffi.address(buf));
  }
  view(addr: bigint, length: number): ArrayBuffer {
    return this.koffi.view(addr, length);
  }
}

let instance: KoffiSys | undefined;

/** The process-wide real SysApi (koffi is loaded on first use). */
export function koffiSys(): SysApi {
  instance ??= new KoffiSys();
  return instance;
}
