// tracefs: where it is mounted, event listing by glob, and events/<sys>/<name>/format records.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fnmatch } from '../../util/fnmatch.js';

export class TracefsError extends Error {
  override name = 'TracefsError';
}

/** One field of a tracepoint's raw record. */
export interface TraceField {
  readonly name: string;
  /** The declaration as the kernel prints it, e.g. `const char * filename`, `__data_loc char[] name`. */
  readonly decl: string;
  /** The C type without name and array part: `const char *`, `char`, `pid_t`. For `__data_loc` fields, the element type. */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  readonly isArray: boolean;
  /** The declared length for `x[16]`; undefined for `x[]`, `__data_loc` and non-numeric lengths. */
  readonly arrayLen: number | undefined;
  /**
   * `__data_loc`: the u32 at `offset` holds (length << 16 | offset from the record start) of
   * dynamic data; `__rel_loc`: the same, with the offset counted from the end of this field.
   */
  readonly dataLoc: 'data_loc' | 'rel_loc' | undefined;
  readonly pointer: boolean;
  /** One of the `common_*` fields that every event record starts with. */
  readonly common: boolean;
}

export interface EventFormat {
  readonly system: string;
  readonly name: string;
  /** The perf_event_open `config` of PERF_TYPE_TRACEPOINT. */
  readonly id: number;
  /** All fields, common ones first, in record order. */
  readonly fields: readonly TraceField[];
  readonly printFmt: string;
}

export interface EventName {
  readonly system: string;
  readonly name: string;
}

const CANDIDATE_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/**
 * Where tracefs is mounted, or undefined when it is not (mounting it is a syscall, so it
 * belongs to the runtime's sys layer: `mount -t tracefs nodev /sys/kernel/tracing`).
 */
export function tracefsRoot(): string | undefined {
  for (const r of CANDIDATE_ROOTS) if (existsSync(`${r}/events`)) return r;
  try {
    for (const line of readFileSync('/proc/mounts', 'latin1').split('\n')) {
      const f = line.split(' ');
      if (f[2] === 'tracefs' && f[1] !== undefined) return unescapeMount(f[1]);
    }
  } catch {
    // No /proc: nothing else to try.
  }
  return undefined;
}

function requireRoot(root: string | undefined): string {
  const r = root ?? tracefsRoot();
  if (r === undefined) throw new TracefsError('tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)');
  return r;
}

// /proc/mounts escapes space, tab, newline and backslash as octal.
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses the text of an events/<sys>/<name>/format file. */
export function parseFormat(text: string, system = ''): EventFormat {
  let name = '';
  let id = -1;
  let printFmt = '';
  const fields: TraceField[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('name: ')) name = line.slice(6).trim();
    else if (line.startsWith('ID: ')) id = Number(line.slice(4).trim());
    else if (line.startsWith('print fmt: ')) printFmt = line.slice(11);
    else {
      const t = line.trim();
      if (t.startsWith('field:')) fields.push(parseFieldLine(t));
    }
  }
  if (name === '' || !Number.isInteger(id) || id < 0) throw new TracefsError('not a tracepoint format file');
  return { system, name, id, fields, printFmt };
}

// `field:<decl>;\toffset:N;\tsize:N;\tsigned:N;`; old kernels omit `signed:`.
function parseFieldLine(line: string): TraceField {
  const parts = line.split(';').map((p) => p.trim()).filter((p) => p !== '');
  const decl = parts[0]!.slice('field:'.length).trim();
  const attrs = new Map<string, number>();
  for (const p of parts.slice(1)) {
    const colon = p.indexOf(':');
    if (colon > 0) attrs.set(p.slice(0, colon).trim(), Number(p.slice(colon + 1).trim()));
  }
  const offset = attrs.get('offset');
  const size = attrs.get('size');
  if (offset === undefined || size === undefined || Number.isNaN(offset) || Number.isNaN(size)) {
    throw new TracefsError(`malformed format field: ${line}`);
  }
  return { ...parseDecl(decl), decl, offset, size, signed: attrs.get('signed') === 1 };
}

