// The contract between the interpreter and the natively implemented tapset functions ("intrinsics").

/** The two SystemTap value types an intrinsic can take or return. */
export type StapType = 'long' | 'string';

/**
 * A run-time value: a `long` is a bigint in signed 64-bit range, a `string` is a JS string holding
 * one latin1 char per byte (never a NUL), at most `maxStringLen - 1` chars long.
 */
export type Value = bigint | string;

/**
 * What an intrinsic returns. 'unknown' is stap's type for a function that returns no value
 * (ansi_*, log, error): it may only be called as a statement.
 */
export type RetType = StapType | 'unknown';

/**
 * One overload of a tapset function, with the signature stap's tapset declares for it (printed by
 * `stap -p2` as `name:ret (paramNames[0]:params[0], ...)`). `impl` receives arguments already
 * checked against `params` (the `intrinsic()` builder asserts this) and returns `undefined`
 * exactly when `ret` is 'unknown'. It may throw `StapRuntimeError`; any other exception is a bug.
 */
export interface Intrinsic {
  readonly name: string;
  readonly params: readonly StapType[];
  /** The parameters' names as stap's tapset declares them (what `stap -p2` prints); same length as `params`. */
  readonly paramNames: readonly string[];
  readonly ret: RetType;
  impl(ctx: IntrinsicContext, args: readonly Value[]): Value | undefined;
}

/**
 * A SystemTap run-time error raised by a function (stap's `CONTEXT->last_error`). `message` is
 * exactly stap's text; the interpreter adds the "ERROR: " prefix and, when `withLocation` is set,
 * stap's " near identifier 'NAME' at FILE:LINE:COL" suffix. `error()` and `assert()` clear
 * stap's `last_stmt`, so their message is printed bare (`withLocation` false).
 */
export class StapRuntimeError extends Error {
  readonly withLocation: boolean;
  constructor(message: string, withLocation = true) {
    super(message);
    this.name = 'StapRuntimeError';
    this.withLocation = withLocation;
  }
}

/** Facts fixed for the whole session (stap gets most of them from staprun at module load). */
export interface SessionInfo {
  /** stp_pid(): pid of the stapio/staprun process. */
  readonly stpPid: number;
  /** target(): the -x/-c pid, 0 when none. */
  readonly target: number;
  /** module_name(). */
  readonly moduleName: string;
  /** remote_id() (-1 when not a --remote session) and remote_uri(). */
  readonly remoteId: number;
  readonly remoteUri: string;
  /** tz_gmtoff(): seconds WEST of UTC (staprun passes -tm_gmtoff); tz_name(): tm_zone. */
  readonly tzGmtoff: number;
  readonly tzName: string;
  /** The target kernel's HZ and PAGE_SIZE (HZ(), cputime_to_*, pages_to_string). */
  readonly hz: number;
  readonly pageSize: number;
  /** CPUs cpu_clock_*(cpu) accepts. */
  readonly onlineCpus: ReadonlySet<number>;
}

/** The last `=~` match, as the interpreter's regex engine leaves it for matched()/ngroups(). */
export interface RegexMatch {
  /** Whether the last match succeeded. */
  readonly result: boolean;
  /** The string that was matched against. */
  readonly subject: string;
  /** The regex's groups, group 0 (the whole match) included. */
  readonly count: number;
  /** [start, end) byte offsets of group n (< count) after a successful match; -1 for an unset group. */
  group(n: number): readonly [number, number];
}

/**
 * Mutable state some intrinsics keep between calls. In stap, `tokenize` and `lastMatch` live in
 * the per-CPU probe context (so they persist across handlers that run on the same CPU), the
 * random seed is one static (stopwatches and indent counters are globals of tapset/*.stp). The interpreter
 * owns the object and decides its lifetime (one per context it models).
 */
export class IntrinsicState {
  /** tokenize(): a copy of the last non-empty input and where strsep() resumes (null: exhausted). */
  tokenize: { buf: string; pos: number | null } = { buf: '', pos: null };
  /** randint(): the LCG state, seeded lazily from `initialSeed` (stap uses jiffies). */
  rngSeed: bigint | null = null;
  readonly initialSeed: bigint;
  /** matched()/ngroups(): set by the interpreter after each `=~`. */
  lastMatch: RegexMatch | null = null;

  constructor(initialSeed: bigint) {
    this.initialSeed = initialSeed;
  }
}

/** Everything an intrinsic may consult; it performs no I/O except through `print`/`warn`. */
export interface IntrinsicContext {
  /** stap's MAXSTRINGLEN: a string buffer's size including the NUL, so strings hold at most
   * `maxStringLen - 1` bytes. 512 on 64-bit hosts (runtime/runtime_defines.h), -DMAXSTRINGLEN=N. */
  readonly maxStringLen: number;
  /** CLOCK_REALTIME in ns since the epoch (gettimeofday_*). */
  now(): bigint;
  /** A monotonic ns clock (local_clock_*, cpu_clock_*, ktime_get_ns: sched_clock/ktime in stap). */
  monotonicNs(): bigint;
  readonly session: SessionInfo;
  readonly state: IntrinsicState;
  /** Appends to the probe's output buffer (print/printf destination). */
  print(s: string): void;
  /** Emits a warning as `_stp_warn` does ("WARNING: " + msg, subject to -w). */
  warn(msg: string): void;
}
