// The clawctl dashboard: read-only views over /api/snapshot (refreshed by the server's
// reconcile loop) and /api/audit; an agent's page adds its health chart, log stream and secret
// access. Every value is put in the page as text, never as HTML.

let snapshot;
let timer;
/** The outcome of the last restart or sync asked for on this page, kept across refreshes. */
let lastAction;
/** The CSRF token actions carry: readable only by this page's own origin. */
let session;
/** The open agent's panels, kept across refreshes so its log stream runs on. */
let panels;
const SVG = 'http://www.w3.org/2000/svg';

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
/** Dollars as the CLI shows them: cents, or a tenth of a cent below one cent. */
const usd = (n) => (n > 0 && n < 0.01 ? `$${n.toFixed(3)}` : `$${n.toFixed(2)}`);
/** Today / this month, from OpenClaw's own usage cost; `unknown` (why on hover) or `-` when not read. */
const costText = (c) => (!c ? '-' : c.state === 'unknown' ? 'unknown' : `${usd(c.todayUsd)} / ${usd(c.monthUsd)}${c.partial ? ' (partial)' : ''}`);
const overBudget = (s) => (s.budgets ?? []).some((b) => b.over);
const standing = (b) => `${b.period} budget ${usd(b.limitUsd)}: ${b.spentUsd === null ? 'spend unknown' : `spent ${usd(b.spentUsd)}`}${b.over ? ' (over)' : ''}`;

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

