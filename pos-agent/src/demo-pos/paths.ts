// Where the demo POS writes its log. The kiosk agent watches the same path, so both derive it from here
// (an earlier system logged to a path its watcher never looked at).

import { join } from 'node:path';

export const POS_LOG_RELATIVE_PATH = join('logs', 'pos-application.log');
export const DEFAULT_POS_PORT = 3001;

/** `$STACKLENS_DATA_DIR`, or `./.stacklens` when unset (the same default as `stacklens start`). */
export function dataDirFromEnv(env: NodeJS.ProcessEnv): string {
  const configured = env.STACKLENS_DATA_DIR;
  return configured !== undefined && configured !== '' ? configured : './.stacklens';
}

export function posLogFileFromEnv(env: NodeJS.ProcessEnv): string {
  return join(dataDirFromEnv(env), POS_LOG_RELATIVE_PATH);
}

/** `$STACKLENS_POS_URL`, or the loopback address of `$POS_PORT` (3001 by default). */
export function posUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const configured = env.STACKLENS_POS_URL;
  if (configured !== undefined && configured !== '') return configured.replace(/\/+$/, '');
  return `http://127.0.0.1:${env.POS_PORT ?? DEFAULT_POS_PORT}`;
}
