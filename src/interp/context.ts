// The interpreter's per-session state shared by compiled handlers: limits, output, the
// action budget of the running handler, exit requests, and the storage of globals.

import type { Var } from '../elaborate/model.js';
import type { Token } from '../parse/token.js';
import type { ArrayStore } from './arrays.js';
import type { StatData } from '../format/stats.js';
import { StapError, type Value } from './values.js';

export interface Limits {
  /** For begin/end/never handlers (stap's MAXACTION_INTERRUPTIBLE). */
  maxAction: number;
  /** For timer handlers (interrupt context: stap's MAXACTION). */
  maxActionTimer: number;
  maxStringLen: number;
  maxMapEntries: number;
  maxNesting: number;
  maxErrors: number;
  maxSkipped: number;
}

export type Cell = { v: Value } | { v: StatData } | ArrayStore<Value> | ArrayStore<StatData>;

/** Storage the interpreter does not own: globals that live in kernel maps. */
export type ExternalStorage = (v: Var) => Cell | null;

export class Context {
  /** Statements executed by the running handler, against MAXACTION. */
  actions = 0;
  /** The running handler's action budget. */
  actionLimit = 0;
  depth = 0;
  /** target(): the -x PID or the -c command's pid, 0 without either. */
  targetPid = 0;
  /** exit(): the session moves on to the end probes once the current handler finishes. */
  onExit: () => void = () => {};
  /** The probe point of the running handler, for pp(). */
  probePoint = '';
  errors = 0;
  readonly globals = new Map<Var, Cell>();
  /** Supplies kernel-backed cells for globals shared with kernel handlers. */
  external: ExternalStorage = () => null;
  /** tokenize()'s saved state and similar per-session intrinsic state. */
  readonly intrinsicState = new Map<string, unknown>();

  constructor(readonly limits: Limits, readonly out: (s: string) => void, readonly err: (s: string) => void) {}

  /** Counts `n` actions; throws stap's MAXACTION error past the limit. */
  tick(n: number, tok: Token): void {
    this.actions += n;
    if (this.actions > this.actionLimit) {
      throw new StapError('MAXACTION exceeded', tok, 'maxaction');
    }
  }

  /** Truncates to MAXSTRINGLEN - 1 bytes (stap's buffers hold the terminating NUL). */
  clip(s: string): string {
    const max = this.limits.maxStringLen - 1;
    return s.length > max ? s.slice(0, max) : s;
  }
}
