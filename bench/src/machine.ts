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
