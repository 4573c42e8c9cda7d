// Summarize a .cpuprofile: self and inclusive time by package / source file, mapping .next chunks back to
// their sources through the chunk source maps. Usage: node bench/profile/summarize.cjs <file.cpuprofile>
// Attribute cpuprofile samples to original sources through the .next chunk source maps: inclusive time per
// original source file (each file counted once per stack) and self time per source file.
const fs = require("fs"), path = require("path");
const { SourceMapConsumer } = require("source-map-js");
const p = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const maps = new Map();
function consumer(url) {
  if (!url.includes("/.next/")) return null;
  const file = url.replace("file://", "");
  if (maps.has(file)) return maps.get(file);
  let c = null;
  try { c = new SourceMapConsumer(JSON.parse(fs.readFileSync(file + ".map", "utf8"))); } catch {}
  maps.set(file, c); return c;
}
const cache = new Map();
function source(n) {
  const cf = n.callFrame;
  const key = `${cf.url}:${cf.lineNumber}:${cf.columnNumber}:${cf.functionName}`;
  if (cache.has(key)) return cache.get(key);
  let s;
  const c = consumer(cf.url);
  if (c) {
    const pos = c.originalPositionFor({ line: cf.lineNumber + 1, column: cf.columnNumber });
    s = pos.source ? `${pos.source.replace(/^.*?\[project\]\//, "").replace(/^turbopack:\/\/\//, "").replace(/^(\.\.\/)+/, "")}` : cf.url.replace(/.*\.next\//, ".next/");
    s += pos.name ? `#${pos.name}` : "";
  } else {
    s = (cf.url.replace(/.*node_modules\//, "nm/").replace(/.*\/work\/main\//, "") || `(${cf.functionName || "native"})`);
  }
  cache.set(key, s); return s;
}
const fileOf = (s) => s.split("#")[0].replace(/(nm\/(@[^/]+\/)?[^/]+)\/.*/, "$1");
let total = 0; const counts = new Map();
for (let i = 0; i < p.samples.length; i++) { const d = p.timeDeltas[i] || 0; counts.set(p.samples[i], (counts.get(p.samples[i]) || 0) + d); total += d; }
const selfF = new Map(), incl = new Map(), inclFn = new Map();
for (const [id, t] of counts) {
  const s = source(nodes.get(id));
  selfF.set(fileOf(s), (selfF.get(fileOf(s)) || 0) + t);
  const seen = new Set(), seenFn = new Set(); let cur = id;
  while (cur !== undefined) {
    const src = source(nodes.get(cur)); const f = fileOf(src);
    if (!seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) || 0) + t); }
    if (!seenFn.has(src)) { seenFn.add(src); inclFn.set(src, (inclFn.get(src) || 0) + t); }
    cur = parent.get(cur);
  }
}
const top = (m, k, filter = () => true) => [...m].filter(([l]) => filter(l)).sort((a, b) => b[1] - a[1]).slice(0, k).map(([l, t]) => `${(100 * t / total).toFixed(1).padStart(5)}%  ${l}`).join("\n");
console.log("profile ms", (total / 1000).toFixed(0));
console.log("== self by source (package or file)\n" + top(selfF, 30));
console.log("== inclusive by app source file (lib/, app/, db/)\n" + top(incl, 30, (l) => /^(lib|app|db)\//.test(l)));
console.log("== inclusive by package\n" + top(incl, 20, (l) => /^nm\/|node_modules/.test(l)));
console.log("== inclusive app functions\n" + top(inclFn, 40, (l) => /^(lib|app|db)\//.test(l)));
const selfFn = new Map();
for (const [id, t] of counts) { const s = source(nodes.get(id)); selfFn.set(s, (selfFn.get(s) || 0) + t); }
const busy = total - (selfF.get("((idle))") || 0);
console.log(`== self by function, share of non-idle time (${(busy / 1000).toFixed(0)} ms)`);
console.log([...selfFn].filter(([l]) => l !== "((idle))").sort((a, b) => b[1] - a[1]).slice(0, 30).map(([l, t]) => `${(100 * t / busy).toFixed(1).padStart(5)}%  ${l}`).join("\n"));
console.log(`== self by package/file, share of non-idle time`);
console.log([...selfF].filter(([l]) => l !== "((idle))").sort((a, b) => b[1] - a[1]).slice(0, 25).map(([l, t]) => `${(100 * t / busy).toFixed(1).padStart(5)}%  ${l}`).join("\n"));