async function refresh() {
  clearTimeout(timer);
  try {
    session ??= await getJson('/api/session');
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
  const spent = agents.reduce((n, a) => n + (a.status.cost?.state === 'known' ? a.status.cost.monthUsd : 0), 0);
  return [
    el('div', { class: 'cards' },
      ['online', 'degraded', 'offline', 'unknown'].map((s) => el('div', { class: 'card' }, el('b', {}, by(s)), state(s))),
      el('div', { class: 'card' }, el('b', {}, drifted), 'with drift'),
      el('div', { class: 'card' }, el('b', {}, snapshot.policy.violations.length), 'policy violations'),
      el('div', { class: 'card', id: 'fleet-cost' }, el('b', {}, usd(spent)), 'spent this month'),
      el('div', { class: 'card' }, el('b', {}, agents.filter((a) => overBudget(a.status)).length), 'over budget')),
    el('h2', {}, 'Agents'),
    table(['Agent', 'Host', 'State', 'Version', 'Drift', 'Cost today / month', 'Detail'], agents.map((a) =>
      el('tr', { 'data-agent': a.status.agent },
        el('td', {}, el('a', { href: `#/agent/${encodeURIComponent(a.status.agent)}` }, a.status.agent)),
        el('td', {}, a.status.host),
        el('td', {}, state(a.status.state)),
        el('td', {}, a.status.version.running ?? a.status.version.installed ?? '-', a.status.version.pinned ? el('span', { class: 'muted' }, ` (pinned ${a.status.version.pinned})`) : ''),
        el('td', {}, a.status.drift === 0 ? 'in sync' : `${a.status.drift} change(s)`),
        el('td', { class: `cost ${overBudget(a.status) ? 'bad' : ''}`, title: a.status.cost?.state === 'unknown' ? a.status.cost.reason : '' }, costText(a.status.cost), overBudget(a.status) ? ' over budget' : ''),
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
  const p = agentPanels(name);
  return [
    el('h2', {}, `Agent ${s.agent} `, state(s.state)),
    table(['', ''], [
      ['host', `${s.host} (~/${s.stateDir}, port ${s.port})`],
      ['why', s.reason],
      ['version', `pinned ${s.version.pinned ?? '-'}, installed ${s.version.installed ?? '-'}, running ${s.version.running ?? '-'}`],
      ['response', s.responseMs === undefined ? '-' : `/readyz in ${s.responseMs} ms`],
      ['labels', Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '-'],
      ['.env', a.envNames.join(', ') || '-'],
    ].map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v)))),
    snapshot.actions ? el('p', {},
      el('button', { id: 'restart', onclick: () => act('restart', s.agent) }, 'Restart gateway…'), ' ',
      el('button', { id: 'sync', onclick: () => act('sync', s.agent) }, a.pending ? 'Sync (apply its changes)…' : 'Sync…')) : '',
    lastAction?.agent === s.agent ? el('p', { id: 'action-result', class: lastAction.ok ? 'ok' : 'bad' }, lastAction.text) : '',
    el('h2', {}, 'Cost and budget'),
    costPanel(s),
    el('h2', {}, 'Health, last 24 hours'),
    p.history,
    el('h2', {}, 'Pending changes'),
    a.pendingText ? el('pre', { id: 'pending' }, a.pendingText) : el('p', { id: 'pending' }, 'None: the host matches the fleet.'),
    el('h2', {}, 'Recent logs ', el('span', { class: 'muted' }, '(redacted, following)')),
    p.logs,
    el('h2', {}, 'Secret access'),
    el('p', { class: 'muted' }, a.secretRefs.length ? `Its .env refers to ${a.secretRefs.join(', ')}. Where and why each was read or written; never a value.` : 'Its .env refers to no secret.'),
    p.secrets,
    el('h2', {}, 'Desired openclaw.json'),
    el('pre', {}, JSON.stringify(a.config, null, 2)),
    el('h2', {}, 'Recent audit entries'),
    auditTable({ agent: s.agent }),
  ];
}

/** What the agent spent (OpenClaw's own usage cost) and each budget that applies to it. */
function costPanel(s) {
  const c = s.cost;
  const spend = !c ? 'Not read in this observation.' : c.state === 'unknown' ? `Unknown: ${c.reason}` :
    `${usd(c.todayUsd)} today (${c.day}), ${usd(c.monthUsd)} this month (${c.month}), from OpenClaw's usage cost${c.partial ? '; OpenClaw was still counting, so this may be low' : ''}${c.unpricedEntries ? `; ${c.unpricedEntries} entries have no price in its model cost table` : ''}.`;
  return el('div', { id: 'cost' },
    el('p', { id: 'spend', class: c?.state === 'unknown' ? 'bad' : '' }, spend),
    (s.budgets ?? []).length === 0 ? el('p', { class: 'muted' }, 'No Policy sets it a budget.') :
      table(['Policy/rule', 'Budget', 'Standing'], s.budgets.map((b) =>
        el('tr', { class: `budget ${b.over ? 'bad' : 'ok'}` }, el('td', {}, `${b.policy}/${b.rule}`), el('td', {}, `${b.period} ${usd(b.limitUsd)}`), el('td', {}, standing(b), b.over && b.blocksTierRaise ? '; model tier raises are refused' : '')))));
}

/**
 * The open agent's panels: made once per agent (its log stream starts then), reloaded in
 * place when a new observation arrives, and the stream stopped when the page leaves it.
 */
function agentPanels(name) {
  if (panels?.agent !== name) {
    closePanels();
    panels = { agent: name, history: el('div', { id: 'health' }, el('p', { class: 'muted' }, 'loading…')), logs: el('pre', { id: 'logs' }), secrets: el('div', { id: 'secret-access' }, el('p', { class: 'muted' }, 'loading…')), stream: new AbortController() };
    followLogs(name, panels.logs, panels.stream.signal);
  }
  if (panels.observedAt !== snapshot.observedAt) {
    panels.observedAt = snapshot.observedAt;
    loadHistory(name, panels.history);
    loadSecretAccess(name, panels.secrets);
  }
  return panels;
}

function closePanels() {
  panels?.stream.abort();
  panels = undefined;
}

function loadHistory(agent, holder) {
  getJson(`/api/agents/${encodeURIComponent(agent)}/history?window=24h`).then((h) => {
    const pct = (x) => `${Math.round(x * 1000) / 10}%`;
    holder.replaceChildren(
      healthChart(h),
      el('p', { id: 'uptime' }, h.samples === 0 ? 'No cycle has observed it in the last 24 hours.' : `Online in ${pct(h.uptime)} of ${h.samples} observations.`,
        h.responseMs ? ` Its gateway answered /readyz in ${h.responseMs.median} ms (median; slowest ${h.responseMs.max} ms).` : ''),
      h.transitions.length ? table(['When', 'From', 'To', 'Why'], h.transitions.slice().reverse().map((t) => el('tr', {}, el('td', {}, new Date(t.at).toLocaleString()), el('td', {}, state(t.from)), el('td', {}, state(t.to)), el('td', {}, t.reason)))) : '');
  }, (err) => holder.replaceChildren(el('p', { class: 'bad' }, err.message)));
}

/** A bar per time slice, split by the share of observations in each state; an empty slice is a gap. */
function healthChart(h) {
  const width = 480;
  const height = 48;
  const w = width / h.buckets.length;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('id', 'health-chart');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `health of ${h.agent} from ${h.since} to ${h.until}`);
  h.buckets.forEach((b, i) => {
    const total = b.online + b.degraded + b.offline + b.unknown;
    const g = document.createElementNS(SVG, 'g');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${new Date(b.start).toLocaleTimeString()}–${new Date(b.end).toLocaleTimeString()}: ${total === 0 ? 'not observed' : ['online', 'degraded', 'offline', 'unknown'].filter((s) => b[s]).map((s) => `${b[s]} ${s}`).join(', ')}${b.slowestMs !== undefined ? `; slowest answer ${b.slowestMs} ms` : ''}`;
    g.append(title);
    let y = height;
    for (const s of total === 0 ? [] : ['online', 'degraded', 'offline', 'unknown']) {
      if (!b[s]) continue;
      const hgt = (b[s] / total) * height;
      y -= hgt;
      const r = document.createElementNS(SVG, 'rect');
      for (const [k, v] of Object.entries({ x: i * w + 0.5, y, width: Math.max(1, w - 1), height: hgt, class: `bar ${s}` })) r.setAttribute(k, String(v));
      g.append(r);
    }
    svg.append(g);
  });
  return svg;
}

/** The log as the server streams it (one JSON object a line), appended as it comes; the last 500 lines kept. */
async function followLogs(agent, pre, signal) {
  pre.textContent = '';
  const show = (text, cls) => {
    const line = el('span', { class: `log ${cls ?? ''}` }, `${text}\n`);
    pre.append(line);
    while (pre.childNodes.length > 500) pre.firstChild.remove();
    pre.scrollTop = pre.scrollHeight;
  };
  try {
    const res = await fetch(`/api/agents/${encodeURIComponent(agent)}/logs?lines=50`, { headers: { 'x-clawctl-stream': 'logs' }, signal });
    if (!res.ok) return show((await res.json()).error, 'bad');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parts = (rest + value).split('\n');
      rest = parts.pop();
      for (const p of parts.filter(Boolean)) {
        const m = JSON.parse(p);
        if (m.error) show(m.error, 'bad');
        else show(`${m.line.time ? `[${m.line.time}] ` : ''}${m.line.level ? `${m.line.level.toUpperCase()} ` : ''}${m.line.text}`, m.line.level);
      }
    }
  } catch (err) {
    if (!signal.aborted) show(err.message, 'bad');
  }
}

function loadSecretAccess(agent, holder) {
  getJson(`/api/agents/${encodeURIComponent(agent)}/secret-access`).then(({ entries }) => {
    holder.replaceChildren(entries.length === 0 ? el('p', {}, 'No access recorded.') :
      table(['#', 'Time', 'Actor', 'Action', 'Location', 'Purpose', 'Result'], entries.map((e) =>
        el('tr', { class: 'secret-access' }, el('td', {}, e.seq), el('td', {}, e.time), el('td', {}, e.actor), el('td', {}, e.action), el('td', {}, e.location), el('td', {}, e.purpose), el('td', {}, e.result)))));
  }, (err) => holder.replaceChildren(el('p', { class: 'bad' }, err.message)));
}

const ACTIONS = {
  restart: { ask: (a) => `Restart the gateway of ${a}? Type its name to confirm.`, busy: 'restarting…' },
  sync: { ask: (a) => `Apply the fleet's changes to ${a} now (under the lock, health-gated, audited)? Type its name to confirm.`, busy: 'syncing…' },
};

// The imperative actions: typed confirmation, then the server's own checks, its audit entry,
// and a fresh observation, so the outcome and the agent's new state show at once.
async function act(kind, agent) {
  if (window.prompt(ACTIONS[kind].ask(agent)) !== agent) return;
  lastAction = { agent, ok: true, text: ACTIONS[kind].busy };
  route(true);
  try {
    const res = await fetch(`/api/agents/${encodeURIComponent(agent)}/${kind}`, { method: 'POST', headers: { 'x-clawctl-confirm': agent, 'x-clawctl-csrf': session?.csrf ?? '' } });
    const body = await res.json();
    lastAction = { agent, ...(!res.ok ? { ok: false, text: body.error } : kind === 'restart' ? restarted(body) : synced(body)) };
  } catch (err) {
    lastAction = { agent, ok: false, text: err.message };
  }
  await refresh();
}

function restarted(body) {
  return body.healthy ? { ok: true, text: `Restarted via ${body.service}; ready after ${body.seconds} s.` } : { ok: false, text: `Restarted, but not ready: ${body.detail ?? ''}` };
}

function synced(body) {
  if (body.status === 'nothing-to-do') return { ok: true, text: 'Already in sync: nothing to apply.' };
  // As `clawctl apply` lists them: the files written, then restart and health.
  const done = body.applied?.done.length ? body.applied.done.join(', ') : 'its host only';
  if (body.status === 'applied') return { ok: true, text: `Synced: ${done}.` };
  const why = body.applied?.error ?? body.hosts.find((h) => !h.ok)?.error ?? body.status;
  return { ok: false, text: `Sync failed${body.applied?.rolledBack ? ' and was rolled back' : ''}: ${why}` };
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
  if (!agent) closePanels();
  view().replaceChildren(...(agent ? agentView(decodeURIComponent(agent[1])) : name === 'audit' ? auditView(params) : name === 'policy' ? policyView() : fleetView()));
}

window.addEventListener('hashchange', () => {
  view().dataset.route = '';
  route();
});
refresh();
