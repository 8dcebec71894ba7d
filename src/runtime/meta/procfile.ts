// Whole-file reads of /proc and /sys files, which report size 0 and are generated per read() call.

import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads a generated file with large reads: seq_file fills as much of the buffer as it can per
 * call, and /proc/kallsyms costs about a third less this way than with readFileSync's 64 KiB steps.
 */
export function readProcFile(path: string, initial = 4 << 20): Buffer {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(initial);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.subarray(0, len);
  } finally {
    closeSync(fd);
  }
}
