// sprintf in kernel handlers against the interpreter (the reference, stap's runtime/vsprintf.c):
// every conversion with every flag, widths, precisions, `*` arguments, %b, %#c, strings long
// enough to reach MAXSTRINGLEN and the clamping of widths to the room left, literals the kernel
// refuses in a format. Begin handlers compiled with --runtime=bpf (many cases, fast) and kernel
// probes on a workload's calls must print what the interpreter prints for the same script.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const NUMBERS = ['0', '1', '-1', '7', '8', '10', '65', '255', '4096', '0xdeadbeef', '123456789', '-123456789',
  '9223372036854775807', '-9223372036854775808', '0x4100000042'];
/** `*` arguments: negative ones count as 0, and stap cuts them to an int first (4294967301 is 5). */
const STARS = ['0', '1', '5', '-3', '20', '600', '4294967301', '-4294967290', '2147483648'];
const STRINGS = ['""', '"a"', '"hello"', '"hello world, this is long"'];

/** Every flag (stap takes one), width and precision of each numeric conversion, %c and %b. */
function numberFormats(): string[] {
  const out: string[] = [];
  for (const c of ['d', 'i', 'u', 'o', 'x', 'X', 'p', 'c', 'b']) {
    for (const f of ['', '0', '+', '-', ' ', '#']) {
      for (const w of ['', '1', '5', '12', '25']) {
        for (const p of ['', '.0', '.1', '.3', '.12', '.30']) {
          if (c === 'c' && p) continue;
          if (c === 'b' && !['', '.1', '.3'].includes(p)) continue;
          out.push(`%${f}${w}${p}${c}`);
        }
      }
    }
  }
  return out;
}

const globals = () => `global V, T, S, X
probe begin(1) {
${NUMBERS.map((v, i) => `  V[${i}] = ${v}`).join('\n')}
${STARS.map((v, i) => `  T[${i}] = ${v}`).join('\n')}
${STRINGS.map((v, i) => `  S[${i}] = ${v}`).join('\n')}
  x = "0123456789"; y = x . x . x . x . x . x . x . x . x . x
  X[0] = y . y . y
  X[1] = y . y . y . y . y . substr(x, 0, 5)
  X[2] = y . y . y . y . y . x
  X[3] = X[2] . X[2]
}
`;

/** Handler bodies printing one line per (format, value), in chunks the verifier takes easily. */
function numberBodies(): string[] {
  const fmts = numberFormats();
  const bodies: string[] = [];
  for (let i = 0; i < fmts.length; i += 12) {
    bodies.push(`  for (i = 0; i < ${NUMBERS.length}; i++) {\n    v = V[i]\n` +
      fmts.slice(i, i + 12).map((f) => `    println("${f} ", i, " [", sprintf("${f}", v), "]")\n`).join('') + '  }\n');
  }
  return bodies;
}

