// What the front end needs to know about the session: script arguments, privilege, the
// compatibility version, and the target kernel (for %( kernel_v / arch / CONFIG_ %) tests).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import type { Reporter } from '../diag/reporter.js';
import type { Token } from './token.js';

export interface MacroDecl {
  tok: Token;
  name: string;
  formalArgs: string[];
  body: Token[];
  /** Library (.stpm) macros may not see the user's local macros. */
  context: 'library' | 'local';
}

export interface ParseEnv {
  reporter: Reporter;
  /** Script arguments ($1 / @1 ...). */
  args: string[];
  usedArgs: boolean[];
  /** -g */
  guru: boolean;
  /** The SystemTap language version scripts are compatible with (--compatible). */
  compatible: string;
  privilege: 'stapdev' | 'stapsys' | 'stapusr';
  runtime: string;
  kernelRelease: string;
  arch: string;
  kernelConfig: () => Map<string, string>;
  /** Macros from library .stpm files, visible to every file. */
  libraryMacros: Map<string, MacroDecl>;
}

/** The version of SystemTap whose language and output tstap reproduces. */
export const STAP_VERSION = '4.8';

/** stap's normalization of `uname -m`. */
export function normalizeArch(machine: string): string {
  if (/^i[3-6]86$/.test(machine)) return 'i386';
  if (machine === 'aarch64') return 'arm64';
  if (machine.startsWith('arm')) return 'arm';
  if (machine === 's390x') return 's390';
  if (machine.startsWith('ppc')) return 'powerpc';
  if (machine.startsWith('mips')) return 'mips';
  if (/^sh[234]/.test(machine)) return 'sh';
  return machine;
}

/** Reads the running kernel's config: /proc/config.gz, /boot, or the build tree. Empty if none. */
export function readKernelConfig(release = os.release()): Map<string, string> {
  const config = new Map<string, string>();
  let text: string | null = null;
  try {
    text = zlib.gunzipSync(fs.readFileSync('/proc/config.gz')).toString('latin1');
  } catch {
    for (const p of [`/boot/config-${release}`, `/lib/modules/${release}/build/.config`]) {
      try {
        text = fs.readFileSync(p, 'latin1');
        break;
      } catch {
        /* try the next place */
      }
    }
  }
  if (text === null) return config;
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    config.set(m[1]!, v);
  }
  return config;
}

export function defaultParseEnv(reporter: Reporter, overrides: Partial<ParseEnv> = {}): ParseEnv {
  let config: Map<string, string> | null = null;
  return {
    reporter,
    args: [],
    usedArgs: [],
    guru: false,
    compatible: STAP_VERSION,
    privilege: 'stapdev',
    runtime: 'kernel',
    kernelRelease: os.release(),
    arch: normalizeArch(os.machine()),
    kernelConfig: () => (config ??= readKernelConfig()),
    libraryMacros: new Map(),
    ...overrides,
  };
}
