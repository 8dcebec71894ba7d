// A workload making exactly N known system calls, for runtime tests:
//   node dist/tests/workloads/syscalls.js getppid N          (after one kill(self, 0) marker)
//   node dist/tests/workloads/syscalls.js openat PATH N     (open + close, O_RDONLY)
//   node dist/tests/workloads/syscalls.js kill0 N            (kill(self, 0))
//   node dist/tests/workloads/syscalls.js spawn FILE N PATH ARG...  (fork+exec PATH N times, waiting
//                                                      for each; "pid status" lines to FILE; then 100 ms)
//   node dist/tests/workloads/syscalls.js killchild FILE SIG N  (N times: start /bin/cat, check it runs,
//                                                      kill(cat, SIG), wait; "pid signal" lines to FILE)
//   node dist/tests/workloads/syscalls.js sigself SIG N      (N times kill(self, SIG), each handled)
//   node dist/tests/workloads/syscalls.js exit CODE          (kill(self, 0) marker, then exit(CODE))
//   node dist/tests/workloads/syscalls.js sleep MS           (one sleep of MS milliseconds)
//   node dist/tests/workloads/syscalls.js touch N            (N fresh pages mapped at 0x600000000000,
//                                                      written once each: N write faults)
//   node dist/tests/workloads/syscalls.js udp N SIZE          (N datagrams of SIZE bytes to itself on
//                                                      127.0.0.1, each received)
//   node dist/tests/workloads/syscalls.js formats DIR FILE    (between two kill(self, 0) markers, known
//                                                      calls of the signal, futex, prctl, socket option,
//                                                      memory, limit, timer, event fd... syscalls, their
//                                                      structs at fixed addresses from 0x610000000000;
//                                                      the descriptors they returned and other values to
//                                                      FILE as JSON; see formatsWorkload)
// Calls go straight through syscall(2) so libc caching cannot hide them.

import * as child from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const syscall1 = libc.func('long syscall(long nr, long a1)');
const syscall2 = libc.func('long syscall(long nr, long a1, long a2)');
const syscall6 = libc.func('long syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)');
const memset = libc.func('long memset(long p, int c, long n)');
const syscallOpen = libc.func('long syscall(long nr, long dirfd, const char *path, long flags, long mode)');

const SYS_getppid = 110;
const SYS_openat = 257;
const SYS_close = 3;
const SYS_kill = 62;
const SYS_getpid = 39;
const SYS_mmap = 9;
const AT_FDCWD = -100;

/**
 * The calls of tests/runtime/tapset-syscall-formats.test.ts, each with arguments known in advance:
 * structs the kernel reads are written at fixed addresses (a mapping at 0x610000000000), file
 * descriptors the calls return are written to `file` (JSON) for the test. Calls that would change
 * the process (signal actions and mask, thread name) are undone after the closing marker.
 */
