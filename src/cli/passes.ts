// Passes 2 and 5 for the command line: elaborate (with the tapset library), print -p2,
// run in the user-space interpreter with stap's -D limits.

import { SourceFile } from '../diag/source.js';
import { elaborate } from '../elaborate/elaborate.js';
import { Library } from '../elaborate/library.js';
import type { Program } from '../elaborate/model.js';
import { defaultMaxNesting } from '../elaborate/nesting.js';
import { printProgram } from '../elaborate/print.js';
import type { IntrinsicLookup } from '../elaborate/resolve.js';
import { findIntrinsic, INTRINSICS } from '../intrinsics/index.js';
import type { StapFile } from '../parse/ast.js';
import type { ParseEnv } from '../parse/env.js';
import { Parser } from '../parse/parser.js';
import type { Limits } from '../interp/context.js';
import { controlSignature } from '../interp/natives.js';
import { runProgram } from '../interp/session.js';
import type { Options } from './options.js';

/** Functions implemented natively: the interpreter's own, then the intrinsic library. */
export const intrinsicLookup: IntrinsicLookup = (name, nargs) => {
  const c = controlSignature(name, nargs);
  if (c) return { params: c.params, ret: c.ret };
  const i = nargs < 0 ? INTRINSICS.get(name)?.[0] : findIntrinsic(name, nargs);
  return i ? { params: [...i.params], ret: i.ret } : null;
};

export function runPass2(files: StapFile[], env: ParseEnv, includePath: string[], o: Options): Program | null {
  const library = new Library(includePath, env);
  return elaborate(files, {
    reporter: env.reporter, library, intrinsics: intrinsicLookup, unoptimized: o.skipOptimize,
    timeoutMs: o.timeout === null ? null : Math.round(o.timeout * 1000),
    synthesize: (code, tok) => {
      const src = new SourceFile(tok ? tok.file.name : '<synthetic>', code);
      src.synthetic = true;
      const f = new Parser(src, env, { privileged: true, userFile: false }).parseFile();
      return f?.probes[0] ?? null;
    },
  });
}

export function dumpProgram(p: Program): string {
  return printProgram(p);
}

/** Limits from stap's defaults and -D NAME=VALUE. */
export function limitsFor(o: Options, p: Program): Limits {
  const d = new Map<string, number>();
  for (const def of o.defines) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(def);
    if (m && m[2] !== undefined && /^-?\d+$/.test(m[2])) d.set(m[1]!, Number(m[2]));
  }
  const maxAction = d.get('MAXACTION') ?? 1000;
  return {
    maxAction: d.get('MAXACTION_INTERRUPTIBLE') ?? maxAction * 10,
    maxActionTimer: maxAction,
    maxStringLen: d.get('MAXSTRINGLEN') ?? 512,
    maxMapEntries: d.get('MAXMAPENTRIES') ?? 2048,
    maxNesting: d.get('MAXNESTING') ?? defaultMaxNesting(p),
    maxErrors: d.get('MAXERRORS') ?? 0,
    maxSkipped: d.get('MAXSKIPPED') ?? 100,
  };
}

export async function runPass5(p: Program, o: Options, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  return runProgram(p, {
    limits: limitsFor(o, p), out, err, args: o.args, suppressWarnings: o.suppressWarnings,
  });
}
