// The session facts stap's runtime gets from the machine (staprun and the module's build):
// what HZ(), mem_page_size(), cpu_clock_*() and stp_pid() report, the same for the interpreter
// and for constants compiled into kernel handlers. Read lazily: most scripts ask for none.

import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { onlineCpus } from '../sys/cpus.js';
import type { SessionInfo } from '../../intrinsics/types.js';

let hz: number | undefined;

/** CONFIG_HZ of the running kernel (the profile timer's rate, HZ()), 250 when unknown. */
export function kernelHz(): number {
  if (hz !== undefined) return hz;
  hz = 250;
  try {
    const m = /^CONFIG_HZ=(\d+)$/m.exec(zlib.gunzipSync(fs.readFileSync('/proc/config.gz')).toString('latin1'));
    if (m) hz = Number(m[1]);
  } catch {
    /* no config available */
  }
  return hz;
}

/** Overrides of defaultSession() for a real run on this machine; each read when first asked for. */
export function hostSession(): Partial<SessionInfo> {
  return {
    stpPid: process.pid,
    get hz() {
      return kernelHz();
    },
    get onlineCpus() {
      try {
        return new Set(onlineCpus());
      } catch {
        return new Set([0]);
      }
    },
  };
}
