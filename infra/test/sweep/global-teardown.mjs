// See global-setup.mjs. Throwing here makes jest exit non-zero after the results are printed.
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { teardownSweep } = await tsImport('./sweep-run.ts', import.meta.url);
  teardownSweep();
}
