import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseHostList } from '../../functions/src/config.js';

const USAGE = `Usage: stacklens <command>

  start [--no-pos] [--no-agent]    run the whole pipeline locally (see README for ports and variables)
  fingerprint [FILE]               one JSON line per input line: fingerprint, template, isError, severity, code
  scenario list                    list the demo POS failure scenarios
  scenario run NAME [--count N] [--store S] [--kiosk K] [--rate R]
  agent --file PATH --store ID --kiosk ID [--endpoint URL] ...   run the pos-agent
  bench                            run the benchmarks and print their figures
  soak [--minutes 10] [--rate 200] [--kiosks 50]   the long soak: exits 1 on loss, memory growth or latency drift
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  switch (command) {
    case 'start':
      return start(rest);
    case 'fingerprint': {
      const { fingerprintLines } = await import('../../functions/src/tools/fingerprint-lines.js');
      const file = rest[0];
      const input = file && file !== '-' ? createReadStream(file) : process.stdin;
      await fingerprintLines(input, process.stdout);
      return 0;
    }
    case 'scenario': {
      const { runScenarioCommand } = await import('../../pos-agent/src/demo-pos/scenario-cli.js');
      return runScenarioCommand(rest, io);
    }
    case 'agent': {
      const { runAgentCli } = await import('../../pos-agent/src/agent/cli.js');
      return runAgentCli(rest, io);
    }
    case 'bench': {
      const { runBenchmarks } = await import('../bench/run.js');
      return runBenchmarks(rest, io);
    }
    case 'soak': {
      const { soakCommand } = await import('../bench/soak.js');
      return soakCommand(rest, io);
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`stacklens: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
  return value;
}

async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'no-pos': { type: 'boolean' }, 'no-agent': { type: 'boolean' } }, strict: true });
  const env = process.env;
  const { ensureDashboardBuilt } = await import('./dashboard-build.js');
  const dashboard = ensureDashboardBuilt();
  if (dashboard === 'built') process.stderr.write('dashboard: built web/dist\n');
  else if (typeof dashboard === 'object') process.stderr.write(`dashboard: build failed, serving the API only:\n${dashboard.failed}\n`);
  const { startLocalStack } = await import('./local/runtime.js');
  const stack = await startLocalStack({
    dataDir: env.STACKLENS_DATA_DIR ?? './.stacklens',
    ports: {
      api: port(env, 'PORT', 3000),
      pos: port(env, 'POS_PORT', 3001),
      edge: port(env, 'STACKLENS_EDGE_PORT', 4566),
      dynamodb: port(env, 'STACKLENS_DYNAMODB_PORT', 4567),
    },
    pos: !values['no-pos'],
    agent: !values['no-agent'],
    admin: { email: env.STACKLENS_ADMIN_EMAIL, password: env.STACKLENS_ADMIN_PASSWORD },
    jira: { allowHosts: parseHostList(env.STACKLENS_JIRA_ALLOW_HOSTS) },
    ...(env.BEDROCK_MODEL_ID ? { bedrock: { modelId: env.BEDROCK_MODEL_ID, ...(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ? { endpoint: env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME } : {}) } } : {}),
    ...(env.STACKLENS_SECRETS_KEY_FILE ? { secretsKeyFile: env.STACKLENS_SECRETS_KEY_FILE } : {}),
    ...(env.STACKLENS_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: env.STACKLENS_DYNAMODB_ENDPOINT } : {}),
    dashboardUrl: env.STACKLENS_DASHBOARD_URL ?? `http://127.0.0.1:${port(env, 'PORT', 3000)}`,
    log: (line) => process.stderr.write(`${line}\n`),
  });

  const out = process.stdout;
  out.write(`StackLens is up (data in ${env.STACKLENS_DATA_DIR ?? './.stacklens'})\n`);
  out.write(`dashboard  ${stack.urls.dashboard}\n`);
  out.write(`api        ${stack.urls.api}\n`);
  out.write(`websocket  ${stack.urls.ws}?token=<token>\n`);
  if (stack.urls.pos) out.write(`demo POS   ${stack.urls.pos}\n`);
  out.write(`aws edge   ${stack.urls.edge}  (CloudWatch Logs, @connections)\n`);
  out.write(`dynamodb   ${stack.urls.dynamodb}\n`);
  out.write(`pos log    ${stack.logFile}\n`);
  if (stack.generatedAdminPassword) {
    out.write(`admin      ${stack.adminEmail} / ${stack.generatedAdminPassword}  (generated now and shown once; set STACKLENS_ADMIN_PASSWORD to choose your own)\n`);
  } else {
    out.write(`admin      ${stack.adminEmail}\n`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without a clean stop\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`${signal}: stopping…\n`);
      stack.stop().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`stop failed: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}
