// %m/%M (memory dumps) and %b with a `*` or after text of unknown length, in kernel handlers.
//
// Dumps read memory of the probed context, so they are checked in a kernel probe on the workload's
// exit_group against known bytes: the task's comm (execname() padded with NULs), its pid and tgid,
// and the one page of 0x01 bytes `touch 1` maps at 0x600000000000 (user memory, `#`), whose end is
// followed by unmapped memory (a read fault at 0x600000001000). The expected lines are the
// interpreter's formatter (src/format/printf.ts, stap's _stp_vsprint_memory) given those bytes, for
// sprintf (MAXSTRINGLEN clamping after strings up to MAXSTRINGLEN-1) and for printf (its record
// carries the bytes). %b needs no memory: begin handlers compiled with --runtime=bpf must print
// what the interpreter prints.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';
import { parseFormat } from '../../src/parse/format.js';
import { formatPrintf, formatSprintf, type MemoryReader, type PrintfArg } from '../../src/format/printf.js';
import { StapRuntimeError } from '../../src/format/errors.js';

/** The page `touch 1` fills with 0x01 bytes; the next one is not mapped. */
const PAGE = 0x600000000000n;
/** The addresses dumped: comm, &pid (kernel), near the page's end, inside it, 0, just past it. */
const USER_ADDRS = [PAGE + 0xffan, PAGE + 0x100n, 0n, PAGE + 0x1000n];
/** Kernel bytes known at the first two addresses (the rest of task_struct is not): safe sizes. */
const KNOWN = [16, 8];
const V = 0x4142434445464748n;

/** A conversion's arguments: the address, the value of a %b/%c/%d, `*` width and precision. */
type Arg = 'addr' | 'v' | 'w' | 'p';
interface Case { fmt: string; args: Arg[] }

const one = (fmt: string): Case => ({ fmt, args: ['addr'] });
const CASES: Case[] = [
  ...['%m', '%M', '%.4m', '%.4M', '%8.3m', '%-8.3m|', '%08.3M|', '%.8M', '%12.6M', '%-12.6M|', '%.16m', '%.16M',
    '%40.16M', '%.0m', '%0.4m|', '%#m', '%#.4m', '%#.8M', '%#20.6m|', '%#.10m', '%#.12M', '%#.5000m', '%.4097M'].map(one),
  { fmt: '%.2m<%#.8m>', args: ['addr', 'addr'] },
  { fmt: '%*m', args: ['w', 'addr'] },
  { fmt: '%.*m', args: ['p', 'addr'] },
  { fmt: '%*.*M', args: ['w', 'p', 'addr'] },
  { fmt: '%-*.*m|', args: ['w', 'p', 'addr'] },
  { fmt: '%#*.*m', args: ['w', 'p', 'addr'] },
  { fmt: '%0*.*M|', args: ['w', 'p', 'addr'] },
  // Where a dump after %b, %c or %d starts decides whether it reads (and faults) at all.
  { fmt: '%b%#m', args: ['v', 'addr'] },
  { fmt: '%-9b%#.2m', args: ['v', 'addr'] },
  { fmt: '%c%#m', args: ['v', 'addr'] },
  { fmt: '%d%#M', args: ['v', 'addr'] },
  { fmt: '%*b%#m', args: ['w', 'v', 'addr'] },
];

/** `*` values (width, precision): negative, cut to an int, clamped to the room, over a page. */
const STARS: [bigint, bigint][] = [[0n, 0n], [3n, 1n], [20n, 4n], [-5n, 6n], [4294967301n, 2n], [2n, -2n], [1n, 4294967298n],
  [7n, 5000n], [30n, -4294967290n], [600n, 8n]];

const isStar = (c: Case) => c.args.includes('w') || c.args.includes('p');
const dumps = (c: Case) => parseFormat(c.fmt).filter((x) => x.type === 'memory' || x.type === 'memory_hex');

/**
 * The most bytes a case reads at a kernel address (`p`: its `*` precision): none when a dump is
 * refused (over a page) or reads user memory there (`#`, which faults at once).
 */
function kernelBytes(c: Case, p: bigint): number {
  let most = 0;
  for (const d of dumps(c)) {
    const size = d.precision === '*' ? p : BigInt(d.precision ?? 1);
    if (size > 4096n) return 0;
    const n = d.precision === '*' ? Number(BigInt.asIntN(32, p)) : d.precision ?? 1;
    if (!d.flags.special) most = Math.max(most, n > 0 ? n : 1);
  }
  return most;
}

