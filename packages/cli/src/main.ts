#!/usr/bin/env node
import { backfill } from './commands/backfill.js';
import { dlq } from './commands/dlq.js';
import { produce } from './commands/produce.js';
import { provision } from './commands/provision.js';
import { reindex } from './commands/reindex.js';
import { search } from './commands/search.js';
import { status } from './commands/status.js';
import { buildProgram, type CliCommand } from './program.js';

// One file per command under commands/; adding a command is one import and one entry here.
const COMMANDS: readonly CliCommand[] = [provision, produce, backfill, search, status, dlq, reindex];

const { parse } = buildProgram(COMMANDS, {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
const code = await parse(process.argv.slice(2));
// Let stdout drain before exiting: a piped `--json` result must arrive whole.
process.stdout.write('', () => process.exit(code));
