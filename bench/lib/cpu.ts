import fs from "node:fs";

/**
 * CPU accounting from /proc (Linux): how much CPU the app's process tree, PostgreSQL's processes and the load
 * generator (this process) used during a window — the first answer to "where does the time go".
 */
const TICK = 100; // USER_HZ on Linux

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      // fields after comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
      procs.set(Number(name), { pid: Number(name), ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* exited */
    }
  }
  return procs;
}

function totalBusy(): number {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu as [number, number, number, number, number, number, number, number];
  return user + nice + system + irq + softirq + steal + 0 * (idle + iowait);
}

export interface CpuSnapshot {
  at: number;
  procs: Map<number, Proc>;
  busy: number;
}

export function snapshot(): CpuSnapshot {
  return { at: performance.now(), procs: readProcs(), busy: totalBusy() };
}

export interface CpuUse {
  /** Cores used on average over the window. */
  server: number;
  postgres: number;
  loadGenerator: number;
  machine: number;
}

function descendants(procs: Map<number, Proc>, root: number): Set<number> {
  const out = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs.values()) if (!out.has(p.pid) && out.has(p.ppid)) (out.add(p.pid), (grew = true));
  }
  return out;
}

/** Cores used between two snapshots by the process tree under `serverPid`, postgres, and this process. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, serverPid: number | undefined): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const delta = (pids: (p: Proc) => boolean) => {
    let ticks = 0;
    for (const p of b.procs.values()) if (pids(p)) ticks += p.ticks - (a.procs.get(p.pid)?.ticks ?? 0);
    return ticks / TICK / seconds;
  };
  const tree = serverPid ? descendants(b.procs, serverPid) : new Set<number>();
  return {
    server: delta((p) => tree.has(p.pid)),
    postgres: delta((p) => p.comm === "postgres"),
    loadGenerator: delta((p) => p.pid === process.pid),
    machine: (b.busy - a.busy) / TICK / seconds,
  };
}

/**
 * Waits (up to `maxWaitMs`) until the machine is nearly idle — other work on a shared 2-core box skews every
 * number — and returns the busy cores of the last 1 s sample.
 */
export async function waitForQuiet(maxWaitMs: number, threshold = 0.35): Promise<{ busy: number; waitedMs: number }> {
  const start = performance.now();
  for (;;) {
    const a = snapshot();
    await new Promise((r) => setTimeout(r, 1000));
    const busy = cpuBetween(a, snapshot(), undefined).machine;
    const waitedMs = performance.now() - start;
    if (busy < threshold || waitedMs >= maxWaitMs) return { busy, waitedMs };
  }
}
