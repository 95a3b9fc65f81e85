import type { Admin } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

/** Lag of a consumer group on a topic from committed offsets and high watermarks (for `freshet status`). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const byPartition = new Map<number, number>();
  for (const t of committed) for (const p of t.partitions) byPartition.set(p.partition, Number(p.offset));
  return ends
    .map((e) => {
      const end = Number(e.high);
      const c = byPartition.get(e.partition) ?? -1;
      // -1: nothing committed yet, so everything from the low watermark is pending.
      const start = c >= 0 ? c : Number(e.low);
      return { partition: e.partition, committed: c, end, lag: Math.max(0, end - start) };
    })
    .sort((a, b) => a.partition - b.partition);
}
