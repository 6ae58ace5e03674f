import { afterEach, expect } from "vitest";
import { buttonViolations, MAX_BUTTON_TEXT } from "../helpers/fake-telegram.js";

/**
 * Inline and reply keyboard buttons fit a phone: a test in which the bot sent any fake Bot API
 * a button label longer than MAX_BUTTON_TEXT characters fails here, naming the labels.
 */
afterEach(() => {
  const found = buttonViolations.splice(0);
  expect(found, `buttons longer than ${MAX_BUTTON_TEXT} characters`).toEqual([]);
});
