// The clawctl dashboard: read-only views over /api/snapshot (refreshed by the server's
// reconcile loop) and /api/audit. Every value is put in the page as text, never as HTML.

let snapshot;
let timer;
/** The outcome of the last restart asked for on this page, kept across refreshes. */
let lastAction;

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
};
const table = (head, rows) => el('table', {}, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
const state = (s) => el('span', { class: `state ${s}` }, s);
const view = () => document.getElementById('view');

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

async function refresh() {
  clearTimeout(timer);
  try {
    snapshot = await getJson('/api/snapshot');
    renderHeader();
    route();
  } catch (err) {
    document.getElementById('observed').textContent = err.message;
  }
  timer = setTimeout(refresh, Math.min(5, snapshot?.refreshSeconds ?? 2) * 1000);
}

function renderHeader() {
  document.getElementById('fleet-name').textContent = snapshot.fleet;
  document.getElementById('observed').textContent = `observed ${new Date(snapshot.observedAt).toLocaleString()} · every ${snapshot.refreshSeconds} s`;
  const n = snapshot.policy.violations.length;
  const count = document.getElementById('violation-count');
  count.hidden = n === 0;
  count.textContent = String(n);
  const banner = document.getElementById('banner');
  const problems = [
    ...(snapshot.error ? [...snapshot.error.diagnostics.map((d) => (d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.message}` : d.message)), `Error: ${snapshot.error.message}`] : []),
    ...snapshot.unreachable.map((u) => `${u.error}${u.hint ? ` (hint: ${u.hint})` : ''}`),
  ];
  banner.hidden = problems.length === 0;
  banner.textContent = problems.join('\n');
}

function fleetView() {
  const agents = snapshot.agents;
  const by = (s) => agents.filter((a) => a.status.state === s).length;
  const drifted = agents.filter((a) => a.status.drift > 0).length;
  return [
    el('div', { class: 'cards' },
      ['online', 'degraded', 'offline', 'unknown'].map((s) => el('div', { class: 'card' }, el('b', {}, by(s)), state(s))),
      el('div', { class: 'card' }, el('b', {}, drifted), 'with drift'),
      el('div', { class: 'card' }, el('b', {}, snapshot.policy.violations.length), 'policy violations')),
    el('h2', {}, 'Agents'),
    table(['Agent', 'Host', 'State', 'Version', 'Drift', 'Detail'], agents.map((a) =>
      el('tr', { 'data-agent': a.status.agent },
        el('td', {}, el('a', { href: `#/agent/${encodeURIComponent(a.status.agent)}` }, a.status.agent)),
        el('td', {}, a.status.host),
        el('td', {}, state(a.status.state)),
        el('td', {}, a.status.version.running ?? a.status.version.installed ?? '-', a.status.version.pinned ? el('span', { class: 'muted' }, ` (pinned ${a.status.version.pinned})`) : ''),
        el('td', {}, a.status.drift === 0 ? 'in sync' : `${a.status.drift} change(s)`),
        el('td', {}, a.status.reason)))),
    el('h2', {}, 'Hosts'),
    table(['Host', 'Reachable', 'Labels'], snapshot.hosts.map((h) =>
      el('tr', {}, el('td', {}, h.name), el('td', { class: h.reachable ? 'ok' : 'bad' }, h.reachable ? 'yes' : `no: ${h.error ?? ''}`), el('td', {}, Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(', '))))),
  ];
}

function agentView(name) {
  const a = snapshot.agents.find((x) => x.status.agent === name);
  if (!a) return [el('p', {}, `No agent named ${name} in the fleet.`)];
  const s = a.status;
  return [
    el('h2', {}, `Agent ${s.agent} `, state(s.state)),
    table(['', ''], [
      ['host', `${s.host} (~/${s.stateDir}, port ${s.port})`],
      ['why', s.reason],
      ['version', `pinned ${s.version.pinned ?? '-'}, installed ${s.version.installed ?? '-'}, running ${s.version.running ?? '-'}`],
      ['labels', Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '-'],
      ['.env', a.envNames.join(', ') || '-'],
    ].map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v)))),
    snapshot.actions ? el('p', {}, el('button', { id: 'restart', onclick: () => restart(s.agent) }, 'Restart gateway…')) : '',
    lastAction?.agent === s.agent ? el('p', { id: 'action-result', class: lastAction.ok ? 'ok' : 'bad' }, lastAction.text) : '',
    el('h2', {}, 'Pending changes'),
    a.pendingText ? el('pre', { id: 'pending' }, a.pendingText) : el('p', { id: 'pending' }, 'None: the host matches the fleet.'),
    el('h2', {}, 'Desired openclaw.json'),
    el('pre', {}, JSON.stringify(a.config, null, 2)),
    el('h2', {}, 'Recent audit entries'),
    auditTable({ agent: s.agent }),
  ];
}

