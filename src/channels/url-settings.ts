/** Settings shared by channels that post to a URL (chat webhooks). */
export interface UrlChannelSettings {
  url?: string | undefined;
  timeout_ms?: number | undefined;
  concurrency?: number | undefined;
}
