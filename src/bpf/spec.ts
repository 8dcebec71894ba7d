// What pass 4 produces for the kernel: maps, programs and record formats as plain data (a
// "spec"). Nothing here touches the kernel; the runtime decides at load time how to attach.

import type { Token } from '../parse/token.js';
import type { Program } from './program.js';

export type MapKind = 'hash' | 'array' | 'percpu_hash' | 'percpu_array' | 'ringbuf' | 'stack_trace';

export interface MapSpec {
  readonly name: string;
  readonly kind: MapKind;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /**
   * Constant contents (an array map's entry 0): the map is created read-only for programs,
   * filled, then frozen, so the verifier takes its bytes as constants (bpf_snprintf formats).
   */
  readonly constant?: Buffer;
}

export type AttachSpec =
  /** BTF-typed raw tracepoint: args are the TP_PROTO parameters. */
  | { kind: 'tp_btf'; tracepoint: string; category: string }
  /** Classic tracepoint through perf: args from the tracefs format. */
  | { kind: 'tracepoint'; category: string; name: string }
  /** A kernel function's entry or return: fentry/fexit where allowed, else kprobes. */
  | { kind: 'function'; func: string; ret: boolean; btfId: number }
  /** The same through a kprobe/kretprobe (kernels without fentry): args from pt_regs. */
  | { kind: 'kprobe'; func: string; ret: boolean }
  /** cpu-clock sampling, one perf event per CPU (timer.profile). */
  | { kind: 'cpu_clock'; freq: number | null; periodNs: bigint | null }
  /** Not attached: run once on demand with BPF_PROG_TEST_RUN (begin/end under --runtime=bpf). */
  | { kind: 'test_run' }
  /** A perf counter overflowing every `sample` events, one per CPU (perf.sw.*, perf.hw.*). */
  | { kind: 'perf'; event: string; type: number; config: number; sample: bigint };

export interface ProgramSpec {
  name: string;
  /** Index of the derived probe this program implements. */
  probe: number;
  attach: AttachSpec;
  program: Program<MapSpec, Token>;
}

/** One field of a record a kernel handler sends to user space. */
export type RecordField = { type: 'long' } | { type: 'string'; size: number };

/** Record kinds: what the consumer does with a record of that format id. */
export type RecordKind =
  /**
   * A print call's record. `deferred[i]` names a built-in that user space applies to argument
   * i's own arguments (sent in its place) before formatting: ctime() and kin, which kernel
   * handlers cannot compute; null for an argument sent as its value.
   */
  | {
    kind: 'printf'; call: number; deferred?: (string | null)[];
    /**
     * Some deferred built-in names user addresses (usymname() and kin, format/usyms.ts): the
     * record's last two fields are the pid and time of the `ubacktrace` context record sent
     * just before it, whose stack the addresses are looked up in.
     */
    ucontext?: true;
  }
  | { kind: 'exit' }
  /** A run-time error; a null message travels as the record's one string field. */
  | { kind: 'error'; message: string | null; tok: Token | null }
  /** print_backtrace(): fields are the stack id and the pid. */
  | { kind: 'backtrace' }
  /**
   * print_ubacktrace(): the frames themselves (wire/ustack.ts). With `context`, not printed: the
   * probe's user stack for the print record that follows (printf `ucontext`).
   */
  | { kind: 'ubacktrace'; context?: true };

export interface RecordFormat {
  id: number;
  what: RecordKind;
  fields: RecordField[];
}

export interface KernelSpec {
  maps: MapSpec[];
  programs: ProgramSpec[];
  records: RecordFormat[];
}