/** Whether case `c` may use address `i` with star pair `j`: only known kernel bytes, raw bytes only of the comm. */
function safe(c: Case, i: number, j: number): boolean {
  if (i >= KNOWN.length) return true;
  // The pid's bytes could be a newline: dumped as hex digits only.
  if (i === 1 && dumps(c).some((d) => d.type === 'memory' && !d.flags.special)) return false;
  return kernelBytes(c, STARS[j]![1]) <= KNOWN[i]!;
}

/** Strings before the format: "", and long ones ending near MAXSTRINGLEN. */
const prefixes = (cap: number) => ['', 'x'.repeat(cap - 20), 'x'.repeat(cap - 9), 'x'.repeat(cap - 2), 'x'.repeat(cap - 1)];

function memoryScript(cap: number): string {
  const xs = prefixes(cap);
  let s = `global X, T, U, A\nprobe begin {\n`;
  s += xs.map((x, k) => `  X[${k}] = "${x}"\n`).join('');
  s += STARS.map(([w, p], j) => `  T[${j}] = ${w}; U[${j}] = ${p}\n`).join('');
  s += USER_ADDRS.map((a, i) => `  A[${i + 2}] = ${a}\n`).join('');
  s += '}\n';
  const head = `  if (pid() != target()) next
  t = task_current()
  a0 = &@cast(t, "task_struct")->comm
  a1 = &@cast(t, "task_struct")->pid\n`;
  s += `probe kernel.trace("syscalls:sys_enter_exit_group") {\n${head}` +
    '  printf("mem %d %d %d %d %d %s\\n", a0, a1, &@cast(t, "task_struct")->tgid, @cast(t, "task_struct")->pid, @cast(t, "task_struct")->tgid, execname())\n}\n';
  const addrs = 2 + USER_ADDRS.length;
  CASES.forEach((c, ci) => {
    const star = isStar(c);
    const js = star ? STARS.map((_, j) => j) : [0];
    // Each case has a probe of its own: the loops stay small for the verifier and MAXACTION.
    const ks = star ? [0, xs.length - 1] : xs.map((_, k) => k);
    const args = c.args.map((x) => ({ addr: 'addr', v: `${V}`, w: 'T[j]', p: 'U[j]' }[x])).join(', ');
    const allowed: string[] = [];
    for (let i = 0; i < addrs; i++) for (const j of js) if (safe(c, i, j)) allowed.push(`(i == ${i} && j == ${j})`);
    s += `probe kernel.trace("syscalls:sys_enter_exit_group") {\n${head}`;
    s += `  for (i = 0; i < ${addrs}; i++) for (j = 0; j < ${js.length}; j++) if (${allowed.join(' || ')}) {
    addr = i == 0 ? a0 : i == 1 ? a1 : A[i]
    for (k = 0; k < ${xs.length}; k++) if (${ks.map((k) => `k == ${k}`).join(' || ')}) {
      try { r = sprintf("%s${c.fmt}", X[k], ${args}); println("S ${ci} ", i, " ", j, " ", k, " ", strlen(r), " [", r, "]") }
      catch (m) { println("S ${ci} ", i, " ", j, " ", k, " caught ", m) }
    }
    try { printf("P ${ci} %d %d [${c.fmt}]\\n", i, j, ${args}) } catch (m) { println("P ${ci} ", i, " ", j, " caught ", m) }
  }\n}\n`;
  });
  return s;
}

