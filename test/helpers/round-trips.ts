import type { Db } from "../../src/core/db/client.js";

/**
 * Counts the database round trips made through a Db: each statement is one, a transaction adds
 * two (BEGIN and COMMIT). `statements` keeps their SQL, to say which ones an update made.
 */
export interface RoundTrips {
  db: Db;
  count: number;
  statements: string[];
  reset(): void;
}

interface Prepared {
  execute: (...args: unknown[]) => Promise<unknown>;
  all: (...args: unknown[]) => Promise<unknown>;
}
interface Session {
  prepareQuery: (...args: unknown[]) => Prepared;
}

export function countRoundTrips(db: Db): RoundTrips {
  const counter: RoundTrips = {
    db: undefined as unknown as Db,
    count: 0,
    statements: [],
    reset() {
      counter.count = 0;
      counter.statements = [];
    },
  };
  const countIn = (session: Session): Session => {
    const view = Object.create(session) as Session;
    view.prepareQuery = (...args: unknown[]) => {
      const prepared = session.prepareQuery(...args);
      const query = (args[0] as { sql: string }).sql;
      const counted = Object.create(prepared) as Prepared;
      const run = (original: Prepared["execute"]) => (...inner: unknown[]) => {
        counter.count++;
        counter.statements.push(query);
        return original.apply(prepared, inner);
      };
      counted.execute = run(prepared.execute);
      counted.all = run(prepared.all);
      return counted;
    };
    return view;
  };
  const view = Object.create(db) as Db & { session: Session };
  view.session = countIn((db as unknown as { session: Session }).session);
  const transaction = db.transaction.bind(db);
  view.transaction = ((work: (tx: unknown) => Promise<unknown>, config?: unknown) => {
    counter.count += 2;
    counter.statements.push("begin … commit");
    return transaction(async (tx) => {
      const inner = tx as unknown as { session: Session };
      const counted = Object.create(tx) as { session: Session };
      counted.session = countIn(inner.session);
      return work(counted);
    }, config as never);
  }) as Db["transaction"];
  counter.db = view;
  return counter;
}
