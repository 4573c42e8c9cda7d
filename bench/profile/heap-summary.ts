/**
 * Reads a V8 heap snapshot (e.g. from `--heapsnapshot-signal=SIGUSR2`, see bench/profile/memory.ts) offline and
 * prints the live heap's size by node type and the largest constructors: `npx tsx bench/profile/heap-summary.ts <file>`.
 */
import fs from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: heap-summary.ts <file.heapsnapshot>");
const snap = JSON.parse(fs.readFileSync(file, "utf8")) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] }; node_count: number };
  nodes: number[];
  strings: string[];
};
const fields = snap.snapshot.meta.node_fields;
const width = fields.length;
const typeAt = fields.indexOf("type");
const nameAt = fields.indexOf("name");
const sizeAt = fields.indexOf("self_size");
const types = snap.snapshot.meta.node_types[0];
const byType = new Map<string, number>();
const byName = new Map<string, { size: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const size = snap.nodes[i + sizeAt]!;
  const type = types[snap.nodes[i + typeAt]!]!;
  const name = type === "object" || type === "closure" ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
  total += size;
  byType.set(type, (byType.get(type) ?? 0) + size);
  const n = byName.get(name) ?? { size: 0, count: 0 };
  n.size += size;
  n.count += 1;
  byName.set(name, n);
}
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
console.log(`live heap (sum of self sizes): ${mb(total)} in ${(snap.nodes.length / width).toLocaleString("en-US")} objects`);
console.log("by type:", [...byType].sort((a, b) => b[1] - a[1]).map(([t, s]) => `${t} ${mb(s)}`).join(", "));
console.log("largest:");
for (const [name, v] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, 15)) console.log(`  ${mb(v.size).padStart(9)}  ${v.count.toLocaleString("en-US").padStart(9)}  ${name.slice(0, 80)}`);
