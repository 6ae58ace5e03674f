/**
 * A list that a lower area defines and higher areas add to, once, at start-up (src/areas.ts):
 * how a lower area shows what a higher one knows without importing it — the partner card's
 * sections, what happens after an event is held, the payloads of /start.
 */
export class Extension<T> {
  readonly #items: T[] = [];

  constructor(readonly name: string) {}

  add(...items: T[]): void {
    this.#items.push(...items);
  }

  get items(): readonly T[] {
    return this.#items;
  }
}
