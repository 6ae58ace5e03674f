/** The names the event conversations are registered under (kept apart so features and conversations do not import each other). */
export const EVENT_DECISION_CONVERSATION = "eventDecision";
export const EVENT_OTHER_TIME_CONVERSATION = "eventOtherTime";
export const EVENT_TIME_CONVERSATION = "eventTime";
export const EVENT_PLACE_CONVERSATION = "eventPlace";
export const EVENT_CANCEL_CONVERSATION = "eventCancel";
export const EVENT_HELD_CONVERSATION = "eventHeld";
