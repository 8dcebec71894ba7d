// Workload for the sys-layer tests: prints "ready", waits for a line on stdin, then makes exactly
// argv[2] raw getppid(2) calls (optionally in bursts of argv[3] calls separated by argv[4] ms of
// sleep, so a consumer can keep up), prints "done" and exits 0.

import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';

const n = Number(process.argv[2] ?? 0);
const burst = Number(process.argv[3] ?? 0) || n;
const pauseMs = Number(process.argv[4] ?? 0);
const sys = koffiSys();
const sleeper = new Int32Array(new SharedArrayBuffer(4));
// Bind and warm the FFI path before anything is attached, so only the loop below is seen.
sys.getppid();
process.stdin.once('data', () => {
  for (let i = 0; i < n; i++) {
    sys.getppid();
    if (pauseMs && (i + 1) % burst === 0) Atomics.wait(sleeper, 0, 0, pauseMs);
  }
  process.stdout.write('done\n', () => process.exit(0));
});
process.stdout.write('ready\n');
