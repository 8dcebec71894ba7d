// printf/sprintf output byte for byte as stap 4.8's compiled printf and runtime/vsprintf.c.
// Expectations cite the stap testsuite file they come from, or the C code they follow.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFormat } from '../../src/parse/format.js';
import { formatPrintf, formatSprintf, type PrintfArg, type PrintfOptions } from '../../src/format/printf.js';
import { longToString, printChar, printComponents, printFormatString } from '../../src/format/print.js';
import { StapRuntimeError } from '../../src/format/errors.js';

/** printf with a raw (still escaped) format string, as the parser keeps it. */
const pf = (fmt: string, ...args: PrintfArg[]): string => formatPrintf(parseFormat(fmt), args);
const spf = (fmt: string, ...args: PrintfArg[]): string => formatSprintf(parseFormat(fmt), args);
const pfo = (opts: PrintfOptions, fmt: string, ...args: PrintfArg[]): string => formatPrintf(parseFormat(fmt), args, opts);

test('integers in every base and flag (testsuite/systemtap.printf/int1.exp)', () => {
  const vals = [1n, 10n, 9000000000000n, -1n, -1024n];
  const row = (conv: string): string => pf(Array(5).fill(conv).join(',') + '\\n', ...vals);
  const expect: Array<[string, string]> = [
    ['%d', '1,10,9000000000000,-1,-1024'],
    ['%2d', ' 1,10,9000000000000,-1,-1024'],
    ['%16d', '               1,              10,   9000000000000,              -1,           -1024'],
    ['%016d', '0000000000000001,0000000000000010,0009000000000000,-000000000000001,-000000000001024'],
    ['%ld', '1,10,9000000000000,-1,-1024'],
    ['%#d', '1,10,9000000000000,-1,-1024'],
    ['%u', '1,10,9000000000000,18446744073709551615,18446744073709550592'],
    ['%2u', ' 1,10,9000000000000,18446744073709551615,18446744073709550592'],
    ['%16u', '               1,              10,   9000000000000,18446744073709551615,18446744073709550592'],
    ['%016u', '0000000000000001,0000000000000010,0009000000000000,18446744073709551615,18446744073709550592'],
    ['%#lu', '1,10,9000000000000,18446744073709551615,18446744073709550592'],
    ['%x', '1,a,82f79cd9000,ffffffffffffffff,fffffffffffffc00'],
    ['%2x', ' 1, a,82f79cd9000,ffffffffffffffff,fffffffffffffc00'],
    ['%16x', '               1,               a,     82f79cd9000,ffffffffffffffff,fffffffffffffc00'],
    ['%016x', '0000000000000001,000000000000000a,0000082f79cd9000,ffffffffffffffff,fffffffffffffc00'],
    ['%16X', '               1,               A,     82F79CD9000,FFFFFFFFFFFFFFFF,FFFFFFFFFFFFFC00'],
    ['%016X', '0000000000000001,000000000000000A,0000082F79CD9000,FFFFFFFFFFFFFFFF,FFFFFFFFFFFFFC00'],
    ['%#x', '0x1,0xa,0x82f79cd9000,0xffffffffffffffff,0xfffffffffffffc00'],
    ['%#lx', '0x1,0xa,0x82f79cd9000,0xffffffffffffffff,0xfffffffffffffc00'],
    ['%o', '1,12,202757163310000,1777777777777777777777,1777777777777777776000'],
    ['%16o', '               1,              12, 202757163310000,1777777777777777777777,1777777777777777776000'],
    ['%016o', '0000000000000001,0000000000000012,0202757163310000,1777777777777777777777,1777777777777777776000'],
    ['%#o', '01,012,0202757163310000,01777777777777777777777,01777777777777777776000'],
  ];
  for (const [conv, line] of expect) assert.equal(row(conv), line + '\n', conv);
});

