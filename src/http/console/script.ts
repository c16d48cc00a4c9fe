/**
 * The console's one script, served from /console/console.js (the CSP allows
 * script from Crier's own origin, never inline). It only enhances pages
 * that work without it (docs/adr/0013-console-server-rendered.md):
 *
 * - countdowns (`data-due`) tick, turning amber five minutes before and red
 *   once overdue, against the server's clock (`<meta name="crier-now">`);
 * - copy buttons (`data-copy`) appear and put the named element's text on
 *   the clipboard;
 * - a message (`data-preview`) is previewed as it is typed: a moment after
 *   the last change to its form (the words, or a choice such as the
 *   scenario), the form goes to the server, which answers with lint and the
 *   preview per channel as HTML it escaped itself, put in place of the
 *   element `data-preview-into` names (shown: `data-preview-slot`); nothing
 *   is saved;
 * - a form with `data-upload` sends its file to that address as text/csv
 *   (the subscribers' import), showing the upload's progress, then the
 *   answer as text; elements marked `data-keep` survive a live refresh;
 * - live: it listens to /console/events and, when something this page shows
 *   changes, fetches the page again and swaps its <main>, unless the person
 *   is typing in one of its forms (then it says the page changed and offers
 *   to refresh). It says so when the server cannot be reached or the
 *   session has ended, instead of going blank.
 *
 * Plain JavaScript in a string, like the stylesheet: no build step.
 */
