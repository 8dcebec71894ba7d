// Statements, by stap 4.8's grammar: blocks, if/else, for/while, foreach with sorting,
// slices and limit, try/catch, return/delete/next/break/continue, expression statements.

import type * as A from './ast.js';
import { perr } from './cursor.js';
import { ExprParser } from './parse-expr.js';
import { isKw, isOp } from './token.js';

const aggrSorts: Record<string, A.StatKind> = {
  '@avg': 'avg', '@min': 'min', '@max': 'max', '@count': 'count', '@sum': 'sum', '@variance': 'variance',
};

export class StmtParser extends ExprParser {
  parseStmtBlock(): A.Block {
    const t = this.next();
    if (!isOp(t, '{')) throw perr('stmt_block', "expected '{'");
    const block: A.Block = { kind: 'block', tok: t, statements: [] };
    for (;;) {
      if (this.peekOp('}')) {
        this.swallow();
        return block;
      }
      block.statements.push(this.parseStatement());
    }
  }

  parseStatement(): A.Stmt {
    const t = this.peek();
    if (isOp(t, ';')) return { kind: 'null_statement', tok: this.next() };
    if (isOp(t, '{')) return this.parseStmtBlock();
    if (isKw(t, 'try')) return this.parseTryBlock();
    if (isKw(t, 'if')) return this.parseIf();
    if (isKw(t, 'for')) return this.parseFor();
    if (isKw(t, 'foreach')) return this.parseForeach();
    if (isKw(t, 'while')) return this.parseWhile();
    let s: A.Stmt;
    if (isKw(t, 'return')) s = this.parseReturn();
    else if (isKw(t, 'delete')) s = this.parseDelete();
    else if (isKw(t, 'break')) s = { kind: 'break_statement', tok: this.next() };
    else if (isKw(t, 'continue')) s = { kind: 'continue_statement', tok: this.next() };
    else if (isKw(t, 'next')) s = { kind: 'next_statement', tok: this.next() };
    else if (t && (t.type === 'operator' || t.type === 'identifier' || t.type === 'number' || t.type === 'string' || t.type === 'embedded')) {
      s = this.parseExprStatement();
    } else {
      throw perr('statement', 'expected statement');
    }
    // A ';' after a simple statement belongs to it.
    if (this.peekOp(';')) this.swallow();
    return s;
  }

  private parseTryBlock(): A.TryBlock {
    const tok = this.expectKwToken('try');
    const tryBlock = this.parseStmtBlock();
    this.expectKw('catch');
    let catchVar: A.SymbolExpr | null = null;
    if (this.peekOp('(')) {
      this.swallow();
      const t = this.next();
      if (t.type !== 'identifier') throw perr('try:ident', 'expected identifier');
      catchVar = { kind: 'symbol', tok: t, name: t.content };
      this.expectOp(')');
    }
    const catchBlock = this.parseStmtBlock();
    return { kind: 'try_block', tok, tryBlock, catchVar, catchBlock };
  }

  private expectParen(open: boolean, site: string): void {
    const t = this.next();
    if (!isOp(t, open ? '(' : ')')) throw perr(site, open ? "expected '('" : "expected ')'");
    this.swallow();
  }

  private parseIf(): A.IfStatement {
    const tok = this.next();
    this.expectParen(true, 'if:open');
    const cond = this.parseExpression();
    this.expectParen(false, 'if:close');
    const thenStmt = this.parseStatement();
    let elseStmt: A.Stmt | null = null;
    if (isKw(this.peek(), 'else')) {
      this.swallow();
      elseStmt = this.parseStatement();
    }
    return { kind: 'if_statement', tok, cond, thenStmt, elseStmt };
  }

  protected parseExprStatement(): A.ExprStatement {
    const t = this.peek();
    if (t === null) throw perr('expr_statement', 'expression statement expected');
    return { kind: 'expr_statement', tok: t, value: this.parseExpression() };
  }

  private parseReturn(): A.ReturnStatement {
    const tok = this.next();
    if (this.context !== 'function') throw perr('return:context', "found 'return' not in function context");
    const t = this.peek();
    // As stap: a bare `return` at end of input dereferences nothing; we report it as EOF below.
    if (t === null) throw perr('next', 'unexpected end-of-file');
    if (t.type === 'operator' && (t.content === ';' || t.content === '}')) return { kind: 'return_statement', tok, value: null };
    return { kind: 'return_statement', tok, value: this.parseExpression() };
  }

  private parseDelete(): A.DeleteStatement {
    const tok = this.next();
    return { kind: 'delete_statement', tok, value: this.parseExpression() };
  }

  private expectSemicolon(site: string): void {
    const t = this.next();
    if (!isOp(t, ';')) throw perr(site, "expected ';'");
    this.swallow();
  }

