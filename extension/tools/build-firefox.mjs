// Emit the Firefox build in dist/firefox: the same files, with a manifest whose background is
// `scripts` only (Firefox runs no MV3 service worker; Chrome ignores `scripts` when it has one).
// Usage, from extension/: node tools/build-firefox.mjs   (or: npm run build:firefox)
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "firefox");
const SKIP = new Set(["node_modules", "dist", "tools", "package.json", "package-lock.json"]);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of readdirSync(root)) {
  if (!SKIP.has(name) && !name.startsWith(".")) cpSync(join(root, name), join(out, name), { recursive: true });
}
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
delete manifest.background.service_worker;
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`Firefox build: ${out}`);
