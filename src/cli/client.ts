/**
 * The CLI's client for the admin API: openapi-fetch typed by the types
 * generated from the API's own OpenAPI document (api.gen.ts, `npm run
 * openapi`), so a change to the API that breaks a command fails the build.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './api.gen.ts';
import { CliError } from './output.ts';

export type Api = Client<paths>;
export type Schemas = components['schemas'];

export interface ClientOptions {
  url: string;
  token: string | undefined;
}

export function apiClient(options: ClientOptions): Api {
  const token = options.token;
  if (!token) {
    throw new CliError(
      'CRIER_TOKEN is not set: create one with `crier token create --role admin --name me`.',
    );
  }
  return createClient<paths>({
    baseUrl: options.url,
    headers: { authorization: `Bearer ${token}` },
    fetch: async (request) => {
      try {
        return await fetch(request, { signal: AbortSignal.timeout(30_000) });
      } catch (err) {
        const reason =
          err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        throw new CliError(`Cannot reach Crier at ${options.url}: ${reason}`);
      }
    },
  });
}

type ApiError = Schemas['Error'];

function describe(error: unknown, response: Response): string {
  const e = (error as Partial<ApiError> | undefined)?.error;
  const details = Array.isArray(e?.details)
    ? ` (${(e.details as { path?: string; message?: string }[]).map((d) => `${d.path ?? ''}: ${d.message ?? ''}`).join('; ')})`
    : '';
  return `${e?.code ?? response.status}: ${e?.message ?? response.statusText}${details}`;
}

/** What an openapi-fetch call resolves to: the data, or the API's error body. */
type Answer<T> =
  | { data: T; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response };

async function answered<T>(pending: Promise<Answer<T>>): Promise<T | undefined> {
  const answer = await pending;
  if (answer.error !== undefined || !answer.response.ok) {
    throw new CliError(describe(answer.error, answer.response));
  }
  return answer.data;
}

/** The answer's data; a refused request becomes a CliError (exit 1) with the API's code and message. */
export async function call<T>(pending: Promise<Answer<T>>): Promise<Exclude<T, undefined>> {
  const data = await answered(pending);
  if (data === undefined) throw new CliError('Crier answered with no content where it should have.');
  return data as Exclude<T, undefined>;
}
