/**
 * The console's one stylesheet, served from /console/console.css (the
 * Content-Security-Policy allows no inline style). Mobile first: usable at
 * 375 px; light and dark follow the system; contrast at least 4.5:1.
 */
export const consoleCss = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de;
  --accent: #0b57d0; --accent-fg: #ffffff; --ok: #116329; --err: #a40e26; --panel: #f6f8fa; --warn: #7d4e00; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --accent: #4493f8;
    --accent-fg: #0d1117; --ok: #3fb950; --err: #ff7b72; --panel: #161b22; --warn: #e3b341; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
.who { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.who small { color: var(--muted); }
main { max-width: 52rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
form.stack { display: grid; gap: .75rem; max-width: 26rem; }
label, .field { display: grid; gap: .25rem; font-weight: 600; }
label.inline { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
label.inline input { width: auto; min-width: 0; flex: 1 1 auto; }
select, input { max-width: 100%; }
fieldset { border: 1px solid var(--line); border-radius: 4px; display: grid; gap: .5rem; }
input, select, textarea { font: inherit; padding: .5rem; border: 1px solid var(--muted); border-radius: 4px;
  background: var(--bg); color: var(--fg); width: 100%; }
textarea { min-height: 8rem; }
form.stack.wide { max-width: none; }
.languages { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
.language { display: flex; flex-direction: column; gap: .25rem; min-width: 0; }
button { font: inherit; padding: .5rem 1rem; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-fg); cursor: pointer; min-height: 44px; }
a.button { display: inline-block; padding: .5rem 1rem; border-radius: 4px; background: var(--accent); color: var(--accent-fg);
  text-decoration: none; min-height: 44px; line-height: 1.75; }
button.secondary { background: transparent; color: var(--accent); }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: .25rem; min-height: 0; }
.notice { padding: .75rem; border-radius: 4px; border: 1px solid; }
.notice.ok { border-color: var(--ok); color: var(--ok); }
.notice.error { border-color: var(--err); color: var(--err); }
.muted { color: var(--muted); }
ul.cards { list-style: none; padding: 0; display: grid; gap: .75rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; background: var(--panel); overflow-wrap: anywhere; }
.card h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
.actions form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 4px; border: 1px solid var(--muted); font-size: .85rem; }
pre.preview { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg); border: 1px solid var(--line);
  padding: .5rem; border-radius: 4px; font-size: .9rem; }
dl.facts { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.due { font-weight: 600; }
.due.soon { color: var(--warn); }
.due.late { color: var(--err); }
.due.soon::before { content: "⚠ "; }
.due.late::before { content: "⏰ "; }
ol.timeline { padding-left: 1.25rem; display: grid; gap: .25rem; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; }
td { text-align: right; }
.top nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
ul.channels, ul.failures { list-style: none; padding: 0; margin: .25rem 0; display: grid; gap: .25rem; }
ul.channels .channel { display: inline-block; min-width: 6rem; }
progress { width: 8rem; max-width: 40%; vertical-align: middle; }
ul.failures li { border-left: 3px solid var(--err); padding-left: .5rem; }
ul.failures form { margin-top: .25rem; }
.live { position: fixed; bottom: .5rem; right: .5rem; font-size: .85rem; background: var(--panel);
  border: 1px solid var(--line); border-radius: 4px; padding: .25rem .5rem; }
`;
