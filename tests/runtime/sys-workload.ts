// Workload for the sys-layer tests: prints "ready", waits for a line on stdin, then makes exactly
// argv[2] raw getppid(2) calls, prints "done" and exits 0.

import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';

const n = Number(process.argv[2] ?? 0);
const sys = koffiSys();
// Bind and warm the FFI path before anything is attached, so only the loop below is seen.
sys.getppid();
process.stdin.once('data', () => {
  for (let i = 0; i < n; i++) sys.getppid();
  process.stdout.write('done\n', () => process.exit(0));
});
process.stdout.write('ready\n');
