/**
 * npm run bench:digest — builds every user's weekly digest for a large institution on Postgres
 * (2,000 users, 10,000 partners, 100,000 events, 1,000,000 feedback answers), and the same for a
 * tenth of that data, and reports the time per digest at both sizes and their ratio. The goal is
 * a nearly flat time per digest: every query is bounded by a user, a unit or a week, on indexes.
 *
 * Needs Postgres (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test); each size
 * gets a fresh database, dropped afterwards. BENCH_SCALES=0.1,1 by default.
 */
import { asc, eq } from "drizzle-orm";
import { createI18n } from "../src/core/i18n.js";
import { renderDigest } from "../src/digests/text.js";
import { users } from "../src/core/access/schema.js";
import { buildDigest, isEmpty } from "../src/digests/domain/digests.js";
import { createTestDatabase } from "../test/helpers/db.js";
import { institutionSize, seedInstitution } from "./institution.js";

const TIME_ZONE = "Asia/Irkutsk";
/** Monday 7 December 2026, 09:00 in Irkutsk: digest time. */
const NOW = new Date("2026-12-07T01:00:00Z");
const scales = (process.env.BENCH_SCALES ?? "0.1,1").split(",").map(Number);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const round = (ms: number) => Math.round(ms * 100) / 100;

async function measure(scale: number) {
  const size = institutionSize(scale);
  const database = await createTestDatabase("postgres");
  try {
    const seeding = performance.now();
    await seedInstitution(database.db, size, NOW);
    const seedMs = performance.now() - seeding;
    const i18n = await createI18n();
    const t = i18n.fixedT("ru");
    const people = await database.db
      .select({ id: users.id, role: users.role, status: users.status, unitId: users.unitId })
      .from(users)
      .where(eq(users.status, "active"))
      .orderBy(asc(users.id));
    // Warm-up: plans and caches, as in a running bot.
    for (const user of people.slice(0, 20)) await buildDigest(database.db, user, { now: NOW, timeZone: TIME_ZONE });
    const byRole = new Map<string, number[]>();
    const all: number[] = [];
    let empty = 0;
    let characters = 0;
    const started = performance.now();
    for (const user of people) {
      const before = performance.now();
      const digest = await buildDigest(database.db, user, { now: NOW, timeZone: TIME_ZONE });
      if (isEmpty(digest)) empty++;
      else characters += renderDigest(t, "ru", TIME_ZONE, digest).length;
      const ms = performance.now() - before;
      all.push(ms);
      byRole.set(user.role, [...(byRole.get(user.role) ?? []), ms]);
    }
    const totalMs = performance.now() - started;
    const result = {
      scale,
      ...size,
      seedSeconds: round(seedMs / 1000),
      digests: people.length,
      empty,
      averageCharacters: Math.round(characters / Math.max(1, people.length - empty)),
      totalSeconds: round(totalMs / 1000),
      medianMs: round(median(all)),
      p95Ms: round(percentile(all, 0.95)),
      medianMsByRole: Object.fromEntries([...byRole].map(([role, values]) => [role, round(median(values))])),
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await database.close();
  }
}

const results = [];
for (const scale of scales) results.push(await measure(scale));
if (results.length >= 2) {
  const [small, large] = [results[0]!, results.at(-1)!];
  console.log(
    JSON.stringify({
      dataGrowth: large.events / small.events,
      medianPerDigestRatio: round(large.medianMs / small.medianMs),
      p95PerDigestRatio: round(large.p95Ms / small.p95Ms),
    }),
  );
}
