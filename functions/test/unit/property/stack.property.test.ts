// Property-based tests of stack-trace reading (stack.ts): `Type: message` headers round-trip, frame names do not depend
// on line and column numbers (they change with every deploy and would split one problem into many), and any amount of
// any text yields a bounded result without throwing.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { frameFromLine, MAX_STACK_LINES, parseExceptionHeader, scanStack } from '../../../src/domain/stack.js';
import { hostileText, logFragment } from './arbitraries.js';

const identifier = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,10}$/);
const className = fc.stringMatching(/^[A-Z][a-zA-Z0-9]{0,12}$/);
const exceptionType = fc
  .tuple(fc.array(identifier, { maxLength: 4 }), className, fc.constantFrom('Exception', 'Error'))
  .map(([pkg, name, suffix]) => [...pkg, `${name}${suffix}`].join('.'));
/** A one-line exception message as it follows `Type: ` (trimmed: a header line is read trimmed). */
const exceptionMessage = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?()[]{}<>=+-_/#@$%&*"\''), maxLength: 120 })
  .map((text) => text.trim());
const lineNumber = fc.integer({ min: 1, max: 999_999 });

describe('Property: parseExceptionHeader', () => {
  it('reads back the type and message of any `pkg.TypeException: message` line', () => {
    fc.assert(
      fc.property(exceptionType, exceptionMessage, fc.stringMatching(/^[ \t]{0,3}$/), (type, message, indent) => {
        const line = message.length > 0 ? `${indent}${type}: ${message}` : `${indent}${type}`;
        expect(parseExceptionHeader(line)).toEqual({ type, message });
      }),
      { numRuns: 3_000 },
    );
  });

  it('never throws and bounds the type to 256 and the message to 8192 characters, for any line in any mode', () => {
    const longHeader = fc
      .tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 20_000 }))
      .map(([segments, size]) => `${'a.'.repeat(segments)}BoomError: ${'m'.repeat(size)}`);
    fc.assert(
      fc.property(fc.oneof(hostileText(300), longHeader), fc.boolean(), (line, loose) => {
        const header = parseExceptionHeader(line, loose);
        if (header === undefined) return;
        expect(header.type.length).toBeGreaterThan(0);
        expect(header.type.length).toBeLessThanOrEqual(256);
        expect(header.message.length).toBeLessThanOrEqual(8192);
        expect(header.type).toMatch(/^[A-Za-z_$][\w$.+]*$/);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: frame names ignore line and column numbers', () => {
  it('names a Java frame the same whatever its line number', () => {
    fc.assert(
      fc.property(fc.array(identifier, { minLength: 1, maxLength: 4 }), className, identifier, lineNumber, lineNumber, (pkg, cls, method, a, b) => {
        const frame = (n: number) => frameFromLine(`at ${pkg.join('.')}.${cls}.${method}(${cls}.java:${n})`);
        expect(frame(a)).toBe(`${pkg.join('.')}.${cls}.${method}`);
        expect(frame(b)).toBe(frame(a));
      }),
      { numRuns: 1_500 },
    );
  });

  it('names a Node frame the same whatever its line and column, and a file-only frame by its file', () => {
    fc.assert(
      fc.property(
        identifier,
        fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 4 }),
        fc.tuple(lineNumber, lineNumber),
        fc.tuple(lineNumber, lineNumber),
        (fn, dirs, [l1, c1], [l2, c2]) => {
          const path = `/${[...dirs, 'app.js'].join('/')}`;
          expect(frameFromLine(`at ${fn} (${path}:${l1}:${c1})`)).toBe(fn);
          expect(frameFromLine(`at ${fn} (${path}:${l2}:${c2})`)).toBe(fn);
          expect(frameFromLine(`at ${path}:${l1}:${c1}`)).toBe(frameFromLine(`at ${path}:${l2}:${c2}`));
          expect(frameFromLine(`at ${path}:${l1}:${c1}`)).toBe('app.js');
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('names a Python frame module.function whatever its line number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 4 }),
        fc.stringMatching(/^[a-z_]{1,10}$/),
        identifier,
        lineNumber,
        lineNumber,
        (dirs, module, fn, a, b) => {
          const frame = (n: number) => frameFromLine(`File "/${[...dirs, `${module}.py`].join('/')}", line ${n}, in ${fn}`);
          expect(frame(a)).toBe(`${module}.${fn}`);
          expect(frame(b)).toBe(frame(a));
        },
      ),
      { numRuns: 1_500 },
    );
  });
});

describe('Property: scanStack', () => {
  it('reports the header exception with its frames in order, at most MAX_STACK_LINES of them, for a Java trace of any length', () => {
    const frameArb = fc.tuple(fc.array(identifier, { minLength: 1, maxLength: 3 }), className, identifier, lineNumber);
    fc.assert(
      fc.property(exceptionType, exceptionMessage, fc.array(frameArb, { minLength: 1, maxLength: 120 }), (type, message, frames) => {
        const lines = [`${type}: ${message}`, ...frames.map(([pkg, cls, m, n]) => `\tat ${pkg.join('.')}.${cls}.${m}(${cls}.java:${n})`)];
        const scan = scanStack(lines.slice(0, MAX_STACK_LINES), undefined);
        expect(scan.hasFrames).toBe(true);
        expect(scan.exception?.type).toBe(type);
        expect(scan.exception?.message).toBe(message);
        const expected = frames.slice(0, MAX_STACK_LINES - 1).map(([pkg, cls, m]) => `${pkg.join('.')}.${cls}.${m}`);
        expect(scan.exception?.frames).toEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it('reports the last `Caused by:` as the root cause and a Python traceback innermost frame first', () => {
    fc.assert(
      fc.property(
        exceptionType,
        exceptionType,
        exceptionMessage,
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), identifier), { minLength: 1, maxLength: 10 }),
        (outer, root, message, pyFrames) => {
          const java = scanStack([`${outer}: wrapper`, '\tat a.B.c(B.java:1)', `Caused by: ${root}: ${message}`, '\tat d.E.f(E.java:2)'], undefined);
          expect(java.exception?.type).toBe(root);
          expect(java.exception?.message).toBe(message);
          const last = `${root}: ${message}`;
          const py = scanStack(
            ['Traceback (most recent call last):', ...pyFrames.map(([mod, fn]) => `  File "/app/${mod}.py", line 3, in ${fn}`), last],
            last.trim(),
          );
          expect(py.exception?.type).toBe(root);
          expect(py.exception?.frames).toEqual(pyFrames.map(([mod, fn]) => `${mod}.${fn}`).reverse());
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('never throws on any lines and never reports more than MAX_STACK_LINES frames', () => {
    const lineArb = fc.oneof(
      hostileText(120),
      logFragment.map((fragment) => fragment.replace(/^\n/, '')),
    );
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 150 }),
        fc.option(hostileText(100), { nil: undefined }),
        fc.option(hostileText(100), { nil: undefined }),
        (lines, last, header) => {
          const scan = scanStack(lines, last, header);
          expect(typeof scan.hasFrames).toBe('boolean');
          if (scan.exception) {
            expect(scan.exception.frames.length).toBeLessThanOrEqual(MAX_STACK_LINES);
            expect(scan.exception.type.length).toBeLessThanOrEqual(256);
          }
          for (const line of lines) {
            const frame = frameFromLine(line.trimStart());
            if (frame !== undefined) expect(typeof frame).toBe('string');
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
