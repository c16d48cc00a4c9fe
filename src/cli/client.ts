/** The CLI's client for the admin API. */
import { CliError } from './output.ts';

export interface ClientOptions {
  url: string;
  token: string | undefined;
}

export class AdminClient {
  readonly #url: string;
  readonly #token: string | undefined;

  constructor(options: ClientOptions) {
    this.#url = options.url;
    this.#token = options.token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.#token)
      throw new CliError(
        'CRIER_TOKEN is not set: create one with `crier token create --role admin --name me`.',
      );
    let response: Response;
    try {
      response = await fetch(`${this.#url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const reason =
        err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new CliError(`Cannot reach Crier at ${this.#url}: ${reason}`);
    }
    const text = await response.text();
    const data = text === '' ? null : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)
        ?.error;
      const details = Array.isArray(error?.details)
        ? ` (${(error.details as { path?: string; message?: string }[]).map((d) => `${d.path ?? ''}: ${d.message ?? ''}`).join('; ')})`
        : '';
      throw new CliError(
        `${error?.code ?? response.status}: ${error?.message ?? response.statusText}${details}`,
      );
    }
    return data as T;
  }
}
