import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../context.js';
import { type DlqEntry, matches, parseFilters, parsePosition, toDlqEntry } from '../dlq-entry.js';
import { CliError, EXIT } from '../errors.js';
import { table } from '../output.js';
import type { CliCommand } from '../program.js';
import { planReplay, sendReplay } from '../replay.js';
import { ensureReplayLog, replayedKeys } from '../replay-log.js';
import { readRanges, type TopicRecord, wholeTopic } from '../topic-reader.js';

const collect = (value: string, previous: string[]) => [...previous, value];

async function readDlq(ctx: CliContext): Promise<TopicRecord[]> {
  const admin = await ctx.admin();
  const topic = ctx.config.topics.dlq;
  return readRanges(ctx.kafka(), admin, topic, await wholeTopic(admin, topic));
}

function countBy(entries: readonly DlqEntry[], key: (e: DlqEntry) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) out[key(e)] = (out[key(e)] ?? 0) + 1;
  return out;
}

const where = (t: { topic: string; partition: number | null; offset: string }) =>
  t.topic ? `${t.topic}:${t.partition ?? '?'}:${t.offset}` : '—';

export const dlq: CliCommand = {
  name: 'dlq',
  register(program: Command, run) {
    const group = program
      .command('dlq')
      .description('inspect and replay the dead-letter topic (FRESHET_TOPIC_DLQ)');

    group
      .command('list')
      .description('list DLQ entries with reason, stage and source position')
      .option(
        '--filter <reason=CODE>',
        'only entries with this reason (repeatable, CODE[,CODE…])',
        collect,
        [],
      )
      .option('--stage <stage>', 'only entries from this stage: router, embedder or writer')
      .option('--limit <n>', 'print at most n entries (the oldest first); 0 for all', '100')
      .action(
        run(async (ctx, opts) => {
          const filter = parseFilters(opts.filter, opts.stage);
          const limit = Number(opts.limit);
          if (!Number.isInteger(limit) || limit < 0)
            throw new CliError('FRESHET_CLI_USAGE', '--limit: expected an integer ≥ 0', EXIT.usage);
          const entries = (await readDlq(ctx)).map(toDlqEntry).filter((e) => matches(e, filter));
          const shown = limit === 0 ? entries : entries.slice(0, limit);
          ctx.out.result(
            {
              topic: ctx.config.topics.dlq,
              total: entries.length,
              byReason: countBy(entries, (e) => e.reason),
              entries: shown,
            },
            () =>
              [
                `${entries.length} entries in ${ctx.config.topics.dlq}${shown.length < entries.length ? ` (first ${shown.length} shown)` : ''}`,
                ...Object.entries(countBy(entries, (e) => `${e.stage}/${e.reason}`)).map(
                  ([k, n]) => `  ${n}  ${k}`,
                ),
                ...(shown.length === 0 ? [] : ['']),
                table(
                  shown.length === 0
                    ? []
                    : [
                        ['position', 'stage', 'reason', 'key', 'source', 'replays', 'message'],
                        ...shown.map((e) => [
                          e.position,
                          e.stage,
                          e.reason,
                          e.key ?? '(null)',
                          where(e.source),
                          String(e.replayCount),
                          e.message.length > 80 ? `${e.message.slice(0, 77)}...` : e.message,
                        ]),
                      ],
                ),
              ].join('\n'),
          );
          return undefined;
        }),
      );

    group
      .command('show')
      .description('print one DLQ entry: every header, and the value decoded when the registry can')
      .argument('<partition:offset>', 'the entry position, as printed by dlq list')
      .action(
        run(async (ctx, positionText) => {
          const position = parsePosition(positionText);
          const admin = await ctx.admin();
          const topic = ctx.config.topics.dlq;
          const [record] = await readRanges(ctx.kafka(), admin, topic, [
            { partition: position.partition, from: position.offset, to: position.offset + 1n },
          ]);
          if (!record) {
            throw new CliError(
              'FRESHET_DLQ_NOT_FOUND',
              `no entry at ${positionText} in ${topic} (see freshet dlq list)`,
            );
          }
          const entry = toDlqEntry(record);
          let decoded: { schemaId: number; value: unknown } | { error: string } | null = null;
          if (record.value !== null) {
            try {
              decoded = await ctx.codec().decode(record.value);
            } catch (error) {
              // Undecodable bytes are often why the entry is here; say so instead of failing.
              const code = (error as { code?: unknown }).code;
              decoded = {
                error: typeof code === 'string' ? `${code}: ${(error as Error).message}` : String(error),
              };
            }
          }
          ctx.out.result({ ...entry, value: record.value?.toString('base64') ?? null, decoded }, () =>
            [
              `entry ${entry.position} of ${topic}`,
              `  reason   ${entry.reason}`,
              `  message  ${entry.message}`,
              `  stage    ${entry.stage}`,
              `  failed   ${where(entry.failed)}`,
              `  source   ${where(entry.source)}`,
              `  at       ${entry.at === null ? '—' : new Date(entry.at).toISOString()}`,
              `  replays  ${entry.replayCount}`,
              `  key      ${entry.key ?? '(null)'}`,
              `  value    ${record.value === null ? '(null: tombstone)' : `${entry.valueBytes} bytes`}`,
              'headers',
              ...Object.entries(entry.headers).map(([k, v]) => `  ${k}: ${v}`),
              'decoded value',
              `  ${decoded === null ? '—' : JSON.stringify('error' in decoded ? decoded : decoded.value, vectorsAsLength)}`,
            ].join('\n'),
          );
          return undefined;
        }),
      );

    group
      .command('replay')
      .description(
        'send DLQ entries back to the topic their stage consumes (router: the input topic), once each: the replay log (FRESHET_TOPIC_DLQ_REPLAYS) records what was sent',
      )
      .option(
        '--filter <reason=CODE>',
        'only entries with this reason (repeatable, CODE[,CODE…])',
        collect,
        [],
      )
      .option('--stage <stage>', 'only entries from this stage: router, embedder or writer')
      .option('--dry-run', 'print what would be replayed, send nothing')
      .action(
        run(async (ctx, opts) => {
          const filter = parseFilters(opts.filter, opts.stage);
          const { topics } = ctx.config;
          const admin = await ctx.admin();
          await ensureReplayLog(admin, topics.dlqReplays, topics.replicationFactor);
          const done = await replayedKeys(ctx.kafka(), admin, topics.dlqReplays);
          const plan = planReplay(await readDlq(ctx), done, filter, topics);
          if (!opts.dryRun && plan.toSend.length > 0) await sendReplay(await ctx.producer(), plan, topics);
          const { toSend, alreadyReplayed, notMatching, noTarget } = plan;
          const replayed = toSend.map(({ entry, target }) => ({
            position: entry.position,
            reason: entry.reason,
            stage: entry.stage,
            key: entry.key,
            target,
          }));
          ctx.out.result(
            {
              dryRun: opts.dryRun === true,
              replayed,
              byReason: countBy(
                toSend.map((s) => s.entry),
                (e) => e.reason,
              ),
              alreadyReplayed,
              notMatching,
              noTarget,
            },
            () =>
              [
                `${opts.dryRun ? 'would replay' : 'replayed'} ${replayed.length} entries` +
                  (alreadyReplayed > 0 ? `, skipped ${alreadyReplayed} already replayed` : '') +
                  (notMatching > 0 ? `, ${notMatching} not matching the filter` : ''),
                ...replayed.map(
                  (r) => `  ${r.position}  ${r.stage}/${r.reason}  ${r.key ?? '(null)'} → ${r.target}`,
                ),
                ...(noTarget.length > 0
                  ? [`no stage to replay to (missing freshet-dlq-stage): ${noTarget.join(', ')}`]
                  : []),
              ].join('\n'),
          );
          return noTarget.length > 0 ? EXIT.failure : undefined;
        }),
      );
  },
};

// IndexWrite vectors are kilobytes of float32: show their size, not their bytes.
function vectorsAsLength(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    const data = (value as { data?: unknown[] }).data;
    return `<${data?.length ?? 0} bytes>`;
  }
  return typeof value === 'bigint' ? value.toString() : value;
}
