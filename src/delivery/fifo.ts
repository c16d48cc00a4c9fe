/**
 * A first-in, first-out queue whose take is O(1). A lane takes one delivery
 * at a time from a queue a fan-out fills a thousand at a time, and
 * `Array.prototype.shift` copies every element behind the first whenever V8
 * cannot move the array's start in place (during concurrent marking, for
 * one), which a fan-out's stream of garbage makes frequent.
 */
export class Fifo<T extends NonNullable<unknown>> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  pushAll(items: readonly T[]): void {
    for (const item of items) this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      // Drop the taken half once it is the larger part: each element is copied at most once more.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Takes everything, in order. */
  drain(): T[] {
    // Taken places hold undefined, and no item is undefined (T excludes it): only taken places go.
    const rest = this.#items.slice(this.#head).filter((item) => item !== undefined);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}
