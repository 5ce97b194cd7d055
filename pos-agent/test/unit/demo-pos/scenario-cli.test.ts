import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { formatScenarioTable, runScenarioCommand } from '../../../src/demo-pos/scenario-cli.js';
import { SCENARIOS, summarizeScenario } from '../../../src/demo-pos/scenarios.js';

// These cases never reach the network: they fail (or finish) before any request is made.
// The CLI against a real demo POS is covered in test/integration/demo-pos/scenario-cli.test.ts.

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    }),
    text: () => chunks.join(''),
  };
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  // Port 9 (discard) on loopback: if a case did reach the network by mistake it would fail loudly with exit 2.
  const code = await runScenarioCommand(argv, { stdout: stdout.stream, stderr: stderr.stream, env: { STACKLENS_POS_URL: 'http://127.0.0.1:9' } });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('scenario list', () => {
  it('prints every scenario with its code, category and severity', async () => {
    const result = await run(['list']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+CODE\s+CATEGORY\s+SEVERITY$/);
    for (const scenario of SCENARIOS) {
      const { category, severity } = summarizeScenario(scenario);
      expect(lines.some((line) => new RegExp(`^${scenario.name}\\s+${scenario.code}\\s+${category}\\s+${severity}$`).test(line))).toBe(true);
    }
    expect(result.stdout).toContain(`${SCENARIOS.length} scenarios in`);
  });

  it('aligns columns', () => {
    const table = formatScenarioTable([
      { name: 'a', code: 'LONG_CODE', title: 't', category: 'payment', severity: 'low' },
      { name: 'longer-name', code: 'X', title: 't', category: 'data', severity: 'critical' },
    ]);
    expect(table).toBe('NAME         CODE       CATEGORY  SEVERITY\na            LONG_CODE  payment   low\nlonger-name  X          data      critical\n');
  });
});

describe('scenario run (argument errors)', () => {
  it('rejects an unknown scenario with exit 1 and suggests close names', async () => {
    const result = await run(['run', 'payment-gateway-timout']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown scenario "payment-gateway-timout"');
    expect(result.stderr).toContain('Did you mean payment-gateway-timeout');
  });

  it.each([
    [['run', 'missing-price', '--count', '0'], '--count must be a whole number from 1 to 1000000, got "0"'],
    [['run', 'missing-price', '--count', '2.5'], '--count must be a whole number'],
    [['run', 'missing-price', '--rate=-3'], '--rate must be a number above 0 and at most 10000, got "-3"'],
    [['run', 'missing-price', '--rate', 'fast'], '--rate must be a number above 0'],
    [['run', 'missing-price', '--store', 'store 1'], '--store may only contain letters, digits'],
    [['run'], '"run" needs a scenario name'],
    [['run', 'missing-price', 'extra'], 'unexpected arguments "extra"'],
    [['run', 'missing-price', '--colour', 'red'], "Unknown option '--colour'"],
    [['frobnicate'], 'unknown subcommand "frobnicate"'],
    [[], 'a subcommand is required'],
  ])('rejects %j with exit 1', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('prints usage for help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('stacklens scenario run NAME [--count N] [--store S] [--kiosk K] [--rate R]');
  });
});
