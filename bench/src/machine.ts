import { cpus, loadavg, totalmem } from 'node:os';

export interface LoadSummary {
  /** 1-minute load average at the start, at the end, and min/mean/max of the samples in between. */
  start: number;
  end: number;
  min: number;
  mean: number;
  max: number;
  samples: number;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  load: LoadSummary;
}

/** Samples the 1-minute load average every second: other work may share the machine during a run. */
export class LoadSampler {
  private readonly samples: number[] = [loadavg()[0] ?? 0];
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 1000) {
    this.timer = setInterval(() => this.samples.push(loadavg()[0] ?? 0), intervalMs);
    this.timer.unref();
  }

  stop(): LoadSummary {
    clearInterval(this.timer);
    this.samples.push(loadavg()[0] ?? 0);
    const s = this.samples;
    return {
      start: s[0]!,
      end: s[s.length - 1]!,
      min: Math.min(...s),
      mean: s.reduce((a, b) => a + b, 0) / s.length,
      max: Math.max(...s),
      samples: s.length,
    };
  }
}

export function machineInfo(load: LoadSummary): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load,
  };
}

function cpuTotals(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/**
 * Waits until the machine's CPU has been below `busyBelow` (0..1, all cores) for `quietWindows` windows in
 * a row, or `timeoutMs` passed. After a bulk phase Milvus Lite keeps compacting and indexing for a while
 * (seen: every Milvus call 3–4× slower, the router's batches too); a steady-rate measurement that starts
 * inside that tail measures the tail. Returns how long it waited and the busy share of the last window.
 */
export async function waitForQuietCpu(
  options: { busyBelow?: number; windowMs?: number; quietWindows?: number; timeoutMs?: number } = {},
): Promise<{ waitedMs: number; busy: number; quiet: boolean }> {
  const busyBelow = options.busyBelow ?? 0.25;
  const windowMs = options.windowMs ?? 1000;
  const need = options.quietWindows ?? 3;
  const started = Date.now();
  let quiet = 0;
  let busy = 1;
  let last = cpuTotals();
  while (Date.now() - started < (options.timeoutMs ?? 180_000)) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = cpuTotals();
    busy = (now.busy - last.busy) / Math.max(1, now.total - last.total);
    last = now;
    quiet = busy < busyBelow ? quiet + 1 : 0;
    if (quiet >= need) return { waitedMs: Date.now() - started, busy, quiet: true };
  }
  return { waitedMs: Date.now() - started, busy, quiet: false };
}
