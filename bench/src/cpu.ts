import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * CPU time of processes from /proc (utime + stime of /proc/<pid>/stat, all threads, in seconds), so a
 * segment can report what each process (the services, Kafka, Milvus Lite, a baseline) spent on it. CPU
 * seconds do not depend on how many other jobs share the cores, unlike events/s.
 */

// USER_HZ: the unit of utime/stime. 100 on every Linux this runs on (`getconf CLK_TCK`); the kernel ABI fixes it.
const TICKS_PER_SECOND = 100;

/** utime + stime of one process in seconds, or undefined once it has gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The pid of the process listening on a TCP port (IPv4 or IPv6), or undefined when none is visible. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      // st 0A = LISTEN; the inode is column 10.
      if (!local || cols[3] !== '0A') continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && cols[9])
        inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** Processes whose CPU a segment reports, by name (e.g. `router`, `kafka`, `milvus`, `seed-style`). */
export type Watched = Record<string, number>;

/** CPU seconds each watched process spent between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly watched: Watched) {
    for (const [name, pid] of Object.entries(watched)) {
      const s = cpuSeconds(pid);
      if (s !== undefined) {
        this.before.set(name, s);
        this.last.set(name, s);
      }
    }
    // A process that exits before stop() (e.g. a baseline that finished) keeps its last reading.
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.watched)) {
      const s = cpuSeconds(pid);
      if (s !== undefined) this.last.set(name, s);
    }
  }

  /** CPU seconds per watched process since construction (NaN when it could not be read). */
  stop(): Record<string, number> {
    this.sample();
    clearInterval(this.timer);
    return Object.fromEntries(
      Object.keys(this.watched).map((name) => {
        const a = this.before.get(name);
        const b = this.last.get(name);
        return [name, a === undefined || b === undefined ? Number.NaN : b - a];
      }),
    );
  }
}
