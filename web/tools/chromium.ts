import type { LaunchOptions } from 'playwright-core';

/** Debian's Chromium, headless, with everything that would reach the network at start-up switched off. */
export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: process.env.STACKLENS_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
};
