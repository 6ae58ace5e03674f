import { sql } from "drizzle-orm";
import type { Db } from "../../src/core/db/client.js";

/**
 * Makes every write to the outbox for `chatId` (or for anyone) fail inside the database, as a
 * broken insert would: the transaction around it must roll back. Returns the undo.
 */
export async function failOutboxWrites(db: Db, chatId?: number): Promise<() => Promise<void>> {
  const condition = chatId === undefined ? "true" : `new.chat_id = ${Math.trunc(chatId)}`;
  await db.execute(
    sql.raw(`create or replace function test_refuse_outbox() returns trigger language plpgsql as $$
      begin
        if ${condition} then raise exception 'the test refuses this outbox write'; end if;
        return new;
      end $$`),
  );
  await db.execute(sql.raw("create trigger test_refuse_outbox before insert on outbox for each row execute function test_refuse_outbox()"));
  return async () => {
    await db.execute(sql.raw("drop trigger if exists test_refuse_outbox on outbox"));
    await db.execute(sql.raw("drop function if exists test_refuse_outbox()"));
  };
}
