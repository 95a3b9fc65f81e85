import type { Logger } from '@freshet/telemetry';

export interface Pausable {
  pause(reason: string): void;
  resume(reason: string): void;
}

/**
 * Pauses consumption while Milvus is down and resumes it as soon as Milvus answers again. The retried batch
 * is one way back; the probe (a cheap real call every `probeMs`) is the other, needed when that batch is
 * gone: after a rebalance or a stop the partitions stay paused and no batch would ever test Milvus.
 */
export class MilvusAvailability {
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private up = true;

  constructor(
    private readonly runner: Pausable,
    private readonly probe: () => Promise<void>,
    private readonly options: { probeMs: number; logger: Logger },
  ) {}

  isUp(): boolean {
    return this.up;
  }

  unavailable(error: unknown): void {
    if (this.up) {
      this.up = false;
      this.runner.pause(`milvus unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.timer ??= setInterval(() => void this.tryProbe(), this.options.probeMs);
  }

  available(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.up) return;
    this.up = true;
    this.runner.resume('milvus answered');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tryProbe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.probe();
      this.options.logger.info('milvus answers the probe again');
      this.available();
    } catch {
      // Still down: the next tick probes again.
    } finally {
      this.probing = false;
    }
  }
}