/** What the known memory reads: the task's comm and pid/tgid (kernel), the workload's page (user). */
function memoryReader(out: string): { read: MemoryReader; comm: string; a0: bigint; a1: bigint } {
  const m = /^mem (-?\d+) (-?\d+) (-?\d+) (\d+) (\d+) (.*)$/m.exec(out);
  assert.ok(m, 'the probe printed the addresses');
  const [a0, a1, tgidAt] = [m[1]!, m[2]!, m[3]!].map((x) => BigInt.asUintN(64, BigInt(x)));
  assert.equal(tgidAt, a1! + 4n, 'tgid follows pid in task_struct');
  const le32 = (v: string) => Buffer.from(new Uint32Array([Number(v)]).buffer).toString('latin1');
  const comm = m[6]!;
  const regions = [
    { at: a0!, bytes: comm + '\0'.repeat(16 - comm.length), user: false },
    { at: a1!, bytes: le32(m[4]!) + le32(m[5]!), user: false },
    { at: PAGE, bytes: '\x01'.repeat(4096), user: true },
  ];
  const read: MemoryReader = (addr, len, user) => {
    const r = regions.find((x) => x.user === user && addr >= x.at && addr < x.at + BigInt(x.bytes.length));
    if (!r) return '';
    const off = Number(addr - r.at);
    return r.bytes.slice(off, off + len);
  };
  return { read, comm, a0: a0!, a1: a1! };
}

/** The lines the script must print, from the interpreter's formatter over the known memory. */
function expectedLines(cap: number, out: string): string[] {
  const { read, a0, a1 } = memoryReader(out);
  const xs = prefixes(cap);
  const addrOf = (i: number) => (i === 0 ? a0 : i === 1 ? a1 : USER_ADDRS[i - 2]!);
  const lines: string[] = [];
  const attempt = (ok: () => string, failed: string) => {
    try {
      lines.push(ok());
    } catch (err) {
      if (!(err instanceof StapRuntimeError)) throw err;
      lines.push(`${failed} caught ${err.message}`);
    }
  };
  CASES.forEach((c, ci) => {
    const star = isStar(c);
    const js = star ? STARS.map((_, j) => j) : [0];
    const ks = star ? [0, xs.length - 1] : xs.map((_, k) => k);
    for (let i = 0; i < 2 + USER_ADDRS.length; i++) {
      for (const j of js) {
        if (!safe(c, i, j)) continue;
        const args: PrintfArg[] = c.args.map((x) => ({ addr: addrOf(i), v: V, w: STARS[j]![0], p: STARS[j]![1] }[x]));
        for (const k of ks) {
          attempt(() => {
            const r = formatSprintf(parseFormat('%s' + c.fmt), [xs[k]!, ...args], { readMemory: read, maxStringLen: cap });
            return `S ${ci} ${i} ${j} ${k} ${r.length} [${r}]`;
          }, `S ${ci} ${i} ${j} ${k}`);
        }
        attempt(() => formatPrintf(parseFormat(`P ${ci} %d %d [${c.fmt}]`), [BigInt(i), BigInt(j), ...args], { readMemory: read }),
          `P ${ci} ${i} ${j}`);
      }
    }
  });
  return lines;
}

for (const cap of [512, 100]) {
  test(`%m and %M in a kernel probe (MAXSTRINGLEN=${cap}): sprintf and printf as the interpreter's formatter over the same bytes`, { timeout: 180_000 }, async () => {
    // The loops of a handler take more than stap's 1000 actions.
    const r = await runTstap(['-D', `MAXSTRINGLEN=${cap}`, '-D', 'MAXACTION=10000', '-c', workload('touch 1'), script(memoryScript(cap))]);
    assert.equal(r.stderr, '');
    const got = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('mem '));
    const want = expectedLines(cap, r.stdout);
    assert.deepEqual([...got].sort(), [...want].sort());
    // The bytes were read, not only faults: the comm dumped raw and as hex, a fault where the page ends.
    const { comm } = memoryReader(r.stdout);
    const bytes = comm + '\0'.repeat(16 - comm.length);
    const hex = Buffer.from(bytes.slice(0, 4), 'latin1').toString('hex');
    assert.ok(got.includes(`S 2 0 0 0 ${Math.min(4, comm.length)} [${comm.slice(0, 4)}]`), 'sprintf("%.4m", &comm)');
    assert.ok(got.includes(`P 3 0 0 [${hex}]`), 'printf("%.4M", &comm)');
    assert.ok(got.includes(`P 10 0 0 [${bytes}]`), 'printf("%.16m") sends the NULs');
    assert.ok(got.includes('S 19 2 0 0 caught read fault [man error::fault] at 0x600000001000'), 'the fault is where the page ends');
    assert.ok(got.includes('P 21 0 0 caught 5000 is too many bytes for a memory dump'), 'refused over a page');
  });
}

