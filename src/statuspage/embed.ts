/**
 * /embed.js: a banner customers put in their own web apps. It shows active
 * incidents and maintenance (optionally only for chosen components), live
 * over /events, each dismissible, themable through data attributes, in a
 * shadow root so the host page's styles do not leak in. Text is only ever
 * set with textContent.
 *
 *   <script src="https://status.example.com/embed.js" async
 *     data-components="id1,id2" data-position="bottom" data-theme="dark" data-accent="#7c3aed"></script>
 */
export const embedScript = `(function(){
"use strict";
var me=document.currentScript;if(!me||!window.EventSource)return;
var origin=new URL(me.src,location.href).origin;
var d=me.dataset||{};
var only=(d.components||"").split(",").map(function(s){return s.trim()}).filter(Boolean);
var bottom=d.position==="bottom";
var accent=/^#[0-9a-fA-F]{3,8}$/.test(d.accent||"")?d.accent:"#b91c1c";
var theme=d.theme==="dark"||d.theme==="light"?d.theme:"auto";
var key="crier-embed-dismissed:";
var host=document.createElement("div");host.setAttribute("data-crier-embed","");
var root=host.attachShadow?host.attachShadow({mode:"open"}):host;
var light="--bg:#fff;--fg:#1f2937;--line:#d1d5db;--link:#1d4ed8",dark="--bg:#1f2937;--fg:#f3f4f6;--line:#374151;--link:#93c5fd";
var css=":host{all:initial}.box{position:fixed;left:0;right:0;"+(bottom?"bottom:0":"top:0")+";z-index:2147483000;font:14px/1.4 system-ui,sans-serif;"+(theme==="dark"?dark:light)+"}"+
(theme==="auto"?"@media (prefers-color-scheme:dark){.box{"+dark+"}}":"")+
".item{display:flex;gap:.75rem;align-items:center;background:var(--bg);color:var(--fg);border-"+(bottom?"top":"bottom")+":1px solid var(--line);border-left:6px solid var(--accent,"+accent+");padding:.5rem .75rem}"+
".item.m{--accent:#1d4ed8}.t{flex:1}.t a{color:var(--link);font-weight:600}.s{opacity:.85;margin-left:.5rem}"+
"button{background:none;border:1px solid var(--line);color:var(--fg);border-radius:4px;cursor:pointer;font:inherit;padding:0 .5rem}";
var style=document.createElement("style");style.textContent=css;
var box=document.createElement("div");box.className="box";box.setAttribute("role","region");box.setAttribute("aria-label","Service status");
root.appendChild(style);root.appendChild(box);
function dismissed(id){try{return localStorage.getItem(key+id)==="1"}catch(e){return false}}
function dismiss(id){try{localStorage.setItem(key+id,"1")}catch(e){}}
var last=null;
function wanted(x){
  if(dismissed(x.id))return false;
  if(!only.length)return true;
  return (x.components||[]).some(function(c){return only.indexOf(c)>=0});
}
function render(state){
  last=state;while(box.firstChild)box.removeChild(box.firstChild);
  var items=(state.incidents||[]).map(function(x){x.kind="i";return x}).concat((state.maintenances||[]).map(function(x){x.kind="m";return x})).filter(wanted);
  items.forEach(function(x){
    var row=document.createElement("div");row.className="item"+(x.kind==="m"?" m":"");row.setAttribute("data-id",x.id);
    var t=document.createElement("div");t.className="t";
    var a=document.createElement("a");a.textContent=x.name;a.target="_blank";a.rel="noopener";
    if(typeof x.url==="string"&&x.url.indexOf(origin+"/")===0)a.href=x.url;
    var s=document.createElement("span");s.className="s";s.textContent=x.kind==="m"?"Maintenance: "+x.status.replace("_"," "):x.status;
    t.appendChild(a);t.appendChild(s);
    var b=document.createElement("button");b.type="button";b.textContent="\\u00d7";b.setAttribute("aria-label","Dismiss "+x.name);
    b.addEventListener("click",function(){dismiss(x.id);render(last)});
    row.appendChild(t);row.appendChild(b);box.appendChild(row);
  });
}
function start(){
  document.body.appendChild(host);
  var es=new EventSource(origin+"/events");
  es.addEventListener("state",function(e){try{render(JSON.parse(e.data))}catch(x){}});
}
if(document.body)start();else document.addEventListener("DOMContentLoaded",start);
})();
`;
