// Property-based tests of the agent's command-line settings: for any mix of flags, STACKLENS_AGENT_* variables and a
// config file, every setting comes from the highest-ranked source that sets it (redaction patterns add up instead);
// arbitrary argv, environment and config files end in settings or a usage error, never another exception; and byte
// sizes read exactly.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAgentConfig } from '../../../src/agent/agent.js';
import { DEFAULT_STATE_DIR, DEFAULT_STATUS_INTERVAL_MS, loadCliSettings, parseByteSize, type CliSettings } from '../../../src/agent/cli.js';
import { AgentConfigError } from '../../../src/agent/errors.js';
import { DEFAULT_METRICS_HOST } from '../../../src/agent/metrics.js';
import { propertyTempDir } from './temp.js';

type Source = 'file' | 'env' | 'flag';
type Kind = 'string' | 'ms' | 'bytes' | 'port' | 'boolean';

interface Setting {
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
}

// The documented options (AGENT_USAGE), one row each; redact patterns and the config file itself are tested apart.
const SETTINGS: readonly Setting[] = [
  { key: 'file', flag: 'file', env: 'STACKLENS_AGENT_FILE', kind: 'string' },
  { key: 'storeId', flag: 'store', env: 'STACKLENS_AGENT_STORE', kind: 'string' },
  { key: 'kioskId', flag: 'kiosk', env: 'STACKLENS_AGENT_KIOSK', kind: 'string' },
  { key: 'endpoint', flag: 'endpoint', env: 'STACKLENS_AGENT_ENDPOINT', kind: 'string' },
  { key: 'region', flag: 'region', env: 'STACKLENS_AGENT_REGION', kind: 'string' },
  { key: 'logGroup', flag: 'log-group', env: 'STACKLENS_AGENT_LOG_GROUP', kind: 'string' },
  { key: 'stateDir', flag: 'state-dir', env: 'STACKLENS_AGENT_STATE_DIR', kind: 'string' },
  { key: 'fromBeginning', flag: 'from-beginning', env: 'STACKLENS_AGENT_FROM_BEGINNING', kind: 'boolean' },
  { key: 'bufferMaxBytes', flag: 'buffer-max-bytes', env: 'STACKLENS_AGENT_BUFFER_MAX_BYTES', kind: 'bytes' },
  { key: 'flushIntervalMs', flag: 'flush-ms', env: 'STACKLENS_AGENT_FLUSH_MS', kind: 'ms' },
  { key: 'multilineFlushMs', flag: 'multiline-flush-ms', env: 'STACKLENS_AGENT_MULTILINE_FLUSH_MS', kind: 'ms' },
  { key: 'statusIntervalMs', flag: 'status-interval-ms', env: 'STACKLENS_AGENT_STATUS_INTERVAL_MS', kind: 'ms' },
  { key: 'metricsPort', flag: 'metrics-port', env: 'STACKLENS_AGENT_METRICS_PORT', kind: 'port' },
  { key: 'metricsHost', flag: 'metrics-host', env: 'STACKLENS_AGENT_METRICS_HOST', kind: 'string' },
];

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['', 1],
  ['K', 1024],
  ['kib', 1024],
  ['M', 1024 ** 2],
  ['MiB', 1024 ** 2],
  ['g', 1024 ** 3],
  ['GiB', 1024 ** 3],
];

/** One source's value for a setting: what the source holds (text for flags and variables) and what it means. */
interface Valued {
  readonly text: string | boolean | number;
  readonly value: string | number | boolean;
}

// Ranges the agent accepts, so a config file (validated as it is read) holds only valid values.
const NUMBER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  flushIntervalMs: [1, 60_000],
  multilineFlushMs: [1, 60_000],
  statusIntervalMs: [0, 86_400_000],
  metricsPort: [0, 65_535],
};
const LARGE_UNITS = UNITS.filter(([, factor]) => factor >= 1024 ** 2);

