// The tapset library as elaboration sees it: every library .stp file parsed once, indexed by
// the functions, globals and aliases it defines. A file is "chosen" (pulled into the program)
// the first time the script uses something it defines, as stap does.

import type * as A from '../parse/ast.js';
import type { ParseEnv } from '../parse/env.js';
import { collectLibraryFiles, readLibraryFile } from '../parse/library.js';
import { Parser } from '../parse/parser.js';

export class Library {
  readonly files: A.StapFile[] = [];
  readonly chosen = new Set<A.StapFile>();

  constructor(includePath: string[], env: ParseEnv) {
    for (const path of collectLibraryFiles(includePath, env, '.stp')) {
      const src = readLibraryFile(path, env);
      if (!src) continue;
      const f = new Parser(src, env, { privileged: true, userFile: false, errorsAsWarnings: true, noCompatible: true }).parseFile();
      if (f) this.files.push(f);
      else env.reporter.warning(`tapset "${path}" has errors, and will be skipped`);
    }
  }

  aliases(): A.ProbeAlias[] {
    return this.files.flatMap((f) => f.aliases);
  }

  functions(name: string): { file: A.StapFile; decl: A.FunctionDecl }[] {
    const out: { file: A.StapFile; decl: A.FunctionDecl }[] = [];
    for (const file of this.files) for (const decl of file.functions) if (decl.name === name) out.push({ file, decl });
    return out;
  }

  global(name: string): { file: A.StapFile; decl: A.VarDecl } | null {
    for (const file of this.files) for (const decl of file.globals) if (decl.name === name) return { file, decl };
    return null;
  }

  allFunctionNames(): string[] {
    return this.files.flatMap((f) => f.functions.map((fn) => fn.name));
  }
}