/** The output of `body` run once, in the probe on the exit_group of `touch 1` (its page mapped). */
async function onTouchExit(body: string): Promise<string> {
  const r = await runTstap(['-c', workload('touch 1'), script(`probe kernel.trace("syscalls:sys_enter_exit_group") {\n  if (pid() != target()) next\n${body}}\n`)]);
  assert.equal(r.stderr, '');
  return r.stdout;
}

/** The page of `touch 1` as user memory. */
const touchPage: MemoryReader = (addr, len, user) => (user && addr >= PAGE && addr < PAGE + 4096n ? '\x01'.repeat(Math.min(len, Number(PAGE + 4096n - addr))) : '');

test('a dump after literal text or a NUL reads, and faults, where stap is by then', { timeout: 60_000 }, async () => {
  // At MAXSTRINGLEN - 1 a %m still reads a byte (%M none); past it, or after a NUL, positions go on.
  const L = (n: number) => 'L'.repeat(n);
  const [at, end] = [PAGE + 0xfffn, PAGE + 0x1000n];
  const cases: [string, PrintfArg[]][] = [[L(511) + '%#m', [end]], [L(512) + '%#m', [end]], [L(511) + '%#M', [end]], [L(510) + '%#.3m', [at]],
    [L(510) + '%#.3M', [at]], ['%0s%#.3m', ['', at]], ['%0s%#.1m|%0s%#.2m', ['ab', at, '', at]], ['%.1b%-3b%#.2m', [0n, 0x41n, at]],
    [L(510) + '%-3b%#.2m', [0x41n, at]], [L(509) + '%3.1b%#.2m', [0x41n, at]], ['a\\000b%#.2m', [at]], [L(511) + '%c%#m', [0x41n, end]]];
  const arg = (x: PrintfArg) => (typeof x === 'string' ? `"${x}"` : `${x}`);
  const body = cases.map(([f, args], n) => `  try { r = sprintf("${f}", ${args.map(arg).join(', ')}); println(${n}, " ", strlen(r), " [", r, "]") }
  catch (m) { println(${n}, " caught ", m) }\n`).join('');
  const out = await onTouchExit(body);
  const want = cases.map(([f, args], n) => {
    try {
      const s = formatSprintf(parseFormat(f), args, { readMemory: touchPage });
      return `${n} ${s.length} [${s}]\n`;
    } catch (err) {
      return `${n} caught ${(err as Error).message}\n`;
    }
  });
  assert.equal(out, want.join(''));
  assert.match(out, /^0 caught read fault \[man error::fault\] at 0x600000001000$/m);
  assert.match(out, /^1 511 \[L+\]$/m);
});

test('printf dumps of up to a page travel whole in their record, NULs included', { timeout: 60_000 }, async () => {
  const cases: [string, PrintfArg[]][] = [['A[%#.3000M]', [PAGE + 0x100n]], ['B[%#.4096m]', [PAGE]], ['C[%#.4096m]', [PAGE + 0x100n]],
    ['D[%#.*M]', [4000n, PAGE + 0x10n]], ['E[%#.*M]', [4100n, PAGE + 0x10n]], ['F[%s][%#.*m][%d]', ['abc', 4000n, PAGE + 0x10n, 42n]],
    ['G[%#4096.2m][%-8.3M]', [PAGE, 0n]], ['H[%.16m]', [PAGE]]];
  const arg = (x: PrintfArg) => (typeof x === 'string' ? `"${x}"` : `${x}`);
  const out = await onTouchExit(cases.map(([f, args]) => `  try { printf("${f}\\n", ${args.map(arg).join(', ')}) } catch (m) { println("${f[0]} caught ", m) }\n`).join(''));
  const want = cases.map(([f, args]) => {
    try {
      return formatPrintf(parseFormat(f + '\n'), args, { readMemory: touchPage });
    } catch (err) {
      return `${f[0]} caught ${(err as Error).message}\n`;
    }
  });
  assert.equal(out, want.join(''));
  assert.equal(out.split('\n')[1]!.length, 4096 + 3);
  assert.match(out, /^C caught read fault \[man error::fault\] at 0x600000001000$/m);
});