function valueArb(setting: Setting, source: Source): fc.Arbitrary<Valued> {
  switch (setting.kind) {
    case 'string':
      return fc.stringMatching(/^[a-z0-9]{1,6}$/).map((suffix) => {
        const text = setting.key === 'endpoint' ? `http://${source}-${suffix}.example:4566` : `${setting.key}-${source}-${suffix}`.toLowerCase();
        return { text, value: text };
      });
    case 'ms':
    case 'port': {
      const [min, max] = NUMBER_RANGES[setting.key]!;
      return fc
        .integer({ min, max })
        .chain((n): fc.Arbitrary<Valued> =>
          source === 'file' ? fc.constant({ text: n, value: n }) : fc.constantFrom('', ' ').map((pad) => ({ text: `${pad}${n}${pad}`, value: n })),
        );
    }
    case 'bytes':
      return fc
        .tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom(...LARGE_UNITS), fc.constantFrom('', ' '))
        .map(([n, [unit, factor], space]) =>
          source === 'file' ? { text: n * factor, value: n * factor } : { text: `${n}${space}${unit}`, value: n * factor },
        );
    case 'boolean':
      if (source === 'flag') return fc.constant({ text: true, value: true });
      if (source === 'file') return fc.boolean().map((b) => ({ text: b, value: b }));
      return fc
        .constantFrom<[string, boolean]>(
          ['1', true],
          ['true', true],
          ['YES', true],
          ['on', true],
          [' 0 ', false],
          ['false', false],
          ['No', false],
          ['OFF', false],
        )
        .map(([text, value]) => ({ text, value }));
  }
}

/** For each setting, each source independently sets it or not. */
const sourcesArb = fc.tuple(
  ...SETTINGS.map((setting) =>
    fc.record({
      file: fc.option(valueArb(setting, 'file'), { nil: undefined }),
      env: fc.option(valueArb(setting, 'env'), { nil: undefined }),
      flag: fc.option(valueArb(setting, 'flag'), { nil: undefined }),
    }),
  ),
);

