/**
 * `/docs/webhooks`: the page every webhook message links to as
 * `meta.documentation` (as Statuspage's do), for whoever runs the receiving
 * end. They may never have heard of Crier and cannot read its repository, so
 * the page says here what docs/channels.md says for operators: what arrives,
 * how it is signed, how to answer the verification, what a retry looks like.
 * Worn in the status page's look, like the subscribe pages.
 */
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml } from '../../domain/html.ts';
import { pageReplier, type Shell } from './subscribe-pages.ts';

const code = (text: string) => `<pre><code>${escapeHtml(text.trim())}</code></pre>`;

const verification = `{
  "type": "subscription.verification",
  "challenge": "<32 characters>",
  "subscription": {
    "status": "pending",
    "confirm_url": "<this page's address>/confirm/<challenge>",
    "secret": "whsec_…"
  },
  "meta": { "unsubscribe": "…/unsubscribe/<token>", "documentation": "…/docs/webhooks" }
}`;

const headers = `content-type: application/json
webhook-id: <the message's id, the same on every retry>
webhook-timestamp: <unix seconds>
webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`;

const verify = `import crypto from 'node:crypto';

// secret: the whsec_… value from the verification request
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const signed = \`\${headers['webhook-id']}.\${headers['webhook-timestamp']}.\${rawBody}\`;
const expected = 'v1,' + crypto.createHmac('sha256', key).update(signed).digest('base64');
const valid = headers['webhook-signature'].split(' ').some((s) => s === expected)
  && Math.abs(Date.now() / 1000 - Number(headers['webhook-timestamp'])) < 300;`;

const body = `<p>This status page sends its news to the webhook address you gave it: one
<code>POST</code> with a JSON body per message. This page says what arrives and how
to trust it.</p>

<h2>First, a verification request</h2>
<p>Before anything else, the address receives one request to prove that someone
there wants the messages:</p>
${code(verification)}
<p>Answer it with a <code>2xx</code> status and the challenge, either as the whole
body (<code>content-type: text/plain</code>) or as JSON
<code>{"challenge": "…"}</code>. Nothing more is sent until then. A receiver that
cannot answer can be confirmed by a person opening <code>confirm_url</code> in a
browser. Keep <code>subscription.secret</code>: it signs every later message, and it
is sent to this address only. Once confirmed, a first message says
<code>"subscription": {"status": "subscribed"}</code>.</p>

<h2>What arrives</h2>
<ul>
<li><strong>Incident updates</strong>, in Statuspage's webhook shape: <code>meta</code>,
<code>page</code> (<code>status_indicator</code>, <code>status_description</code>) and
<code>incident</code> with its <code>incident_updates</code>.</li>
<li><strong>Component changes</strong>, one per component an update moved:
<code>meta</code>, <code>page</code>, <code>component_update</code>
(<code>old_status</code>, <code>new_status</code>) and <code>component</code>.</li>
<li><strong>Maintenance notices</strong>: <code>meta</code>, <code>page</code> and
<code>incident</code> holding the maintenance.</li>
</ul>
<p>Only what this subscription's audience was told is sent, for the components it
follows.</p>

<h2>Signatures</h2>
<p>Every message is signed per the
<a href="https://www.standardwebhooks.com/">Standard Webhooks</a> specification,
so any of its libraries verifies it:</p>
${code(headers)}
<p>Or by hand, on the raw body as received:</p>
${code(verify)}

<h2>Retries and duplicates</h2>
<p>Answer <code>2xx</code> within ten seconds. A <code>5xx</code>, a <code>429</code>
(its <code>Retry-After</code> is honoured) or a network error is tried again later,
with growing pauses, up to eight attempts in all; any other <code>4xx</code> is not. A message
may arrive more than once: it keeps its <code>webhook-id</code>, so drop one you have
already seen. An answer of <code>410 Gone</code> ends the subscription.</p>

<h2>Stopping</h2>
<p>Every message carries <code>meta.unsubscribe</code>: open it to choose components
or to stop the messages.</p>`;

export function webhookDocsRoutes(shell: Shell): FastifyPluginAsync {
  const page = pageReplier(shell);
  return async (app) => {
    app.get('/docs/webhooks', async (_req, reply) =>
      page(reply, 200, 'Webhooks from this status page', body),
    );
  };
}
