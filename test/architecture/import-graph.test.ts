/**
 * The layout rules of lib/ (docs/adding-a-provider.md, ../shared/design.md "Folders"), checked on the real import
 * graph (madge resolves the `@/` alias through tsconfig.json; type-only imports count too):
 * - no import cycle between files, nor between folders of lib/ (a root file of lib/ is its own node);
 * - a provider's folder is reached only through the registries, so adding one is one folder and one registry line;
 * - a module's config.ts is client-safe: zod and the config spec only, never an SDK.
 */
import path from "node:path";
import madge from "madge";
import { beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_KINDS } from "@/lib/providers/provider-kind";

const root = path.resolve(import.meta.dirname, "../..");
let graph: Record<string, string[]>;

beforeAll(async () => {
  const result = await madge(path.join(root, "lib"), {
    baseDir: root,
    fileExtensions: ["ts", "tsx"],
    tsConfig: path.join(root, "tsconfig.json"),
    excludeRegExp: [/\.test\.ts$/],
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  });
  graph = result.obj();
}, 60_000);

/** `lib/sending/send-email.ts` → `lib/sending`; `lib/errors.ts` → `lib/errors.ts`; outside lib/ → null. */
function folderOf(file: string): string | null {
  const parts = file.split("/");
  if (parts[0] !== "lib") return null;
  return parts.length === 2 ? file : `lib/${parts[1]}`;
}

function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of edges.keys()) if (!state.has(node)) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe("lib/ import graph", () => {
  it("reads the whole of lib/", () => {
    expect(Object.keys(graph).filter((f) => f.startsWith("lib/")).length).toBeGreaterThan(80);
    expect(graph["lib/providers/registry.ts"]).toContain("lib/providers/postmark/index.ts");
  });

  it("has no cycle between files", () => {
    const edges = new Map(Object.entries(graph).map(([f, deps]) => [f, new Set(deps)]));
    expect(findCycle(edges)).toBeNull();
  });

  it("has no cycle between folders", () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, deps] of Object.entries(graph)) {
      const from = folderOf(file);
      if (!from) continue;
      for (const dep of deps) {
        const to = folderOf(dep);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    expect(findCycle(edges)).toBeNull();
  });

  it("reaches each provider folder only through the registries", () => {
    const outsiders: string[] = [];
    for (const [file, deps] of Object.entries(graph)) {
      for (const dep of deps) {
        const kind = /^lib\/providers\/([^/]+)\//.exec(dep)?.[1];
        if (!kind || !(PROVIDER_KINDS as readonly string[]).includes(kind)) continue;
        if (file.startsWith(`lib/providers/${kind}/`)) continue;
        if (file === "lib/providers/registry.ts" || file === "lib/providers/config-registry.ts") continue;
        outsiders.push(`${file} → ${dep}`);
      }
    }
    expect(outsiders).toEqual([]);
  });

  it("keeps every module's config.ts client-safe (zod and the config spec only)", () => {
    for (const kind of PROVIDER_KINDS) {
      expect(graph[`lib/providers/${kind}/config.ts`]).toEqual(["lib/providers/config-spec.ts"]);
    }
    // And so the console's registry: the config files, the spec and the kinds, nothing else.
    const reachable = new Set<string>();
    const walk = (f: string) => {
      for (const d of graph[f] ?? []) if (!reachable.has(d)) (reachable.add(d), walk(d));
    };
    walk("lib/providers/config-registry.ts");
    expect([...reachable].sort()).toEqual(
      ["lib/providers/config-spec.ts", "lib/providers/provider-kind.ts", ...PROVIDER_KINDS.map((k) => `lib/providers/${k}/config.ts`)].sort(),
    );
  });
});
