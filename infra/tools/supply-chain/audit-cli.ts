import { auditSupplyChain, exitCodeFor, formatOutcomes } from './audit.js';

// `npm run audit`: exit 0 clean, 1 a finding, 3 a source could not be reached (see EXIT in audit.ts).

const outcomes = await auditSupplyChain();
process.stdout.write(formatOutcomes(outcomes));
process.exitCode = exitCodeFor(outcomes);
