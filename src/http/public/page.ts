/**
 * What the public routes need of the status page's render cache. The page
 * itself (src/statuspage) is beside http/, not below it: the composition
 * root hands it over, and this is all http/ knows of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PageLanguage } from '../../domain/languages.ts';

/** The state /events sends: serialized as it is, with the version that tells renders apart. */
/** One of the page's catalog entries in a language, its values filled in (not escaped). */
export type PageWords = (key: string, values?: Record<string, string | number>) => string;

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
  shell(title: string, main: string, language?: PageLanguage): string | undefined;
  /** The page's own words in a language (its catalog's keys, ICU values filled in). */
  words(language: PageLanguage): PageWords;
  /** Calls `listener` after every render; returns the way to stop. */
  onRendered(listener: (surface: { version: string; live: LiveFrame }) => void): () => void;
  /** Answers a path of an audience's private page (below `/a/AUDIENCE`) from memory, or its 404 page. */
  servePrivate(audience: string, path: string, req: IncomingMessage, res: ServerResponse): void;
  /** The live state of an audience's private page, once rendered. */
  privateLive(audience: string): LiveFrame | undefined;
  /** Calls `listener` after every render of each private page; returns the way to stop. */
  onPrivateRendered(
    listener: (audience: string, surface: { version: string; live: LiveFrame }) => void,
  ): () => void;
}

/** What a live stream follows: a page's latest state, and its renders. */
export interface LiveSource {
  readonly live: LiveFrame | undefined;
  onRendered(listener: (surface: { version: string; live: LiveFrame }) => void): () => void;
}

/** An audience's private page as a live source. */
export function privateLiveSource(page: PublicPage, audience: string): LiveSource {
  return {
    get live() {
      return page.privateLive(audience);
    },
    onRendered: (listener) =>
      page.onPrivateRendered((a, surface) => {
        if (a === audience) listener(surface);
      }),
  };
}
