export * from "./units.js";
export * from "./users.js";
export * from "./partners.js";
export * from "./events.js";
export * from "./invites.js";
export * from "./bot-state.js";
export * from "./audit-log.js";
export * from "./outbox.js";
