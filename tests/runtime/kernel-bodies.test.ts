// Built-ins whose kernel versions are script code (tapset/bpf-bodies.stp): used as values in a
// kernel handler (assigned, passed to sprintf, inside try) they give exactly what the
// interpreter's native versions give, errors included; as plain print arguments they are still
// computed in user space.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const BODY = `
  s = msecs_to_string(123456) . " " . msecs_to_string(-1500) . " " . usecs_to_string(61000001) . " " . nsecs_to_string(k * 1000000000 + 7)
  println(s)
  println(sprintf("%s|%s|%s", cputime_to_string(HZ() * 61 + HZ() / 2), pages_to_string(3), pages_to_string(k)))
  foreach (i+ in sizes) printf("%s;", sprintf("%s", bytes_to_string(sizes[i])))
  println("")
  foreach (i+ in times) println(sprintf("%s", ctime(times[i])))
  x = tz_ctime(0); println(x)
  try { println(sprintf("%s", ctime(2147483648))) } catch (e) { println(e) }
  try { println(sprintf("%s", ctime(-2147483649))) } catch (e) { println(e) }
  m = sigset_mask_str(0x8000000000000005) . "/" . sigset_mask_str(0) . "/" . sigset_mask_str(-1)
  println(m)
  println(sprintf("%s %s %s", sa_flags_str(0x14000001), sa_flags_str(0), sa_flags_str(-1)))
  println(sprintf("%s %s %s %s", sa_handler_str(0), sa_handler_str(1), sa_handler_str(-1), sa_handler_str(0x401000)))
  println(sprintf("%s %s %s", ip_ntop(0x0100007f), format_ipaddr(0x0101a8c0, 2), format_ipaddr(0, 99)))
  r = rlimit_from_str("RLIMIT_CPU") + rlimit_from_str("RLIMIT_RTTIME") * 100 + rlimit_from_str("rlimit_cpu") * 10000
  println(r)
  println(rlimit_from_str("RLIMIT_NOFILE"))
`;

const GLOBALS = `global k = 1, sizes, times
probe begin {
  sizes[0] = 0; sizes[1] = -5; sizes[2] = 1023; sizes[3] = 1024; sizes[4] = 1536; sizes[5] = 10240
  sizes[6] = 102400; sizes[7] = 1048576; sizes[8] = 5000000000; sizes[9] = 10995116277760000
  times[0] = 0; times[1] = 741476948; times[2] = 2147483647; times[3] = -2147483648; times[4] = 951782400
  times[5] = 1234567890; times[6] = -1; times[7] = 1709164800
}
`;

test('built-ins with script bodies give in a kernel handler what the interpreter gives', async () => {
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`${GLOBALS}
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next${BODY}
  exit()
}
`)]);
  const interp = await runTstap([script(`${GLOBALS}
probe begin(1) {${BODY}
  exit()
}
`)]);
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  assert.equal(kernel.stdout.split('\n').slice(0, 4).join('\n'), [
    '2m3.456s 0m-1.-500s 1m1.000001s 0m1.000000007s',
    '1m1.500s|12.0K|4.00K',
    '    0;   -5; 1023;1.00K;1.50K;10.0K; 100K;1.00M;4.65G;10240000G;',
    'Thu Jan  1 00:00:00 1970',
  ].join('\n'));
});

test('a built-in body\'s error is reported at the built-in\'s call, as the interpreter reports it', async () => {
  const body = 'x = ctime(2147483648 + k); println(x)';
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`global k = 0
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next
  ${body}
}
`)]);
  const interp = await runTstap([script(`global k = 0
probe begin {
  ${body}
}
`)]);
  assert.match(interp.stderr, /^ERROR: Time too far in the future to be converted near identifier 'ctime' at .*:3:7\n/);
  const where = (err: string) => err.split('\n')[0]!.replace(/\/tmp\/[^:]*/, 'FILE');
  assert.equal(where(kernel.stderr), where(interp.stderr));
  assert.equal(kernel.stdout, '');
});

test('print arguments stay computed in user space: the kernel record carries their arguments', async () => {
  // -p3 shows the handler: no bpf_snprintf for ctime() printed directly, one when it is assigned.
  const printed = await runTstap(['-p3', '-e', 'probe kernel.trace("syscalls:sys_enter_getppid") { printf("%s\\n", ctime(1)) }']);
  const assigned = await runTstap(['-p3', '-e', 'probe kernel.trace("syscalls:sys_enter_getppid") { x = ctime(1); printf("%s\\n", x) }']);
  assert.equal(printed.stderr, '');
  assert.equal(assigned.stderr, '');
  assert.doesNotMatch(printed.stdout, /snprintf/);
  assert.match(assigned.stdout, /snprintf/);
});

const STRINGS = String.raw`
  println(strtol("123", 10), " ", strtol("-0x1f", 0), " ", strtol("0777", 0), " ", strtol("0x", 0), " ", strtol("zz", 36), " ", strtol("ff", 16), " ", strtol("0xff", 16), " ", strtol("12a", 10), " ", strtol("", 10), " ", strtol("-", 10))
  x = strtol("99999999999999999999", 10); println(x)
  r = str_replace("a-b-c", "-", "+"); println(r, " ", str_replace("aaa", "aa", "b"), " ", str_replace("abc", "", "x"), " ", str_replace("abc", "z", "x"), " ", str_replace("xx", "x", "yy"))
  t = tokenize("a,,b;c", ",;"); println(t)
  while ((t = tokenize("", ",;")) != "") println(t)
  println(tokenize("one two", ""), "|", tokenize("", " "), "|")
  u = tokenize(" x y ", " "); v = tokenize(" "); w = tokenize(" "); println(u, v, w, "|")
`;

test('strtol, str_replace and tokenize (its state kept per CPU) in a kernel handler give the interpreter\'s results', async () => {
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next
${STRINGS}
  exit()
}
`)]);
  const interp = await runTstap([script(`probe begin {
${STRINGS}
  exit()
}
`)]);
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  assert.equal(kernel.stdout, [
    '123 -31 511 0 0 255 255 12 0 0', '7766279631452241919', 'a+b+c ba abc abc yyyy', 'a', 'b', 'c', 'one two||', 'xy|', '',
  ].join('\n'));
});

test('a script global named like a tapset function\'s local leaves the tapset\'s code alone', async () => {
  // strtol's body has locals v, n, i; indent's has depth: each a global of the script here.
  const r = await runTstap(['-c', workload('getppid 1'), script(`
global v, n = 7, i = 0, depth = 5
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next
  v[1] = strtol("42", 10); x = indent(1)
  printf("%d %d %d %d [%s]\\n", v[1], n, i, depth, substr(x, 6, 10))
  exit()
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '42 7 0 5 [ :]\n');
});
