// Library functions written as eBPF for kernel handlers (bpf/codegen/library.ts): each gives
// in a kernel probe what the interpreter's intrinsic gives in `begin`, errors included, and the
// facts of the probe (pn, probefunc, is_return, user_mode) are the probe's own.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const BODY = `
  printf("%x %x %x %x %x %x\\n", htons(0x1234), htonl(0x12345678), htonll(0x0102030405060708), ntohs(0xabcd12), ntohl(-1), ntohll(1))
  printf("%x %x %x %x %x %x\\n", big_endian2(0x1234), big_endian4(0x11223344), big_endian8(-2), little_endian2(0x123456), little_endian4(-1), little_endian8(-5))
  printf("%d %d %d %d %d %d\\n", MAJOR(MKDEV(8, 17)), MINOR(MKDEV(8, 17)), MKDEV(259, 3), usrdev2kerndev(0x10302), MAJOR(-1), MINOR(-1))
  printf("%d %d %d %s|%s|%s %d %d\\n", HZ(), mem_page_size(), remote_id(), module_name(), remote_uri(), tz_name(), tz_gmtoff(), stp_pid())
  printf("%d %d %d %d\\n", cputime_to_msecs(7), cputime_to_usecs(7), cputime_to_msecs(-1), cputime_to_usecs(1 << 40))
  printf("%d %d %d %d %d\\n", isdigit("7x"), isdigit("x7"), isdigit(""), stringat("abc", 2), stringat(s, 0))
  printf("%d %d %d %d\\n", strpos("hello", "ll"), strpos("hello", "z"), strpos("hello", ""), strpos("", "a"))
  try { println(stringat("abc", 3)) } catch (e) { println(e) }
  try { println(stringat("abc", -1)) } catch (e) { println(e) }
  try { println(randint(-1)) } catch (e) { println(e) }
  try { println(randint(1048577)) } catch (e) { println(e) }
  r = randint(10); printf("%d %d %d\\n", r >= 0 && r < 10, randint(0), randint(1))
  assert(1); assert(2, "not this")
  try { assert(0) } catch (e) { println(e) }
  try { assert(0, "mine") } catch (e) { println(e) }
  c = cpu_clock_ns(0); printf("%d %d %d\\n", c > 0, cpu_clock_s(0) == local_clock_s(), cpu_clock_us(0) >= c / 1000)
  try { println(cpu_clock_ms(4096)) } catch (e) { println(e) }
  try { println(cpu_clock_ms(-1)) } catch (e) { println(e) }
`;

test('library functions in a kernel handler give what the interpreter gives', async () => {
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next
  s = "\\377"${BODY}
  exit()
}
`)]);
  assert.equal(kernel.stderr, '');
  const interp = await runTstap([script(`probe begin { s = "\\377"${BODY}
  exit()
}
`)]);
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  const lines = kernel.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    '3412 78563412 807060504030201 12cd ffffffff 100000000000000',
    '3412 44332211 feffffffffffffff 3456 ffffffff fffffffffffffffb',
    '8 17 271581187 271581186 4294967295 1048575',
  ]);
  assert.match(lines[3]!, new RegExp(`^\\d+ 4096 -1 stap_0\\|\\|\\w+ -?\\d+ ${process.pid}$`));
  assert.deepEqual(lines.slice(5), [
    '1 0 0 99 -1',
    '2 -1 0 -1',
    'Position out of bounds', 'Position out of bounds',
    'range too wide', 'range too wide',
    '1 0 0',
    'Assertion failed', 'mine',
    '1 1 1',
    'cpu 4096 is not online', 'cpu -1 is not online',
    '',
  ]);
});

test('pn, probefunc, is_return and user_mode describe the kernel probe', async () => {
  const r = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid"), syscall.getppid.return {
  if (pid() != target()) next
  printf("%s|%s|%d|%d\\n", pn(), probefunc(), is_return(), user_mode())
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'kernel.trace("syscalls:sys_enter_getppid")||0|0\nsyscall.getppid.return||1|0\n');
});

test('user_mode() is 1 in samples of a process running user code', async () => {
  const r = await runTstap(['-c', `node -e 'const t = Date.now(); let x = 0; while (Date.now() - t < 600) x++'`, script(`
global modes
probe timer.profile { if (pid() == target()) modes[user_mode()]++ }
probe end { printf("%d\\n", modes[1] > 0) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1\n');
});

test('abort() in a kernel handler stops it there and ends the run; end probes run', async () => {
  const r = await runTstap(['-c', workload('getppid 3'), script(`
global n
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next
  n++; println("before ", n); abort(); println("after")
}
probe end { println("end ", n) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'before 1\nend 1\n');
});
