import { createHash } from 'node:crypto';
import { text } from './html.js';

/**
 * The fixed parts of report.html: style, script and the Content-Security-Policy that lets only that script run.
 * The page loads nothing remote; images and media come from the extraction's own folder (relative links).
 */

const STYLE = `
:root{color-scheme:light dark;--fg:#111;--bg:#fff;--muted:#666;--line:#ddd;--card:#f5f5f7;--accent:#0a84ff;--red:#d70015;--wa:#d9fdd3}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#111;--muted:#999;--line:#333;--card:#1c1c1e;--red:#ff453a;--wa:#005c4b}}
*{box-sizing:border-box}
body{font-family:-apple-system,system-ui,"Segoe UI",sans-serif;margin:0;padding:0 1rem 3rem;background:var(--bg);color:var(--fg);line-height:1.4}
header{padding:1rem 0 .5rem} h1{font-size:1.4rem;margin:0} h2{font-size:1.2rem;margin:1rem 0 .5rem}
.meta,.muted{color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:var(--bg)} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
#summary{max-width:60rem} #summary td.failed,.failed{color:var(--red)}
nav.tabs{display:flex;flex-wrap:wrap;gap:.3rem;margin:1rem 0 .5rem;position:sticky;top:0;background:var(--bg);padding:.4rem 0;z-index:2;border-bottom:1px solid var(--line)}
nav.tabs a{padding:.3rem .7rem;border-radius:1rem;background:var(--card);color:inherit;text-decoration:none}
nav.tabs a.active{background:var(--accent);color:#fff}
.tools{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:.5rem 0}
input[type=search]{padding:.3rem .6rem;border:1px solid var(--line);border-radius:.5rem;min-width:16rem;background:var(--bg);color:inherit}
a{color:var(--accent)}
.mark{display:inline-block;font-size:.72rem;font-weight:600;color:#fff;background:var(--red);border-radius:.3rem;padding:0 .35rem;margin:0 .2rem;white-space:nowrap}
.mark.recently-deleted{background:#ff9f0a;color:#000}
.mark.revoked{background:var(--line);color:var(--fg);font-weight:400}
.badge{display:inline-block;font-size:.72rem;border:1px solid var(--line);border-radius:.3rem;padding:0 .35rem;margin:0 .2rem;white-space:nowrap}
.deleted{outline:2px dashed var(--red);outline-offset:-2px}
tr.deleted{outline:none;background:rgba(255,69,58,.08)}
body.deleted-only .item:not(.deleted),body.deleted-only .conversation[data-deleted="0"],body.deleted-only .gap{display:none}
.nomatch{display:none!important}
html.js section.type{display:none} html.js section.type.current{display:block}
.grid>figure,.cards>.card,.conversation{content-visibility:auto;contain-intrinsic-size:auto 12rem}
.files{font-size:.85rem;color:var(--muted)} .files a{margin-right:.6rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem}
figure.photo{margin:0;background:var(--card);border-radius:.5rem;overflow:hidden;font-size:.75rem}
figure.photo img,figure.photo .tile{width:100%;height:150px;object-fit:cover;display:block}
.tile{display:flex!important;align-items:center;justify-content:center;font-size:1.4rem;color:var(--muted);text-decoration:none;background:var(--line)}
figure.photo figcaption{padding:.3rem .4rem;word-break:break-word}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:.7rem}
.card{background:var(--card);border-radius:.7rem;padding:.7rem;display:flex;gap:.7rem;font-size:.85rem}
.card img.avatar,.card .avatar{width:3.5rem;height:3.5rem;border-radius:50%;object-fit:cover;flex:none;display:flex;align-items:center;justify-content:center;background:var(--line);font-weight:600}
.card .name{font-weight:600;font-size:1rem} .card dl{margin:.3rem 0 0;display:grid;grid-template-columns:auto 1fr;gap:0 .5rem} .card dt{color:var(--muted)} .card dd{margin:0;word-break:break-word}
.conversation{border:1px solid var(--line);border-radius:.7rem;margin:.5rem 0;max-width:50rem}
.conversation>summary{padding:.6rem .8rem;cursor:pointer} .conversation .title{font-weight:600}
.chat{padding:.3rem .8rem .8rem;display:flex;flex-direction:column}
.msg{display:flex;flex-direction:column;margin:.25rem 0}
.msg .who{font-size:.72rem;color:var(--muted);margin:0 .6rem}
.bubble{max-width:75%;padding:.4rem .75rem;border-radius:1.1rem;white-space:pre-wrap;word-wrap:break-word}
.me{align-items:flex-end} .me .bubble{background:#0a84ff;color:#fff} .me.SMS .bubble{background:#30b94d}
.them{align-items:flex-start} .them .bubble{background:var(--card)}
.msg img.att,.msg video.att{max-width:14rem;max-height:14rem;border-radius:.8rem;display:block;margin-top:.2rem}
.me.WhatsApp .bubble{background:var(--wa);color:var(--fg)} .msg.event{align-items:center} .msg.event .bubble{background:none;color:var(--muted);font-size:.8rem;text-align:center}
.bubble.revoked{font-style:italic;color:var(--muted)!important}
.card.note{flex-direction:column;gap:.3rem} .card.note .text{white-space:pre-wrap;overflow-wrap:break-word} .card.note img.att{max-width:8rem;max-height:8rem;border-radius:.4rem;vertical-align:top}
.card.note .attachments{display:flex;flex-wrap:wrap;gap:.4rem;align-items:flex-start}
.gap{text-align:center;font-size:.8rem;color:var(--muted);margin:.5rem 0}
td.long{min-width:16rem;max-width:40rem;white-space:pre-wrap;overflow-wrap:break-word}
.scroll{overflow-x:auto}
`;

/**
 * Tabs, "deleted only" and the text filter. It runs in the head, so that with it every section but the chosen one
 * is display:none while the page is still parsed (a 100,000-message page is then never laid out whole); without it
 * (scripts off) every section is simply shown in turn.
 */
const SCRIPT = `(function () {
  var d = document;
  d.documentElement.classList.add('js');
  d.addEventListener('DOMContentLoaded', function () {
    var sections = Array.prototype.slice.call(d.querySelectorAll('section.type'));
    var tabs = Array.prototype.slice.call(d.querySelectorAll('nav.tabs a'));
    function select() {
      var id = decodeURIComponent(location.hash.slice(1));
      var current = sections.filter(function (s) { return s.id === id; })[0] || sections[0];
      sections.forEach(function (s) { s.classList.toggle('current', s === current); });
      tabs.forEach(function (t) { t.classList.toggle('active', !!current && t.getAttribute('href') === '#' + current.id); });
    }
    window.addEventListener('hashchange', select);
    select();
    var only = d.getElementById('deleted-only');
    only.addEventListener('change', function () { d.body.classList.toggle('deleted-only', only.checked); });
    var filter = d.getElementById('filter');
    var timer;
    filter.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = filter.value.trim().toLowerCase();
        d.querySelectorAll('.item, .conversation').forEach(function (el) {
          el.classList.toggle('nomatch', q !== '' && el.textContent.toLowerCase().indexOf(q) < 0);
        });
      }, 200);
    });
  });
})();`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** Only the page's own script runs: an injected <script> or event handler would be blocked even if escaping failed. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

export function pageHead(title: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<title>${text(title)}</title>
<style>${STYLE}</style>
<script>${SCRIPT}</script>
</head><body>
`;
}

export function pageTail(): string {
  return '</body></html>\n';
}