test('number() details that differ from C printf (vsprintf.c number)', () => {
  // The zero flag still pads when a precision is given: 2 pad zeros, then 2 precision zeros.
  assert.equal(pf('%05.3d', 7n), '00007');
  // Precision 0 still prints "0".
  assert.equal(pf('%.0d', 0n), '0');
  // '#' octal always adds a leading 0, even to 0; '#' hex gives "0x0".
  assert.equal(pf('%#o|%#x|%#X', 0n, 0n, 255n), '00|0x0|0XFF');
  assert.equal(pf('%+d|% d|%+d|%+u|%+x', 5n, 5n, -5n, 5n, 255n), '+5| 5|-5|5|ff');
  assert.equal(pf('%-6d|%+6d|%6.3d', 42n, 42n, -4n), '42    |   +42|  -004');
  assert.equal(pf('%d|%u', -(2n ** 63n), -(2n ** 63n)), '-9223372036854775808|9223372036854775808');
  assert.equal(pf('%#8x|%08x|%#8o', 26n, 26n, 8n), '    0x1a|0000001a|     010');
});

test('%p is %#x since stap 1.3 (testsuite/systemtap.printf/ptr-1.3.exp)', () => {
  const vals = [0n, 1n, 0x12345678n, 0x12345678abcdef00n, 0x0000000012345678n];
  const rows = (conv: string, suffix: string): string[] => vals.map((v) => pf(conv + suffix, v));
  assert.deepEqual(rows('%p', ''), ['0x0', '0x1', '0x12345678', '0x12345678abcdef00', '0x12345678']);
  assert.deepEqual(rows('%20p', 'X'), [
    '                 0x0X', '                 0x1X', '          0x12345678X', '  0x12345678abcdef00X', '          0x12345678X',
  ]);
  assert.deepEqual(rows('%-20p', 'X'), [
    '0x0                 X', '0x1                 X', '0x12345678          X', '0x12345678abcdef00  X', '0x12345678          X',
  ]);
  assert.deepEqual(rows('%.20p', 'X'), [
    '0x00000000000000000000X', '0x00000000000000000001X', '0x00000000000012345678X', '0x000012345678abcdef00X', '0x00000000000012345678X',
  ]);
  assert.deepEqual(rows('%20.8p', 'X'), [
    '          0x00000000X', '          0x00000001X', '          0x12345678X', '  0x12345678abcdef00X', '          0x12345678X',
  ]);
  assert.deepEqual(rows('%-20.8p', 'X'), [
    '0x00000000          X', '0x00000001          X', '0x12345678          X', '0x12345678abcdef00  X', '0x12345678          X',
  ]);
  assert.deepEqual(rows('%8p', ''), ['     0x0', '     0x1', '0x12345678', '0x12345678abcdef00', '0x12345678']);
  assert.deepEqual(rows('%-8p', 'X'), ['0x0     X', '0x1     X', '0x12345678X', '0x12345678abcdef00X', '0x12345678X']);
  assert.deepEqual(rows('%.8p', ''), ['0x00000000', '0x00000001', '0x12345678', '0x12345678abcdef00', '0x12345678']);
  assert.deepEqual(rows('%8.20p', ''), [
    '0x00000000000000000000', '0x00000000000000000001', '0x00000000000012345678', '0x000012345678abcdef00', '0x00000000000012345678',
  ]);
  assert.equal(pf('%-8.20pX', 1n), '0x00000000000000000001X');
  assert.equal(pf('%p', -1n), '0xffffffffffffffff');
});

test('%p with --compatible=1.2 (testsuite/systemtap.printf/ptr-1.2.exp, 64-bit)', () => {
  const vals = [0n, 1n, 0x12345678n, 0x12345678abcdef00n, 0x0000000012345678n];
  const rows = (conv: string, suffix: string): string[] => vals.map((v) => pfo({ legacyPointer: true }, conv + suffix, v));
  assert.deepEqual(rows('%p', ''), ['0x0000000000000000', '0x0000000000000001', '0x0000000012345678', '0x12345678abcdef00', '0x0000000012345678']);
  assert.deepEqual(rows('%20p', 'X'), [
    '  0x0000000000000000X', '  0x0000000000000001X', '  0x0000000012345678X', '  0x12345678abcdef00X', '  0x0000000012345678X',
  ]);
  assert.deepEqual(rows('%-20p', 'X'), [
    '0x000000000000000000X', '0x000000000000000001X', '0x000000000012345678X', '0x0012345678abcdef00X', '0x000000000012345678X',
  ]);
  assert.deepEqual(rows('%8p', ''), ['0x000000', '0x000001', '0x12345678', '0x12345678abcdef00', '0x12345678']);
  assert.deepEqual(rows('%-8p', 'X'), ['0x000000X', '0x000001X', '0x12345678X', '0x12345678abcdef00X', '0x12345678X']);
  assert.deepEqual(rows('%.1p', ''), ['0x0000000000000000', '0x0000000000000001', '0x0000000012345678', '0x12345678abcdef00', '0x0000000012345678']);
});

