// The hand-written syscall probes (tapset/linux/syscalls.stp) against stap's argstr and retstr
// formats: tests/workloads/syscall-formats.py and `syscalls.js formats` (raw syscalls through
// koffi, structs at fixed addresses) make calls with arguments known in advance (fixed descriptor
// numbers, paths under a fresh directory) and the script prints them as stap's classic
// strace-like scripts do. The packed name tables of aux_syscalls.stp are checked whole.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script } from './kernel-fixtures.js';

const dir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tstap-fmt-')), 'd');
const workload = (d: string) => `python3 tests/workloads/syscall-formats.py ${d}`;

test('file, descriptor and socket calls: stap\'s argstr (decoded flags, octal modes, sockaddrs) and retstr', async () => {
  const d = dir();
  const r = await runTstap(['-c', workload(d), script(`
global on, shown
probe begin {
  split("umask dup2 dup3 pwrite pread lseek fcntl ftruncate truncate chmod access rename symlink readlink mkdirat rmdir socket connect sendto shutdown pselect6", " ")
}
function split(s, sep) { while (s != "") { w = tokenize(s, sep); shown[w] = 1; s = substr(s, strlen(w) + 1, 1000) } }
probe syscall.* {
  if (pid() == target() && name in shown) {
    if (name == "umask") on = 1
    if (on) printf("%s(%s)", name, name == "pread" || name == "readlink" ? "-" : argstr)
  }
}
probe syscall.*.return { if (on && pid() == target() && name in shown) printf(" = %s\\n", retstr) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'umask(027) = 022',
    'umask(022) = 027',
    'dup2(3, 50) = 50',
    'dup3(3, 51, O_CLOEXEC) = 51',
    'pwrite(50, "hello", 5, 2) = 5',
    'pread(-) = 4',
    'lseek(50, 5, SEEK_CUR) = 5',
    'fcntl(50, F_SETFL, 0x800) = 0',
    'ftruncate(50, 99) = 0',
    `truncate("${d}/f", 1234) = 0`,
    `chmod("${d}/f", 0640) = 0`,
    `access("${d}/f", R_OK|W_OK) = 0`,
    `rename("${d}/f", "${d}/g") = 0`,
    `symlink("g", "${d}/l") = 0`,
    'readlink(-) = 1',
    'mkdirat(3, "sub", 0750) = 0',
    `rmdir("${d}/sub") = 0`,
    'socket(PF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 4',
    'dup2(4, 60) = 60',
    'connect(60, {AF_INET, 127.0.0.1, 9}, 16) = 0',
    'sendto(60, "ping", 4, 0x0, {AF_INET, 127.0.0.1, 9}, 16) = 4',
    'shutdown(60, SHUT_WR) = 0',
    'pselect6(0, 0x0, 0x0, 0x0, [0.250000000], 0x0) = 0',
    '',
  ].join('\n'));
});

test('stap\'s names where the tracepoint differs: pread on pread64, fstatat on newfstatat; variables of mmap, pread', async () => {
  const d = dir();
  const r = await runTstap(['-c', workload(d), script(`
probe syscall.mmap { if (pid() == target() && len == 8192 && fd == -1 && (flags & 1)) printf("mmap %s|%s|%d\\n", prot_str, flags_str, offset) }
probe syscall.mmap.return { if (pid() == target() && name == "mmap" && retval > 0 && substr(retstr, 0, 2) != "0x") println("not hex") }
probe syscall.pread { if (pid() == target() && fd == 50) printf("%s %d %d %d\\n", name, fd, count, offset) }
probe syscall.fstatat { if (pid() == target() && (path == "\\"${d}/g\\"" || path == "\\"${d}/l\\"")) printf("%s %s\\n", name, flags_str) }
probe syscall.newfstatat ?, syscall.pread64 ? { println("tracepoint name") }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'pread 50 7 3\nfstatat 0x0\nfstatat AT_SYMLINK_NOFOLLOW\nmmap PROT_READ|PROT_WRITE|MAP_SHARED|MAP_ANONYMOUS|0\n');
});

// `syscall.*` between the two kill(self, 0) markers of `syscalls.js formats`, on the thread that
// made them: every call with the argstr and retstr stap prints (clone3, pidfd_open and openat2,
// which stap does not have, in tstap's format), the descriptors from the workload's report.
const FORMATS_SHOWN = 'rt_sigaction rt_sigprocmask futex prctl setsockopt getsockopt clone3 epoll_create epoll_create1 '
  + 'timerfd_create timerfd_settime timerfd_gettime eventfd2 inotify_init1 inotify_add_watch inotify_rm_watch memfd_create '
  + 'sendfile splice statx pidfd_open openat2 madvise msync mlock munlock mlock2 mlockall mremap getrlimit setrlimit prlimit64 '
  + 'sched_setaffinity';

test('signals, futexes, prctl, socket options, memory, limits, timers, event fds: stap\'s argstr and retstr', async () => {
  const d = dir();
  fs.mkdirSync(d);
  const report = path.join(path.dirname(d), 'report.json');
  const r = await runTstap(['-c', `node dist/tests/workloads/syscalls.js formats ${d} ${report}`, script(`
global on, t, shown
probe begin {
  s = "${FORMATS_SHOWN}"
  while (s != "") { w = tokenize(s, " "); shown[w] = 1; s = substr(s, strlen(w) + 1, 1000) }
}
probe syscall.kill { if (pid() == target() && sig == 0) { on = !on; t = tid() } }
probe syscall.* { if (on && tid() == t && name in shown) printf("%s(%s)", name, argstr) }
probe syscall.*.return { if (on && tid() == t && name in shown) printf(" = %s\\n", retstr) }
`)]);
  assert.equal(r.stderr, '');
  const o = JSON.parse(fs.readFileSync(report, 'utf8')) as Record<string, number | string>;
  const A = (off: number) => `0x${(0x610000000000 + off).toString(16)}`;
  assert.equal(r.stdout, [
    `rt_sigaction(SIGUSR1, {0x1234, SA_RESTART|SA_SIGINFO|SA_RESTORER|0x400, 0x5678, [SIGINT|SIGTERM]}, ${A(0x100)}, 8) = 0`,
    `rt_sigaction(SIGUSR2, {SIG_IGN}, ${A(0x140)}, 8) = 0`,
    `rt_sigaction(SIGWINCH, {NULL}, ${A(0x180)}, 8) = 0`,
    'rt_sigaction(SIGUSR1, {0x10}, 0x0, 8) = -14 (EFAULT)',
    'rt_sigaction(SIGKILL, {SIG_IGN}, 0x0, 8) = -22 (EINVAL)',
    `rt_sigprocmask(SIG_BLOCK, [SIGHUP|SIGKILL|SIGUSR2|SIGCHLD|SIGIO/SIGPOLL|SIGSYS], ${A(0x208)}, 8) = 0`,
    'rt_sigprocmask(SIG_UNBLOCK, [SIGHUP|SIGKILL|SIGUSR2|SIGCHLD|SIGIO/SIGPOLL|SIGSYS], 0x0, 8) = 0',
    `rt_sigprocmask(SIG_SETMASK, NULL, ${A(0x210)}, 8) = 0`,
    'rt_sigprocmask(0x5, [EMPTY], 0x0, 8) = -22 (EINVAL)',
    `futex(${A(0x400)}, FUTEX_WAKE_PRIVATE, 1) = 0`,
    `futex(${A(0x400)}, FUTEX_WAIT, 7, [1.500000000]) = -11 (EAGAIN)`,
    `futex(${A(0x400)}, 0x189, 7) = -11 (EAGAIN)`,
    `futex(${A(0x400)}, FUTEX_WAKE_BITSET, 1, 0xff) = 0`,
    `futex(${A(0x400)}, FUTEX_WAKE_OP, 1, 0, ${A(0x404)}, {FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0}) = 0`,
    `futex(${A(0x400)}, FUTEX_WAKE_OP, 1, 0, ${A(0x404)}, {FUTEX_OP_OPARG_SHIFT|FUTEX_OP_SET, 3, FUTEX_OP_CMP_NE, -2}) = 0`,
    `futex(${A(0x400)}, FUTEX_CMP_REQUEUE, 1, 2, ${A(0x404)}, 9) = -11 (EAGAIN)`,
    `futex(${A(0x400)}, FUTEX_REQUEUE, 1, 2, ${A(0x404)}) = 0`,
    `prctl(PR_GET_NAME, ${A(0x520)}) = 0`,
    `prctl(PR_SET_NAME, ${A(0x500)}) = 0`,
    'prctl(PR_SET_DUMPABLE, 1) = 0',
    `prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) = ${o.capbset}`,
    'prctl(PR_GET_SECUREBITS) = 0',
    'prctl(PR_SET_MM, 0x63, 0x5) = -22 (EINVAL)',
    'prctl(0x3e8, 0x1, 0x2, 0x3, 0x4) = -22 (EINVAL)',
    `setsockopt(70, SOL_SOCKET, SO_REUSEADDR, ${A(0x600)}, 4) = 0`,
    `setsockopt(70, SOL_TCP, TCP_NODELAY, ${A(0x600)}, 4) = 0`,
    `setsockopt(70, SOL_IP, IP_TOS, ${A(0x600)}, 4) = 0`,
    `setsockopt(70, SOL_SOCKET, 0x14, ${A(0x600)}, 4) = -22 (EINVAL)`,
    `getsockopt(70, SOL_SOCKET, SO_RCVBUF, ${A(0x610)}, ${A(0x618)}) = 0`,
    `clone3({flags=CLONE_VM|CLONE_PIDFD|CLONE_VFORK|CLONE_CLEAR_SIGHAND|0x400000000, pidfd=${A(0xd80)}, child_tid=0x0, `
      + 'parent_tid=0x0, exit_signal=SIGCHLD, stack=0x7000, stack_size=0, tls=0x0}, 88) = -22 (EINVAL)',
    `epoll_create1(EPOLL_CLOEXEC) = ${o.epoll}`,
    `epoll_create(0) = ${o.epoll0}`,
    `timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK) = ${o.timerfd}`,
    `timerfd_settime(${o.timerfd}, 0x0, [0.000000,5.000250], ${A(0x920)}) = 0`,
    `timerfd_gettime(${o.timerfd}, ${A(0x920)}) = 0`,
    `eventfd2(3, EFD_CLOEXEC|EFD_SEMAPHORE) = ${o.eventfd}`,
    `inotify_init1(IN_CLOEXEC) = ${o.inotify}`,
    `inotify_add_watch(${o.inotify}, "${d}", IN_CREATE|IN_DELETE|IN_ONLYDIR) = ${o.wd}`,
    `inotify_rm_watch(${o.inotify}, ${o.wd}) = 0`,
    `memfd_create("tstap-memfd", MFD_CLOEXEC|MFD_ALLOW_SEALING) = ${o.memfd}`,
    `sendfile(${o.p1}, ${o.memfd}, ${A(0xa40)}, 5) = 5`,
    `splice(${o.p0}, 0x0, ${o.memfd}, ${A(0xa48)}, 5, SPLICE_F_MOVE|SPLICE_F_MORE) = 5`,
    `statx(AT_FDCWD, "${d}", AT_SYMLINK_NOFOLLOW, 0x7ff, ${A(0xb00)}) = 0`,
    `pidfd_open(${o.pid}, 0x0) = ${o.pidfd}`,
    `openat2(AT_FDCWD, "${d}", {flags=O_RDONLY|O_DIRECTORY|O_CLOEXEC, mode=00, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}, 24)`
      + ' = -18 (EXDEV)',
    `madvise(${A(0x1000)}, 4096, MADV_WILLNEED) = 0`,
    `madvise(${A(0x3000)}, 4096, 0x14) = 0`,
    `msync(${A(0)}, 4096, MS_ASYNC|MS_INVALIDATE) = 0`,
    `mlock(${A(0x1000)}, 4096) = 0`,
    `munlock(${A(0x1000)}, 4096) = 0`,
    `mlock2(${A(0x1000)}, 4096, MLOCK_ONFAULT) = 0`,
    `munlock(${A(0x1000)}, 4096) = 0`,
    'mlockall(0x8) = -22 (EINVAL)',
    `mremap(${A(0x3000)}, 8192, 4096, MREMAP_MAYMOVE, 0x0) = ${A(0x3000)}`,
    `getrlimit(RLIMIT_NOFILE, ${A(0x800)}) = 0`,
    `setrlimit(RLIMIT_NOFILE, ${o.rlim}) = 0`,
    `prlimit64(0, RLIMIT_NOFILE, NULL, ${A(0x820)}) = 0`,
    `getrlimit(RLIM_INFINITY, ${A(0x800)}) = -22 (EINVAL)`,
    `sched_setaffinity(0, 128, ${A(0x700)}) = 0`,
    '',
  ].join('\n'));
});

// The packed name tables of aux_syscalls.stp (offsets and lengths in constants) against the
// kernel headers' values, every value of each table and its neighbours, which show in hex.
const names = (first: number, list: string) => list.trim().split(/\s+/).map((n, i) => [first + i, n] as const).filter(([, n]) => n !== '-');
const TABLES: Record<string, { values: number[]; names: (readonly [number, string])[] }> = {
  _sockopt_level_str: { values: [...Array(300).keys()], names: [[0, 'SOL_IP'], [1, 'SOL_SOCKET'], [6, 'SOL_TCP'], [17, 'SOL_UDP'],
    [41, 'SOL_IPV6'], [58, 'SOL_ICMPV6'], [132, 'SOL_SCTP'], [136, 'SOL_UDPLITE'], [255, 'SOL_RAW'], ...names(256, `SOL_IPX SOL_AX25
    SOL_ATALK SOL_NETROM SOL_ROSE SOL_DECNET SOL_X25 SOL_PACKET SOL_ATM SOL_AAL SOL_IRDA SOL_NETBEUI SOL_LLC SOL_DCCP SOL_NETLINK
    SOL_TIPC SOL_RXRPC SOL_PPPOL2TP SOL_BLUETOOTH SOL_PNPIPE SOL_RDS SOL_IUCV SOL_CAIF SOL_ALG SOL_NFC`)] },
  '_sockopt_name_str(1, ': { values: [...Array(70).keys()], names: names(1, `SO_DEBUG SO_REUSEADDR SO_TYPE SO_ERROR SO_DONTROUTE
    SO_BROADCAST SO_SNDBUF SO_RCVBUF SO_KEEPALIVE SO_OOBINLINE SO_NO_CHECK SO_PRIORITY SO_LINGER SO_BSDCOMPAT SO_REUSEPORT SO_PASSCRED
    SO_PEERCRED SO_RCVLOWAT SO_SNDLOWAT - - SO_SECURITY_AUTHENTICATION SO_SECURITY_ENCRYPTION_TRANSPORT SO_SECURITY_ENCRYPTION_NETWORK
    SO_BINDTODEVICE SO_ATTACH_FILTER SO_DETACH_FILTER SO_PEERNAME SO_TIMESTAMP_OLD SO_ACCEPTCONN SO_PEERSEC SO_SNDBUFFORCE
    SO_RCVBUFFORCE SO_PASSSEC SO_TIMESTAMPNS_OLD SO_MARK SO_TIMESTAMPING_OLD SO_PROTOCOL SO_DOMAIN SO_RXQ_OVFL SO_WIFI_STATUS
    SO_PEEK_OFF SO_NOFCS SO_LOCK_FILTER SO_SELECT_ERR_QUEUE SO_BUSY_POLL SO_MAX_PACING_RATE SO_BPF_EXTENSIONS SO_INCOMING_CPU
    SO_ATTACH_BPF SO_ATTACH_REUSEPORT_CBPF SO_ATTACH_REUSEPORT_EBPF SO_CNX_ADVICE SCM_TIMESTAMPING_OPT_STATS SO_MEMINFO
    SO_INCOMING_NAPI_ID SO_COOKIE SCM_TIMESTAMPING_PKTINFO SO_PEERGROUPS SO_ZEROCOPY SO_TXTIME SO_BINDTOIFINDEX SO_TIMESTAMP_NEW
    SO_TIMESTAMPNS_NEW SO_TIMESTAMPING_NEW SO_RCVTIMEO_NEW SO_SNDTIMEO_NEW`) },
  '_sockopt_name_str(6, ': { values: [...Array(40).keys()], names: names(1, `TCP_NODELAY TCP_MAXSEG TCP_CORK TCP_KEEPIDLE
    TCP_KEEPINTVL TCP_KEEPCNT TCP_SYNCNT TCP_LINGER2 TCP_DEFER_ACCEPT TCP_WINDOW_CLAMP TCP_INFO TCP_QUICKACK TCP_CONGESTION TCP_MD5SIG -
    TCP_THIN_LINEAR_TIMEOUTS TCP_THIN_DUPACK TCP_USER_TIMEOUT TCP_REPAIR TCP_REPAIR_QUEUE TCP_QUEUE_SEQ TCP_REPAIR_OPTIONS
    TCP_FASTOPEN TCP_TIMESTAMP TCP_NOTSENT_LOWAT TCP_CC_INFO TCP_SAVE_SYN TCP_SAVED_SYN TCP_REPAIR_WINDOW TCP_FASTOPEN_CONNECT
    TCP_ULP TCP_MD5SIG_EXT TCP_FASTOPEN_KEY TCP_FASTOPEN_NO_COOKIE TCP_ZEROCOPY_RECEIVE TCP_INQ TCP_TX_DELAY`) },
  '_sockopt_name_str(0, ': { values: [...Array(53).keys()], names: names(1, `IP_TOS IP_TTL IP_HDRINCL IP_OPTIONS IP_ROUTER_ALERT
    IP_RECVOPTS IP_RETOPTS IP_PKTINFO IP_PKTOPTIONS IP_MTU_DISCOVER IP_RECVERR IP_RECVTTL IP_RECVTOS IP_MTU IP_FREEBIND
    IP_IPSEC_POLICY IP_XFRM_POLICY IP_PASSSEC IP_TRANSPARENT IP_ORIGDSTADDR IP_MINTTL IP_NODEFRAG IP_CHECKSUM
    IP_BIND_ADDRESS_NO_PORT IP_RECVFRAGSIZE IP_RECVERR_RFC4884 - - - - - IP_MULTICAST_IF IP_MULTICAST_TTL IP_MULTICAST_LOOP
    IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP IP_UNBLOCK_SOURCE IP_BLOCK_SOURCE IP_ADD_SOURCE_MEMBERSHIP IP_DROP_SOURCE_MEMBERSHIP
    IP_MSFILTER MCAST_JOIN_GROUP MCAST_BLOCK_SOURCE MCAST_UNBLOCK_SOURCE MCAST_LEAVE_GROUP MCAST_JOIN_SOURCE_GROUP
    MCAST_LEAVE_SOURCE_GROUP MCAST_MSFILTER IP_MULTICAST_ALL IP_UNICAST_IF`) },
  _prctl_option_str: { values: [...Array(47).keys(), 0x59616d61, 0x59616d62], names: [...names(1, `PR_SET_PDEATHSIG
    PR_GET_PDEATHSIG PR_GET_DUMPABLE PR_SET_DUMPABLE PR_GET_UNALIGN PR_SET_UNALIGN PR_GET_KEEPCAPS PR_SET_KEEPCAPS PR_GET_FPEMU
    PR_SET_FPEMU PR_GET_FPEXC PR_SET_FPEXC PR_GET_TIMING PR_SET_TIMING PR_SET_NAME PR_GET_NAME - - PR_GET_ENDIAN PR_SET_ENDIAN
    PR_GET_SECCOMP PR_SET_SECCOMP PR_CAPBSET_READ PR_CAPBSET_DROP PR_GET_TSC PR_SET_TSC PR_GET_SECUREBITS PR_SET_SECUREBITS
    PR_SET_TIMERSLACK PR_GET_TIMERSLACK PR_TASK_PERF_EVENTS_DISABLE PR_TASK_PERF_EVENTS_ENABLE PR_MCE_KILL PR_MCE_KILL_GET
    PR_SET_MM PR_SET_CHILD_SUBREAPER PR_GET_CHILD_SUBREAPER PR_SET_NO_NEW_PRIVS PR_GET_NO_NEW_PRIVS PR_GET_TID_ADDRESS
    PR_SET_THP_DISABLE PR_GET_THP_DISABLE PR_MPX_ENABLE_MANAGEMENT PR_MPX_DISABLE_MANAGEMENT`), [0x59616d61, 'PR_SET_PTRACER']] },
  _madvice_advice_str: { values: [...Array(25).keys(), 99, 100, 101, 102], names: [...names(0, `MADV_NORMAL MADV_RANDOM
    MADV_SEQUENTIAL MADV_WILLNEED MADV_DONTNEED - - - MADV_FREE MADV_REMOVE MADV_DONTFORK MADV_DOFORK MADV_MERGEABLE MADV_UNMERGEABLE
    MADV_HUGEPAGE MADV_NOHUGEPAGE MADV_DONTDUMP MADV_DODUMP`), [100, 'MADV_HWPOISON'], [101, 'MADV_SOFT_OFFLINE']] },
  _rlimit_resource_str: { values: [...Array(19).keys(), 0xffffffff], names: [...names(0, `RLIMIT_CPU RLIMIT_FSIZE RLIMIT_DATA
    RLIMIT_STACK RLIMIT_CORE RLIMIT_RSS RLIMIT_NPROC RLIMIT_NOFILE RLIMIT_MEMLOCK RLIMIT_AS RLIMIT_LOCKS RLIMIT_SIGPENDING
    RLIMIT_MSGQUEUE RLIMIT_NICE RLIMIT_RTPRIO RLIMIT_RTTIME RLIM_NLIMITS`), [0xffffffff, 'RLIM_INFINITY']] },
};
const FUTEX_OPS = names(0, `FUTEX_WAIT FUTEX_WAKE FUTEX_FD FUTEX_REQUEUE FUTEX_CMP_REQUEUE FUTEX_WAKE_OP FUTEX_LOCK_PI
  FUTEX_UNLOCK_PI FUTEX_TRYLOCK_PI FUTEX_WAIT_BITSET FUTEX_WAKE_BITSET FUTEX_WAIT_REQUEUE_PI FUTEX_CMP_REQUEUE_PI`);
TABLES._futex_op_str = { values: [...Array(145).keys()], names: [...FUTEX_OPS, ...FUTEX_OPS.filter(([v]) => v !== 2)
  .map(([v, n]) => [v + 128, `${n}_PRIVATE`] as const)] };
TABLES.__prctl_arg_name = { values: [-1, ...Array(85).keys()], names: names(0, `PR_UNALIGN_NOPRINT PR_UNALIGN_SIGBUS
  PR_FPEMU_NOPRINT PR_FPEMU_SIGFPE PR_FP_EXC_DISABLED PR_FP_EXC_NONRECOV PR_FP_EXC_ASYNC PR_FP_EXC_PRECISE PR_FP_EXC_SW_ENABLE
  PR_FP_EXC_DIV PR_FP_EXC_OVF PR_FP_EXC_UND PR_FP_EXC_RES PR_FP_EXC_INV PR_TIMING_STATISTICAL PR_TIMING_TIMESTAMP PR_ENDIAN_BIG
  PR_ENDIAN_LITTLE PR_ENDIAN_PPC_LITTLE PR_TSC_ENABLE PR_TSC_SIGSEGV PR_MCE_KILL_CLEAR PR_MCE_KILL_SET PR_MCE_KILL_LATE
  PR_MCE_KILL_EARLY PR_MCE_KILL_DEFAULT SECCOMP_MODE_DISABLED SECCOMP_MODE_STRICT SECCOMP_MODE_FILTER PR_SET_PTRACER_ANY CAP_CHOWN
  CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE
  CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO
  CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME
  CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG
  CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ PR_SET_MM_START_CODE PR_SET_MM_END_CODE PR_SET_MM_START_DATA PR_SET_MM_END_DATA
  PR_SET_MM_START_STACK PR_SET_MM_START_BRK PR_SET_MM_BRK PR_SET_MM_ARG_START PR_SET_MM_ARG_END PR_SET_MM_ENV_START
  PR_SET_MM_ENV_END PR_SET_MM_AUXV PR_SET_MM_EXE_FILE PR_SET_MM_MAP PR_SET_MM_MAP_SIZE`) };

for (const runtime of ['interpreter', 'bpf']) {
  test(`packed name tables (${runtime}): every value by its header name, others in hex`, async () => {
    const calls = Object.entries(TABLES).flatMap(([fn, t]) => t.values.map((v) => `${fn}${fn.endsWith(' ') ? '' : '('}${v})`));
    const want = Object.entries(TABLES).flatMap(([fn, t]) => t.values.map((v) => {
      const n = t.names.find(([k]) => k === v)?.[1];
      return n ?? (fn === '__prctl_arg_name' ? '' : `0x${v.toString(16)}`);
    }));
    // One begin probe per table, a loop over its runs of consecutive values (a kernel program
    // of a call or two, small enough for the verifier).
    const probes = Object.entries(TABLES).map(([fn, t]) => {
      const call = (v: string) => `println(${fn}${fn.endsWith(' ') ? '' : '('}${v}))`;
      const runs: [number, number][] = [];
      for (const v of t.values) {
        const last = runs[runs.length - 1];
        if (last && last[1] === v) last[1] = v + 1;
        else runs.push([v, v + 1]);
      }
      return `probe begin { ${runs.map(([a, b]) => b - a > 1 ? `for (v = ${a}; v < ${b}; v++) ${call('v')}` : call(String(a))).join('; ')} }`;
    });
    const r = await runTstap([...(runtime === 'bpf' ? ['--runtime=bpf', '-v'] : []), '-e',
      `${probes.join('\n')}\nprobe begin { exit() }`]);
    if (runtime === 'bpf') {
      // Every handler, one per table and exit()'s, was compiled to eBPF and loaded.
      assert.match(r.stderr, new RegExp(`Pass 3: translated to eBPF: ${probes.length + 1} programs,`));
      r.stderr = r.stderr.replace(/^Pass .*\n/gm, '');
    }
    assert.equal(r.stderr, '');
    assert.equal(calls.length, want.length);
    assert.deepEqual(r.stdout.split('\n').slice(0, -1), want);
  });
}
