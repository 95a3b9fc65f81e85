#!/usr/bin/env node
// The seed-style baseline as its own process, so its CPU time is read from /proc like the services'. Options
// come as JSON in BENCH_SEED_STYLE; it prints `ready`, `joined`, then its report as one JSON line, and
// stays (idle) until SIGTERM, so the bench reads its CPU time at the moment the work was done.
import { runSeedStyle, type SeedStyleOptions } from './seed-style.js';

const options = JSON.parse(process.env.BENCH_SEED_STYLE ?? '{}') as SeedStyleOptions;
process.stdout.write('ready\n');
runSeedStyle(options, () => process.stdout.write('joined\n')).then(
  ({ report, close }) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.once('SIGTERM', () => {
      void close().finally(() => process.exit(0));
    });
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
