import fs from "node:fs";

/**
 * Memory of a process tree from /proc (Linux), sampled from outside: the app under test is never asked about itself
 * (no debug route, no process.memoryUsage()). RSS is summed over every process of the tree — what the tree holds in
 * RAM, counting pages shared between its processes (the node binary, shared libraries) once per process, which is
 * what a container's or a VM's RSS-based limit sees too (PSS, shown beside it, splits shared pages fairly).
 */
const PAGE = 4096;

interface ProcEntry {
  pid: number;
  ppid: number;
}

function readTree(root: number): number[] {
  const procs: ProcEntry[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.push({ pid: Number(name), ppid: Number(f[1]) });
    } catch {
      /* exited */
    }
  }
  const tree = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (!tree.has(p.pid) && tree.has(p.ppid)) (tree.add(p.pid), (grew = true));
  }
  return [...tree];
}

/** RSS in bytes from /proc/<pid>/statm (cheap: no page-table walk); 0 when the process is gone. */
function rssOf(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE;
  } catch {
    return 0;
  }
}

export interface ProcessMemory {
  pid: number;
  /** What runs there, shortened (e.g. `node …/tsx/dist/cli.mjs scripts/start.ts`). */
  command: string;
  rssMb: number;
  /** From /proc/<pid>/status: anonymous memory (JS heap, Buffers, malloc), file-backed (code, mapped files), shmem. */
  anonMb: number;
  fileMb: number;
  shmemMb: number;
  /** From /proc/<pid>/smaps_rollup: proportional share (shared pages split between the processes mapping them). */
  pssMb: number;
  /** Peak RSS of this process over its life (VmHWM). */
  hwmMb: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;
const kbField = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;

function commandOf(pid: number): string {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return argv
      .map((a) => a.replace(/^.*\/node_modules\//, "…/").replace(/^\/.*\/bin\/node$/, "node").replace(/^\/(tmp|work)\/[^ ]*?\/(scripts|bench|node_modules)\//, "$2/"))
      .join(" ")
      .slice(0, 120);
  } catch {
    return "?";
  }
}

/** Child processes of `parent` right now (to find the one a library spawned, by the difference). */
export function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) out.push(Number(name));
    } catch {
      /* exited */
    }
  }
  return out;
}

/** One detailed reading of every process in the tree (heavier than a sample: smaps_rollup walks page tables). */
export function treeMemory(root: number): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const pid of readTree(root)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      let pss = 0;
      try {
        pss = kbField(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
      } catch {
        /* older kernels */
      }
      out.push({
        pid,
        command: commandOf(pid),
        rssMb: mb(kbField(status, "VmRSS")),
        anonMb: mb(kbField(status, "RssAnon")),
        fileMb: mb(kbField(status, "RssFile")),
        shmemMb: mb(kbField(status, "RssShmem")),
        pssMb: mb(pss),
        hwmMb: mb(kbField(status, "VmHWM")),
      });
    } catch {
      /* exited */
    }
  }
  return out;
}

export interface RssReport {
  /** Highest sum of RSS over the tree seen by a sample, MB. */
  peakMb: number;
  /** Sum of RSS at the last sample, MB. */
  lastMb: number;
  samples: number;
  intervalMs: number;
  /** The detailed reading closest after the peak (per process). */
  atPeak: ProcessMemory[];
  /** Sum of PSS at that reading, MB. */
  atPeakPssMb: number;
}

/**
 * Samples the tree's summed RSS every `intervalMs` (default 150 ms) until stopped, with a detailed per-process reading
 * whenever a new peak is seen (at most every 300 ms).
 */
export function sampleTreeRss(rootOrFind: number | (() => number | undefined), intervalMs = 150) {
  const findRoot = typeof rootOrFind === "number" ? () => rootOrFind : rootOrFind;
  let root = findRoot();
  let peak = 0;
  let last = 0;
  let samples = 0;
  let atPeak: ProcessMemory[] = [];
  let detailedAt = 0;
  let detailPending = false;
  let pids = root ? readTree(root) : [];
  let treeReadAt = Date.now();
  const tick = () => {
    root ??= findRoot();
    if (!root) return;
    // The tree rarely changes; re-read it every second (a child started late is still caught).
    if (Date.now() - treeReadAt > 1000 || !pids.length) (pids = readTree(root)), (treeReadAt = Date.now());
    last = pids.reduce((sum, pid) => sum + rssOf(pid), 0);
    samples += 1;
    if (last > peak) {
      peak = last;
      detailPending = true;
    }
    if (detailPending && Date.now() - detailedAt >= 300) {
      atPeak = treeMemory(root);
      detailedAt = Date.now();
      detailPending = false;
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    /** Current reading without stopping. */
    peakMb: () => mb(peak),
    stop(): RssReport {
      clearInterval(timer);
      tick();
      if (!atPeak.length && root) atPeak = treeMemory(root);
      return { peakMb: mb(peak), lastMb: mb(last), samples, intervalMs, atPeak, atPeakPssMb: atPeak.reduce((s, p) => s + p.pssMb, 0) };
    },
  };
}
