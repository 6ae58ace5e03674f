import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPglite, openPglite, openPostgres, selectRows } from "../../../src/core/db/client.js";
import { MIGRATIONS_FOLDER, runMigrations } from "../../../src/core/db/migrate.js";
import { DbStateStorage } from "../../../src/core/db/state-storage.js";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "../../helpers/db.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe("migrations", () => {
  it("create every table", async () => {
    const rows = await selectRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      "agreement_reminders",
      "agreements",
      "audit_log",
      "bot_state",
      "digest_deliveries",
      "digest_settings",
      "event_confirmations",
      "event_decisions",
      "event_notices",
      "event_partners",
      "events",
      "feedback_prompts",
      "feedback_rounds",
      "institution_students",
      "invites",
      "outbox",
      "participant_feedback",
      "partner_contacts",
      "partner_interactions",
      "partner_stage_changes",
      "partners",
      "plan_items",
      "processed_updates",
      "units",
      "update_effects",
      "users",
    ]);
  });

  it("are idempotent", async () => {
    await runMigrations(database);
    await runMigrations(database);
  });

  it("0008 renames the directions of existing partners to focuses, keeping their values", async () => {
    // The migrations up to 0007 alone, as a database made before the rename has them.
    const folder = mkdtempSync(join(tmpdir(), "migrations-"));
    const client = await createPglite();
    const old = openPglite(client);
    try {
      cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
      rmSync(join(folder, "0008_focus.sql"));
      const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => e.tag < "0008");
      writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
      await migratePglite(old.db as never, { migrationsFolder: folder });
      await old.db.execute(sql`insert into users (telegram_id, first_name, role) values (1, 'Анна', 'admin')`);
      await old.db.execute(
        sql`insert into partners (full_name, search_key, type, owner_kind, directions, created_by) values ('Школа № 5', 'школа 5', 'school', 'institution', '{technical,arts}', 1)`,
      );
      await runMigrations(old);
      const rows = await selectRows<{ focuses: string }>(old.db, sql`select focuses::text as focuses from partners`);
      expect(rows).toEqual([{ focuses: "{technical,arts}" }]);
      const [type] = await selectRows<{ n: number }>(old.db, sql`select count(*)::int as n from pg_type where typname = 'activity_focus'`);
      expect(type!.n).toBe(1);
    } finally {
      await old.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("0009 makes existing events institutional, contests competitions, and leaves their results empty", async () => {
    // The migrations up to 0008 alone, as a database made before levels has them.
    const folder = mkdtempSync(join(tmpdir(), "migrations-"));
    const client = await createPglite();
    const old = openPglite(client);
    try {
      cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
      const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
      for (const entry of journal.entries.filter((e) => e.tag >= "0009")) rmSync(join(folder, `${entry.tag}.sql`));
      journal.entries = journal.entries.filter((e) => e.tag < "0009");
      writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
      await migratePglite(old.db as never, { migrationsFolder: folder });
      await old.db.execute(sql`insert into users (telegram_id, first_name, role) values (1, 'Анна', 'admin')`);
      await old.db.execute(sql`
        insert into events (title, format, starts_at, ends_at, responsible_user_id, proposed_by, status, participants_gifted, participants_disabilities, participants_career_guidance, participants_other)
        values ('Конкурс роботов', 'contest', '2025-10-01T03:00:00Z', '2025-10-01T05:00:00Z', 1, 1, 'held', 2, 0, 0, 8),
               ('Проект «Байкал»', 'project', '2025-11-01T03:00:00Z', '2025-11-01T05:00:00Z', 1, 1, 'held', 0, 0, 0, 12),
               ('Мастер-класс', 'master_class', '2026-12-01T03:00:00Z', '2026-12-01T05:00:00Z', 1, 1, 'proposed', null, null, null, null)`);
      await runMigrations(old);
      const rows = await selectRows<{ title: string; level: string; competition: boolean; winners: number | null; prize_winners: number | null; project_students: number | null }>(
        old.db,
        sql`select title, level::text as level, competition, winners, prize_winners, project_students from events order by id`,
      );
      expect(rows).toEqual([
        { title: "Конкурс роботов", level: "institutional", competition: true, winners: null, prize_winners: null, project_students: null },
        { title: "Проект «Байкал»", level: "institutional", competition: false, winners: null, prize_winners: null, project_students: null },
        { title: "Мастер-класс", level: "institutional", competition: false, winners: null, prize_winners: null, project_students: null },
      ]);
    } finally {
      await old.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.runIf(TEST_DRIVER === "postgres")("can be started by several instances at once", async () => {
    const fresh = await createTestDatabase("postgres");
    try {
      await fresh.db.execute(sql`drop schema public cascade`);
      await fresh.db.execute(sql`drop schema drizzle cascade`);
      await fresh.db.execute(sql`create schema public`);
      await fresh.db.execute(sql`drop extension if exists pg_trgm`);
      const instances = Array.from({ length: 4 }, () => openPostgres(fresh.url!, { max: 2 }));
      await Promise.all(instances.map((instance) => runMigrations(instance)));
      await Promise.all(instances.map((instance) => instance.close()));
      const [row] = await selectRows<{ n: number }>(fresh.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(row!.n).toBe(readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql")).length);
    } finally {
      await fresh.close();
    }
  });
});

describe("the state storage adapter", () => {
  it("reads, writes, overwrites and deletes JSON by key", async () => {
    const storage = new DbStateStorage<{ step: string; n: number[] }>(database.db);
    expect(await storage.read("conversation:1")).toBeUndefined();
    await storage.write("conversation:1", { step: "role", n: [1] });
    await storage.write("conversation:1", { step: "unit", n: [1, 2] });
    expect(await storage.read("conversation:1")).toEqual({ step: "unit", n: [1, 2] });
    await storage.delete("conversation:1");
    expect(await storage.read("conversation:1")).toBeUndefined();
  });
});
