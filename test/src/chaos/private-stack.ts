import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/stack.js';

const run = promisify(execFile);

export type PrivateService = 'kafka' | 'milvus';

export interface PrivateStackOptions {
  kafkaPort: number;
  kafkaControllerPort: number;
  /** The broker's SASL_SSL listener: its own port, never the shared broker's 9094. */
  kafkaSaslPort: number;
  milvusPort: number;
}

/**
 * A Kafka broker and a Milvus Lite of the chaos run's own (deploy/local with its own FRESHET_STATE and
 * ports): the run kills and restarts them, so it must never touch the shared stack. The registry is the
 * shared one (Apicurio's management port is fixed); the chaos run never stops it.
 */
export class PrivateStack {
  readonly state: string;
  readonly kafka: string;
  readonly milvus: string;
  private readonly env: Record<string, string>;

  constructor(readonly options: PrivateStackOptions) {
    this.state = mkdtempSync(join(tmpdir(), 'freshet-chaos-state-'));
    this.kafka = `127.0.0.1:${options.kafkaPort}`;
    this.milvus = `127.0.0.1:${options.milvusPort}`;
    this.env = {
      FRESHET_STATE: this.state,
      FRESHET_KAFKA_PORT: String(options.kafkaPort),
      FRESHET_KAFKA_CONTROLLER_PORT: String(options.kafkaControllerPort),
      FRESHET_KAFKA_SASL_PORT: String(options.kafkaSaslPort),
      FRESHET_MILVUS_PORT: String(options.milvusPort),
    };
  }

  /** Starts (or, when stopped, restarts with its data) the given services and waits until they answer. */
  async up(...services: PrivateService[]): Promise<void> {
    await this.script('up', services);
  }

  /** Stops the given services by their recorded pids (TERM, then KILL), keeping their data. */
  async down(...services: PrivateService[]): Promise<void> {
    await this.script('down', services);
  }

  /** Stops everything of this stack and deletes its state folder. Safe to call more than once. */
  async destroy(): Promise<void> {
    await this.script('down', ['kafka', 'milvus', '--wipe']).catch(() => {});
    rmSync(this.state, { recursive: true, force: true });
  }

  private async script(command: 'up' | 'down', args: string[]): Promise<void> {
    try {
      await run(join(REPO_ROOT, 'deploy/local', command), args, {
        cwd: REPO_ROOT,
        env: { ...process.env, ...this.env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 5 * 60 * 1000,
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `deploy/local/${command} ${args.join(' ')} (private stack) failed: ${e.message}\n${e.stderr ?? ''}`,
      );
    }
  }
}
