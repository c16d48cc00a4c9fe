/**
 * What the public routes need of the status page's render cache. The page
 * itself (src/statuspage) is beside http/, not below it: the composition
 * root hands it over, and this is all http/ knows of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The state /events sends: serialized as it is, with the version that tells renders apart. */
export interface LiveFrame {
  readonly version: string;
}

export interface PublicPage {
  /** Answers from memory when it holds the path; false when it does not. */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
  /** Answers from memory, or with the page's own 404. */
  serveOrNotFound(req: IncomingMessage, res: ServerResponse): void;
  /** The live state of the latest render, once there is one. */
  readonly live: LiveFrame | undefined;
  /** The page's name in the latest render (the plan's `page.name` wins over CRIER_PAGE_NAME). */
  readonly name: string | undefined;
  /** `main` (HTML) in the page's header, styles and footer; undefined before the first render. */
  shell(title: string, main: string): string | undefined;
  /** Calls `listener` after every render; returns the way to stop. */
  onRendered(listener: (surface: { version: string; live: LiveFrame }) => void): () => void;
}
