// The soak, shortened to half a minute for the test suite: the same fleet and rate as `npm run soak` (which runs ten minutes
// and also holds memory and latency to account). Here nothing may be lost, doubled or left undelivered; the per-window
// figures are printed for whoever reads the CI log.
import { describe, expect, it } from '@jest/globals';
import { formatSoak, runSoak, type SoakOptions } from '../../bench/soak.js';

describe('Soak, shortened: 200 errors/s across 50 kiosk agents for half a minute', () => {
  it('counts every line exactly once and delivers every count to the dashboard socket', async () => {
    const options: SoakOptions = { durationMs: 30_000, errorsPerSecond: 200, kiosks: 50, windowMs: 10_000 };

    const report = await runSoak(options);
    process.stdout.write(`\n${formatSoak(report, options)}\n`);

    expect(report.written).toBe(6_000);
    expect(report.mismatches).toEqual([]);
    expect(report.counted).toBe(report.written);
    expect(report.undelivered).toBe(0);
    expect(report.windows.every((w) => w.lines > 0)).toBe(true);
  }, 480_000);
});
