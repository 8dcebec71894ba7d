// Numbers from the kernel's bpf uapi (include/uapi/linux/bpf.h): commands, map/program/attach types, flags.

/** enum bpf_cmd */
export const BpfCmd = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  PROG_TEST_RUN: 10,
  OBJ_GET_INFO_BY_FD: 15,
  RAW_TRACEPOINT_OPEN: 17,
  BTF_LOAD: 18,
  MAP_FREEZE: 22,
  MAP_LOOKUP_BATCH: 24,
  LINK_CREATE: 28,
  ENABLE_STATS: 32,
} as const;

/** The name of a command number, for error messages ("bpf(PROG_LOAD)"). */
export function bpfCmdName(cmd: number): string {
  for (const [name, n] of Object.entries(BpfCmd)) if (n === cmd) return name;
  return String(cmd);
}

/** enum bpf_map_type (the ones tstap uses). */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  RINGBUF: 27,
} as const;
export type MapTypeId = (typeof MapType)[keyof typeof MapType];

/** enum bpf_prog_type (the ones tstap uses or probes). */
export const ProgType = {
  SOCKET_FILTER: 1,
  KPROBE: 2,
  TRACEPOINT: 5,
  PERF_EVENT: 7,
  RAW_TRACEPOINT: 17,
  TRACING: 26,
  LSM: 29,
  SYSCALL: 31,
} as const;

/** enum bpf_attach_type (the tracing ones). */
export const AttachType = {
  NONE: 0,
  TRACE_RAW_TP: 23,
  TRACE_FENTRY: 24,
  TRACE_FEXIT: 25,
  MODIFY_RETURN: 26,
  LSM_MAC: 27,
  TRACE_ITER: 28,
  PERF_EVENT: 41,
  TRACE_KPROBE_MULTI: 42,
  TRACE_UPROBE_MULTI: 48,
} as const;

/** Map update flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

/** map_flags */
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_RDONLY_PROG = 1 << 7;

/** link_create.uprobe_multi.flags: attach as uretprobe. */
export const BPF_F_UPROBE_MULTI_RETURN = 1;
/** link_create.kprobe_multi.flags: attach as kretprobe. */
export const BPF_F_KPROBE_MULTI_RETURN = 1;

/** test.flags: run a raw_tp program on test.cpu. */
export const BPF_F_TEST_RUN_ON_CPU = 1;

/** enum bpf_stats_type */
export const BPF_STATS_RUN_TIME = 0;

/** sizeof(union bpf_attr) in the 6.1 uapi; newer kernels accept it, older ones accept a zero tail. */
export const BPF_ATTR_SIZE = 144;

/** Object names (maps, programs) are at most 15 chars of [A-Za-z0-9_.] plus a NUL. */
export const BPF_OBJ_NAME_LEN = 16;

/** One BPF instruction is 8 bytes; ld_imm64 takes two. */
export const BPF_INSN_SIZE = 8;
