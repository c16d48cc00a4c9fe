/**
 * The subscribers screen's CSV import, for those who may add subscribers:
 * a file, the audience it joins, and whether each is asked to confirm
 * first. The console's script sends the file to the admin API's import
 * (`POST /api/v1/subscribers/import`, which takes the session) and shows
 * the upload's progress, then what was imported, unchanged or refused by
 * line. A form cannot send a file without a multipart parser the console
 * does not have, so without the script the form stays hidden and the page
 * names the CLI and the API instead.
 */
import { type Html, html } from './html.ts';
import { options } from './parts.ts';

export function importForm(audiences: readonly string[]): Html {
  return html`<details class="card"><summary><strong>Import subscribers from CSV</strong></summary>
<p class="muted" data-without-script>Importing needs the console's script; <code>crier subscribers import FILE</code> and the API's <code>POST /api/v1/subscribers/import</code> do it too.</p>
<form class="stack" id="import" data-upload="/api/v1/subscribers/import" data-progress="import-progress" data-result="import-result" hidden>
<p class="muted">A header row names the columns: email, phone, voice, webhook, slack, teams, discord, component_ids, locale.</p>
<label>CSV file <input type="file" name="file" accept=".csv,text/csv" required></label>
<div class="field"><label for="import-audience">Audience</label><select id="import-audience" name="audience">${options(audiences.length > 0 ? audiences : ['public'], 'public')}</select></div>
<label class="inline"><input type="checkbox" name="confirm" value="true"> Ask each to confirm first (double opt-in)</label>
<button type="submit">Import</button>
<progress id="import-progress" max="100" value="0" aria-label="Import progress" hidden></progress>
</form></details>
<div id="import-result" data-keep role="status"></div>`;
}
