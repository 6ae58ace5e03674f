import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPglite, openPglite } from "./client.js";
import { MIGRATIONS_FOLDER, runMigrations } from "./migrate.js";

/**
 * The embedded database's first start without initdb: `npm run build` (and the Docker image's
 * build) creates a PGlite data directory with every migration applied, once; a first start copies
 * it into DATA_DIR (about a second) instead of creating a database (initdb, 4–7 s), and the
 * process never grows to initdb's ~700 MB. The stamp names the migrations and the PGlite
 * version it was made with: a stale template is made again at the next build, and never used.
 */

/** The template sits at the project's root, beside dist/ and src/ (both are three levels up from here). */
export const TEMPLATE_DIR = fileURLToPath(new URL("../../../.pglite-template", import.meta.url));
const DATA = join(TEMPLATE_DIR, "data");
const STAMP = join(TEMPLATE_DIR, "stamp");

/** The installed PGlite's version (its package.json is not among its exports: found from its entry). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite") return pkg.version ?? "?";
    }
    const parent = dirname(dir);
    if (parent === dir) return "?";
    dir = parent;
  }
}

/** The migrations and the PGlite version: what a template must have been made with. */
function currentStamp(): string {
  const journal = readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"));
  const pglite = pgliteVersion();
  return `${createHash("sha256").update(journal).digest("hex")} pglite ${pglite}`;
}

/** Whether a template made for these migrations and this PGlite is ready. */
export function templateReady(): boolean {
  try {
    return existsSync(join(DATA, "PG_VERSION")) && readFileSync(STAMP, "utf8") === currentStamp();
  } catch {
    return false;
  }
}

/** Makes the template unless an up-to-date one exists; true when it made one. */
export async function ensureTemplate(): Promise<boolean> {
  if (templateReady()) return false;
  const work = mkdtempSync(`${TEMPLATE_DIR}-`);
  try {
    const client = await createPglite(join(work, "data"));
    await runMigrations(openPglite(client));
    await client.close();
    writeFileSync(join(work, "stamp"), currentStamp());
    rmSync(TEMPLATE_DIR, { recursive: true, force: true });
    renameSync(work, TEMPLATE_DIR);
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Fills an empty data directory from the template; false when there is no usable template. */
export function copyTemplate(dataDir: string): boolean {
  if (!templateReady()) return false;
  cpSync(DATA, dataDir, { recursive: true });
  return true;
}

// `node dist/core/db/pglite-template.js` (the end of `npm run build`).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const made = await ensureTemplate();
  process.stdout.write(
    made ? `Prepared the embedded database template in ${Math.round(performance.now() - started)} ms.\n` : "The embedded database template is up to date.\n",
  );
}
