import type { ReadinessCheck } from './health.js';

/**
 * Readiness of a stage that is still starting: not ready, with the reason the last attempt failed
 * (e.g. Kafka authentication), until `done()`. The health server answers from the first second, so an
 * orchestrator sees why a pod is not ready instead of restarting it in a loop (issue 14 §3).
 */
export class StartupProgress implements ReadinessCheck {
  readonly name = 'startup';
  private state: { ok: boolean; detail: string } = { ok: false, detail: 'starting' };

  waiting(detail: string): void {
    this.state = { ok: false, detail };
  }

  done(): void {
    this.state = { ok: true, detail: 'started' };
  }

  check(): { ok: boolean; detail: string } {
    return this.state;
  }
}
