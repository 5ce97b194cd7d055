// Runs the demo POS on its own: `npx tsx pos-agent/src/demo-pos/main.ts`.
// Reads POS_PORT (default 3001), POS_HOST (default 127.0.0.1) and STACKLENS_DATA_DIR (log under logs/pos-application.log).

import { DEFAULT_POS_PORT, posLogFileFromEnv } from './paths.js';
import { startDemoPos } from './server.js';

const port = Number(process.env.POS_PORT ?? DEFAULT_POS_PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`POS_PORT must be a port number (0-65535), got "${process.env.POS_PORT}"\n`);
  process.exit(1);
}

const logFile = posLogFileFromEnv(process.env);
try {
  const pos = await startDemoPos({ port, host: process.env.POS_HOST ?? '127.0.0.1', logFile });
  process.stdout.write(`Demo POS listening on ${pos.url} (log: ${logFile})\n`);
  const stop = (): void => {
    void pos.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  process.stderr.write(
    code === 'EADDRINUSE' ? `Port ${port} is already in use; set POS_PORT to a free port\n` : `Demo POS failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
