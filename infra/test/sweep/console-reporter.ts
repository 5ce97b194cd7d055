// A jest reporter that copies every console call of every test file (the product's console.error in the local
// gateway and edge, a test's own logging) into the sweep directory. It reads jest's console buffer in the main process,
// so a console line still shows where it was logged. With --verbose, jest prints console calls as they happen instead
// of buffering them; those reach this copy only through a worker's stdout (capture-setup.ts).

import { capture, sourceName } from '../helpers/sweep.js';

interface ConsoleEntry {
  readonly message: string;
  readonly type: string;
}

interface FileResult {
  readonly testFilePath: string;
  readonly console?: readonly ConsoleEntry[] | null;
}

export class SweepConsoleReporter {
  onTestResult(_test: unknown, result: FileResult): void {
    const source = sourceName(result.testFilePath);
    for (const entry of result.console ?? []) capture('console', entry.message, `console.${entry.type}`, source);
  }
}
