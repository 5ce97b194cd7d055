import { describe, expect, it } from '@jest/globals';
import { compileFilterPattern, MAX_FILTER_PATTERN_LENGTH } from '../../../src/local/cloudwatch-logs/filter-pattern.js';
import { ERROR_FILTER_PATTERN } from '../../../src/pipeline.js';

const selects = compileFilterPattern(ERROR_FILTER_PATTERN);

const ERROR_RECORDS: Record<string, string> = {
  'POS error': '[2026-11-26T12:00:00.123Z] [ERROR] Payment gateway did not answer within 30s | {"code":"PAYMENT_TIMEOUT","orderId":"1042","storeNumber":"S12","kioskNumber":"K3"}',
  'POS fatal': '[2026-11-26T12:00:00.123Z] [FATAL] Duplicate transaction posted | {"code":"DUPLICATE_CHARGE","orderId":"1043"}',
  'POS warning with an error code': '[2026-11-26T12:00:00.123Z] [WARN] Receipt printer paper jam | {"code":"PRINTER_JAM","kioskNumber":"K3"}',
  'POS error with a stack trace':
    '[2026-11-26T12:00:00.123Z] [ERROR] Price lookup failed | {"code":"PRICE_NOT_FOUND"}\njava.lang.IllegalStateException: no price\n\tat com.acme.pos.Pricing.lookup(Pricing.java:42)',
  'logback error': '2026-11-26 12:00:00,123 ERROR [main] com.acme.pos.Checkout - Order 1042 could not be totalled',
  'log4j fatal': '2026-11-26 12:00:00,123 FATAL [main] com.acme.pos.Boot - Local database is corrupt',
  'Java exception': 'Exception in thread "main" java.lang.NullPointerException\n\tat com.acme.pos.Main.main(Main.java:10)',
  'Java caused-by line': 'Caused by: java.sql.SQLTransientConnectionException: pool exhausted',
  'python error': '2026-11-26 12:00:00,123 - pos.payment - ERROR - Card terminal unreachable',
  'python critical': '2026-11-26 12:00:00,123 - pos.payment - CRITICAL - Card terminal firmware mismatch',
  'python traceback': 'Traceback (most recent call last):\n  File "pos/payment.py", line 12, in charge\nValueError: amount must be positive',
  'pino error': '{"level":50,"time":1764158400000,"pid":1,"hostname":"kiosk-3","msg":"tax service returned 500"}',
  'pino fatal': '{"level":60,"time":1764158400000,"msg":"out of disk"}',
  'winston error': '{"level":"error","message":"loyalty API down","service":"pos"}',
  'winston fatal (custom levels)': '{"level":"fatal","message":"cannot open till"}',
  'structlog error': '{"event": "refund rejected", "level": "error", "timestamp": "2026-11-26T12:00:00Z"}',
  'structlog critical': '{"event": "license expired", "level": "critical"}',
  'Powertools error': '{"level":"ERROR","message":"ingest failed","service":"stacklens"}',
  'Powertools critical': '{"level":"CRITICAL","message":"table missing"}',
  'syslog RFC 5424 user.err': '<11>1 2026-11-26T12:00:00.000Z kiosk-3 pos 4242 - - scanner driver crashed',
  'syslog RFC 3164 local0.crit': '<130>Nov 26 12:00:00 kiosk-3 pos[4242]: receipt printer overheating',
  'syslog daemon.alert': '<25>Nov 26 12:00:00 kiosk-3 posd[1]: watchdog restarted the till',
};

const ORDINARY_RECORDS: Record<string, string> = {
  'POS info': '[2026-11-26T12:00:00.123Z] [INFO] Order 1042 completed | {"orderId":"1042","total":12.5}',
  'POS debug': '[2026-11-26T12:00:00.123Z] [DEBUG] Cart recalculated | {"items":3}',
  'POS warning without a code': '[2026-11-26T12:00:00.123Z] [WARN] Receipt paper running low | {"kioskNumber":"K3"}',
  'POS info mentioning errors': '[2026-11-26T12:00:00.123Z] [INFO] Retry policy loaded | {"maxErrors":3,"ERROR_BUDGET":"1%"}',
  'logback info': '2026-11-26 12:00:00,123 INFO  [main] com.acme.pos.Checkout - Order 1042 totalled',
  'logback debug': '2026-11-26 12:00:00,123 DEBUG [main] com.acme.pos.Checkout - ERROR_THRESHOLD=5',
  'logback warn': '2026-11-26 12:00:00,123 WARN  [main] com.acme.pos.Sync - sync slow, errors=0',
  'python info': '2026-11-26 12:00:00,123 - pos.payment - INFO - charged card ending 4242',
  'python warning': '2026-11-26 12:00:00,123 - pos.payment - WARNING - retrying terminal handshake',
  'pino info': '{"level":30,"time":1764158400000,"msg":"order completed"}',
  'pino warn': '{"level":40,"time":1764158400000,"msg":"slow response"}',
  'winston info': '{"level":"info","message":"error budget healthy"}',
  'structlog debug': '{"event": "cart updated", "level": "debug"}',
  'Powertools info': '{"level":"INFO","message":"batch ingested"}',
  'syslog user.info': '<14>1 2026-11-26T12:00:00.000Z kiosk-3 pos 4242 - - till opened',
  'syslog local0.notice': '<133>Nov 26 12:00:00 kiosk-3 pos[4242]: shift started',
  'syslog local7.debug': '<191>Nov 26 12:00:00 kiosk-3 pos[4242]: heartbeat',
};

describe('ERROR_FILTER_PATTERN', () => {
  it('stays within the CloudWatch Logs pattern length limit', () => {
    expect(ERROR_FILTER_PATTERN.length).toBeLessThanOrEqual(MAX_FILTER_PATTERN_LENGTH);
  });

  it('is a valid unstructured OR pattern of quoted terms', () => {
    expect(() => compileFilterPattern(ERROR_FILTER_PATTERN)).not.toThrow();
    expect(ERROR_FILTER_PATTERN.startsWith('?"')).toBe(true);
  });

  it('selects an error record of every log format we ship', () => {
    const missed = Object.entries(ERROR_RECORDS).filter(([, line]) => !selects(line)).map(([name]) => name);
    expect(missed).toEqual([]);
  });

  it('passes over ordinary info, debug and warning records', () => {
    const selected = Object.entries(ORDINARY_RECORDS).filter(([, line]) => selects(line)).map(([name]) => name);
    expect(selected).toEqual([]);
  });
});