export const consoleJs = `
const SOON_MS = 5 * 60000;
const served = document.querySelector('meta[name="crier-now"]');
const skew = served ? Date.parse(served.content) - Date.now() : 0;
const now = () => Date.now() + skew;

function relative(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  const span = minutes < 60 ? minutes + ' min' : Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
  return ms >= 0 ? 'in ' + span : span + ' overdue';
}

function tick() {
  for (const el of document.querySelectorAll('[data-due]')) {
    const left = Date.parse(el.dataset.due) - now();
    el.textContent = relative(left);
    el.className = 'due ' + (left < 0 ? 'late' : left <= SOON_MS ? 'soon' : 'ok');
  }
}

function enhance() {
  for (const b of document.querySelectorAll('button[data-copy], form[data-upload], [data-preview-slot]')) b.hidden = false;
  for (const p of document.querySelectorAll('[data-without-script]')) p.hidden = true;
  tick();
}

document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  try {
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = 'Copied';
  } catch {
    getSelection().selectAllChildren(source);
    button.textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => { button.textContent = label; }, 2000);
});

const PREVIEW_MS = 300;
const previewing = new WeakMap();

async function preview(area) {
  const into = document.getElementById(area.dataset.previewInto);
  if (!into) return;
  const last = previewing.get(area);
  if (last) last.abort();
  const abort = new AbortController();
  previewing.set(area, abort);
  let res;
  try {
    res = await fetch(area.dataset.preview, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: area.form ? new URLSearchParams(new FormData(area.form)) : new URLSearchParams({ body: area.value }),
      signal: abort.signal,
    });
  } catch (err) {
    if (err.name !== 'AbortError') say('Crier cannot be reached; the preview shows the words as last saved.');
    return;
  }
  if (res.redirected || res.status === 401) return ended();
  const fragment = new DOMParser().parseFromString(await res.text(), 'text/html').body;
  if (previewing.get(area) !== abort) return;
  into.replaceChildren(...fragment.childNodes);
}

let previewTimer;
document.addEventListener('input', (event) => {
  const form = event.target.form;
  const area = form ? form.querySelector('textarea[data-preview]') : null;
  if (!area) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => preview(area), PREVIEW_MS);
});

function showImport(out, lines) {
  out.replaceChildren(...lines.map((line) => {
    const p = document.createElement(line.tag || 'p');
    p.textContent = line.text;
    if (line.className) p.className = line.className;
    return p;
  }));
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.upload) return;
  const file = form.elements.file.files[0];
  if (!file) return;
  event.preventDefault();
  const bar = document.getElementById(form.dataset.progress);
  const out = document.getElementById(form.dataset.result);
  const button = form.querySelector('button[type="submit"]');
  const query = new URLSearchParams({ audience: form.elements.audience.value });
  if (form.elements.confirm.checked) query.set('confirm', 'true');
  const xhr = new XMLHttpRequest();
  xhr.open('POST', form.dataset.upload + '?' + query);
  xhr.setRequestHeader('content-type', 'text/csv');
  bar.hidden = false;
  bar.value = 0;
  button.disabled = true;
  showImport(out, [{ text: 'Sending ' + file.name + '…' }]);
  xhr.upload.addEventListener('progress', (e) => {
    if (!e.lengthComputable) return;
    bar.max = e.total;
    bar.value = e.loaded;
    showImport(out, [{ text: 'Sent ' + Math.floor((e.loaded * 100) / e.total) + '% of ' + file.name + '…' }]);
  });
  xhr.upload.addEventListener('load', () => {
    bar.removeAttribute('value');
    showImport(out, [{ text: 'Sent; importing…' }]);
  });
  const finish = () => {
    button.disabled = false;
    bar.hidden = true;
  };
  xhr.addEventListener('load', () => {
    finish();
    let answer = null;
    try { answer = JSON.parse(xhr.responseText); } catch {}
    if (xhr.status === 401) return ended();
    if (xhr.status !== 200 || !answer) {
      const why = answer && answer.error ? answer.error.message : 'Crier could not import the file (HTTP ' + xhr.status + ').';
      showImport(out, [{ text: why, className: 'notice error' }]);
      return;
    }
    form.reset();
    showImport(out, [
      { text: 'Imported ' + answer.imported + ' of ' + answer.rows + ' rows: ' + answer.unchanged + ' already subscribed, ' + answer.invalid + ' refused.', className: 'notice ok' },
      ...answer.errors.map((e) => ({ text: 'Line ' + e.line + ': ' + e.message, className: 'muted' })),
    ]);
    refresh(false);
  });
  xhr.addEventListener('error', () => {
    finish();
    showImport(out, [{ text: 'Crier cannot be reached; nothing was imported that it did not confirm.', className: 'notice error' }]);
  });
  xhr.send(file);
});

enhance();
setInterval(tick, 15000);

const live = document.querySelector('meta[name="crier-live"]');
if (live && 'EventSource' in window) watch(live.content.split(' '));

function say(text, action) {
  let box = document.getElementById('live-status');
  if (!box) {
    box = document.createElement('p');
    box.id = 'live-status';
    box.className = 'live';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  box.replaceChildren(text);
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link';
    b.textContent = action.label;
    b.addEventListener('click', action.run);
    box.append(' ', b);
  }
  box.hidden = text === '';
}

function typing(main) {
  for (const el of main.querySelectorAll('input, textarea, select')) {
    if (el.type === 'hidden' || el.type === 'submit') continue;
    if (el.tagName === 'SELECT') {
      if ([...el.options].some((o) => o.selected !== o.defaultSelected)) return true;
    } else if (el.type === 'checkbox' || el.type === 'radio') {
      if (el.checked !== el.defaultChecked) return true;
    } else if (el.value !== el.defaultValue) return true;
  }
  const a = document.activeElement;
  return !!a && main.contains(a) && (a.tagName === 'TEXTAREA' || (a.tagName === 'INPUT' && a.type !== 'checkbox'));
}

async function refresh(force) {
  const main = document.querySelector('main');
  if (!force && typing(main)) {
    say('This page has changed.', { label: 'Show the changes', run: () => refresh(true) });
    return;
  }
  let res;
  try {
    res = await fetch(location.pathname + location.search, { credentials: 'same-origin' });
  } catch {
    say('Crier cannot be reached; this page shows what was true before. Retrying…');
    return;
  }
  if (res.redirected && new URL(res.url).pathname === '/console/sign-in') {
    ended();
    return;
  }
  if (!res.ok) return;
  const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main');
  if (!next) return;
  const focused = document.activeElement && document.activeElement.id;
  const kept = [...main.querySelectorAll('[data-keep][id]')];
  main.replaceChildren(...next.childNodes);
  for (const el of kept) document.getElementById(el.id)?.replaceWith(el);
  if (focused) document.getElementById(focused)?.focus();
  enhance();
  say('');
}

function ended() {
  say('Your session has ended. ', { label: 'Sign in again', run: () => location.assign('/console/sign-in?ended=1') });
}

function watch(kinds) {
  const id = document.querySelector('meta[name="crier-subject"]')?.content;
  const progress = document.querySelector('meta[name="crier-progress"]')?.content;
  const query = id ? '?' + new URLSearchParams({ incident: id, progress: progress || '' }) : '';
  const source = new EventSource('/console/events' + query);
  let lost = false;
  source.addEventListener('change', (event) => {
    const change = JSON.parse(event.data);
    if (!kinds.includes(change.kind)) return;
    if (id && change.id && change.id !== id && change.kind !== 'component') return;
    refresh(false);
  });
  source.addEventListener('open', () => {
    if (lost) refresh(false);
    lost = false;
  });
  source.addEventListener('error', async () => {
    lost = true;
    try {
      const res = await fetch('/console/events', { method: 'HEAD', credentials: 'same-origin' });
      if (res.status === 401) {
        source.close();
        ended();
        return;
      }
    } catch {}
    say('Crier cannot be reached; this page shows what was true before. Retrying…');
  });
}
`;
