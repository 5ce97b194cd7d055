import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLicences, formatLicenceReport, productionClosure, SupplyChainError } from './licences.js';

// `npm run licences [-- --list]`: prints how many production packages carry each licence and any outside the allow-list;
// exits 1 when there is one. The per-package list goes to the terminal only, never into the repository: it changes
// with every install.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

try {
  const report = checkLicences(productionClosure(repoRoot));
  process.stdout.write(formatLicenceReport(report, { list: process.argv.includes('--list') }));
  process.exitCode = report.violations.length === 0 ? 0 : 1;
} catch (error) {
  if (!(error instanceof SupplyChainError)) throw error;
  process.stderr.write(`licences: ${error.code}: ${error.message}\n`);
  process.exitCode = 2;
}
