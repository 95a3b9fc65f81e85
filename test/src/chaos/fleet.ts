import { type RunningService, type Stage, startService } from '../support/services.js';

export const STAGES: readonly Stage[] = ['router', 'embedder', 'writer'];

export interface Crash {
  stage: Stage;
  exit: number | string;
  at: number;
  log: string;
}

interface Instance {
  service: RunningService;
  /** Set when the harness itself stops it (kill -9, SIGTERM): its exit is not a crash. */
  expected: boolean;
}

/**
 * The service processes of a chaos run, like a Deployment per stage: instances can be killed, restarted
 * and scaled. An exit the harness did not cause is recorded as a crash and the instance is replaced
 * (as Kubernetes would), so the run goes on and the crash fails the assertions instead of hanging them.
 */
export class Fleet {
  private readonly instances: Record<Stage, Instance[]> = { router: [], embedder: [], writer: [] };
  readonly crashes: Crash[] = [];
  private closed = false;

  constructor(private readonly envOf: (stage: Stage) => Record<string, string>) {}

  services(stage?: Stage): RunningService[] {
    const stages = stage ? [stage] : STAGES;
    return stages.flatMap((s) => this.instances[s].map((i) => i.service));
  }

  count(stage: Stage): number {
    return this.instances[stage].length;
  }

  async start(stage: Stage): Promise<RunningService> {
    const service = await startService(stage, this.envOf(stage), 120_000);
    const instance: Instance = { service, expected: false };
    this.instances[stage].push(instance);
    void service.exited.then((exit) => {
      if (instance.expected || this.closed) return;
      this.crashes.push({ stage, exit, at: Date.now(), log: service.logTail(60) });
      this.remove(stage, instance);
      void this.start(stage).catch(() => {});
    });
    return service;
  }

  /** kill -9 of one instance (the oldest by default), then a new one, ready. Returns the restart time in ms. */
  async kill9AndRestart(stage: Stage, index = 0): Promise<number> {
    const instance = this.instances[stage][index];
    if (!instance) throw new Error(`no ${stage} instance ${index}`);
    instance.expected = true;
    await instance.service.kill9();
    this.remove(stage, instance);
    const started = Date.now();
    await this.start(stage);
    return Date.now() - started;
  }

  /** SIGTERM one instance and wait for it; returns its exit code and how long the drain took. */
  async terminate(stage: Stage, index = 0): Promise<{ exit: number | string; ms: number; log: string }> {
    const instance = this.instances[stage][index];
    if (!instance) throw new Error(`no ${stage} instance ${index}`);
    instance.expected = true;
    const started = Date.now();
    const exit = await instance.service.terminate(120_000);
    this.remove(stage, instance);
    return { exit, ms: Date.now() - started, log: instance.service.logTail(30) };
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all(
      STAGES.flatMap((s) =>
        this.instances[s].map((i) => {
          i.expected = true;
          return i.service.kill9();
        }),
      ),
    );
    for (const s of STAGES) this.instances[s] = [];
  }

  private remove(stage: Stage, instance: Instance): void {
    this.instances[stage] = this.instances[stage].filter((i) => i !== instance);
  }
}
