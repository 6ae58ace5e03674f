import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

/**
 * Issue 11, dependencies: `engines` lists the Node versions every dependency supports, the Docker
 * image runs the version CI tests, and exceljs gets a uuid without the advisory of uuid 8.
 */
const root = new URL("..", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  overrides: { exceljs: Record<string, string> };
};
/** The Node majors of the Dockerfile's FROM lines: "FROM node:20-bookworm-slim AS deps" → 20. */
const imageMajors = [...read("Dockerfile").matchAll(/^FROM node:(\d+)[-.\w]*/gm)].map((m) => Number(m[1]));

describe("dependencies", () => {
  it("engines allow Node 20.19+, 22.13+ and 24+: not 21 or 23, which ical-generator does not support", () => {
    expect(pkg.engines.node).toBe("^20.19.0 || ^22.13.0 || >=24");
  });

  it("every stage of the Docker image runs one Node major, and engines allow it", () => {
    expect(imageMajors.length).toBeGreaterThanOrEqual(3);
    expect(new Set(imageMajors)).toEqual(new Set([20]));
    expect(pkg.engines.node).toMatch(new RegExp(`\\^${imageMajors[0]}\\.`));
  });

  it.runIf(process.env.CI)("CI tests the Node version the image runs", () => {
    expect(Number(process.versions.node.split(".")[0])).toBe(imageMajors[0]);
  });

  it("exceljs loads uuid 11.1.1 or later, not uuid 8 with its advisory", () => {
    expect(pkg.overrides.exceljs.uuid).toBe("^11.1.1");
    const fromExceljs = createRequire(createRequire(import.meta.url).resolve("exceljs"));
    const uuid = JSON.parse(readFileSync(fromExceljs.resolve("uuid/package.json"), "utf8")) as { version: string };
    const [major, minor, patch] = uuid.version.split(".").map(Number);
    expect(major! > 11 || (major === 11 && (minor! > 1 || (minor === 1 && patch! >= 1))), uuid.version).toBe(true);
  });
});
