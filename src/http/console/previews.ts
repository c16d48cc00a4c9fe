/**
 * The live previews of words not stored yet, as the war room's composer
 * previews a draft's: the declare form's first update and the new-draft
 * form's draft, each rendered and linted by the verb that would store it,
 * then rolled back (src/services/updates/preview-unsaved.ts). The script
 * posts the whole form a moment after each change; the answer is HTML
 * escaped here, for the panel under the form.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { previewDeclaration, previewNewDraft } from '../../services/updates/preview-unsaved.ts';
import type { BaseCtx } from '../auth.ts';
import { previewPanel } from './composer.ts';
import { type Html, html } from './html.ts';
import { declareInput, draftInput } from './incident-forms.ts';
import { field, personCtx, refusal } from './page.ts';

function fragment(reply: FastifyReply, status: number, body: Html): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(body.value);
}

/** The panel a form's preview goes in, shown by the script (without it there is nothing to fill it). */
export function previewSlot(id: string): Html {
  return html`<section id="${id}" class="composer" aria-live="polite" aria-label="Lint and preview" data-preview-slot hidden>
<p class="muted">Lint and each channel's preview appear here as you choose and type.</p></section>`;
}

export function previewRoutes(base: BaseCtx) {
  const answer = async (reply: FastifyReply, run: () => ReturnType<typeof previewDeclaration>) => {
    try {
      return fragment(reply, 200, previewPanel(await run()));
    } catch (err) {
      const refused = refusal(err);
      if (refused === null) throw err;
      return fragment(reply, refused.status, html`<p class="notice error" role="alert">${refused.text}</p>`);
    }
  };
  return async (app: FastifyInstance) => {
    app.post('/console/incidents/preview', async (req, reply) =>
      answer(reply, () =>
        previewDeclaration(
          personCtx(base, req),
          declareInput(req.body, field(req.body, 'name').trim() || 'New incident'),
        ),
      ),
    );
    app.post<{ Params: { id: string } }>('/console/incidents/:id/drafts/preview', async (req, reply) =>
      answer(reply, () => previewNewDraft(personCtx(base, req), req.params.id, draftInput(req.body))),
    );
  };
}