test('%c and %#c (testsuite/systemtap.printf/char1.exp, char2.exp)', () => {
  assert.equal(pf('%c', 115n) + pf('%c', 116n) + pf('%c%c', 97n, 112n) + pf('%c%c', 111n, 107n), 'stapok');
  const chars = 'abc-ABC 123!';
  assert.equal([...chars].map((c) => pf('%#c', BigInt(c.charCodeAt(0)))).join(''), 'abc-ABC 123!');
  const ctl = '\x07\x08\x0c\n\r\t\x0b\'\\';
  assert.equal([...ctl].map((c) => pf('%#c', BigInt(c.charCodeAt(0)))).join(''), "\\a\\b\\f\\n\\r\\t\\v\\'\\\\");
  assert.equal(pf('%#c%#c%#c%#c%#c%#c\\n', 0n, 0o33n, 0o177n, 0o222n, 0o333n, 0o377n), '\\000\\033\\177\\222\\333\\377\n');
  // A long is truncated to a C char; widths pad with spaces.
  assert.equal(pf('[%3c|%-3c|%c]', 0x141n, 66n, -1n), '[  A|B  |\xff]');
  assert.equal(pf('[%5c|%-5c]', 9n, 9n).length, 13);
  assert.equal(pf('[%#5c]', 9n), '[   \\t]');
  // %c of 0 emits a NUL byte to the stream, but ends an sprintf result.
  assert.equal(pf('a%cb', 0n), 'a\0b');
  assert.equal(spf('a%cb', 0n), 'a');
});

test('%s, width and precision (testsuite/systemtap.printf/string1.exp; vsprintf.c _stp_vsprint_memory)', () => {
  assert.equal(pf('The string is <%s>\\n', 'Foobar!'), 'The string is <Foobar!>\n');
  assert.equal(pf('%s%s%s%s\\n', 'XYZZY', 'Foobar!', 'XYZZY', 'Foobar!'), 'XYZZYFoobar!XYZZYFoobar!\n');
  assert.equal(pf('[%8s|%-8s|%.3s|%8.3s|%-8.3s]', 'abcde', 'abcde', 'abcde', 'abcde', 'abcde'), '[   abcde|abcde   |abc|     abc|abc     ]');
  // Static precision 0 prints nothing (the compiled printf keeps it, unlike the legacy path).
  assert.equal(pf('[%.0s]', 'abc'), '[]');
  // Dynamic width and precision are clamped to 0: a negative width does not left-justify,
  // and a negative precision prints nothing (translate.cxx: clamp_t(int, arg, 0, end - str + 1)).
  assert.equal(pf('[%*s]', -6n, 'ab'), '[ab]');
  assert.equal(pf('[%*s]', 6n, 'ab'), '[    ab]');
  assert.equal(pf('[%.*s]', -1n, 'ab'), '[]');
  assert.equal(pf('[%.*s]', 1n, 'ab'), '[a]');
  assert.equal(pf('[%*.*s]', 5n, 2n, 'abcdef'), '[   ab]');
  // The int cast of the dynamic width keeps the low 32 bits.
  assert.equal(pf('[%*d]', 0x100000003n, 7n), '[  7]');
  // A stap string is a C string: an embedded NUL ends it.
  assert.equal(pf('[%s]', 'ab\0cd'), '[ab]');
  // "%0s" appends a NUL byte after the (space-padded) string.
  assert.equal(pf('%0s|%05s', 'ab', 'ab'), 'ab\0|   ab\0');
  assert.equal(spf('%0s|x', 'ab'), 'ab');
});

