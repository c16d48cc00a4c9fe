/** An in-process bus for change events: services publish after commit, caches and live streams listen. */
import type { ChangeEvent, Changes } from './services/context.ts';

export type ChangeListener = (event: ChangeEvent) => void;

export class ChangeBus implements Changes {
  readonly #listeners = new Set<ChangeListener>();

  publish(event: ChangeEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
