#!/usr/bin/env node
// Runs the agent from its TypeScript sources (as `npx pos-agent` in this repo); a kiosk runs the bundled
// dist/pos-agent.mjs instead (`npm run build -w pos-agent`).
import { register } from 'tsx/esm/api';

register();
await import('../src/agent/main.ts');
