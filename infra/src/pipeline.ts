// Names and the subscription filter pattern shared by the CDK stack and the local CloudWatch Logs endpoint, so
// the events that reach the ingest function locally are the events that would reach it in AWS.

export const LOG_GROUP_NAME = '/stacklens/pos';
export const SUBSCRIPTION_FILTER_NAME = 'stacklens-errors';

/**
 * Each entry is one alternative; all of its terms must appear in the event. Every term is quoted: quoted terms
 * are exact, case-sensitive substrings, which is the reading of the service that every source agrees on.
 * The surrounding brackets, spaces and quotes are part of the terms so that words like "errors" or
 * "ERROR_COUNT" inside ordinary INFO lines do not match.
 */
const ERROR_SIGNATURES: ReadonlyArray<readonly string[]> = [
  // POS format (pos-agent/src/demo-pos/log-format.ts): `[2026-11-26T12:00:00.000Z] [ERROR] message | {"code":"PAYMENT_TIMEOUT",...}`.
  ['[ERROR]'],
  ['[FATAL]'],
  ['[CRITICAL]'],
  // A POS warning that carries a catalogued error code is an incident too: the POS logs lower-severity codes
  // (PRINTER_JAM, DISPLAY_ERROR, ...) at WARN. A plain warning without a code is not sent.
  ['[WARN]', '"code":'],
  // logback/log4j: `2026-11-26 12:00:00,123 ERROR [main] com.acme.Checkout - ...`. Also covers Python's
  // `... - pos.payment - ERROR - ...`, which contains " ERROR " as well.
  [' ERROR '],
  [' FATAL '],
  // Python logging's highest level.
  [' - CRITICAL - '],
  // JSON lines: pino and bunyan number their levels (50 error, 60 fatal); winston, structlog and Powertools
  // spell them out. json.dumps (structlog) writes a space after the colon, JSON.stringify does not.
  ['"level":50'],
  ['"level":60'],
  ['"level": 50'],
  ['"level": 60'],
  ['"level":"error"'],
  ['"level":"fatal"'],
  ['"level":"critical"'],
  ['"level":"ERROR"'],
  ['"level":"FATAL"'],
  ['"level":"CRITICAL"'],
  ['"level": "error"'],
  ['"level": "fatal"'],
  ['"level": "critical"'],
  ['"level": "ERROR"'],
  ['"level": "FATAL"'],
  ['"level": "CRITICAL"'],
  // Stack traces: Java/.NET exception names and Python tracebacks.
  ['Exception'],
  ['Traceback (most recent call last)'],
  // syslog (RFC 3164 and 5424): `<PRI>` = facility * 8 + severity; severities 0-3 are emerg, alert, crit and
  // err. The facilities an application on a kiosk logs under: kern, user, daemon, auth, local0-local7.
  ...syslogPriorities([0, 1, 3, 4, 16, 17, 18, 19, 20, 21, 22, 23], [0, 1, 2, 3]).map((pri) => [`<${pri}>`]),
];

function syslogPriorities(facilities: readonly number[], severities: readonly number[]): number[] {
  return facilities.flatMap((facility) => severities.map((severity) => facility * 8 + severity));
}

/** Quotes a term the way aws-cdk's FilterPattern does: backslash and double quote escaped. */
function quoteTerm(term: string): string {
  return `"${term.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The subscription filter pattern selecting error records across the log formats a POS fleet produces. */
export const ERROR_FILTER_PATTERN: string = ERROR_SIGNATURES.map((terms) => `?${terms.map(quoteTerm).join(' ')}`).join(' ');
