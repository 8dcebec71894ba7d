// The print family without a format string (print, println, printd, sprint, ...).
//
// stap synthesizes a format for them (translate.cxx preprocess_print_format); this module
// builds it and holds the long-to-text conversions they imply.

import { parseFormat, type FormatComponent } from '../parse/format.js';

export type PrintArgKind = 'long' | 'string';

export interface PrintFamilyOptions {
  /** printd/printdln/sprintd/sprintdln: the delimiter literal, raw (escapes not yet applied). */
  delimiter?: string;
  /** println, printdln, sprintln, sprintdln. */
  newline?: boolean;
}

/**
 * The raw format text stap builds for a print-family call (translate.cxx
 * preprocess_print_format): "%d" or "%s" per argument, the delimiter with '%' doubled between
 * them, and "\n" (still escaped) at the end.
 */
export function printFormatString(kinds: readonly PrintArgKind[], opts: PrintFamilyOptions = {}): string {
  const delim = opts.delimiter === undefined ? null : opts.delimiter.replace(/%/g, '%%');
  let fmt = '';
  kinds.forEach((k, i) => {
    if (i > 0 && delim !== null) fmt += delim;
    fmt += k === 'long' ? '%d' : '%s';
  });
  if (opts.newline) fmt += '\\n';
  return fmt;
}

/** Components for formatPrintf/formatSprintf of a print-family call (cacheable per call site). */
export function printComponents(kinds: readonly PrintArgKind[], opts: PrintFamilyOptions = {}): FormatComponent[] {
  return parseFormat(printFormatString(kinds, opts));
}

/** A long as print/sprint shows it: "%d", i.e. signed decimal. */
export function longToString(v: bigint): string {
  return BigInt.asIntN(64, v).toString();
}

/** print_char(v): the low byte of v, as _stp_print_char(char) writes it. */
export function printChar(v: bigint): string {
  return String.fromCharCode(Number(BigInt.asUintN(8, v)));
}
