/**
 * HTML for the console, written as tagged templates that escape every
 * value: `html\`<p>${text}</p>\`` cannot put markup from `text` on the page.
 * Only another `html` fragment passes through unescaped. Attribute values
 * are always written in double quotes.
 */
import { escapeHtml } from '../../domain/html.ts';
import { type Action, can, type Role } from '../../domain/permissions.ts';

export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface Page {
  title: string;
  main: Html;
  /** The signed-in person, for the header; absent on the sign-in and invitation pages. */
  user?: { name: string; email: string; role: Role } | undefined;
  /** A message for the top of the page: what just happened, or what went wrong. */
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  /** The server's time when the page was made, so countdowns tick against it rather than the device's clock. */
  now?: Date | undefined;
  /**
   * What changes refresh this page while it is open (change kinds, src/store/changes.ts), and the one
   * subject it shows, if any; absent, the page stays as it loaded.
   */
  live?: { kinds: readonly string[]; subject?: string; progress?: string } | undefined;
}

/** The screens, each shown in the header to the roles that may use it. */
const screens: readonly { href: string; label: string; needs: Action }[] = [
  { href: '/console', label: 'Incidents', needs: 'read' },
  { href: '/console/components', label: 'Components', needs: 'read' },
  { href: '/console/maintenances', label: 'Maintenances', needs: 'read' },
  { href: '/console/subscribers', label: 'Subscribers', needs: 'read' },
  { href: '/console/suppressions', label: 'Suppressions', needs: 'subscriber.read' },
  { href: '/console/plan', label: 'Plan', needs: 'read' },
  { href: '/console/report', label: 'Report', needs: 'read' },
  { href: '/console/audit', label: 'Audit log', needs: 'audit.read' },
  { href: '/console/users', label: 'People', needs: 'user.manage' },
  { href: '/console/tokens', label: 'API tokens', needs: 'token.manage' },
];

function nav(role: Role): Html {
  return html`<nav aria-label="Console">${screens
    .filter((s) => can(role, s.needs))
    .map((s) => html`<a href="${s.href}">${s.label}</a>`)}</nav>`;
}

export function layout(page: Page): string {
  const { user, notice } = page;
  return `<!doctype html>${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
${page.now && html`<meta name="crier-now" content="${page.now.toISOString()}">`}
${page.live && html`<meta name="crier-live" content="${page.live.kinds.join(' ')}">`}
${page.live?.subject !== undefined && html`<meta name="crier-subject" content="${page.live.subject}">`}
${page.live?.progress !== undefined && html`<meta name="crier-progress" content="${page.live.progress}">`}
<title>${page.title} · Crier console</title>
<link rel="stylesheet" href="/console/console.css">
<script type="module" src="/console/console.js"></script>
</head>
<body>
<header class="top">
<a class="brand" href="/console">Crier console</a>
${
  user &&
  html`${nav(user.role)}
<div class="who"><span>${user.name} <small>(${user.role.replace('_', ' ')})</small></span>
<form method="post" action="/console/sign-out"><button type="submit" class="link">Sign out</button></form>
<form method="post" action="/console/sign-out-everywhere"><button type="submit" class="link">Sign out everywhere</button></form></div>`
}
</header>
<main id="main">
${notice && html`<p class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>`}
${page.main}
</main>
</body>
</html>`.value
  }`;
}
