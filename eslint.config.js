// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import layout from "./eslint/area-imports.js";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "drizzle/**", "data/**", "coverage/**", "playground-data/**", "test-artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    // The project's layout: see eslint/area-imports.js and README, "Project layout".
    files: ["src/**/*.ts"],
    plugins: { layout },
    rules: { "layout/area-imports": "error" },
  },
  {
    files: ["eslint.config.js", "eslint/**"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The playground's web page: plain JavaScript the browser runs as it is (no build step, no types).
    files: ["src/playground/web/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: "script",
      globals: Object.fromEntries(
        ["window", "document", "navigator", "location", "history", "localStorage", "fetch", "EventSource", "DOMParser", "Node", "Element", "ResizeObserver", "Blob", "Option", "URL", "URLSearchParams", "setTimeout", "clearTimeout"].map((name) => [name, "readonly"]),
      ),
    },
  },
  {
    files: ["bench/**", "scripts/**", "src/core/db/migrate-cli.ts"],
    rules: { "no-console": "off" },
  },
);
