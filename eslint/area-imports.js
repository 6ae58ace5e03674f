// @ts-check
/**
 * The layout's rules, as one ESLint rule (see README, "Project layout"):
 * - areas stand in order: core → people → partners → events → feedback → digests, reports,
 *   exchange; an area imports only from areas below it, and only through their index.ts;
 * - core imports no area; of the files at the root of src/ only config.ts and logger.ts are
 *   shared, the others (bot.ts, jobs.ts, app.ts, …) compose the areas;
 * - rules files (any file in a `domain/` folder) import neither grammY nor a bot file;
 * - schema files may reference each other's tables across areas (foreign keys run both ways in
 *   one database); that is the only exception.
 * Written here rather than as zones of import-x/no-restricted-paths: the order and the three
 * exceptions read as code, in one place, with messages that say which rule an import breaks.
 */
import { dirname, join, normalize, relative } from "node:path";

export const AREAS = ["people", "partners", "events", "feedback", "digests", "reports", "exchange"];
const LEVEL = { core: 0, people: 1, partners: 2, events: 3, feedback: 4, digests: 5, reports: 5, exchange: 5 };
const SHARED_ROOT = new Set(["src/config.ts", "src/logger.ts"]);
/** Core's bot side: what rules files may not use. */
const CORE_BOT = ["src/core/telegram/", "src/core/forms/", "src/core/context.ts", "src/core/access/actor.ts", "src/core/access/identify.ts", "src/core/access/require-role.ts"];

/** @param {string} path a path from the project's root, with "/" */
function place(path) {
  const parts = path.split("/");
  if (parts[0] !== "src") return { area: "outside" };
  if (parts.length === 2) return { area: "root" };
  const area = parts[1];
  return { area: area in LEVEL ? area : "root" };
}
const isSchema = (/** @type {string} */ path) => /(^|\/)schema\.ts$|-schema\.ts$/.test(path);
const isRules = (/** @type {string} */ path) => path.includes("/domain/");

/** @type {import("eslint").Rule.RuleModule} */
export const areaImports = {
  meta: {
    type: "problem",
    docs: { description: "Areas import only from areas below them, through their index.ts; core imports no area; rules files import no bot code" },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = relative(root, context.filename).split("\\").join("/");
    if (!file.startsWith("src/")) return {};
    const from = place(file);

    /** @param {import("estree").Node} node @param {unknown} value */
    function check(node, value) {
      if (typeof value !== "string") return;
      if (!value.startsWith(".")) {
        if (isRules(file) && (value === "grammy" || value.startsWith("grammy/") || value.startsWith("@grammyjs/"))) {
          context.report({ node, message: `A rules file (domain/) does not use grammY: "${value}". Move the bot part out of domain/.` });
        }
        return;
      }
      const target = normalize(join(dirname(file), value)).split("\\").join("/").replace(/\.js$/, ".ts");
      const to = place(target);
      const report = (/** @type {string} */ message) => context.report({ node, message: `${message} ("${value}")` });
      if (isRules(file) && target !== file) {
        if (CORE_BOT.some((prefix) => target.startsWith(prefix))) return report("A rules file (domain/) imports no bot code of core");
        if (to.area === from.area && from.area !== "core" && !isRules(target) && !isSchema(target)) return report("A rules file (domain/) imports no bot file of its area");
      }
      if (to.area === "root") {
        if (SHARED_ROOT.has(target)) return;
        if (from.area !== "root") return report(`${from.area} imports nothing from the composition root; only config.ts and logger.ts are shared`);
        return;
      }
      if (to.area === from.area || to.area === "outside") return;
      if (isSchema(file) && isSchema(target)) return;
      if (from.area === "core") return report(`core imports no area, and this imports ${to.area}`);
      if (to.area === "core") return;
      if (from.area !== "root" && LEVEL[to.area] >= LEVEL[from.area]) {
        return report(`${from.area} may not import ${to.area}: areas import only from the areas below them (core → people → partners → events → feedback → digests, reports, exchange); let ${to.area} add to an extension point of ${from.area} instead`);
      }
      if (target !== `src/${to.area}/index.ts`) return report(`Import ${to.area} through src/${to.area}/index.ts, not its inner files`);
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
    };
  },
};

export default { rules: { "area-imports": areaImports } };