test('literals: escapes, %% and NUL (basic6.exp, oct.exp)', () => {
  assert.equal(pf('Hello%%World'), 'Hello%World');
  assert.equal(pf('\\020\\01\\02\\03\\04\\05\\06\\07'), '\x10\x01\x02\x03\x04\x05\x06\x07');
  assert.equal(pf('tab\\there\\n'), 'tab\there\n');
  // The generated code copies a literal with `while (*src && str <= end)`.
  assert.equal(pf('a\\000b%d|', 5n), 'a5|');
  assert.equal(pf(''), '');
});

test('%b binary (bin2.exp, bin6.exp, langref "Binary Write Examples")', () => {
  assert.equal(pf('%1b', 0x42n), '\x42');
  assert.equal(pf('a=%1b b=%1b c=%1b d=%1b', 0x12n, 0x34n, 0x56n, 0x78n), 'a=\x12 b=\x34 c=\x56 d=\x78');
  assert.equal(pf('%b%b', 0xc0dedbadn, 0x12345678n), '\xad\xdb\xde\xc0\0\0\0\0\x78\x56\x34\x12\0\0\0\0');
  assert.equal(pf('%1b%1b%1blo %1b%1brld\\n', 72n, 101n, 108n, 87n, 111n), 'Hello World\n');
  assert.equal(pf('%3d: %1b%1b%1b\\n', 97n, 97n, 65n, 33n), ' 97: aA!\n');
  // bin6: big_endian8(0x6465616462656566) stored little-endian reads "deadbeef".
  const db = 0x6665656264616564n;
  const cases: Array<[string, PrintfArg[], string]> = [
    ['%b', [db], 'deadbeef'], ['%1b', [db], 'd'], ['%2b', [db], 'de'], ['%4b', [db], 'dead'], ['%8b', [db], 'deadbeef'],
    ['%*b', [1n, db], 'd'], ['%*b', [2n, db], 'de'], ['%*b', [4n, db], 'dead'], ['%*b', [8n, db], 'deadbeef'],
    ['%.8b', [db], 'deadbeef'], ['%.4b', [db], 'dead'], ['%.2b', [db], 'de'], ['%.1b', [db], 'd'],
    ['%.*b', [8n, db], 'deadbeef'], ['%.*b', [4n, db], 'dead'], ['%.*b', [2n, db], 'de'], ['%.*b', [1n, db], 'd'],
    ['%1.8b', [db], 'deadbeef'], ['%2.4b', [db], 'dead'], ['%4.2b', [db], '\0\0de'], ['%8.1b', [db], '\0\0\0\0\0\0\0d'],
    ['%*.*b', [1n, 8n, db], 'deadbeef'], ['%*.*b', [2n, 4n, db], 'dead'], ['%*.*b', [4n, 2n, db], '\0\0de'], ['%*.*b', [8n, 1n, db], '\0\0\0\0\0\0\0d'],
  ];
  for (const [fmt, args, out] of cases) assert.equal(pf(':' + fmt + ':', ...args), ':' + out + ':', fmt);
  // Odd widths fall back to 8 bytes; '-' pads after the value (vsprintf.c _stp_vsprint_binary).
  assert.equal(pf('%3b', 1n), '\x01\0\0\0\0\0\0\0');
  assert.equal(pf('%-4.2b|', 0x4142n), 'BA\0\0|');
});

test('%m and %M dump memory (memory1.stp); strings stand in for memory in user space', () => {
  const s = 'abcdefghij';
  assert.equal(pf('%m', s), 'a');
  assert.equal(pf('%.5m', s), 'abcde');
  assert.equal(pf('%.*m', 5n, s), 'abcde');
  assert.equal(pf('%5m', s), '    a');
  assert.equal(pf('%4.5m', s), 'abcde');
  assert.equal(pf('%15.5m', s), '          abcde');
  assert.equal(pf('%-7.3m|', s), 'abc    |');
  assert.equal(pf('%*.*M', 14n, 6n, s), '  616263646566');
  assert.equal(pf('%.3M', '\x00\xff\x10'), '00ff10');
  // Past a string's end the bytes read as NUL.
  assert.equal(pf('%.4m', 'ab'), 'ab\0\0');
  // Numeric addresses go through readMemory; '#' asks for user memory.
  const mem = (addr: bigint, len: number, user: boolean): string => (addr === 0x1000n ? (user ? 'USER' : 'kern').slice(0, len) : '');
  assert.equal(pfo({ readMemory: mem }, '%.4m/%#.4m', 0x1000n, 0x1000n), 'kern/USER');
  assert.throws(() => pfo({ readMemory: mem }, '%.6m', 0x1000n), new StapRuntimeError('read fault [man error::fault] at 0x1004'));
  assert.throws(() => pf('%m', 0xdeadn), new StapRuntimeError('read fault [man error::fault] at 0xdead'));
});

