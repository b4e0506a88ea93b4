// The portal's only script: fetch JSON, follow server-sent events, render small tables.
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));

async function api(method, path, body) {
  const res = await fetch(path, {method, headers: {'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
  return data;
}

function showError(e) { $('error').textContent = e ? e.message : ''; }

function appendLine(pre, text) {
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.appendChild(document.createTextNode(text + '\n'));
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

const STAGES = ['queued', 'uploading', 'building', 'migrating', 'verifying', 'switching', 'draining', 'done'];

function renderTimeline(ol, reached, current, timings) {
  const last = ['done', 'failed', 'cancelled'].includes(current) ? current : null;
  const shown = STAGES.filter((s) => s !== 'done' || !last || last === 'done');
  if (last && last !== 'done') shown.push(last);
  ol.innerHTML = shown.map((s) => {
    const cls = s === current ? (last ? last : 'current') : (reached.has(s) ? 'done' : '');
    const t = timings[s] !== undefined ? ' ' + timings[s] : '';
    return `<li class="${cls}" data-stage="${s}">${s}${esc(t)}</li>`;
  }).join('');
}
