// Jest loads its global hooks outside the test runtime, where the TypeScript sources cannot be imported directly;
// tsx compiles them for this one import only (tsImport registers no global loader).
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { setupSweep } = await tsImport('./sweep-run.ts', import.meta.url);
  setupSweep();
}