  private parseFor(): A.ForLoop {
    const tok = this.next();
    this.expectParen(true, 'for:open');
    let init: A.ExprStatement | null = null;
    if (this.peekOp(';')) this.swallow();
    else {
      init = this.parseExprStatement();
      this.expectSemicolon('for:init');
    }
    let cond: A.Expr;
    const t = this.peek();
    if (isOp(t, ';')) {
      // An empty condition is an implicit 1, located at the ';'.
      cond = { kind: 'literal_number', tok: this.next(), value: 1n };
    } else {
      cond = this.parseExpression();
      this.expectSemicolon('for:cond');
    }
    let incr: A.ExprStatement | null = null;
    if (this.peekOp(')')) this.swallow();
    else {
      incr = this.parseExprStatement();
      this.expectParen(false, 'for:close');
    }
    return { kind: 'for_loop', tok, init, cond, incr, body: this.parseStatement() };
  }

  private parseWhile(): A.ForLoop {
    const tok = this.next();
    this.expectParen(true, 'while:open');
    const cond = this.parseExpression();
    this.expectParen(false, 'while:close');
    return { kind: 'for_loop', tok, init: null, cond, incr: null, body: this.parseStatement() };
  }

  private parseForeach(): A.ForeachLoop {
    const tok = this.next();
    this.expectParen(true, 'foreach:open');
    const s: A.ForeachLoop = {
      kind: 'foreach_loop', tok, value: null, indexes: [], base: null as unknown as A.Indexable,
      arraySlice: [], sortDirection: 0, sortColumn: 0, sortAggr: null, limit: null, body: null as unknown as A.Stmt,
    };
    // `v = [k] in a`, `v- = [k] in a`, `k in a`, `k- in a`: one identifier of lookahead decides.
    let lookahead: A.SymbolExpr | null = null;
    let lookaheadSort: 0 | 1 | -1 = 0;
    let t = this.peek();
    if (t && t.type === 'identifier') {
      this.next();
      lookahead = { kind: 'symbol', tok: t, name: t.content };
      t = this.peek();
      if (isOp(t, '+') || isOp(t, '-')) {
        lookaheadSort = t!.content === '+' ? 1 : -1;
        this.swallow();
      }
      if (this.peekOp('=')) {
        this.swallow();
        s.value = lookahead;
        if (lookaheadSort) {
          s.sortDirection = lookaheadSort;
          s.sortColumn = 0;
        }
        lookahead = null;
      }
    }
    let bracketed = false;
    if (!lookahead && this.peekOp('[')) {
      this.swallow();
      bracketed = true;
    }
    if (lookahead) {
      s.indexes.push(lookahead);
      if (lookaheadSort) {
        s.sortDirection = lookaheadSort;
        s.sortColumn = 1;
      }
    } else {
      for (;;) {
        t = this.next();
        if (t.type !== 'identifier') throw perr('foreach:ident', 'expected identifier');
        s.indexes.push({ kind: 'symbol', tok: t, name: t.content });
        t = this.peek();
        if (isOp(t, '+') || isOp(t, '-')) {
          if (s.sortDirection) throw perr('foreach:multi-sort-index', 'multiple sort directives');
          s.sortDirection = t!.content === '+' ? 1 : -1;
          s.sortColumn = s.indexes.length;
          this.swallow();
        }
        if (!bracketed) break;
        t = this.peek();
        if (isOp(t, ',')) {
          this.swallow();
          continue;
        }
        if (isOp(t, ']')) {
          this.swallow();
          break;
        }
        throw perr('foreach:index-list', "expected ',' or ']'");
      }
    }
    t = this.next();
    if (!isKw(t, 'in')) throw perr('foreach:in', "expected 'in'");
    this.swallow();
    s.base = this.parseIndexable();

    if (this.peekOp('[')) {
      this.swallow();
      for (;;) {
        if (this.peekOp('*')) {
          this.swallow();
          s.arraySlice.push(null);
        } else {
          s.arraySlice.push(this.parseExpression());
        }
        t = this.peek();
        if (isOp(t, ',')) {
          this.swallow();
          continue;
        }
        if (isOp(t, ']')) {
          this.swallow();
          break;
        }
        throw perr('foreach:slice', "expected ',' or ']'");
      }
    }

    t = this.peek();
    if (t && t.type === 'operator' && t.content[0] === '@') {
      const aggr = aggrSorts[t.content];
      if (!aggr) throw perr('foreach:aggr', 'expected statistical operation');
      s.sortAggr = aggr;
      this.swallow();
      t = this.peek();
      if (!(isOp(t, '+') || isOp(t, '-'))) throw perr('foreach:aggr-sort', 'expected sort directive');
    }
    t = this.peek();
    if (isOp(t, '+') || isOp(t, '-')) {
      if (s.sortDirection) throw perr('foreach:multi-sort-value', 'multiple sort directives');
      s.sortDirection = t!.content === '+' ? 1 : -1;
      s.sortColumn = 0;
      this.swallow();
    }
    if (isKw(this.peek(), 'limit')) {
      this.swallow();
      s.limit = this.parseExpression();
    }
    this.expectParen(false, 'foreach:close');
    s.body = this.parseStatement();
    return s;
  }
}
