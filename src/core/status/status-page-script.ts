/**
 * The status page's browser script, as text: it is inlined into the page (no build step, no
 * CDN, apps run offline) and allowed by a CSP hash rather than 'unsafe-inline'. It reads
 * `<base>/view` for the grid, listens to `<base>/stream` (SSE) for the timeline, and re-reads
 * the view when an event arrives. Every value reaches the DOM through `textContent`, never
 * as markup, so nothing a server or an event carries can inject script.
 */
export const STATUS_PAGE_SCRIPT = String.raw`
'use strict';
(() => {
  const base = location.pathname.replace(/\/page\/?$/, '');
  const $ = (id) => document.getElementById(id);
  const refreshMs = Number(document.body.dataset.refreshMs) || 2000;
  const maxEntries = 200;
  const el = (tag, attrs, ...children) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') n.className = v; else if (k.startsWith('data-')) n.setAttribute(k, String(v)); else n[k] = v;
    }
    for (const c of children) if (c !== undefined && c !== null) n.append(c instanceof Node ? c : String(c));
    return n;
  };
  const age = (ms) => ms === undefined ? '—' : ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
  const clock = (t) => t === undefined ? '—' : new Date(t).toLocaleTimeString([], { hour12: false }) + '.' + String(t % 1000).padStart(3, '0');
  const BREAKER = { closed: ['closed', 'ok'], open: ['OPEN', 'bad'], 'half-open': ['half-open (probing)', 'warn'] };
  const STATUS = { up: ['up', 'ok'], degraded: ['degraded', 'warn'], down: ['DOWN', 'bad'], ok: ['ok', 'ok'], error: ['error', 'bad'], shutting_down: ['shutting down', 'warn'] };
  const badge = (table, key) => { const [text, tone] = table[key] || [key, 'warn']; return el('span', { class: 'badge ' + tone, 'data-state': key }, text); };
  let view;
  let pending;
  // Set when the stream (re)connects: events sent while it was down are in the view's timeline.
  let resync = true;

  function control(client, node, action) {
    fetch(base + '/breakers/' + encodeURIComponent(client) + '/' + encodeURIComponent(node.target) + '/' + action, { method: 'POST', credentials: 'same-origin' })
      .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); note(action === 'open' ? 'breaker of ' + node.label + ' forced open' : 'breaker of ' + node.label + ' released'); })
      .catch((e) => note('control refused: ' + e.message))
      .finally(refresh);
  }
  function note(text) { $('notice').textContent = text; }

  function nodeRow(client, n) {
    const cells = [
      el('th', { scope: 'row' }, n.label),
      el('td', {}, n.role),
    ];
    if (view.verbose) cells.push(el('td', { class: 'mono' }, n.address || '—'));
    cells.push(el('td', {}, n.connected ? 'connected' : 'DISCONNECTED'));
    cells.push(el('td', { class: 'breaker' }, badge(BREAKER, n.breaker)));
    cells.push(el('td', { class: 'num' }, n.failureRate + ' %'));
    cells.push(el('td', { class: 'num' }, String(n.queueDepth)));
    if (view.control) {
      const open = el('button', { type: 'button', disabled: n.breaker === 'open' }, 'Force open');
      open.addEventListener('click', () => control(client.name, n, 'open'));
      const close = el('button', { type: 'button' }, 'Release');
      close.addEventListener('click', () => control(client.name, n, 'close'));
      cells.push(el('td', {}, open, ' ', close));
    }
    return el('tr', { 'data-label': n.label, 'data-role': n.role, 'data-address': n.address, 'data-breaker': n.breaker }, ...cells);
  }

  function clientSection(c) {
    const heads = ['Shard / endpoint', 'Role'];
    if (view.verbose) heads.push('Address');
    heads.push('Connection', 'Breaker', 'Failure rate', 'Queue');
    if (view.control) heads.push('Control');
    const nodes = el('table', {},
      el('caption', {}, 'Nodes of ' + c.name),
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...c.nodes.map((n) => nodeRow(c, n))));
    const facts = el('dl', { class: 'facts' },
      el('dt', {}, 'Status'), el('dd', {}, badge(STATUS, c.status), ' ', c.clientStatus + (c.required ? '' : ', optional')),
      el('dt', {}, 'Mode'), el('dd', {}, c.mode),
      el('dt', {}, 'Topology age'), el('dd', {}, age(c.topologyAgeMs)),
      el('dt', {}, 'In flight'), el('dd', {}, String(c.inFlight)));
    const section = el('section', { class: 'client', 'data-client': c.name, 'aria-labelledby': 'client-' + c.name },
      el('h2', { id: 'client-' + c.name }, c.name), facts);
    if (c.reasons.length) section.append(el('ul', { class: 'reasons' }, ...c.reasons.map((r) => el('li', {}, r))));
    section.append(nodes);
    if (c.dns.length) {
      const dnsHeads = view.verbose ? ['Name', 'Address'] : [];
      dnsHeads.push('Addresses', 'TTL', 'Last change', 'Last resolved', 'Last error');
      section.append(el('table', { class: 'dns' },
        el('caption', {}, 'DNS view of ' + c.name),
        el('thead', {}, el('tr', {}, ...dnsHeads.map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...c.dns.map((d) => el('tr', {},
          ...(view.verbose ? [el('td', { class: 'mono' }, d.name || '—'), el('td', { class: 'mono' }, d.address || '—')] : []),
          el('td', { class: 'num' }, String(d.addressCount)),
          el('td', { class: 'num' }, d.ttlSeconds === undefined ? '—' : d.ttlSeconds + ' s'),
          el('td', {}, clock(d.lastChangeAt)),
          el('td', {}, clock(d.lastResolvedAt)),
          el('td', {}, d.lastError || '—'))))));
    }
    return section;
  }

  function entry(e) {
    return el('li', { class: 'entry ' + e.severity, 'data-type': e.type },
      el('time', { dateTime: new Date(e.at).toISOString() }, clock(e.at)), ' ',
      el('span', { class: 'client-name' }, e.client), ' ',
      el('code', {}, e.type), ' ', e.text);
  }

  function render() {
    $('overall').replaceChildren(badge(STATUS, view.status));
    $('updated').textContent = clock(view.generatedAt);
    $('clients').replaceChildren(...view.clients.map(clientSection));
  }

  function refresh() {
    clearTimeout(pending);
    return fetch(base + '/view', { credentials: 'same-origin', cache: 'no-store' })
      .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then((v) => { view = v; render(); if (resync) $('timeline').replaceChildren(...v.timeline.map(entry).reverse()); resync = false; })
      .catch((e) => note('cannot read the status: ' + e.message))
      .finally(() => { pending = setTimeout(refresh, refreshMs); });
  }

  function listen() {
    const source = new EventSource(base + '/stream', { withCredentials: true });
    source.addEventListener('open', () => { $('live').textContent = 'live'; resync = true; refresh(); });
    source.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; });
    source.addEventListener('end', () => { source.close(); $('live').textContent = 'stream ended (the app is shutting down)'; });
    source.addEventListener('timeline', (m) => {
      const list = $('timeline');
      list.prepend(entry(JSON.parse(m.data)));
      while (list.children.length > maxEntries) list.lastElementChild.remove();
      clearTimeout(pending);
      pending = setTimeout(refresh, 100);
    });
  }

  refresh().then(listen);
})();
`;
