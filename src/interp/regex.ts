// POSIX extended regular expressions (what stap's =~ takes) translated to JavaScript RegExp:
// bracket expressions with [:class:] names, literal ']' first in a class, and group offsets.

const classes: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: '0-9A-Za-z', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f', xdigit: '0-9A-Fa-f',
};

export class RegexSyntaxError extends Error {}

/** Translates a POSIX ERE to an equivalent JS pattern (with the `d` flag for group offsets). */
export function compileEre(ere: string): RegExp {
  let out = '';
  let i = 0;
  while (i < ere.length) {
    const c = ere[i]!;
    if (c === '\\') {
      const n = ere[i + 1];
      if (n === undefined) throw new RegexSyntaxError('trailing backslash');
      out += /[A-Za-z0-9]/.test(n) && !/[bBwWsSdD]/.test(n) ? n : '\\' + n;
      i += 2;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (ere[j] === '^') {
        cls += '^';
        j++;
      }
      if (ere[j] === ']') {
        cls += '\\]';
        j++;
      }
      while (j < ere.length && ere[j] !== ']') {
        if (ere[j] === '[' && ere[j + 1] === ':') {
          const end = ere.indexOf(':]', j + 2);
          if (end < 0) throw new RegexSyntaxError('unterminated character class');
          const name = ere.slice(j + 2, end);
          const body = classes[name];
          if (body === undefined) throw new RegexSyntaxError(`unknown character class ${name}`);
          cls += body;
          j = end + 2;
          continue;
        }
        cls += ere[j] === '\\' ? '\\\\' : ere[j] === '[' ? '\\[' : ere[j];
        j++;
      }
      if (j >= ere.length) throw new RegexSyntaxError('unterminated bracket expression');
      out += cls + ']';
      i = j + 1;
      continue;
    }
    out += c;
    i++;
  }
  return new RegExp(out, 'ds');
}
