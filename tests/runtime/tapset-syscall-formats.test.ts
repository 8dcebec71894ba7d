// The hand-written syscall probes (tapset/linux/syscalls.stp) against stap's argstr and retstr
// formats: tests/workloads/syscall-formats.py makes calls with arguments known in advance
// (fixed descriptor numbers, paths under a fresh directory) and the script prints them as
// stap's classic strace-like scripts do.

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
