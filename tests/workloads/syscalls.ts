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
  case 'sleep': {
    sleepMs(Number(rest[0]));
    break;
  }
  default:
    process.stderr.write(`unknown workload ${op}\n`);
    process.exit(2);
}