function formatsWorkload(dir: string, file: string): void {
  const memcpyIn = libc.func('long memcpy(long dst, const void *src, long n)');
  const memcpyOut = libc.func('long memcpy(_Out_ void *dst, long src, long n)');
  const put = (addr: number, b: Buffer) => void memcpyIn(addr, b, b.length);
  const longs = (...v: bigint[]) => { const b = Buffer.alloc(8 * v.length); v.forEach((x, i) => b.writeBigInt64LE(x, 8 * i)); return b; };
  const get = (addr: number, n: number) => { const b = Buffer.alloc(n); memcpyOut(b, addr, n); return b; };
  const sc = (nr: number, ...a: number[]) => Number(syscall6(nr, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0, a[5] ?? 0));
  const A = 0x610000000000;
  // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, five pages.
  if (sc(SYS_mmap, A, 0x5000, 3, 0x02 | 0x20 | 0x100000, -1, 0) !== A) throw new Error('mmap');
  const sig = (n: number) => 1n << BigInt(n - 1);
  put(A + 0x000, longs(0x1234n, 0x14000404n, 0x5678n, sig(2) | sig(15) | sig(34))); // act: SA_RESTART|SA_SIGINFO|SA_RESTORER|0x400
  put(A + 0x040, longs(1n, 0n, 0n, 0n)); // SIG_IGN
  // SIGHUP SIGKILL SIGUSR2 SIGSTKFLT SIGCHLD SIGIO SIGSYS SIGRTMIN+2
  put(A + 0x200, longs(sig(1) | sig(9) | sig(12) | sig(16) | sig(17) | sig(29) | sig(31) | sig(36)));
  put(A + 0x400, Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]));
  put(A + 0x410, longs(1n, 500000000n));
  put(A + 0x500, Buffer.from('tstap-fmt\0'));
  put(A + 0x600, Buffer.from([1, 0, 0, 0]));
  put(A + 0x618, Buffer.from([4, 0, 0, 0]));
  put(A + 0x900, longs(0n, 0n, 5n, 250n));
  put(A + 0xa00, Buffer.from('tstap-memfd\0'));
  put(A + 0xa80, Buffer.from('hello'));
  put(A + 0xf00, Buffer.from(dir + '\0'));
  put(A + 0xc00, longs(BigInt(0o2000000 | 0o200000), 0n, 0x4n | 0x8n)); // O_CLOEXEC|O_DIRECTORY; RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH
  // clone3: CLONE_VM|CLONE_VFORK|CLONE_PIDFD|CLONE_CLEAR_SIGHAND and an unknown bit, SIGCHLD, a
  // stack without a size: refused (EINVAL) before anything is created.
  put(A + 0xd00, longs(0x100n | 0x4000n | 0x1000n | 0x100000000n | 0x400000000n, BigInt(A + 0xd80), 0n, 0n, 17n, 0x7000n, 0n, 0n, 0n, 0n, 0n));
  const sock = sc(41, 2, 1, 0); // socket(AF_INET, SOCK_STREAM, 0)
  sc(33, sock, 70);
  const pipe = A + 0xe00;
  sc(293, pipe, 0o2000000); // pipe2(O_CLOEXEC)
  const [p0, p1] = [get(pipe, 8).readInt32LE(0), get(pipe, 8).readInt32LE(4)];
  const self = sc(SYS_getpid);
  const out: Record<string, number | string> = { pid: self, p0, p1 };

  sc(SYS_kill, self, 0);
  // Signals
  sc(13, 10, A, A + 0x100, 8); // rt_sigaction(SIGUSR1, act, oact, 8)
  sc(13, 12, A + 0x040, A + 0x140, 8); // rt_sigaction(SIGUSR2, SIG_IGN, oact2, 8)
  sc(13, 28, 0, A + 0x180, 8); // rt_sigaction(SIGWINCH, NULL, oact3, 8)
  sc(13, 10, 0x10, 0, 8); // unreadable act: EFAULT
  sc(13, 9, A + 0x040, 0, 8); // SIGKILL: EINVAL
  sc(14, 0, A + 0x200, A + 0x208, 8); // rt_sigprocmask(SIG_BLOCK, set, old, 8)
  sc(14, 1, A + 0x200, 0, 8); // SIG_UNBLOCK
  sc(14, 2, 0, A + 0x210, 8); // SIG_SETMASK, NULL: a query
  sc(14, 5, A + 0x220, 0, 8); // bad how: EINVAL
  // Futexes (the word at A+0x400 holds 5)
  sc(202, A + 0x400, 129, 1, 0, 0, 0); // FUTEX_WAKE_PRIVATE
  sc(202, A + 0x400, 0, 7, A + 0x410, 0, 0); // FUTEX_WAIT, 7 != 5: EAGAIN
  sc(202, A + 0x400, 0x189, 7, A + 0x410, 0, 0xffffffff); // FUTEX_WAIT_BITSET|PRIVATE|CLOCK_REALTIME: EAGAIN
  sc(202, A + 0x400, 10, 1, 0, 0, 0xff); // FUTEX_WAKE_BITSET
  sc(202, A + 0x400, 5, 1, 0, A + 0x404, 0x14001000); // FUTEX_WAKE_OP, FUTEX_OP(ADD, 1, CMP_GT, 0)
  sc(202, A + 0x400, 5, 1, 0, A + 0x404, 0x81003ffe); // FUTEX_OP(OPARG_SHIFT|SET, 3, CMP_NE, -2)
  sc(202, A + 0x400, 4, 1, 2, A + 0x404, 9); // FUTEX_CMP_REQUEUE, 9 != 5: EAGAIN
  sc(202, A + 0x400, 3, 1, 2, A + 0x404, 0); // FUTEX_REQUEUE
  // prctl
  sc(157, 16, A + 0x520); // PR_GET_NAME
  sc(157, 15, A + 0x500); // PR_SET_NAME
  sc(157, 4, 1); // PR_SET_DUMPABLE
  out.capbset = sc(157, 23, 21); // PR_CAPBSET_READ, CAP_SYS_ADMIN
  sc(157, 27); // PR_GET_SECUREBITS
  sc(157, 35, 99, 5, 0, 1); // PR_SET_MM, no such field (and arg5 set): EINVAL
  sc(157, 1000, 1, 2, 3, 4); // no such option: EINVAL
  // Socket options
  sc(54, 70, 1, 2, A + 0x600, 4); // SOL_SOCKET, SO_REUSEADDR
  sc(54, 70, 6, 1, A + 0x600, 4); // SOL_TCP, TCP_NODELAY
  sc(54, 70, 0, 1, A + 0x600, 4); // SOL_IP, IP_TOS
  sc(54, 70, 1, 20, A + 0x600, 4); // SOL_SOCKET, SO_RCVTIMEO_OLD: EINVAL (optlen)
  sc(55, 70, 1, 8, A + 0x610, A + 0x618); // SOL_SOCKET, SO_RCVBUF
  // Processes, descriptors
  sc(435, A + 0xd00, 88); // clone3: EINVAL
  out.epoll = sc(291, 0o2000000); // epoll_create1(EPOLL_CLOEXEC)
  out.epoll0 = sc(291, 0); // epoll_create1(0), "epoll_create" to stap
  out.timerfd = sc(283, 1, 0o2000000 | 0o4000); // timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK)
  sc(286, Number(out.timerfd), 0, A + 0x900, A + 0x920); // timerfd_settime
  sc(287, Number(out.timerfd), A + 0x920); // timerfd_gettime
  out.eventfd = sc(290, 3, 0o2000000 | 1); // eventfd2(3, EFD_CLOEXEC|EFD_SEMAPHORE)
  out.inotify = sc(294, 0o2000000); // inotify_init1(IN_CLOEXEC)
  out.wd = sc(254, Number(out.inotify), A + 0xf00, 0x100 | 0x200 | 0x1000000);
  sc(255, Number(out.inotify), Number(out.wd)); // inotify_rm_watch
  out.memfd = sc(319, A + 0xa00, 1 | 2); // memfd_create(MFD_CLOEXEC|MFD_ALLOW_SEALING)
  sc(1, Number(out.memfd), A + 0xa80, 5); // write
  sc(40, p1, Number(out.memfd), A + 0xa40, 5); // sendfile(pipe, memfd, &0, 5)
  put(A + 0xa48, longs(100n));
  sc(275, p0, 0, Number(out.memfd), A + 0xa48, 5, 1 | 4); // splice(pipe, NULL, memfd, &100, 5, SPLICE_F_MOVE|SPLICE_F_MORE)
  sc(332, -100, A + 0xf00, 0x100, 0x7ff, A + 0xb00); // statx
  out.pidfd = sc(434, self, 0); // pidfd_open
  sc(437, -100, A + 0xf00, A + 0xc00, 24); // openat2: EXDEV (absolute path beneath)
  // Memory
  sc(28, A + 0x1000, 4096, 3); // madvise(MADV_WILLNEED)
  sc(28, A + 0x3000, 4096, 20); // MADV_COLD, not in stap's table
  sc(26, A, 4096, 1 | 2); // msync(MS_ASYNC|MS_INVALIDATE)
  sc(149, A + 0x1000, 4096); // mlock
  sc(150, A + 0x1000, 4096); // munlock
  sc(325, A + 0x1000, 4096, 1); // mlock2(MLOCK_ONFAULT)
  sc(150, A + 0x1000, 4096); // munlock
  sc(151, 8); // mlockall(8): EINVAL
  sc(25, A + 0x3000, 0x2000, 0x1000, 1, 0); // mremap: shrink in place (MREMAP_MAYMOVE)
  // Limits and affinity
  sc(97, 7, A + 0x800); // getrlimit(RLIMIT_NOFILE)
  sc(160, 7, A + 0x800); // setrlimit(RLIMIT_NOFILE, the same)
  sc(302, 0, 7, 0, A + 0x820); // prlimit64(0, RLIMIT_NOFILE, NULL, old)
  sc(97, 0xffffffff, A + 0x800); // getrlimit(RLIM_INFINITY): EINVAL
  sc(204, 0, 128, A + 0x700); // sched_getaffinity
  sc(203, 0, 128, A + 0x700); // sched_setaffinity, the same mask
  sc(SYS_kill, self, 0);

  const lim = get(A + 0x800, 16);
  out.rlim = `[${lim.readBigInt64LE(0)},${lim.readBigInt64LE(8)}]`;
  sc(13, 10, A + 0x100, 0, 8);
  sc(13, 12, A + 0x140, 0, 8);
  sc(14, 2, A + 0x208, 0, 8);
  sc(157, 15, A + 0x520);
  fs.writeFileSync(file, JSON.stringify(out));
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const [op, ...rest] = process.argv.slice(2);
switch (op) {
  case 'getppid': {
    const n = Number(rest[0]);
    // A marker first: the process's own start-up (the shell's $PPID, node) may call getppid
    // too, so tests count the calls after it.
    syscall2(SYS_kill, Number(syscall1(SYS_getpid, 0)), 0);
    for (let i = 0; i < n; i++) syscall1(SYS_getppid, 0);
    break;
  }
  case 'timed-getppid': {
    // For benchmarks: N getppid calls, then the mean wall time per call on stdout.
    const n = Number(rest[0]);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) syscall1(SYS_getppid, 0);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    process.stdout.write(`ns_per_call ${ns.toFixed(1)}\n`);
    break;
  }
  case 'paced-getppid': {
    // N getppid calls at RATE per second (busy-waiting between batches), then ns/call.
    const n = Number(rest[0]);
    const rate = Number(rest[1]);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) while (Number(process.hrtime.bigint() - t0) < (i / rate) * 1e9);
      syscall1(SYS_getppid, 0);
    }
    const ns = Number(process.hrtime.bigint() - t0) / n;
    process.stdout.write(`ns_per_call ${ns.toFixed(1)}\n`);
    break;
  }
  case 'openat': {
    const path = rest[0]!;
    const n = Number(rest[1]);
    for (let i = 0; i < n; i++) {
      const fd = Number(syscallOpen(SYS_openat, AT_FDCWD, path, 0, 0));
      if (fd >= 0) syscall1(SYS_close, fd);
    }
    break;
  }
  case 'kill0': {
    const n = Number(rest[0]);
    const self = Number(syscall1(SYS_getpid, 0));
    for (let i = 0; i < n; i++) syscall2(SYS_kill, self, 0);
    break;
  }
  case 'spawn': {
    const [file, n, bin, ...args] = rest;
    const lines: string[] = [];
    for (let i = 0; i < Number(n); i++) {
      const r = child.spawnSync(bin!, args, { stdio: 'ignore' });
      lines.push(`${r.pid} ${r.status}`);
    }
    fs.writeFileSync(file!, lines.map((l) => l + '\n').join(''));
    // The children's task structures are freed after an RCU grace period: give it time to
    // pass while the target still runs.
    sleepMs(100);
    break;
  }
  case 'killchild': {
    const [file, sig, n] = rest;
    const lines: string[] = [];
    const once = (): Promise<void> => new Promise((resolve) => {
      const c = child.spawn('/bin/cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
      // cat echoing a line back proves it runs the cat program (its exec is done).
      c.stdout!.once('data', () => { syscall2(SYS_kill, c.pid!, Number(sig)); });
      c.on('exit', (_code, signal) => { lines.push(`${c.pid} ${signal}`); resolve(); });
      c.stdin!.write('ready\n');
    });
    void (async () => {
      for (let i = 0; i < Number(n); i++) await once();
      fs.writeFileSync(file!, lines.map((l) => l + '\n').join(''));
    })();
    break;
  }
  case 'sigself': {
    const sig = Number(rest[0]);
    const n = Number(rest[1]);
    const name = Object.entries(os.constants.signals).find(([, v]) => v === sig)![0] as NodeJS.Signals;
    let seen = 0;
    const self = Number(syscall1(SYS_getpid, 0));
    // Signal handles do not keep node's event loop alive: a timer does until the last one.
    const alive = setInterval(() => undefined, 1000);
    process.on(name, () => {
      if (++seen < n) syscall2(SYS_kill, self, sig);
      else clearInterval(alive);
    });
    syscall2(SYS_kill, self, sig);
    break;
  }
  case 'exit': {
    syscall2(SYS_kill, Number(syscall1(SYS_getpid, 0)), 0);
    process.exit(Number(rest[0]));
    break;
  }
  case 'touch': {
    // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE; small enough for
    // no transparent huge page.
    const n = Number(rest[0]);
    const at = 0x600000000000;
    const p = Number(syscall6(SYS_mmap, at, n * 4096, 3, 0x02 | 0x20 | 0x100000, -1, 0));
    if (p !== at) throw new Error(`mmap: ${p}`);
    memset(p, 1, n * 4096);
    break;
  }
  case 'udp': {
    const n = Number(rest[0]);
    const payload = Buffer.alloc(Number(rest[1]), 'x');
    const sock = dgram.createSocket('udp4');
    let got = 0;
    sock.on('message', () => {
      if (++got < n) sock.send(payload, port, '127.0.0.1');
      else sock.close();
    });
    let port = 0;
    sock.bind(0, '127.0.0.1', () => {
      port = sock.address().port;
      sock.send(payload, port, '127.0.0.1');
    });
    break;
  }
  case 'formats': {
    formatsWorkload(rest[0]!, rest[1]!);
    break;
  }
  case 'sleep': {
    sleepMs(Number(rest[0]));
    break;
  }
  default:
    process.stderr.write(`unknown workload ${op}\n`);
    process.exit(2);
}
