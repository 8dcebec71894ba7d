// A workload making exactly N known system calls, for runtime tests:
//   node dist/tests/workloads/syscalls.js getppid N          (after one kill(self, 0) marker)
//   node dist/tests/workloads/syscalls.js openat PATH N     (open + close, O_RDONLY)
//   node dist/tests/workloads/syscalls.js kill0 N            (kill(self, 0))
// Calls go straight through syscall(2) so libc caching cannot hide them.

import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const syscall1 = libc.func('long syscall(long nr, long a1)');
const syscall2 = libc.func('long syscall(long nr, long a1, long a2)');
const syscallOpen = libc.func('long syscall(long nr, long dirfd, const char *path, long flags, long mode)');

const SYS_getppid = 110;
const SYS_openat = 257;
const SYS_close = 3;
const SYS_kill = 62;
const SYS_getpid = 39;
const AT_FDCWD = -100;

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
  default:
    process.stderr.write(`unknown workload ${op}\n`);
    process.exit(2);
}
