/**
 * The baseline of npm run bench:inbound: a bare grammY bot in webhook mode on Postgres. One
 * session row read and written per update (postgres.js), and one reply: a message for a message,
 * an answer and an edit for a button press. What any bot of this shape costs; the real bot's
 * figures are read against it. Started by bench/inbound.ts as its own process.
 *
 * Environment: BOT_TOKEN, TELEGRAM_API_ROOT, DATABASE_URL, PORT, WEBHOOK_PATH, WEBHOOK_SECRET.
 */
import { createServer } from "node:http";
import { Bot, type Context, InlineKeyboard, session, type SessionFlavor, webhookCallback } from "grammy";
import postgres from "postgres";

interface SessionData {
  updates: number;
  last?: string;
}
type BareContext = Context & SessionFlavor<SessionData>;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const log = (level: number, msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), msg, ...extra })}\n`);

const sql = postgres(env("DATABASE_URL"), { max: 10, onnotice: () => undefined });
await sql`create table if not exists bare_sessions (key text primary key, value jsonb not null)`;

const bot = new Bot<BareContext>(env("BOT_TOKEN"), { client: { apiRoot: env("TELEGRAM_API_ROOT") } });
await bot.init();

bot.use(
  session<SessionData, BareContext>({
    initial: () => ({ updates: 0 }),
    storage: {
      async read(key) {
        const [row] = await sql<{ value: SessionData }[]>`select value from bare_sessions where key = ${key}`;
        return row?.value;
      },
      async write(key, value) {
        await sql`insert into bare_sessions (key, value) values (${key}, ${sql.json(value as never)})
                  on conflict (key) do update set value = excluded.value`;
      },
      async delete(key) {
        await sql`delete from bare_sessions where key = ${key}`;
      },
    },
  }),
);

/** Buttons shaped like the partner list's, so the load generator presses the same kinds. */
const listKeyboard = (page: number) =>
  new InlineKeyboard()
    .text("Тип ▾", "pl:f:type")
    .text("Этап ▾", "pl:f:stage")
    .row()
    .text("☐ Мои", "pl:mine")
    .text("Далее", `pl:page:${page + 1}`);

bot.on("message", async (ctx) => {
  ctx.session.updates++;
  const body = ctx.message.text ?? "";
  ctx.session.last = body.slice(0, 100);
  if (body.startsWith("/partners")) await ctx.reply("Партнёры: 30", { reply_markup: listKeyboard(0) });
  else await ctx.reply(`Получено: ${body.slice(0, 100)} (${ctx.session.updates})`);
});

bot.on("callback_query:data", async (ctx) => {
  ctx.session.updates++;
  ctx.session.last = ctx.callbackQuery.data;
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(`Нажато: ${ctx.callbackQuery.data} (${ctx.session.updates})`, {
    reply_markup: listKeyboard(ctx.session.updates % 4),
  });
});

bot.catch((error) => log(50, "update failed", { err: String(error.error) }));

const path = env("WEBHOOK_PATH");
const handle = webhookCallback(bot, "http", { secretToken: env("WEBHOOK_SECRET") });
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (req.method !== "POST" || req.url !== path) {
    res.writeHead(404).end();
    return;
  }
  handle(req, res).catch((error: unknown) => {
    log(50, "webhook update failed", { err: String(error) });
    if (!res.headersSent) res.writeHead(500).end();
  });
});
await new Promise<void>((resolve) => server.listen(Number(env("PORT")), "127.0.0.1", resolve));
log(30, "bot is running", { bot: bot.botInfo.username });

process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void sql.end({ timeout: 5 }).then(() => process.exit(0));
});