// The one imperative action: typed confirmation, then the server's own checks and audit entry.
async function restart(agent) {
  if (window.prompt(`Restart the gateway of ${agent}? Type its name to confirm.`) !== agent) return;
  lastAction = { agent, ok: true, text: 'restarting…' };
  route(true);
  try {
    const res = await fetch(`/api/agents/${encodeURIComponent(agent)}/restart`, { method: 'POST', headers: { 'x-clawctl-confirm': agent } });
    const body = await res.json();
    lastAction = !res.ok ? { agent, ok: false, text: body.error } :
      body.healthy ? { agent, ok: true, text: `Restarted via ${body.service}; ready after ${body.seconds} s.` } : { agent, ok: false, text: `Restarted, but not ready: ${body.detail ?? ''}` };
  } catch (err) {
    lastAction = { agent, ok: false, text: err.message };
  }
  route(true);
}

function auditTable(filter) {
  const holder = el('div', {}, el('p', { class: 'muted' }, 'loading…'));
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
  getJson(`/api/audit?${q}`).then(({ entries, verify }) => {
    holder.replaceChildren(
      el('p', { id: 'verify', class: verify.ok ? 'ok' : 'bad' }, verify.ok ? `Chain verified: ${verify.entries} entries.` : `Chain broken at line ${verify.broken.line}: ${verify.broken.reason}`),
      table(['#', 'Time', 'Actor', 'Action', 'Target', 'Result'], entries.slice().reverse().map((e) =>
        el('tr', {}, el('td', {}, e.seq), el('td', {}, e.time), el('td', {}, e.actor), el('td', {}, e.action), el('td', {}, e.target), el('td', {}, e.result)))));
  }, (err) => holder.replaceChildren(el('p', { class: 'bad' }, err.message)));
  return holder;
}

function auditView(params) {
  const filter = { action: params.get('action') ?? '', agent: params.get('agent') ?? '', actor: params.get('actor') ?? '', since: params.get('since') ?? '' };
  const input = (name, placeholder) => el('input', { name, placeholder, value: filter[name] });
  const form = el('form', { class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    location.hash = `#/audit?${q}`;
  } }, input('action', 'action (e.g. apply, secret)'), input('agent', 'agent'), input('actor', 'actor'), input('since', 'since (2026-11-01)'), el('button', { type: 'submit' }, 'Filter'));
  return [el('h2', {}, 'Audit log'), form, auditTable(filter)];
}

function policyView() {
  const { violations, optOuts, approved } = snapshot.policy;
  return [
    el('h2', {}, `Policy violations (${violations.length})`),
    violations.length === 0 ? el('p', { class: 'ok' }, 'None: every policy holds.') :
      table(['Policy/rule', 'Object', 'Where', 'Message', 'Kind'], violations.map((v) =>
        el('tr', { class: 'violation' }, el('td', {}, `${v.policy}/${v.rule}`), el('td', {}, `${v.object.kind.toLowerCase()} ${v.object.name}`), el('td', {}, `${v.file}:${v.line}:${v.col}`), el('td', {}, v.message), el('td', {}, v.severity === 'approval' ? 'needs approval' : 'denied')))),
    el('h2', {}, 'Baseline rules turned off'),
    optOuts.length === 0 ? el('p', {}, 'None.') : table(['Policy', 'Rule', 'Why', 'Agents'], optOuts.map((o) => el('tr', {}, el('td', {}, `${o.policy} (${o.file}:${o.line})`), el('td', {}, o.rule), el('td', {}, o.reason), el('td', {}, o.agents.join(', '))))),
    approved.length ? el('p', {}, `${approved.length} action(s) approved in this plan.`) : '',
  ];
}

function route(force = false) {
  if (!snapshot) return;
  const [path, query] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query ?? '');
  const agent = /^\/agent\/(.+)$/.exec(path ?? '');
  const name = agent ? 'fleet' : path === '/audit' ? 'audit' : path === '/policy' ? 'policy' : 'fleet';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  // The audit view is not redrawn by the refresh timer, so a filter being typed survives.
  if (!force && name === 'audit' && view().dataset.route === location.hash) return;
  view().dataset.route = location.hash;
  view().replaceChildren(...(agent ? agentView(decodeURIComponent(agent[1])) : name === 'audit' ? auditView(params) : name === 'policy' ? policyView() : fleetView()));
}

window.addEventListener('hashchange', () => {
  view().dataset.route = '';
  route();
});
refresh();
