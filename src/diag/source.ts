// Source files and locations: the raw text a token points into, kept byte-for-byte.
//
// Scripts are read as latin1 so that one JS char is one byte: stap counts columns in
// bytes and prints source lines verbatim, so this keeps columns and carets identical.

import * as fs from 'node:fs';

export class SourceFile {
  /** True for text tstap made up (synthetic probes), as stap's stapfile::synthetic. */
  synthetic = false;
  constructor(readonly name: string, readonly text: string) {}

  static read(path: string): SourceFile {
    return new SourceFile(path, fs.readFileSync(path, 'latin1'));
  }

  /** The text of 1-based line `line`, without its newline. */
  lineText(line: number): string {
    let start = 0;
    for (let i = 1; i < line; i++) {
      const nl = this.text.indexOf('\n', start);
      if (nl < 0) return '';
      start = nl + 1;
    }
    const end = this.text.indexOf('\n', start);
    return end < 0 ? this.text.slice(start) : this.text.slice(start, end);
  }
}

/** Writes text that came from latin1 sources back out byte-for-byte. */
export function toBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
