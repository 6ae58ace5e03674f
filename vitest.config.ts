import postgres from "postgres";
import { defineConfig } from "vitest/config";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The suite runs twice: on the embedded PGlite and on a real Postgres server. Test databases
 * are named bot_test_<pid>_…; those of processes no longer running were left by killed runs.
 */
async function postgresReachable(): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    const leftovers = await sql<{ datname: string }[]>`select datname from pg_database where datname like 'bot\_test\_%'`;
    for (const { datname } of leftovers) {
      const pid = Number(/^bot_test_(\d+)_/.exec(datname)?.[1]);
      if (!pid || !alive(pid)) await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export default defineConfig(async () => {
  const withPostgres = await postgresReachable();
  if (!withPostgres) {
    if (process.env.CI) throw new Error(`CI needs Postgres for the test suite, and ${url} is not reachable`);
    process.stderr.write(`\n! Postgres at ${url} is not reachable: running the suite on PGlite only.\n\n`);
  }
  // Tests that touch no database run once, in the PGlite project.
  const databaseFree = ["test/config.test.ts", "test/locales.test.ts", "test/lint/area-imports.test.ts", "test/core/db/pglite-template.test.ts", "test/dependencies.test.ts", "test/playground/emulator.test.ts", "test/playground/page-server.test.ts", "test/playground/browser.test.ts", "test/playground/real-bot.test.ts", "test/playground/process.test.ts"];
  const project = (name: "pglite" | "postgres") => ({
    extends: true as const,
    test: { name, env: { TEST_DB: name, TEST_DATABASE_URL: url }, ...(name === "postgres" ? { exclude: databaseFree } : {}) },
  });
  return {
    test: {
      include: ["test/**/*.test.ts"],
      globalSetup: ["test/global-setup.ts"],
      // Fails a test whose bot sent a button label too long for a phone (test/helpers/fake-telegram.ts).
      setupFiles: ["test/setup/button-length.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      projects: withPostgres ? [project("pglite"), project("postgres")] : [project("pglite")],
    },
  };
});
