import { type Admin, sleep } from '@freshet/kafka';

/** Group states with no member: the live stage is stopped (or never ran). */
const IDLE = new Set(['Empty', 'Dead']);

/** Resolves once every group has no member (the operator stopped those Deployments), polling `pollMs`. */
export async function waitGroupsIdle(
  admin: Admin,
  groups: readonly string[],
  options: { pollMs: number; signal?: AbortSignal; onWait?: (busy: string[]) => void },
): Promise<void> {
  for (;;) {
    const { groups: described } = await admin.describeGroups([...groups]);
    const busy = described.filter((g) => !IDLE.has(g.state)).map((g) => g.groupId);
    if (busy.length === 0) return;
    options.onWait?.(busy);
    await sleep(options.pollMs, options.signal);
  }
}

/**
 * Hands the live pipeline over to the new collection. The re-index builder has applied every
 * embed-request up to its committed offsets to the new collection, so the (restarted, new-model) embedder
 * resumes exactly there; the index-writes still queued were made with the old model and are covered by
 * the builder, so the writer skips them. Kafka only lets a group's offsets be set while it has no member.
 */
export async function handOverOffsets(
  admin: Admin,
  plan: {
    builderGroup: string;
    embedGroup: string;
    embedTopic: string;
    writerGroup: string;
    indexTopic: string;
  },
): Promise<{
  embed: Array<{ partition: number; offset: string }>;
  index: Array<{ partition: number; offset: string }>;
}> {
  const [built] = await admin.fetchOffsets({ groupId: plan.builderGroup, topics: [plan.embedTopic] });
  const embedEnds = new Map(
    (await admin.fetchTopicOffsets(plan.embedTopic)).map((e) => [e.partition, e.high] as const),
  );
  // A partition the builder never committed held nothing when it drained (the router is stopped): its end.
  const embed = (built?.partitions ?? []).map((p) => ({
    partition: p.partition,
    offset: Number(p.offset) >= 0 ? p.offset : (embedEnds.get(p.partition) ?? '0'),
  }));
  await admin.setOffsets({ groupId: plan.embedGroup, topic: plan.embedTopic, partitions: embed });
  const ends = await admin.fetchTopicOffsets(plan.indexTopic);
  const index = ends.map((e) => ({ partition: e.partition, offset: e.high }));
  await admin.setOffsets({ groupId: plan.writerGroup, topic: plan.indexTopic, partitions: index });
  return { embed, index };
}
