// See global-setup.mjs: tsx compiles the TypeScript reporter for this one import.
import { tsImport } from 'tsx/esm/api';

const { SweepConsoleReporter } = await tsImport('./console-reporter.ts', import.meta.url);

export default SweepConsoleReporter;
