// The agent's redactor: the domain's card/CVV/track/e-mail redaction (one implementation for the cloud and the edge),
// then the operator's extra patterns from `redactPatterns`. Runs on every line before it is buffered or shipped.
//
// Extra patterns come from configuration, and a pattern like `(a+)+$` would make the backtracking engine take
// exponential time on one crafted line. They are compiled with V8's linear-time engine instead (the `l` flag), which
// refuses what it cannot run in linear time (backreferences, lookarounds): such a pattern is a configuration error.

import v8 from 'node:v8';
import { redactInto, type RedactionCounts } from '../../../functions/src/domain/redact.js';
import { AgentConfigError } from './errors.js';
import type { RedactedLine, Redactor } from './types.js';

// Process-wide, but only makes the `l` flag available: regular expressions without it are unaffected.
v8.setFlagsFromString('--enable-experimental-regexp-engine');

export const CUSTOM_PLACEHOLDER = '<redacted>';

export interface RedactorOptions {
  /** Extra regular expressions (JavaScript syntax, no flags); every match is replaced and counted as 'custom'. */
  readonly extraPatterns?: readonly string[];
}

/** Throws AgentConfigError when an extra pattern is not a valid regular expression or cannot run in linear time. */
export function compileExtraPatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((pattern, index) => {
    try {
      return new RegExp(pattern, 'gl');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const why = /linear time/i.test(reason)
        ? 'it needs backtracking (backreferences and lookarounds are not allowed, so that every line is redacted in linear time)'
        : 'it is not a valid regular expression';
      throw new AgentConfigError(`redactPatterns[${index}] cannot be used: ${why} (${reason})`, { index, reason });
    }
  });
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const extra = compileExtraPatterns(options.extraPatterns ?? []);
  // Reused for every line: the counts are read and reset before the next call.
  const found: RedactionCounts = { pan: 0, cvv: 0, track: 0, email: 0 };
  return (line: string): RedactedLine => {
    found.pan = 0;
    found.cvv = 0;
    found.track = 0;
    found.email = 0;
    let text = redactInto(line, found);
    let custom = 0;
    for (const pattern of extra) {
      pattern.lastIndex = 0;
      text = text.replace(pattern, (match) => {
        // An empty match hides nothing; replacing it would only insert placeholders between characters.
        if (match === '') return match;
        custom++;
        return CUSTOM_PLACEHOLDER;
      });
    }
    if (found.pan + found.cvv + found.track + found.email + custom === 0) return { text };
    // Only kinds that occurred: the agent adds these to its stats.
    const counts: Record<string, number> = {};
    if (found.pan > 0) counts['pan'] = found.pan;
    if (found.cvv > 0) counts['cvv'] = found.cvv;
    if (found.track > 0) counts['track'] = found.track;
    if (found.email > 0) counts['email'] = found.email;
    if (custom > 0) counts['custom'] = custom;
    return { text, counts };
  };
}
