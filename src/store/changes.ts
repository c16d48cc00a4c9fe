/**
 * Changes committed to the database, announced: services publish them after
 * commit, caches, live streams and the worker's channels listen. In one
 * process a bus carries them; between processes on PostgreSQL,
 * change-notifier.ts.
 */

const changeKinds = ['component', 'incident', 'maintenance', 'page', 'subscriber', 'plan'] as const;

/** Whether a name (from another process's notice) is a kind of change this version knows. */
export function isChangeKind(name: string): name is ChangeEvent['kind'] {
  return changeKinds.some((kind) => kind === name);
}

/** What changed, announced after a transaction commits (status page caches, live events, channels). */
export interface ChangeEvent {
  readonly kind: (typeof changeKinds)[number];
  readonly id?: string;
  /** Made by another process and announced through the database (PostgreSQL NOTIFY), not made here. */
  readonly remote?: boolean;
}

export interface Changes {
  publish(event: ChangeEvent): void;
}

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
