import type { Command } from '@commander-js/extra-typings';
import { ensureTopics } from '@freshet/kafka';
import type { SchemaName } from '@freshet/schemas';
import { table } from '../output.js';
import type { CliCommand } from '../program.js';
import { setSubjectCompatibility } from '../registry-config.js';
import { ensureReplayLog } from '../replay-log.js';

/** Which schemas each topic's `<topic>-value` subject holds, oldest first (v1 then v2 stay compatible). */
function plan(topics: { input: string; embed: string; index: string }): Array<[string, SchemaName[]]> {
  return [
    [topics.input, ['ProductEvent.v1', 'ProductEvent.v2']],
    [topics.embed, ['EmbedRequest']],
    [topics.index, ['IndexWrite']],
  ];
}

export const provision: CliCommand = {
  name: 'provision',
  register(program: Command, run) {
    program
      .command('provision')
      .description(
        'create the topics (equal partition counts, retention) and register every schema (BACKWARD); safe to repeat',
      )
      .action(
        run(async (ctx) => {
          const { topics, registry } = ctx.config;
          const admin = await ctx.admin();
          const layout = await ensureTopics(admin, topics);
          const replayLog = await ensureReplayLog(admin, topics.dlqReplays, topics.replicationFactor);
          const codec = ctx.codec();
          const subjects: Array<{ subject: string; schema: SchemaName; id: number }> = [];
          for (const [topic, schemas] of plan(topics)) {
            const subject = `${topic}-value`;
            await setSubjectCompatibility(registry, subject, 'BACKWARD');
            for (const schema of schemas)
              subjects.push({ subject, schema, id: await codec.register(topic, schema) });
          }
          const created = [...layout.created, ...(replayLog ? [topics.dlqReplays] : [])];
          const existing = [...layout.existing.map((t) => `${t.topic} (${t.partitions} partitions)`)];
          if (!replayLog) existing.push(`${topics.dlqReplays} (replay log)`);
          ctx.out.result({ topics: { created, existing: layout.existing }, subjects }, () =>
            [
              created.length > 0 ? `created topics: ${created.join(', ')}` : 'topics: all present',
              ...existing.map((t) => `  ${t}`),
              '',
              table([
                ['subject', 'schema', 'id', 'compatibility'],
                ...subjects.map((s) => [s.subject, s.schema, String(s.id), 'BACKWARD']),
              ]),
            ].join('\n'),
          );
          return undefined;
        }),
      );
  },
};