test('%m/%M in begin/end under --runtime=bpf: the handler stays with the interpreter, whose reads fault', { timeout: 60_000 }, async () => {
  const text = `probe begin { try { println(sprintf("<%.4M>", 0x1000)) } catch (m) { println("caught ", m) }
  try { printf("<%m>\\n", 0) } catch (m) { println("caught ", m) } println(sprintf("%.1b|", 0x41)) exit() }\n`;
  const file = script(text);
  const interp = await runTstap([file]);
  const bpf = await runTstap(['--runtime=bpf', '-v', file]);
  assert.equal(bpf.stdout, interp.stdout);
  assert.equal(interp.stdout, 'caught read fault [man error::fault] at 0x1000\ncaught read fault [man error::fault] at 0x0\nA|\n');
  assert.match(bpf.stderr, /begin at .* runs in the interpreter: not supported in kernel context yet: %m\/%M in a begin\/end handler/);
});

/** %b with `*` widths and precisions, and after strings ending anywhere near MAXSTRINGLEN. */
function binaryScript(cap: number): string {
  const widths = [0, 1, 2, 3, 4, 5, 8, 9, -1, 600, 4294967300];
  const values = ['0x4142434445464748', '0x41420043', '0x7a', '-1', '0'];
  const xs = ['', 'x'.repeat(cap - 20), 'x'.repeat(cap - 9), 'x'.repeat(cap - 8), 'x'.repeat(cap - 5), 'x'.repeat(cap - 2), 'x'.repeat(cap - 1)];
  let s = 'global W, V, X\nprobe begin(1) {\n';
  s += widths.map((w, i) => `  W[${i}] = ${w}\n`).join('') + values.map((v, i) => `  V[${i}] = ${v}\n`).join('') + xs.map((x, i) => `  X[${i}] = "${x}"\n`).join('');
  s += '}\n';
  const starFormats: [string, string][] = [['%*b|', 'W[i], V[j]'], ['%-*b|', 'W[i], V[j]'], ['%.*b|', 'W[i], V[j]'], ['%*.*b|', 'W[i], W[(i + 3) % 11], V[j]'],
    ['%-*.*b|', 'W[i], W[(i + 5) % 11], V[j]'], ['<%-*b><%*.2b>', 'W[i], V[j], W[(i + 1) % 11], V[j]']];
  starFormats.forEach(([f, args], fi) => {
    s += `probe begin(2) {\n  for (i = 0; i < ${widths.length}; i++) for (j = 0; j < ${values.length}; j++) {
    r = sprintf("${f}", ${args})\n    println("star ${fi} ", i, " ", j, " ", strlen(r), " [", r, "]")\n  }\n}\n`;
  });
  const afterText: [string, string][] = [['%s%b|', 'V[j]'], ['%s%8b|', 'V[j]'], ['%s%-9b|', 'V[j]'], ['%s%.2b|', 'V[j]'], ['%s%4b|', 'V[j]'],
    ['%s%3.2b|', 'V[j]'], ['%s%.1b%.2b|', 'V[j], V[j]'], ['%s%*b|', 'W[j + 2], V[j]'], ['%s%-*.*b|', 'W[j + 4], W[j], V[j]']];
  afterText.forEach(([f, args], fi) => {
    s += `probe begin(2) {\n  for (k = 0; k < ${xs.length}; k++) for (j = 0; j < ${values.length}; j++) {
    r = sprintf("${f}", X[k], ${args})\n    println("text ${fi} ", k, " ", j, " ", strlen(r), " [", substr(r, ${cap - 30}, 100), "]")\n  }\n}\n`;
  });
  return s + 'probe begin(3) { exit() }\n';
}

for (const cap of [512, 100]) {
  test(`%b with * and after text of unknown length (MAXSTRINGLEN=${cap}) under --runtime=bpf, as the interpreter`, { timeout: 120_000 }, async () => {
    const file = script(binaryScript(cap));
    const opts = ['-D', `MAXSTRINGLEN=${cap}`];
    const interp = await runTstap([...opts, file]);
    assert.equal(interp.stderr, '');
    const bpf = await runTstap(['--runtime=bpf', '-v', ...opts, file]);
    assert.deepEqual(bpf.stderr.split('\n').filter((l) => l.includes('runs in the interpreter')), []);
    assert.equal(bpf.stdout, interp.stdout);
    // Padding before the value is NULs: the string ends; with '-' the bytes come first.
    assert.match(interp.stdout, /^star 1 4 0 5 \[HGFE\|\]$/m);
    assert.match(interp.stdout, /^star 0 7 0 0 \[\]$/m);
  });
}
