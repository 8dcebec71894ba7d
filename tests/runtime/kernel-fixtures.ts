// Shared by the kernel-probe test files: the syscall workload as a -c command, and a script file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The -c command running tests/workloads/syscalls.ts with `args` (see there). */
export const workload = (args: string) => `node dist/tests/workloads/syscalls.js ${args}`;

/** `text` written to a fresh temporary .stp file; returns its path. */
export function script(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tstap-')), 'test.stp');
  fs.writeFileSync(f, text);
  return f;
}

/** A test body run with a fresh temporary directory, removed afterwards. */
export function withTempDir(f: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tstap-'));
    try {
      await f(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