type DeclParts = Pick<TraceField, 'name' | 'type' | 'isArray' | 'arrayLen' | 'dataLoc' | 'pointer' | 'common'>;

/** Splits a C field declaration as printed by the kernel into name, type and array part. */
export function parseDecl(decl: string): DeclParts {
  let rest = decl.trim();
  let dataLoc: TraceField['dataLoc'];
  for (const [kw, tag] of [['__data_loc', 'data_loc'], ['__rel_loc', 'rel_loc']] as const) {
    if (rest.startsWith(`${kw} `)) {
      dataLoc = tag;
      rest = rest.slice(kw.length + 1).trim();
    }
  }
  let isArray = false;
  let arrayLen: number | undefined;
  const arr = /\[([^\]]*)\]\s*$/.exec(rest);
  if (arr) {
    isArray = true;
    const n = arr[1]!.trim();
    arrayLen = /^(0x[0-9a-f]+|\d+)$/i.test(n) ? Number(n) : undefined;
    rest = rest.slice(0, arr.index).trimEnd();
  }
  // `__data_loc char[] name` puts the brackets on the type, before the name.
  const m = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(rest);
  const name = m ? m[1]! : '';
  let type = m ? rest.slice(0, m.index).trim() : rest;
  const typeArr = /\[([^\]]*)\]\s*$/.exec(type);
  if (typeArr) {
    isArray = true;
    type = type.slice(0, typeArr.index).trimEnd();
  }
  if (dataLoc) arrayLen = undefined;
  return { name, type, isArray, arrayLen, dataLoc, pointer: type.endsWith('*'), common: name.startsWith('common_') };
}

/** Reads and parses events/<system>/<name>/format; a system of '' or '*' means the one system that has `name`. */
export function readEventFormat(system: string, name: string, root?: string): EventFormat {
  const r = requireRoot(root);
  if (system === '' || system === '*') {
    const hits = allEvents(r).filter((e) => e.name === name);
    if (hits.length !== 1) {
      throw new TracefsError(hits.length === 0 ? `no tracepoint named ${name}`
        : `tracepoint ${name} is ambiguous: ${hits.map((e) => `${e.system}:${e.name}`).join(', ')}`);
    }
    system = hits[0]!.system;
  }
  if (!isPlainName(system) || !isPlainName(name)) throw new TracefsError(`invalid tracepoint name ${system}:${name}`);
  const path = `${r}/events/${system}/${name}/format`;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new TracefsError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseFormat(text, system);
}

function isPlainName(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/');
}

/**
 * Events matching `pattern`: `sched:*`, `syscalls:sys_enter_*`, `sched/sched_switch`, or
 * an event glob alone (`sched_switch`, any system), with fnmatch globbing on both parts.
 * Sorted by system, then name.
 */
export function listEvents(pattern: string, root?: string): EventName[] {
  const sep = pattern.search(/[:/]/);
  const sysPat = sep < 0 ? '*' : pattern.slice(0, sep);
  const namePat = sep < 0 ? pattern : pattern.slice(sep + 1);
  const out: EventName[] = [];
  for (const e of allEvents(requireRoot(root))) {
    if (fnmatch(sysPat, e.system) && fnmatch(namePat, e.name)) out.push(e);
  }
  return out.sort((a, b) => cmp(a.system, b.system) || cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// available_events is one read; the directory tree is the fallback when it is unreadable.
function allEvents(root: string): EventName[] {
  try {
    const out: EventName[] = [];
    for (const line of readFileSync(`${root}/available_events`, 'latin1').split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) out.push({ system: line.slice(0, colon), name: line.slice(colon + 1).trim() });
    }
    return out;
  } catch {
    return walkEvents(root);
  }
}

function walkEvents(root: string): EventName[] {
  const out: EventName[] = [];
  for (const sys of readdirSync(`${root}/events`, { withFileTypes: true })) {
    if (!sys.isDirectory()) continue;
    for (const ev of readdirSync(`${root}/events/${sys.name}`, { withFileTypes: true })) {
      if (ev.isDirectory()) out.push({ system: sys.name, name: ev.name });
    }
  }
  return out;
}
