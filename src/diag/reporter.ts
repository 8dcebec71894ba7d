// Where diagnostics go: stap's duplicate elimination, warning suppression (-w) and the
// "similar messages suppressed" summary, writing to stderr (or a test's buffer).

import { ParseError, renderParseError, errorSource, SemanticError } from './errors.js';
import { describeToken, type Token } from '../parse/token.js';

export class Reporter {
  verbose = 0;
  suppressWarnings = false;
  /** Number of script arguments, for "argument out of range [1-N]" messages. */
  nargs = 0;
  private seenErrors = new Map<string, number>();
  private seenWarnings = new Set<string>();
  private suppressedErrors = 0;
  private suppressedWarnings = 0;
  private warningErrCount = 0;
  private lastToken: Token | null = null;

  constructor(readonly write: (s: string) => void) {}

  /** Errors that count against the run (stap's num_errors). */
  get errorCount(): number {
    let n = 0;
    for (const v of this.seenErrors.values()) if (v > 0) n++;
    return n - this.warningErrCount;
  }

  parseError(pe: ParseError, tok: Token | null, inputName: string, asWarning = false): void {
    const key = pe.siteChain();
    const seen = this.seenErrors.get(key) ?? 0;
    if (this.verbose > 0 || seen < 1) {
      this.seenErrors.set(key, seen + 1);
      if (seen + 1 === 1 && asWarning) this.warningErrCount++;
      this.write(renderParseError(pe, tok, inputName, this.nargs));
      for (let e = pe.chain; e; e = e.chain) this.write(renderParseError(e, e.tok, inputName, this.nargs));
    } else {
      this.suppressedErrors++;
    }
  }

  semanticError(se: SemanticError): void {
    const key = se.siteChain();
    const seen = this.seenErrors.get(key) ?? 0;
    if (this.verbose > 0 || seen < 1) {
      this.seenErrors.set(key, seen + 1);
      this.write(this.renderSemantic(se));
      for (let e = se.chain; e; e = e.chain) {
        const k = e.siteChain();
        const s = this.seenErrors.get(k) ?? 0;
        if (this.verbose > 1 || s < 1) {
          this.seenErrors.set(k, s + 1);
          this.write(this.renderSemantic(e));
        }
      }
    } else {
      this.suppressedErrors++;
    }
  }

  warning(message: string, tok: Token | null = null): void {
    if (this.suppressWarnings) return;
    if (this.verbose > 0 || !this.seenWarnings.has(message)) {
      this.seenWarnings.add(message);
      let out = `WARNING: ${message}`;
      if (tok) out += ': ' + this.tokenText(tok);
      out += '\n';
      if (tok) out += errorSource(' ', tok);
      this.write(out);
    } else {
      this.suppressedWarnings++;
    }
  }

  /** Plain lines such as "1 parse error." */
  line(s: string): void {
    this.write(s + '\n');
  }

  reportSuppression(): void {
    if (this.suppressedErrors > 0) this.line(`Number of similar error messages suppressed: ${this.suppressedErrors}.`);
    if (this.suppressedWarnings > 0) this.line(`Number of similar warning messages suppressed: ${this.suppressedWarnings}.`);
    if (this.suppressedErrors > 0 || this.suppressedWarnings > 0) this.line('Rerun with -v to see them.');
  }

  private renderSemantic(e: SemanticError): string {
    const align = '        ';
    let out = `semantic error: ${e.message}`;
    const details = e.details.map((d) => `\n${align}${d}`).join('');
    if (e.tok1 || e.tok2) out += ': ';
    else out += details + '\n';
    if (e.tok1) out += this.tokenText(e.tok1) + details + '\n' + errorSource(align, e.tok1);
    if (e.tok2) out += this.tokenText(e.tok2) + '\n' + errorSource(align, e.tok2);
    return out + '\n';
  }

  /** stap's print_token: the file name is dropped when the previous token was in the same file. */
  private tokenText(tok: Token): string {
    let s = describeToken(tok);
    if (this.lastToken && this.lastToken.file === tok.file) {
      const idx = s.indexOf(tok.file.name);
      if (idx >= 0) s = s.slice(0, idx) + s.slice(idx + tok.file.name.length);
    }
    this.lastToken = tok;
    return s;
  }
}
