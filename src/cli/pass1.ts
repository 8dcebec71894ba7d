// Pass 1: load library macros, parse the user's script(s), and print the tree for -p1.

import * as fs from 'node:fs';
import { SourceFile } from '../diag/source.js';
import type { StapFile } from '../parse/ast.js';
import type { ParseEnv } from '../parse/env.js';
import { loadLibraryMacros } from '../parse/library.js';
import { Parser } from '../parse/parser.js';
import { printFile } from '../parse/printer.js';
import type { Options } from './options.js';

export interface Pass1Result {
  userFiles: StapFile[];
  /** Non-zero when pass 1 failed (errors already printed). */
  rc: number;
}

export function runPass1(o: Options, env: ParseEnv, includePath: string[]): Pass1Result {
  loadLibraryMacros(includePath, env);
  const userFiles: StapFile[] = [];
  let rc = env.reporter.errorCount ? 1 : 0;
  const parseUser = (src: SourceFile) => {
    const f = new Parser(src, env, { privileged: env.guru, userFile: true }).parseFile();
    if (f) userFiles.push(f);
    else rc++;
  };
  if (o.scriptFile === '-') {
    parseUser(new SourceFile('<input>', fs.readFileSync(0, 'latin1')));
  } else if (o.scriptFile !== null) {
    let src: SourceFile | null = null;
    try {
      src = SourceFile.read(o.scriptFile);
    } catch {
      env.reporter.line(fs.existsSync(o.scriptFile)
        ? `Input file '${o.scriptFile}' can't be opened for reading.`
        : `Input file '${o.scriptFile}' is missing.`);
      rc++;
    }
    if (src) parseUser(src);
  } else if (o.cmdlineScript !== null) {
    if (o.cmdlineScript === '') {
      env.reporter.line("Input file '<input>' is empty.");
      rc++;
    } else {
      parseUser(new SourceFile('<input>', Buffer.from(o.cmdlineScript, 'utf8').toString('latin1')));
    }
  }
  o.additionalScripts.forEach((s, i) => parseUser(new SourceFile(`<input${i + 1}>`, Buffer.from(s, 'utf8').toString('latin1'))));
  return { userFiles, rc };
}

export function dumpParseTree(files: StapFile[]): string {
  return '# parse tree dump\n' + files.map(printFile).join('') + '\n';
}
