/** One SigV4-signed POST to an AWS API, as SES and SNS send it. */
import { type AwsCredentials, signRequest } from './aws-sigv4.ts';
import type { HttpClient, HttpResponse } from './http-client.ts';

export interface AwsPost {
  url: URL;
  region: string;
  service: string;
  contentType: string;
  body: string;
  credentials: AwsCredentials;
  userAgent: string;
}

export function postToAws(client: HttpClient, p: AwsPost): Promise<HttpResponse> {
  const headers = signRequest({
    method: 'POST',
    url: p.url,
    region: p.region,
    service: p.service,
    headers: { 'content-type': p.contentType },
    body: p.body,
    credentials: p.credentials,
  });
  // The connection sets Host itself; it was signed as it will be sent.
  delete headers.host;
  return client.post(p.url.toString(), p.body, { ...headers, 'user-agent': p.userAgent });
}
