// Resource-limit names: rlimit_from_str (linux/rlimit.stp).

import type { Intrinsic } from './types.js';
import { intrinsic } from './define.js';

// Index = RLIMIT_* value on Linux (the same on every architecture stap supports here).
const RLIMITS: readonly string[] = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS',
  'RLIMIT_NPROC', 'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
];

export const RLIMIT_INTRINSICS: readonly Intrinsic[] = [
  // Exact, case-sensitive names with the RLIMIT_ prefix; anything else is -1.
  intrinsic('rlimit_from_str', ['lim_str:string'], 'long', (_ctx, s) => BigInt(RLIMITS.indexOf(s))),
];
