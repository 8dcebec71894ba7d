// How reliably print_ubacktrace() symbolizes short-lived processes (as root; not in CI):
//
//   npm run build && node dist/tools/measure-ustack.js [N]
//
// Runs N short processes per workload under tstap (in this process), each taking one user
// stack at a system call, and prints what runtime/meta/ustack.ts counted: how many processes
// were still alive when user space read their first record (what any /proc/PID/maps snapshot,
// however early, could catch), how many frames the kernel gave as build ID + offset, and how
// many frames got a function name, through the build ID or through a maps snapshot.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { USTACK_STATS } from '../src/runtime/meta/ustack.js';
import { writeFramePointerProgram } from '../tests/workloads/fp-elf.js';

const n = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'tstap-measure-'));

const fp = (name: string) => ({ start: `${name}_start`, outer: `${name}_outer`, inner: `${name}_inner`, syscall: 24 });
const loop = (body: string) => `sh -c 'i=0; while [ $i -lt ${n} ]; do ${body}; i=$((i+1)); done'`;

interface Workload {
  name: string;
  command: () => string;
  tracepoint: string;
}

const workloads: Workload[] = [
  {
    name: 'fp-elf (one binary)', tracepoint: 'syscalls:sys_enter_sched_yield',
    command: () => {
      writeFramePointerProgram(join(dir, 'prog'), fp('one'));
      return loop(join(dir, 'prog'));
    },
  },
  {
    name: 'fp-elf (a binary each)', tracepoint: 'syscalls:sys_enter_sched_yield',
    command: () => {
      const files = Array.from({ length: n }, (_, i) => join(dir, `p${i}`));
      files.forEach((f, i) => writeFramePointerProgram(f, fp(`f${i}`)));
      return `sh -c '${files.join('; ')}'`;
    },
  },
  { name: '/bin/true at exit_group', tracepoint: 'syscalls:sys_enter_exit_group', command: () => loop('/bin/true') },
  { name: 'ls / at openat', tracepoint: 'syscalls:sys_enter_openat', command: () => loop('ls / >/dev/null') },
  { name: 'sleep 0.001', tracepoint: 'syscalls:sys_enter_clock_nanosleep', command: () => loop('sleep 0.001') },
  { name: 'sleep 0.01', tracepoint: 'syscalls:sys_enter_clock_nanosleep', command: () => loop('sleep 0.01') },
];

async function run(): Promise<void> {
  const rows: string[][] = [['workload', 'processes', 'alive at 1st record', 'frames', 'with build ID', 'named by build ID', 'named by snapshot', 'unnamed']];
  for (const w of workloads) {
    const before = { ...USTACK_STATS };
    const script = `probe kernel.trace("${w.tracepoint}") { if (ppid() == target()) print_ubacktrace() }`;
    let err = '';
    const rc = await main(['-c', w.command(), '-e', script], { stdout: () => {}, stderr: (s) => (err += s) });
    if (rc !== 0) throw new Error(`${w.name}: tstap exited with ${rc}: ${err}`);
    const d = (k: keyof typeof USTACK_STATS) => USTACK_STATS[k] - before[k];
    const pct = (x: number, of: number) => `${x} (${of ? ((100 * x) / of).toFixed(1) : '0.0'}%)`;
    rows.push([w.name, String(d('processes')), pct(d('aliveAtFirstRecord'), d('processes')), String(d('frames')),
      pct(d('kernelBuildIds'), d('frames')), pct(d('namedByBuildId'), d('frames')), pct(d('namedBySnapshot'), d('frames')),
      pct(d('unnamed'), d('frames'))]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
}

run().finally(() => rmSync(dir, { recursive: true, force: true })).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
