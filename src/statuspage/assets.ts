/**
 * The page's stylesheet and its small live-update script, as text. No
 * framework, no build step: the page works without them, they only make it
 * nicer and live.
 */

export const statusCss = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2937;--muted:#4b5563;--line:#d1d5db;--card:#f9fafb;
--ok:#15803d;--minor:#a16207;--partial:#c2410c;--major:#b91c1c;--maint:#1d4ed8;--nodata:#e5e7eb;--link:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#111827;--fg:#f3f4f6;--muted:#d1d5db;--line:#374151;--card:#1f2937;
--ok:#4ade80;--minor:#facc15;--partial:#fb923c;--major:#f87171;--maint:#93c5fd;--nodata:#374151;--link:#93c5fd}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--link)}
.wrap{max-width:52rem;margin:0 auto;padding:0 1rem}
.skip{position:absolute;inset-inline-start:-999px}.skip:focus{inset-inline-start:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:2}
.top{background:var(--accent);color:var(--on-accent)}
.top .wrap{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;padding-top:.75rem;padding-bottom:.75rem}
.top a{color:var(--on-accent)}
.brand{display:flex;gap:.5rem;align-items:center;font-weight:700;font-size:1.25rem;text-decoration:none}
.top nav{display:flex;flex-wrap:wrap;gap:1rem}
.banner{margin:1.5rem 0;padding:1rem 1.25rem;border-radius:.5rem;font-size:1.375rem;color:#fff;background:#15803d}
.ind-minor{background:#a16207}.ind-major{background:#c2410c}.ind-critical{background:#b91c1c}.ind-maintenance{background:#1d4ed8}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
article{border:1px solid var(--line);border-inline-start-width:.375rem;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;background:var(--card)}
.impact-minor{border-inline-start-color:var(--minor)}.impact-major{border-inline-start-color:var(--partial)}.impact-critical{border-inline-start-color:var(--major)}.maintenance{border-inline-start-color:var(--maint)}
article h1,article h2,article h3{margin:0 0 .25rem;font-size:1.125rem}
.meta,.when,figcaption,.desc{color:var(--muted);font-size:.875rem;margin:.25rem 0}
.badge{display:inline-block;border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;margin-inline-end:.25rem;color:var(--fg)}
.next{font-weight:600}
.timeline{list-style:none;padding:0;margin:.5rem 0 0}
.timeline li{border-top:1px solid var(--line);padding:.5rem 0}
.helpful{font-size:.85em;color:var(--muted);margin:.25rem 0 0}
.helpful button{font:inherit;padding:.1rem .6rem;margin-inline-start:.25rem;cursor:pointer}
.body p{margin:.25rem 0;overflow-wrap:anywhere}
.components{list-style:none;padding:0;margin:0;border:1px solid var(--line);border-radius:.5rem}
.components ul{list-style:none;padding:0 0 0 1rem;margin:0}
.component,.group{border-top:1px solid var(--line);padding:.75rem 1rem}
.components>li:first-child{border-top:0}
.group .component{padding-inline:0}
.row,summary{display:flex;justify-content:space-between;gap:1rem;align-items:baseline}
summary{cursor:pointer;font-weight:600}
summary .name::before{content:"\\25B8\\00A0"}details[open]>summary .name::before{content:"\\25BE\\00A0"}
.earlier{margin-top:.25rem}.earlier summary{display:list-item;font-weight:400;font-size:.875rem;color:var(--link)}
.name{font-weight:600}
.st{font-size:.875rem;font-weight:600}
.st-operational{color:var(--ok)}.st-degraded_performance{color:var(--minor)}.st-partial_outage{color:var(--partial)}
.st-major_outage{color:var(--major)}.st-under_maintenance{color:var(--maint)}
.uptime{margin:.5rem 0 0}.uptime svg{display:block;width:100%;height:2rem}
.uptime figcaption{display:flex;justify-content:space-between}
[dir=rtl] .uptime svg{transform:scaleX(-1)}[dir=rtl] summary .name::before{content:"\\25C2\\00A0"}
.defs{position:absolute}
.d-operational{fill:var(--ok)}.d-none{fill:var(--nodata)}.d-degraded_performance{fill:var(--minor)}
.d-partial_outage{fill:var(--partial)}.d-major_outage{fill:var(--major)}.d-under_maintenance{fill:var(--maint)}
.history{padding-inline-start:1.25rem}
.demo{border:1px dashed var(--line);border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0 0}
footer{margin:3rem auto 2rem;color:var(--muted);font-size:.875rem}
time .local{color:var(--muted)}
.panel{max-width:36rem}
.field{margin:1rem 0}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.field input{display:block;width:100%;padding:.5rem .625rem;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--muted);border-radius:.375rem}
fieldset{border:1px solid var(--line);border-radius:.5rem;margin:1rem 0;padding:.5rem 1rem .75rem;min-width:0}
legend{font-weight:600;padding:0 .25rem}
.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0 .5rem}
.check{display:flex;gap:.5rem;align-items:baseline;margin:.375rem 0;overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1.25rem 0}
.button{font:inherit;font-weight:600;padding:.5rem 1.25rem;border-radius:.375rem;border:2px solid var(--accent);background:var(--accent);color:var(--on-accent);cursor:pointer}
.button.quiet{background:transparent;color:var(--fg);border-color:var(--muted)}
.note{border-inline-start:.25rem solid var(--line);padding:.25rem .75rem;color:var(--muted)}
.panel h2{font-size:1.125rem}
@media (max-width:40rem){.banner{font-size:1.125rem}.row,summary{flex-direction:column;gap:0}}
`;

/**
 * Live updates: listens to /events and, when the page's data changed,
 * fetches the same URL (its query too, so a language asked for by `?lang=`
 * stays) and swaps <main>, keeping open groups open. Adds the reader's local
 * time next to each instant when their zone differs. Its words come from the
 * page, in the page's language (`data-updated`, `data-local` on <body>).
 */
export const liveScript = `(function(){
"use strict";
var body=document.body,status=document.querySelector(".live"),lang=document.documentElement.lang||undefined;
function say(words,time){return words.replace("{time}",time)}
function localTimes(root){
  var tz;try{tz=Intl.DateTimeFormat().resolvedOptions().timeZone}catch(e){return}
  if(!tz||tz===body.dataset.timeZone)return;
  var f=new Intl.DateTimeFormat(lang,{dateStyle:"medium",timeStyle:"short"});
  root.querySelectorAll("time[datetime]").forEach(function(t){
    if(t.querySelector(".local"))return;
    var d=new Date(t.getAttribute("datetime"));if(isNaN(d))return;
    var s=document.createElement("span");s.className="local";s.textContent=" ("+say(body.dataset.local||"{time} your time",f.format(d))+")";t.appendChild(s);
  });
}
localTimes(document);
if(!window.EventSource||!window.fetch||!window.DOMParser)return;
var busy=false,again=false;
function refresh(){
  if(busy){again=true;return}busy=true;
  fetch(location.pathname+location.search,{cache:"no-cache",headers:{accept:"text/html"}}).then(function(r){return r.ok?r.text():null}).then(function(html){
    if(!html)return;
    var doc=new DOMParser().parseFromString(html,"text/html"),next=doc.querySelector("main"),cur=document.querySelector("main");
    if(!next||!cur)return;
    var open={};cur.querySelectorAll("details").forEach(function(d,i){open[i]=d.open});
    cur.innerHTML=next.innerHTML;
    cur.querySelectorAll("details").forEach(function(d,i){if(i in open)d.open=open[i]});
    body.dataset.version=doc.body.dataset.version;document.title=doc.title;localTimes(cur);
    if(status)status.textContent=say(body.dataset.updated||"Updated at {time}",new Date().toLocaleTimeString(lang));
  }).catch(function(){}).then(function(){busy=false;if(again){again=false;refresh()}});
}
var es=new EventSource(body.dataset.events||"/events");
es.addEventListener("state",function(e){
  var v;try{v=JSON.parse(e.data).version}catch(x){return}
  // A little jitter spreads a spike of readers over a second instead of one instant.
  if(v&&v!==body.dataset.version)setTimeout(refresh,Math.random()*800);
});
})();
`;
