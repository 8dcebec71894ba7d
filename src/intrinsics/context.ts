// Building an IntrinsicContext: stap's defaults, and the host's clocks for a real run.

import { IntrinsicState, type IntrinsicContext, type SessionInfo } from './types.js';
import { hostTimeZone } from './ctime.js';

/** MAXSTRINGLEN on 64-bit hosts (runtime/runtime_defines.h: 256 when BITS_PER_LONG == 32). */
export const DEFAULT_MAXSTRINGLEN = 512;

/** Session facts for a run without staprun: no target, no remote, UTC, HZ 1000, 4 KiB pages. */
export function defaultSession(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    stpPid: 0,
    target: 0,
    moduleName: 'stap_0',
    remoteId: -1,
    remoteUri: '',
    tzGmtoff: 0,
    tzName: 'UTC',
    hz: 1000,
    pageSize: 4096,
    onlineCpus: new Set([0]),
    ...overrides,
  };
}

export interface ContextOptions {
  maxStringLen?: number;
  session?: Partial<SessionInfo>;
  now?: () => bigint;
  monotonicNs?: () => bigint;
  print?: (s: string) => void;
  warn?: (msg: string) => void;
  seed?: bigint;
}

/**
 * A context whose clocks default to this host's (realtime derived from the monotonic clock at
 * creation, so the two advance together) and whose time zone is the host's; every field can be
 * replaced, which is what tests do.
 */
export function createIntrinsicContext(opts: ContextOptions = {}): IntrinsicContext {
  const mono = opts.monotonicNs ?? ((): bigint => process.hrtime.bigint());
  const offset = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
  const now = opts.now ?? ((): bigint => offset + process.hrtime.bigint());
  // The host time zone needs Intl, which costs ~10 ms to start: only look it up when asked.
  let session: SessionInfo | null = null;
  return {
    maxStringLen: opts.maxStringLen ?? DEFAULT_MAXSTRINGLEN,
    now,
    monotonicNs: mono,
    get session(): SessionInfo {
      return (session ??= defaultSession({ ...hostTimeZone(new Date()), ...opts.session }));
    },
    state: new IntrinsicState(opts.seed ?? mono()),
    print: opts.print ?? ((): void => undefined),
    warn: opts.warn ?? ((): void => undefined),
  };
}