test('%m larger than a page is refused before printing (translate.cxx)', () => {
  assert.throws(() => pf('%.4097m', 'x'), new StapRuntimeError('4097 is too many bytes for a memory dump'));
  assert.throws(() => pf('%d %.*M', 1n, 5000n, 'x'), new StapRuntimeError('5000 is too many bytes for a memory dump'));
  assert.equal(pf('%.4096m', 'x').length, 4096);
});

test('one printf emits at most STP_BUFFER_SIZE bytes; widths clamp to what is left', () => {
  const big = pf('%9000d', 1n);
  assert.equal(big.length, 8192);
  assert.equal(big, ' '.repeat(8191) + '1');
  const two = pf('ab%8192d', 1n);
  assert.equal(two.length, 8192);
  assert.equal(two, 'ab' + ' '.repeat(8189) + '1');
  // Past the end, number() keeps counting but writes nothing.
  assert.equal(pfo({ bufferSize: 4 }, '%d%s', 123456n, 'x'), '1234');
});

test('sprintf returns at most MAXSTRINGLEN-1 bytes', () => {
  assert.equal(spf('%s-%d', 'abc', 42n), 'abc-42');
  assert.equal(spf('%600d', 5n), ' '.repeat(511));
  assert.equal(spf('%s%s', 'x'.repeat(300), 'y'.repeat(300)), 'x'.repeat(300) + 'y'.repeat(211));
  assert.equal(formatSprintf(parseFormat('%d'), [123456n], { maxStringLen: 4 }), '123');
  // A width is clamped to the room left, so the number still ends the buffer.
  assert.equal(formatSprintf(parseFormat('ab%10d'), [7n], { maxStringLen: 6 }), 'ab   ');
});

test('print family synthesizes a format (print.exp, println.exp, printd.exp)', () => {
  const run = (kinds: Array<'long' | 'string'>, args: PrintfArg[], opts = {}): string => formatPrintf(printComponents(kinds, opts), args);
  assert.equal(printFormatString(['string', 'long'], {}), '%s%d');
  assert.equal(printFormatString(['string', 'long'], { delimiter: '<%>', newline: true }), '%s<%%>%d\\n');
  assert.equal(run(['string', 'long', 'string'], ['hello', 999n, '\n']), 'hello999\n');
  assert.equal(run(['long', 'long', 'long'], [123n, 456n, 789n], { newline: true }), '123456789\n');
  assert.equal(run(['string'], [' '], { newline: true }), ' \n');
  assert.equal(run(['string', 'string', 'long'], ['hello', 'world', 777n], { delimiter: '<-->' }), 'hello<-->world<-->777');
  assert.equal(run(['string', 'string', 'string'], ['foo', 'bar', 'baz'], { delimiter: ' *** ', newline: true }), 'foo *** bar *** baz\n');
  assert.equal(run(['long', 'long'], [1n, 2n], { delimiter: '%' }), '1%2');
  assert.equal(run(['long', 'long'], [1n, 2n], { delimiter: '\\t' }), '1\t2');
  assert.equal(formatSprintf(printComponents(['long']), [-42n]), '-42');
  assert.equal(longToString(-9223372036854775808n), '-9223372036854775808');
  assert.equal(longToString(777n), '777');
  // print_char.exp: print_char(65) ... print_char(10)
  assert.equal([65n, 66n, 67n, 10n].map(printChar).join(''), 'ABC\n');
  assert.equal(printChar(0x141n), 'A');
});
