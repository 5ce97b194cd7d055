import { describe, expect, it } from '@jest/globals';
import { AwsServiceError } from '../../../src/local/aws-error.js';
import { compileFilterPattern } from '../../../src/local/cloudwatch-logs/filter-pattern.js';

type Row = readonly [pattern: string, message: string, expected: boolean];

function check(rows: readonly Row[]): void {
  for (const [pattern, message, expected] of rows) {
    expect({ pattern, message, matched: compileFilterPattern(pattern)(message) }).toEqual({ pattern, message, matched: expected });
  }
}

function rejection(pattern: string): AwsServiceError {
  try {
    compileFilterPattern(pattern);
  } catch (err) {
    return err as AwsServiceError;
  }
  throw new Error(`pattern ${pattern} was accepted`);
}

describe('compileFilterPattern', () => {
  describe('unstructured terms', () => {
    it('matches every event for an empty, blank or "" pattern', () => {
      check([
        ['', 'anything', true],
        ['   ', 'anything', true],
        ['""', 'anything', true],
      ]);
    });

    it('finds terms as case-sensitive substrings, quoted or not', () => {
      check([
        ['ERROR', '[ERROR] A fatal exception has occurred', true],
        ['ERROR', 'Exiting with ERRORCODE: -1', true],
        ['ERROR', 'error: lower case', false],
        ['"ERROR"', 'Exiting with ERRORCODE: -1', true],
        ['Exception', 'java.lang.NullPointerException', true],
      ]);
    });

    it('requires every space-separated term, in any order', () => {
      check([
        ['ERROR Exception', '[ERROR] Caught IllegalArgumentException', true],
        ['ERROR Exception', 'Exception raised [ERROR]', true],
        ['ERROR Exception', '[ERROR] Unhandled failure', false],
      ]);
    });

    it('treats a quoted term as one exact phrase', () => {
      check([
        ['"Failed to process"', '[WARN] Failed to process the request', true],
        ['"Failed to process"', '[WARN] Failed to quickly process', false],
        ['"ERROR" "Exception"', '[ERROR] Unhandled Exception', true],
        ['"ERROR Exception"', '[ERROR] Unhandled Exception', false],
      ]);
    });

    it('unescapes backslash-escaped quotes and backslashes inside quoted terms', () => {
      check([
        ['"\\"level\\":\\"error\\""', '{"level":"error","msg":"x"}', true],
        ['"\\"level\\":\\"error\\""', '{"level":"info","msg":"error"}', false],
        ['"C:\\\\temp"', 'cannot write C:\\temp\\pos.db', true],
      ]);
    });

    it('matches either term with ?term', () => {
      check([
        ['?ERROR ?WARN', 'ERROR WARN message', true],
        ['?ERROR ?WARN', 'ERROR message', true],
        ['?ERROR ?WARN', 'WARN message', true],
        ['?ERROR ?WARN', 'INFO message', false],
      ]);
    });

    it('excludes events containing a -term', () => {
      check([
        ['ERROR -WARN', 'ERROR WARN message', false],
        ['ERROR -WARN', 'ERROR message', true],
        ['-DEBUG', 'INFO message', true],
        ['-DEBUG', 'DEBUG message', false],
        ['"ERROR" - "Exiting"', 'Exiting with ERRORCODE: -1', false],
        ['ERROR -"Retrying"', '[ERROR] Retrying in 5s', false],
      ]);
    });

    it('groups terms after a ?term with it, the way aws-cdk renders anyTermGroup', () => {
      const pattern = '?"ERROR" "MainThread" ?"WARN" "Deadlock"';
      check([
        [pattern, 'ERROR in MainThread', true],
        [pattern, 'WARN Deadlock detected', true],
        [pattern, 'ERROR Deadlock detected', false],
        [pattern, 'WARN in MainThread', false],
      ]);
    });

    it('applies terms before the first ?term to every alternative', () => {
      check([
        ['-DEBUG ?ERROR ?WARN', 'ERROR disk full', true],
        ['-DEBUG ?ERROR ?WARN', 'DEBUG ERROR counters reset', false],
        ['-DEBUG ?ERROR ?WARN', 'INFO started', false],
      ]);
    });

    it('rejects unquoted terms with punctuation, unterminated quotes and dangling operators', () => {
      for (const pattern of ['ERROR:', 'a.b', '"unterminated', '?', 'ERROR ?', '"a""b"', 'ERROR %x%']) {
        const error = rejection(pattern);
        expect(error).toBeInstanceOf(AwsServiceError);
        expect(error.type).toBe('InvalidParameterException');
      }
    });

    it('reads an unquoted [ERROR] as a one-field space-delimited pattern, not as a term', () => {
      check([
        ['[ERROR]', '[ERROR] disk full', false],
        ['[ERROR]', 'anything-without-spaces', true],
        ['"[ERROR]"', '[ERROR] disk full', true],
      ]);
    });

    it('rejects patterns longer than 1024 characters', () => {
      expect(rejection(`"${'x'.repeat(1023)}"`).type).toBe('InvalidParameterException');
      expect(() => compileFilterPattern(`"${'x'.repeat(1022)}"`)).not.toThrow();
    });
  });

  describe('regular expressions', () => {
    it('searches anywhere in the message, case-sensitively', () => {
      check([
        ['%AUTHORIZED%', '[ERROR 401] UNAUTHORIZED REQUEST', true],
        ['%AUTHORIZED%', '[SUCCESS 200] AUTHORIZED REQUEST', true],
        ['%[Ee]rror|[Ff]ail%', 'Payment failed', true],
        ['%[Ee]rror|[Ff]ail%', 'Payment ok', false],
        ['%^\\[ERROR\\]%', '[ERROR] x', true],
        ['%^\\[ERROR\\]%', 'x [ERROR]', false],
        ['%colou?r$%', 'the color', true],
        ['%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%', 'from 10.0.0.12 port 22', true],
      ]);
    });

    it('rejects what the service does not support: groups, unsupported symbols, multi-byte characters, back-references', () => {
      for (const pattern of ['%(a|b)%', '%something!%', '%café%', '%a\\1%', '%unterminated', '%a%b%', '%[z-a]%']) {
        expect(rejection(pattern).type).toBe('InvalidParameterException');
      }
    });

    it('refuses regexes whose backtracking could stall the event loop', () => {
      expect(rejection('%a*a*a*a*a*b%').type).toBe('InvalidParameterException');
      expect(rejection('%a{1,5000}%').type).toBe('InvalidParameterException');
      expect(rejection('%.{0,900}.{0,900}.{0,900}.{0,900}.{0,900}x%').type).toBe('InvalidParameterException');
      expect(() => compileFilterPattern('%[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}%')).not.toThrow();
      expect(() => compileFilterPattern('%a*b+c*d+%')).not.toThrow();
    });
  });

  describe('JSON patterns', () => {
    const event = JSON.stringify({
      eventType: 'UpdateTrail',
      sourceIPAddress: '111.111.111.111',
      level: 50,
      arrayKey: ['value', 'another value'],
      objectList: [
        { name: 'a', id: 1 },
        { name: 'b', id: 2 },
      ],
      SomeObject: null,
      ThisFlag: true,
      latency: 1200,
      nested: { code: 'PAYMENT_TIMEOUT' },
    });

    it('compares strings, numbers, array elements and nested fields', () => {
      check([
        ['{ $.eventType = "UpdateTrail" }', event, true],
        ['{ $.eventType = UpdateTrail }', event, true],
        ['{ $.eventType = "updatetrail" }', event, false],
        ['{ $.eventType != "UpdateTrail" }', event, false],
        ['{ $.arrayKey[0] = "value" }', event, true],
        ['{ $.arrayKey[1] = "value" }', event, false],
        ['{ $.objectList[1].id = 2 }', event, true],
        ['{ $.nested.code = "PAYMENT_TIMEOUT" }', event, true],
        ['{ $.level >= 50 }', event, true],
        ['{ $.level > 50 }', event, false],
        ['{ $.level = 50 }', event, true],
        ['{ $.level != 50 }', event, false],
        ['{ $.latency < 1e4 }', event, true],
        ['{ $.latency > +1000 }', event, true],
      ]);
    });

    it('reads numbers written as JSON strings numerically', () => {
      check([
        ['{ $.level >= 50 }', '{"level":"60"}', true],
        ['{ $.level >= 50 }', '{"level":"error"}', false],
      ]);
    });

    it('treats * at the start or end of a value as a wildcard, and * elsewhere literally', () => {
      check([
        ['{ $.sourceIPAddress != 123.123.* }', event, true],
        ['{ $.sourceIPAddress = 111.111.* }', event, true],
        ['{ $.eventType = *Trail }', event, true],
        ['{ $.eventType = *date* }', event, true],
        ['{ $.eventType = Up*Trail }', event, false],
        ['{ $.eventType = Up*Trail }', '{"eventType":"Up*Trail"}', true],
        ['{ $.latency = * }', event, true],
        ['{ $.missing = "*" }', event, false],
      ]);
    });

    it('never matches a selector that reaches an array, an object or nothing, with = or !=', () => {
      check([
        ['{ $.arrayKey = "value" }', event, false],
        ['{ $.arrayKey != "value" }', event, false],
        ['{ $.nested != "x" }', event, false],
        ['{ $.missing != "x" }', event, false],
      ]);
    });

    it('supports IS NULL, IS TRUE, IS FALSE and NOT EXISTS', () => {
      check([
        ['{ $.SomeObject IS NULL }', event, true],
        ['{ $.eventType IS NULL }', event, false],
        ['{ $.ThisFlag IS TRUE }', event, true],
        ['{ $.ThisFlag IS FALSE }', event, false],
        ['{ $.SomeOtherObject NOT EXISTS }', event, true],
        ['{ $.eventType NOT EXISTS }', event, false],
      ]);
    });

    it('combines conditions with && binding tighter than ||, and parentheses', () => {
      check([
        ['{ $.level = 40 || $.eventType = "UpdateTrail" && $.latency > 1000 }', event, true],
        ['{ ($.level = 40 || $.eventType = "UpdateTrail") && $.latency > 5000 }', event, false],
        ['{ $.objectList[0].id = 1 && $.objectList[1].name = "b" }', event, true],
        ['{ $.level = "error" || $.level >= 50 }', '{"level":"error"}', true],
      ]);
    });

    it('matches regular expressions inside JSON values', () => {
      check([
        ['{ $.nested.code = %^PAYMENT_% }', event, true],
        ['{ $.nested.code != %TIMEOUT$% }', event, false],
      ]);
    });

    it('does not match messages that are not JSON', () => {
      check([
        ['{ $.level = "error" }', 'level=error', false],
        ['{ $.level = "error" }', 'prefix {"level":"error"}', false],
        ['{ $.level = "error" }', '{"level":"error"', false],
      ]);
    });

    it('rejects malformed JSON patterns', () => {
      for (const pattern of [
        '{ $.level = "error"',
        '{ }',
        '{ level = "error" }',
        '{ $.level == 50 }',
        '{ $.level < "error" }',
        '{ $.level = }',
        '{ ($.level = 50 }',
        '{ $.level IS MAYBE }',
        '{ $.a = %x% || $.b = %y% || $.c = %z% }',
      ]) {
        expect(rejection(pattern).type).toBe('InvalidParameterException');
      }
    });
  });

  describe('space-delimited patterns', () => {
    const access = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';

    it('names fields by position, with [...] and "..." each forming one field', () => {
      check([
        ['[ip, user, username, timestamp, request, status_code, bytes]', access, true],
        ['[ip, user, username, timestamp, request, status_code = 404, bytes]', access, true],
        ['[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]', access, true],
        ['[ip, user, username, timestamp, request = *gif*, status_code = 200, bytes]', access, false],
        ['[ip, user, username, timestamp, request, status_code]', access, false],
      ]);
    });

    it('lets ... stand for any number of fields', () => {
      check([
        ['[..., status_code = 404, bytes]', access, true],
        ['[ip = 127.0.0.1, user, ...]', access, true],
        ['[w1 = ERROR || w1 = WARN, w2]', 'WARN message', true],
        ['[w1 = ERROR || w1 = WARN, w2]', 'INFO message', false],
      ]);
    });

    it('rejects malformed space-delimited patterns', () => {
      for (const pattern of ['[a, b', '[..., ...]', '[a = ]', '[a b]']) {
        expect(rejection(pattern).type).toBe('InvalidParameterException');
      }
    });
  });
});