describe('Property: loadCliSettings', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let run = 0;
  beforeAll(async () => {
    temp = await propertyTempDir('stacklens-cli-prop-');
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  async function load(argv: string[], env: Record<string, string>, config?: unknown): Promise<CliSettings | 'help' | Error> {
    const environment = { ...env };
    if (config !== undefined) {
      const path = join(temp.dir, `agent-${(run += 1)}.json`);
      await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
      environment['STACKLENS_AGENT_CONFIG'] = path;
    }
    try {
      return await loadCliSettings(argv, environment);
    } catch (err) {
      // The only way loadCliSettings reports a problem: a usage error, with a message for the operator.
      expect((err as Error).name).toBe('UsageError');
      expect((err as Error).message.length).toBeGreaterThan(0);
      return err as Error;
    }
  }

  it('takes every setting from the flag, else the variable, else the config file, else the default', async () => {
    await fc.assert(
      fc.asyncProperty(sourcesArb, fc.option(fc.constantFrom('us-west-2', 'eu-central-1'), { nil: undefined }), async (sources, awsRegion) => {
        const argv: string[] = [];
        const env: Record<string, string> = awsRegion === undefined ? {} : { AWS_REGION: awsRegion };
        const config: Record<string, unknown> = {};
        const expected: Record<string, unknown> = {};
        SETTINGS.forEach((setting, index) => {
          const { file, env: fromEnv, flag } = sources[index]!;
          if (file !== undefined) config[setting.key] = file.text;
          if (fromEnv !== undefined) env[setting.env] = String(fromEnv.text);
          if (flag !== undefined) argv.push(...(setting.kind === 'boolean' ? [`--${setting.flag}`] : [`--${setting.flag}`, String(flag.text)]));
          const winner = flag ?? fromEnv ?? file;
          if (winner !== undefined) expected[setting.key] = winner.value;
        });

        const settings = await load(argv, env, config);

        const missing = ['file', 'storeId', 'kioskId'].filter((key) => expected[key] === undefined);
        if (missing.length > 0) {
          expect(settings).toBeInstanceOf(Error);
          expect((settings as Error).message).toMatch(/^Missing /);
          return;
        }
        if (settings instanceof Error || settings === 'help') throw settings;
        const { statusIntervalMs, metricsPort, metricsHost, region, stateDir, ...agent } = expected;
        expect(settings.agent).toEqual({
          ...agent,
          stateDir: stateDir ?? DEFAULT_STATE_DIR,
          ...((region ?? awsRegion) === undefined ? {} : { region: region ?? awsRegion }),
        });
        expect(settings.statusIntervalMs).toBe(statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS);
        expect(settings.metrics).toEqual(metricsPort === undefined ? undefined : { port: metricsPort, host: metricsHost ?? DEFAULT_METRICS_HOST });
      }),
      { numRuns: 300 },
    );
  });

  it('adds redaction patterns from all three sources, in that order, each once', async () => {
    const patternArb = fc.constantFrom('EMP-\\d{6}', 'LOY-\\d{8}', 'GIFT-\\d{10}', 'VOUCHER-[A-Z0-9]{12}');
    await fc.assert(
      fc.asyncProperty(
        fc.array(patternArb, { maxLength: 3 }),
        fc.option(patternArb, { nil: undefined }),
        fc.array(patternArb, { maxLength: 3 }),
        async (fromFile, fromEnv, fromFlags) => {
          const settings = await load(
            ['--file', 'pos.log', '--store', 's1', '--kiosk', 'k1', ...fromFlags.flatMap((pattern) => ['--redact-pattern', pattern])],
            fromEnv === undefined ? {} : { STACKLENS_AGENT_REDACT_PATTERN: fromEnv },
            fromFile.length === 0 ? undefined : { redactPatterns: fromFile },
          );
          if (settings instanceof Error || settings === 'help') throw settings;
          const all = [...new Set([...fromFile, ...(fromEnv === undefined ? [] : [fromEnv]), ...fromFlags])];
          expect(settings.agent.redactPatterns).toEqual(all.length === 0 ? undefined : all);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ends any argv, environment and config file in settings or a usage error, and the agent config in a value or AgentConfigError', async () => {
    const tokenArb = fc.constantFrom(
      '--file',
      'pos.log',
      '--store',
      's1',
      '--kiosk',
      'k-1',
      '--flush-ms',
      '0',
      '1000',
      '-5',
      '1e3',
      '--buffer-max-bytes',
      '1K',
      '64MiB',
      '9'.repeat(30),
      '1TB',
      '--metrics-port',
      '70000',
      '--region',
      'US_EAST',
      '--endpoint',
      'ftp://x',
      '--from-beginning',
      '--from-beginning=yes',
      '--redact-pattern',
      '(a+)+$',
      '',
      '-h',
      '--bogus',
      'positional',
      '--',
      '--config',
    );
    const envArb = fc.dictionary(
      fc.constantFrom(...SETTINGS.map((setting) => setting.env), 'STACKLENS_AGENT_REDACT_PATTERN', 'AWS_REGION', 'AWS_DEFAULT_REGION'),
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1', 'true', 'maybe', ' 42 ', '-1', '0x10', '1.5', '4G', '18446744073709551616')),
      { maxKeys: 5 },
    );
    const configArb = fc.option(
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.dictionary(
          fc.constantFrom(...SETTINGS.map((setting) => setting.key), 'redactPatterns', 'maxLineBytes', 'unknownKey', '__proto__'),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 5 },
        ),
      ),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(tokenArb, { maxLength: 12 }), envArb, configArb, async (argv, env, config) => {
        const settings = await load(argv, env, config);
        if (settings instanceof Error || settings === 'help') return;
        try {
          parseAgentConfig(settings.agent);
        } catch (err) {
          expect(err).toBeInstanceOf(AgentConfigError);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('Property: parseByteSize', () => {
  it('reads a count with an optional binary unit exactly, case-insensitively and with spaces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.constantFrom(...UNITS),
        fc.constantFrom('', ' ', '  '),
        fc.boolean(),
        (n, [unit, factor], space, upper) => {
          const text = ` ${n}${unit === '' ? '' : space}${upper ? unit.toUpperCase() : unit.toLowerCase()} `;
          expect(parseByteSize(text)).toBe(n * factor);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('returns a safe whole number of bytes or throws a usage error naming the source, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{1,25}\s?[kKmMgGtTiIbB]{0,3}$/)), (text) => {
        let bytes: number;
        try {
          bytes = parseByteSize(text, '--buffer-max-bytes');
        } catch (err) {
          expect((err as Error).name).toBe('UsageError');
          expect((err as Error).message).toContain('--buffer-max-bytes');
          return;
        }
        expect(Number.isSafeInteger(bytes)).toBe(true);
        expect(bytes).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2_000 },
    );
  });
});
