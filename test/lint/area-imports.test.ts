import { join } from "node:path";
import { Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import layout from "../../eslint/area-imports.js";
import { ROOT } from "../helpers/process.js";

/** The layout rule of `npm run lint` (eslint/area-imports.js), run on code placed at `file`. */
function problems(file: string, code: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const messages = linter.verify(
    code,
    [{ files: ["**/*.ts"], plugins: { layout }, languageOptions: { parser: tseslint.parser }, rules: { "layout/area-imports": "error" } }],
    { filename: join(ROOT, file) },
  );
  return messages.map((m) => m.message);
}

describe("the layout rule", () => {
  it("refuses a back-arrow: a lower area importing a higher one, even through its index", () => {
    expect(problems("src/partners/card.ts", 'import { recentSatisfaction } from "../feedback/index.js";')).toEqual([
      expect.stringMatching(/^partners may not import feedback: areas import only from the areas below them/),
    ]);
    expect(problems("src/events/card.ts", 'import { x } from "../digests/index.js";')).toHaveLength(1);
    // Sideways between the top areas is no better.
    expect(problems("src/reports/report.ts", 'import { x } from "../exchange/index.js";')).toHaveLength(1);
  });

  it("lets an area import a lower one only through its index.ts", () => {
    expect(problems("src/events/card.ts", 'import { getPartner } from "../partners/index.js";')).toEqual([]);
    expect(problems("src/events/card.ts", 'import { getPartner } from "../partners/domain/partners.js";')).toEqual([
      'Import partners through src/partners/index.ts, not its inner files ("../partners/domain/partners.js")',
    ]);
    expect(problems("src/events/card.ts", 'export { getPartner } from "../partners/card.js";')).toHaveLength(1);
  });

  it("keeps core free of every area and of the composition root, which may use config and the logger", () => {
    expect(problems("src/core/telegram/cancel.ts", 'import { x } from "../../feedback/index.js";')).toEqual([
      'core imports no area, and this imports feedback ("../../feedback/index.js")',
    ]);
    expect(problems("src/core/outbox/sender.ts", 'import { startJobs } from "../../jobs.js";')).toHaveLength(1);
    expect(problems("src/core/outbox/sender.ts", 'import type { Logger } from "../../logger.js";')).toEqual([]);
    expect(problems("src/partners/card.ts", 'import { createBot } from "../bot.js";')).toHaveLength(1);
  });

  it("keeps rules files (domain/) free of grammY and of bot files", () => {
    expect(problems("src/partners/domain/partners.ts", 'import { InlineKeyboard } from "grammy";')).toHaveLength(1);
    expect(problems("src/partners/domain/partners.ts", 'import { showPartnerCard } from "../card.js";')).toHaveLength(1);
    expect(problems("src/partners/domain/partners.ts", 'import { fitButton } from "../../core/telegram/button-label.js";')).toHaveLength(1);
    expect(problems("src/partners/domain/partners.ts", 'import { contacts } from "./schema.js";\nimport type { Db } from "../../core/db/client.js";')).toEqual([]);
  });

  it("lets schema files reference each other's tables across areas, and nothing else", () => {
    expect(problems("src/people/domain/invites-schema.ts", 'import { contacts } from "../../partners/domain/schema.js";')).toEqual([]);
    expect(problems("src/people/domain/invites.ts", 'import { contacts } from "../../partners/domain/schema.js";')).toHaveLength(1);
  });
});