/** `*` widths and precisions, strings, long strings, clamping, chars, binaries, odd literals. */
function otherBodies(maxLen: number): string[] {
  const bodies: string[] = [];
  for (const f of ['%*d', '%-*d', '%0*d', '%.*d', '%*.*d', '%*x', '%#*x', '%#.*o', '%*s', '%-*s', '%.*s', '%*.*s', '%*c', '%-*c', '%#*c', '%+*.*i', '%*u']) {
    const isS = f.endsWith('s');
    const args = (f.match(/\*/g)!.length === 2 ? `T[i], T[(i + 3) % ${STARS.length}]` : 'T[i]') + (isS ? ', S[j]' : ', V[j]');
    bodies.push(`  for (i = 0; i < ${STARS.length}; i++) for (j = 0; j < ${isS ? STRINGS.length : NUMBERS.length}; j++)
    println("${f} ", i, " ", j, " [", sprintf("${f}", ${args}), "]")\n`);
  }
  const sf = ['%s', '%5s', '%-5s', '%.3s', '%8.3s', '%-8.3s', '%0s', '%05s', '%.0s', '%30s', '%-30s', '%.30s', '%0s|after'];
  bodies.push(`  for (j = 0; j < ${STRINGS.length}; j++) {\n` + sf.map((f) => `    println("${f} [", sprintf("${f}", S[j]), "]")\n`).join('') + '  }\n');
  // After a string of up to 511 bytes the room left decides what a field shows (stap clamps
  // widths and precisions to it); two long strings do not fit one bpf_snprintf.
  const conv = /%[-+ #0]?(\*|\d+)?(\.(\*|\d+))?[a-zA-Z]/g;
  for (const f of ['%s%s', '%s|%s', '%s%20d', '%s%-20d|', '%s%.20d', '%s%020d', '%s%#20x', '%s%#o', '%s%20s', '%s%-20s|', '%s%.10s',
    '%s%5c', '%s%#5c', '%d %s', '%s %d %s %d', '%s%*d', '%s%.*d', '%s%*s']) {
    const args = f.match(conv)!.map((c, n) => (c.includes('*') ? `T[(j + k) % ${STARS.length}], ` : '') + (c.endsWith('s') ? (n === 0 ? 'X[k]' : 'S[3]') : 'V[j]'));
    bodies.push(`  for (k = 0; k < 4; k++) for (j = 0; j < ${NUMBERS.length}; j++) {
    r = sprintf("${f}", ${args.join(', ')})
    println("${f} ", k, " ", j, " ", strlen(r), " [", r, "]")\n  }\n`);
  }
  // After a literal the position is known: the room left is a constant.
  const lit = 'L'.repeat(Math.max(0, maxLen - 12));
  for (const f of ['%20d', '%.20d', '%020d', '%-20d|', '%#20x', '%20s', '%5c', '%b', '%8b', '%-9b', '%.2b', '%4b']) {
    bodies.push(`  for (j = 0; j < ${NUMBERS.length}; j++) {
    r = sprintf("${lit}${f}xyz", ${f.endsWith('s') ? 'S[2]' : 'V[j]'})
    println("${f} ", j, " ", strlen(r), " [", substr(r, ${Math.max(0, maxLen - 14)}, 100), "]")\n  }\n`);
  }
  // A segment ending inside a literal (each \001 takes a data word: the 13th starts another).
  const mid = 'M'.repeat(Math.max(0, maxLen - 40));
  bodies.push(`  for (j = 0; j < ${NUMBERS.length}; j++) {
    r = sprintf("${'\\001a'.repeat(14)}${mid}%20d|%.20d", V[j], V[j])
    println(j, " ", strlen(r), " [", substr(r, ${Math.max(0, maxLen - 30)}, 100), "]")\n  }\n`);
  bodies.push(`  for (c = 0; c < 256; c++)
    println(c, " [", sprintf("%#c", c), "] [", sprintf("%#5c|%-5c", c, c), "] [", sprintf("a%cb", c), "]", strlen(sprintf("%c", c)))\n`);
  bodies.push(`  for (j = 0; j < ${NUMBERS.length}; j++) {
    r = sprintf("<%b><%.1b><%.2b><%4b><%-9b><%2.1b>", V[j], V[j], V[j], V[j], V[j], V[j])
    println(j, " ", strlen(r), " ", r)
    r = sprintf("<%.1b><%.2b>", V[j] + 0x4142434445464748, V[j] + 0x41424344)
    println(j, " ", strlen(r), " ", r)\n  }\n`);
  bodies.push(`  for (j = 0; j < ${NUMBERS.length}; j++) {
    println(sprintf("\\x01%d\\x7f\\xff%%%s\\tq%sabc\\001\\002%x", V[j], S[1], S[2], V[j]))
    println(sprintf("a\\000b%d", V[j]))
    println(sprintf("%d%d%d%d%d%d%d%d%d%d%d%d%d%d%s%s%s", V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], V[j], S[3], S[3], S[3]))
    println(sprintf("%s%s%sx%sy", S[j % 4], S[2], S[3], S[1]))
    println(sprint(V[j], S[2], V[j]), sprintln(S[3], V[j]), sprintd(",", V[j], S[1]), sprintdln(":", V[j], V[j]))\n  }\n`);
  return bodies;
}

/** The script: the globals' begin probe, then `bodies` each in a probe of `point`. */
const scriptOf = (point: string, bodies: string[], tail = '') =>
  globals() + bodies.map((b) => `probe ${point} {\n${b}}\n`).join('') + tail;

/** The interpreter's output and --runtime=bpf's, which must have compiled every handler. */
async function bothRuntimes(text: string, opts: string[] = []): Promise<{ interp: string; bpf: string }> {
  const file = script(text);
  const interp = await runTstap([...opts, file]);
  assert.equal(interp.stderr, '');
  const bpf = await runTstap(['--runtime=bpf', '-v', ...opts, file]);
  assert.deepEqual(bpf.stderr.split('\n').filter((l) => l.includes('runs in the interpreter')), []);
  return { interp: interp.stdout, bpf: bpf.stdout };
}

test('kernel sprintf of numbers, %c and %b: every flag, width and precision, as the interpreter', { timeout: 120_000 }, async () => {
  const { interp, bpf } = await bothRuntimes(scriptOf('begin(2)', numberBodies(), 'probe begin(3) { exit() }\n'));
  assert.match(interp, /^%#12\.3o 10 \[  0726746425\]$/m);
  assert.match(interp, /^%-25p 13 \[0x8000000000000000       \]$/m);
  assert.equal(bpf, interp);
});

for (const maxLen of [512, 100, 1024]) {
  test(`kernel sprintf with * arguments, strings, the room left in MAXSTRINGLEN=${maxLen}, %#c, %b, odd literals, as the interpreter`, { timeout: 120_000 }, async () => {
    const { interp, bpf } = await bothRuntimes(scriptOf('begin(2)', otherBodies(maxLen), 'probe begin(3) { exit() }\n'), ['-D', `MAXSTRINGLEN=${maxLen}`]);
    assert.equal(bpf, interp);
  });
}

test('sprintf in a kernel probe: the same lines as the interpreter, __octal as %#o', { timeout: 120_000 }, async () => {
  // A handful of each kind in probes on the workload's one kill(self, 0) (the output of several
  // probes on one event is compared sorted: their order is the kernel's).
  const fmts = numberFormats().filter((_, i) => i % 7 === 0);
  const bodies = [];
  for (let i = 0; i < fmts.length; i += 12) {
    bodies.push(`  if (pid() == target() && $sig == 0) for (i = 0; i < ${NUMBERS.length}; i++) {\n    v = V[i]\n` +
      fmts.slice(i, i + 12).map((f) => `    println("${f} ", i, " [", sprintf("${f}", v), "]")\n`).join('') + '  }\n');
  }
  bodies.push(`  if (pid() == target() && $sig == 0) for (j = 0; j < ${NUMBERS.length}; j++) {
    println("octal ", j, " ", __octal(V[j]), " ", return_str(3, V[j]), " ", sprintf("%#o", V[j]))
    println("mix ", j, " ", sprintf("%s%*d|%#*x|%.*s|%#c", X[j % 4], T[j % 9], V[j], T[(j + 2) % 9], V[j], T[(j + 4) % 9], S[3], V[j]))
  }\n`);
  const kernel = await runTstap(['-c', workload('getppid 1'), script(scriptOf('kernel.trace("syscalls:sys_enter_kill")', bodies))]);
  assert.equal(kernel.stderr, '');
  const interp = await runTstap([script(scriptOf('begin(2)', bodies.map((b) => b.replace('if (pid() == target() && $sig == 0) ', '')), 'probe begin(3) { exit() }\n'))]);
  assert.equal(interp.stderr, '');
  const sorted = (s: string) => s.split('\n').sort().join('\n');
  assert.equal(sorted(kernel.stdout), sorted(interp.stdout));
  assert.match(interp.stdout, /^octal 0 00 00 00$/m);
  assert.match(interp.stdout, /^octal 2 01777777777777777777777 -1 \(EPERM\) 01777777777777777777777$/m);
});

test('a kernel %#o is straight-line code: no loop, a few hundred instructions', async () => {
  const r = await runTstap(['-p3', '-e', 'probe kernel.trace("syscalls:sys_enter_umask") { println(sprintf("%#o", $mask)) }']);
  assert.equal(r.stderr, '');
  const insns = r.stdout.split('\n').filter((l) => /^\d+: /.test(l));
  assert.ok(insns.length < 300, `${insns.length} instructions`);
  // A backward jump is a loop (the verifier walks each of its iterations).
  assert.deepEqual(insns.filter((l) => /goto pc-/.test(l)), []);
});
