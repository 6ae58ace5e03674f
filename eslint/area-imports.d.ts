import type { ESLint, Rule } from "eslint";

export declare const AREAS: string[];
export declare const areaImports: Rule.RuleModule;
declare const plugin: ESLint.Plugin & { rules: { "area-imports": Rule.RuleModule } };
export default plugin;
