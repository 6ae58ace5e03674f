import * as people from "./people/index.js";
import * as partners from "./partners/index.js";
import * as events from "./events/index.js";
import * as feedback from "./feedback/index.js";
import * as digests from "./digests/index.js";
import * as reports from "./reports/index.js";
import * as exchange from "./exchange/index.js";

/**
 * The areas of the work, lowest first: each imports only from the ones before it (and from core),
 * through their index.ts; npm run lint enforces it (eslint.config.js).
 */
export const AREAS = [people, partners, events, feedback, digests, reports, exchange] as const;

// Each area adds to the extension points of the areas below it, once. Higher areas go first, so
// that their more specific /start payloads (pf_…) are tried before a lower area's.
for (const area of [...AREAS].reverse()) area.install();
