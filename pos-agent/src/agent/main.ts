// Process entry of the kiosk agent: `bin/pos-agent.mjs` runs it from source, `npm run build -w pos-agent` bundles it
// into one file (dist/pos-agent.mjs) that a kiosk runs with plain Node, no node_modules and no TypeScript loader.
import { runAgentCli } from './cli.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

runAgentCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pos-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
