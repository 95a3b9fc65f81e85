import { groupLag } from '@freshet/kafka';
import type { Admin } from 'kafkajs';
import { AssignerProtocol } from 'kafkajs';
import type { PipelineNames } from '../support/pipeline.js';
import { metricValue, type RunningService, type Stage } from '../support/services.js';

export const TOPIC_OF: Record<Stage, keyof PipelineNames> = {
  router: 'input',
  embedder: 'embed',
  writer: 'index',
};

export type Lags = Record<Stage, number>;

/** Uncommitted records per stage (end offset − committed offset, summed over partitions). */
export async function stageLags(admin: Admin, names: PipelineNames): Promise<Lags> {
  const [router, embedder, writer] = await Promise.all(
    (['router', 'embedder', 'writer'] as const).map(async (stage) => {
      const lags = await groupLag(admin, names.groups[stage], names[TOPIC_OF[stage]] as string);
      return lags.reduce((sum, p) => sum + p.lag, 0);
    }),
  );
  return { router: router!, embedder: embedder!, writer: writer! };
}

/** Committed offset per partition of a stage's group ("p:offset" joined), to prove nothing was committed. */
export async function committed(admin: Admin, names: PipelineNames, stage: Stage): Promise<string> {
  const lags = await groupLag(admin, names.groups[stage], names[TOPIC_OF[stage]] as string);
  return lags.map((l) => `${l.partition}:${l.committed}`).join(',');
}

/** The members of a stage's group and the partitions each holds. */
export async function groupMembers(
  admin: Admin,
  names: PipelineNames,
  stage: Stage,
): Promise<Array<{ memberId: string; partitions: number[] }>> {
  const { groups } = await admin.describeGroups([names.groups[stage]]);
  const topic = names[TOPIC_OF[stage]] as string;
  return (groups[0]?.members ?? []).map((m) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    return { memberId: m.memberId, partitions: [...(assignment?.assignment[topic] ?? [])].sort() };
  });
}

/** Sum of a metric over every instance of a stage that answers (instances being killed are skipped). */
export async function scrape(
  services: readonly RunningService[],
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const values = await Promise.all(
    services.map(async (s) => {
      try {
        return metricValue(await s.metrics(), name, labels);
      } catch {
        return 0;
      }
    }),
  );
  return values.reduce((a, b) => a + b, 0);
}

/** Polls `probe` every `intervalMs` until `stop` is called; keeps the samples (failed probes are skipped). */
export function sampler<T>(probe: () => Promise<T>, intervalMs: number): { stop(): Promise<T[]> } {
  const samples: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        samples.push(await probe());
      } catch {
        // A dependency being restarted on purpose: skip the sample.
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
