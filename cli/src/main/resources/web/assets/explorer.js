// Killswitch chain explorer: plain JavaScript, no build step, no third-party code.
// Reads the HTTP API of the server it is served from, with the user's bearer token (kept in sessionStorage):
//   GET /v1/whoami, GET /v1/chains?node=, GET /v1/identities/{ref}, POST /v1/revocations, GET /v1/revocations/{id}.
// Everything from the API is put into the page as text (textContent, SVG attributes), never as markup.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const TOKEN_KEY = 'killswitch.token';
  const POLL_MS = 3000;
  const NODE_W = 240, NODE_H = 62, COL_GAP = 150, ROW_GAP = 26, PAD = 24, TOP = 40;
  const STATES = ['none', 'requested', 'pending', 'dry-run', 'revoked', 'already-revoked', 'skipped', 'failed', 'lifted'];
  const SETTLED = ['done', 'failed', 'rejected', 'pending-approval'];

  const $ = (id) => document.getElementById(id);
  const view = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    roles: [],
    ref: '',
    chains: [],
    chainIndex: 0,
    selected: null,        // {type: 'node'|'edge', key}
    lastAnswer: '',
    timer: null,
    dryRunTarget: null,
  };

  // ---- API -------------------------------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (view.token) headers['Authorization'] = 'Bearer ' + view.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store' });
    } catch (e) {
      return { status: 0, json: { error: 'unreachable', message: 'Killswitch did not answer: ' + e.message } };
    }
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return { status: response.status, json };
  }

  function problem(answer) {
    if (answer.status === 401) return 'The token was not accepted (401). Enter the API token above.';
    if (answer.status === 403) return 'This token lacks the role for that (403).';
    const j = answer.json || {};
    return (j.message || j.error || ('HTTP ' + answer.status));
  }

  // ---- token -----------------------------------------------------------------------------------------------

  async function useToken(token) {
    view.token = token.trim();
    if (view.token) sessionStorage.setItem(TOKEN_KEY, view.token); else sessionStorage.removeItem(TOKEN_KEY);
    view.roles = [];
    if (!view.token) { $('whoami').textContent = 'no token'; updateRevokeBox(); return; }
    const a = await api('GET', '/v1/whoami');
    if (a.status === 200) {
      view.roles = a.json.roles || [];
      $('whoami').textContent = 'roles: ' + view.roles.join(', ');
    } else {
      $('whoami').textContent = a.status === 401 ? 'token not accepted' : problem(a);
    }
    updateRevokeBox();
    if (view.ref) search(view.ref, true);
  }

  // ---- search and live updates -------------------------------------------------------------------------------

  async function search(ref, keepSelection) {
    view.ref = ref.trim();
    if (!view.ref) return;
    if (location.hash !== '#ref=' + encodeURIComponent(view.ref)) {
      history.replaceState(null, '', '#ref=' + encodeURIComponent(view.ref));
    }
    if (!keepSelection) { view.selected = null; view.chainIndex = 0; hideDetails(); }
    await refresh();
    schedule();
  }

  async function refresh() {
    if (!view.ref) return;
    if (!view.token) { showMessage('Enter the API token (top right) to search.', false); return; }
    const a = await api('GET', '/v1/chains?node=' + encodeURIComponent(view.ref));
    if (a.status !== 200) {
      showMessage(problem(a), true);
      view.chains = []; view.lastAnswer = '';
      renderChains();
      return;
    }
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    const text = JSON.stringify(a.json);
    if (text === view.lastAnswer) return;
    view.lastAnswer = text;
    view.chains = a.json.chains || [];
    if (view.chains.length === 0) {
      showMessage('No chain contains ' + view.ref + ' (yet). Live updates keep looking.', false);
    } else {
      hideMessage();
    }
    if (view.chainIndex >= view.chains.length) view.chainIndex = 0;
    renderChains();
  }

  function schedule() {
    clearTimeout(view.timer);
    view.timer = setTimeout(async () => {
      if ($('live').checked && view.ref && !document.hidden) await refresh();
      schedule();
    }, POLL_MS);
  }

  function showMessage(text, error) {
    const m = $('message');
    m.textContent = text;
    m.className = error ? 'error' : '';
    m.hidden = false;
  }

  function hideMessage() { $('message').hidden = true; }

  // ---- rendering -----------------------------------------------------------------------------------------------

  function renderChains() {
    const nav = $('chains');
    nav.replaceChildren();
    if (view.chains.length > 1) {
      view.chains.forEach((c, i) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = c.root + ' · ' + c.status;
        b.setAttribute('aria-pressed', String(i === view.chainIndex));
        b.addEventListener('click', () => { view.chainIndex = i; view.selected = null; hideDetails(); renderChains(); });
        nav.appendChild(b);
      });
    }
    const chain = view.chains[view.chainIndex];
    $('chain').hidden = !chain;
    if (!chain) return;
    $('chain-root').textContent = chain.root;
    $('chain-id').textContent = chain.chainId;
    const status = $('chain-status');
    status.textContent = chain.status;
    status.className = 'pill state-' + (chain.status === 'revoked' ? 'revoked' : chain.status === 'completed' ? 'dry-run' : 'none');
    renderGraph(chain);
    if (view.selected) reselect(chain);
  }

  function stateOf(revocation) {
    return STATES.includes(revocation) ? revocation : 'none';
  }

  function category(kind, ref) {
    const k = kind || '';
    if (k.startsWith('github-') || k.startsWith('gitlab-') || k.startsWith('cdevents') || ref.startsWith('ci:')) return 0;
    if (k === 'oidc-subject' || k === 'k8s-user' || ref.startsWith('oidc:')) return 1;
    if (k.startsWith('k8s-') || ref.startsWith('k8s:')) return 2;
    return 3;
  }

  function columnTitle(nodes) {
    const names = new Set(nodes.map((n) => {
      if (n.ref.startsWith('ci:')) return 'CI';
      if (n.ref.startsWith('oidc:')) return 'federation';
      if (n.ref.startsWith('k8s:')) return 'cluster ' + n.ref.split(':')[1];
      if (n.ref.startsWith('aws:')) return 'AWS';
      if (n.ref.startsWith('gcp:')) return 'GCP';
      return 'other';
    }));
    return Array.from(names).join(' / ');
  }

  /** Layered layout, left to right: a node's column is its longest distance from the root. */
  function layout(chain) {
    const nodes = chain.nodes.map((n) => Object.assign({}, n));
    const byRef = new Map(nodes.map((n) => [n.ref, n]));
    const edges = (chain.edges || []).filter((e) => e.from !== e.to);
    for (const e of edges) {
      for (const r of [e.from, e.to]) {
        if (!byRef.has(r)) { const n = { ref: r, kind: '', revocation: 'none' }; nodes.push(n); byRef.set(r, n); }
      }
    }
    const depth = new Map();
    const relax = () => {
      for (let i = 0; i < nodes.length; i++) {
        let changed = false;
        for (const e of edges) {
          const d = depth.get(e.from);
          if (d === undefined) continue;
          const next = d + 1;
          if (next < nodes.length && (depth.get(e.to) === undefined || depth.get(e.to) < next)) { depth.set(e.to, next); changed = true; }
        }
        if (!changed) break;
      }
    };
    if (byRef.has(chain.root)) depth.set(chain.root, 0);
    relax();
    for (const n of nodes) if (!depth.has(n.ref)) depth.set(n.ref, category(n.kind, n.ref));
    relax();
    const columns = [];
    for (const n of nodes) {
      n.col = depth.get(n.ref);
      (columns[n.col] = columns[n.col] || []).push(n);
    }
    const row = new Map();
    columns.forEach((col) => {
      if (!col) return;
      col.forEach((n) => {
        const preds = edges.filter((e) => e.to === n.ref && row.has(e.from)).map((e) => row.get(e.from));
        n.bary = preds.length ? preds.reduce((a, b) => a + b, 0) / preds.length : Number.MAX_SAFE_INTEGER;
      });
      col.sort((a, b) => (a.bary - b.bary) || (a.ref === chain.root ? -1 : b.ref === chain.root ? 1 : a.ref.localeCompare(b.ref)));
      col.forEach((n, i) => { n.row = i; row.set(n.ref, i); });
    });
    for (const n of nodes) {
      n.x = PAD + n.col * (NODE_W + COL_GAP);
      n.y = TOP + n.row * (NODE_H + ROW_GAP);
    }
    return { nodes, edges, byRef, columns };
  }

  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function shorten(s, max) {
    if (s.length <= max) return s;
    const half = Math.floor((max - 1) / 2);
    return s.slice(0, half) + '…' + s.slice(s.length - half);
  }

  function displayName(ref) {
    const i = ref.indexOf(':', ref.startsWith('gcp:wif/') ? 0 : ref.indexOf(':') + 1);
    return shorten(ref.startsWith('ci:') || ref.startsWith('k8s:') || ref.startsWith('aws:') || ref.startsWith('gcp:')
      ? ref.slice(i + 1) : ref, 29);
  }

  function edgeKey(e) { return e.from + ' ' + e.kind + ' ' + e.to; }

  function renderGraph(chain) {
    const g = layout(chain);
    const svg = $('graph');
    svg.replaceChildren();
    const cols = g.columns.length;
    const rows = Math.max(1, ...g.columns.map((c) => (c ? c.length : 0)));
    const width = PAD * 2 + cols * NODE_W + (cols - 1) * COL_GAP;
    const height = TOP + rows * (NODE_H + ROW_GAP) + PAD;
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    // Scale down to fit, but not below 3/4 of the natural size: beyond that the canvas scrolls.
    svg.style.minWidth = Math.round(width * 0.75) + 'px';

    const defs = el('defs');
    const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: 'auto-start-reverse' });
    marker.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#7d879c' }));
    defs.appendChild(marker);
    svg.appendChild(defs);

    g.columns.forEach((col, i) => {
      if (!col) return;
      const x = PAD + i * (NODE_W + COL_GAP);
      svg.appendChild(el('rect', { class: 'band', x: x - 10, y: TOP - 30, width: NODE_W + 20, height: height - TOP + 20, rx: 8 }));
      svg.appendChild(el('text', { class: 'column-title', x: x, y: TOP - 12 }, columnTitle(col)));
    });

    const pairs = new Map();
    for (const e of g.edges) {
      const k = [e.from, e.to].sort().join(' ');
      (pairs.get(k) || pairs.set(k, []).get(k)).push(e);
    }
    const edgeLayer = el('g', { class: 'edges' });
    const labelLayer = el('g', { class: 'edge-labels' });
    for (const e of g.edges) {
      const a = g.byRef.get(e.from), b = g.byRef.get(e.to);
      const siblings = pairs.get([e.from, e.to].sort().join(' '));
      const off = (siblings.indexOf(e) - (siblings.length - 1) / 2) * 30;
      let x1, y1, x2, y2, c1x, c1y, c2x, c2y;
      if (b.col > a.col) {
        x1 = a.x + NODE_W; y1 = a.y + NODE_H / 2; x2 = b.x; y2 = b.y + NODE_H / 2;
        const dx = (x2 - x1) / 2;
        c1x = x1 + dx; c1y = y1 + off; c2x = x2 - dx; c2y = y2 + off;
      } else {
        // same column or backwards: an arc out of the right side
        x1 = a.x + NODE_W; y1 = a.y + NODE_H / 2 + off / 3; x2 = b.x + NODE_W; y2 = b.y + NODE_H / 2 - off / 3;
        c1x = x1 + 70 + Math.abs(off); c1y = y1; c2x = x2 + 70 + Math.abs(off); c2y = y2;
      }
      const classes = ['edge', e.kind === 'used' ? 'used' : '', e.confidence < 1 ? 'weak' : ''].filter(Boolean).join(' ');
      const group = el('g', { class: classes, 'data-kind': e.kind, 'data-from': e.from, 'data-to': e.to, tabindex: 0 });
      group.appendChild(el('title', {}, e.kind + ' (confidence ' + e.confidence + ')'));
      group.appendChild(el('path', { d: `M${x1},${y1} C${c1x},${c1y} ${c2x},${c2y} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }));
      // Wide invisible twin for easier clicking.
      group.appendChild(el('path', { d: `M${x1},${y1} C${c1x},${c1y} ${c2x},${c2y} ${x2},${y2}`, stroke: 'transparent', 'stroke-width': 14 }));
      edgeLayer.appendChild(group);
      const t = 0.5, mt = 1 - t;
      const lx = mt * mt * mt * x1 + 3 * mt * mt * t * c1x + 3 * mt * t * t * c2x + t * t * t * x2;
      const ly = mt * mt * mt * y1 + 3 * mt * mt * t * c1y + 3 * mt * t * t * c2y + t * t * t * y2;
      const label = e.kind + (e.confidence < 1 ? ' ' + Math.round(e.confidence * 100) + '%' : '')
        + (e.kind === 'used' && e.count > 1 ? ' ×' + e.count : '');
      const lw = label.length * 6.3 + 10;
      const lg = el('g', { class: classes, 'data-kind': e.kind, 'data-from': e.from, 'data-to': e.to });
      lg.appendChild(el('rect', { x: lx - lw / 2, y: ly - 9, width: lw, height: 18, rx: 4 }));
      lg.appendChild(el('text', { x: lx, y: ly + 4, 'text-anchor': 'middle' }, label));
      labelLayer.appendChild(lg);
      for (const target of [group, lg]) {
        target.addEventListener('click', () => select({ type: 'edge', key: edgeKey(e) }));
      }
    }
    svg.appendChild(edgeLayer);
    svg.appendChild(labelLayer);

    for (const n of g.nodes) {
      const state = stateOf(n.revocation);
      const group = el('g', { class: 'node ' + state, 'data-ref': n.ref, 'data-state': n.revocation || 'none',
        transform: `translate(${n.x},${n.y})`, tabindex: 0, role: 'button' });
      group.appendChild(el('title', {}, n.ref + '\nrevocation: ' + (n.revocation || 'none')));
      group.appendChild(el('rect', { class: 'box', width: NODE_W, height: NODE_H, rx: 7 }));
      group.appendChild(el('rect', { class: 'stripe fill-' + state, width: 6, height: NODE_H, rx: 3 }));
      group.appendChild(el('text', { class: 'kind', x: 16, y: 18 }, (n.kind || '?').replace(/-/g, ' ')));
      if (n.ref === chain.root) group.appendChild(el('text', { class: 'root-badge', x: NODE_W - 10, y: 18, 'text-anchor': 'end' }, 'ROOT'));
      group.appendChild(el('text', { class: 'name', x: 16, y: 37 }, displayName(n.ref)));
      group.appendChild(el('text', { class: 'state fill-' + state, x: 16, y: 54 }, '● ' + (n.revocation || 'none')));
      group.addEventListener('click', () => select({ type: 'node', key: n.ref }));
      group.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') select({ type: 'node', key: n.ref }); });
      svg.appendChild(group);
    }

    const legend = $('legend');
    legend.replaceChildren();
    for (const s of STATES) {
      const li = document.createElement('li');
      li.className = 'state-' + s;
      li.textContent = s;
      legend.appendChild(li);
    }
  }

  // ---- details ---------------------------------------------------------------------------------------------------

  function select(sel) {
    view.selected = sel;
    view.dryRunTarget = null;
    $('revoke-result').replaceChildren();
    $('revoke-enforce').disabled = true;
    reselect(view.chains[view.chainIndex]);
  }

  function reselect(chain) {
    if (!chain || !view.selected) return;
    document.querySelectorAll('#graph .selected').forEach((x) => x.classList.remove('selected'));
    if (view.selected.type === 'node') {
      const node = chain.nodes.find((n) => n.ref === view.selected.key) || { ref: view.selected.key, kind: '', revocation: 'none' };
      document.querySelectorAll('#graph .node').forEach((x) => { if (x.getAttribute('data-ref') === node.ref) x.classList.add('selected'); });
      showNode(chain, node);
    } else {
      const edge = (chain.edges || []).find((e) => edgeKey(e) === view.selected.key);
      if (!edge) { hideDetails(); return; }
      document.querySelectorAll('#graph .edge').forEach((x) => {
        if (x.getAttribute('data-from') === edge.from && x.getAttribute('data-to') === edge.to
          && x.getAttribute('data-kind') === edge.kind) x.classList.add('selected');
      });
      showEdge(edge);
    }
  }

  function fields(pairs) {
    const dl = $('details-fields');
    dl.replaceChildren();
    for (const [k, v] of pairs) {
      if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      if (v instanceof Node) dd.appendChild(v); else dd.textContent = Array.isArray(v) ? v.join(', ') : String(v);
      dl.append(dt, dd);
    }
  }

  function showNode(chain, node) {
    $('details').hidden = false;
    $('details-title').textContent = node.ref;
    const state = document.createElement('span');
    state.className = 'state-' + stateOf(node.revocation);
    state.textContent = node.revocation || 'none';
    const requested = (chain.revocations || []).filter((r) => r.target === node.ref)
      .map((r) => r.requestId + ' by ' + r.requestedBy);
    fields([['kind', node.kind], ['revocation', state], ['first seen', node.firstSeen], ['last seen', node.lastSeen],
      ['requested', requested], ['chain', chain.chainId]]);
    $('revoke-box').dataset.target = node.ref;
    updateRevokeBox();
  }

  function showEdge(edge) {
    $('details').hidden = false;
    $('details-title').textContent = edge.kind;
    const ev = document.createElement('ul');
    ev.className = 'evidence';
    for (const id of edge.evidence || []) {
      const li = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = id;
      li.appendChild(code);
      ev.appendChild(li);
    }
    fields([['from', edge.from], ['to', edge.to],
      ['confidence', edge.confidence === 1 ? '1.0 (exact join)' : edge.confidence + ' (matched by subject and time window)'],
      ['learned by', edge.basis], ['count', edge.count], ['first seen', edge.firstSeen], ['last seen', edge.lastSeen],
      ['evidence', (edge.evidence || []).length ? ev : '-'], ['verbs', edge.verbs], ['resources', edge.resources],
      ['source IPs', edge.sourceIps], ['in', edge.scopes], ['last succeeded', edge.lastSucceeded]]);
    $('revoke-box').hidden = true;
    $('revoke-box').dataset.target = '';
  }

  function hideDetails() {
    $('details').hidden = true;
    document.querySelectorAll('#graph .selected').forEach((x) => x.classList.remove('selected'));
  }

  function updateRevokeBox() {
    const box = $('revoke-box');
    box.hidden = !(view.roles.includes('revoker') && box.dataset.target && !$('details').hidden);
  }

  // ---- revoke: dry run first, then enforce --------------------------------------------------------------------------

  async function revoke(mode) {
    const target = $('revoke-box').dataset.target;
    const reason = $('revoke-reason').value.trim() || 'from the chain explorer';
    const cascade = $('revoke-cascade').checked ? 'downstream' : 'none';
    const out = $('revoke-result');
    out.replaceChildren(line((mode === 'dry-run' ? 'Dry run' : 'Revoking') + ' ' + target + '…', 'summary'));
    $('revoke-dry-run').disabled = true;
    $('revoke-enforce').disabled = true;
    try {
      const posted = await api('POST', '/v1/revocations', { target, reason, cascade, mode });
      if (posted.status !== 202) { out.replaceChildren(line(problem(posted), 'summary state-failed')); return; }
      const id = posted.json.requestId;
      // An empty "done" is confirmed over a few polls: the revoker may call a plan empty (from the planner's
      // committed offset) a moment before its ledger view shows the actions that plan wrote.
      let answer = null, emptyDone = 0;
      for (let i = 0; i < 120; i++) {
        const a = await api('GET', '/v1/revocations/' + encodeURIComponent(id));
        if (a.status === 200) {
          answer = a.json;
          const empty = answer.status === 'done' && (answer.actions || []).length === 0;
          emptyDone = empty ? emptyDone + 1 : 0;
          if (SETTLED.includes(answer.status) && (!empty || emptyDone >= 5)) break;
        }
        await new Promise((r) => setTimeout(r, 400));
      }
      showRevocation(out, mode, id, answer);
      if (mode === 'dry-run' && answer && answer.status === 'done' && (answer.actions || []).length > 0) {
        view.dryRunTarget = target + ' ' + cascade;
        $('revoke-enforce').disabled = false;
      }
      if (mode === 'enforce') await refresh();
    } finally {
      $('revoke-dry-run').disabled = false;
    }
  }

  function line(text, cls) {
    const p = document.createElement('p');
    p.className = cls || '';
    p.textContent = text;
    return p;
  }

  function showRevocation(out, mode, id, view) {
    out.replaceChildren();
    if (!view) { out.appendChild(line('Request ' + id + ' is not in the ledger yet; see killswitch revocations show ' + id, 'summary')); return; }
    const actions = view.actions || [];
    const verb = mode === 'dry-run' ? 'Would revoke' : 'Revoked';
    out.appendChild(line(mode === 'dry-run'
      ? verb + ' ' + actions.filter((a) => a.outcome === 'dry-run').length + ' of ' + actions.length + ' planned action(s) · status ' + view.status
      : 'Status ' + view.status + ' · ' + actions.length + ' action(s)', 'summary'));
    out.appendChild(line('request ' + id, 'muted'));
    const list = document.createElement('ul');
    list.className = 'actions';
    for (const a of actions) {
      const li = document.createElement('li');
      const head = document.createElement('div');
      const action = document.createElement('strong');
      action.textContent = a.action + ' ';
      const outcome = document.createElement('span');
      outcome.className = 'state-' + stateOf(a.outcome);
      outcome.textContent = '● ' + a.outcome;
      head.append(action, outcome);
      const target = document.createElement('code');
      target.textContent = a.target;
      const detail = document.createElement('div');
      detail.className = 'muted';
      detail.textContent = a.detail || '';
      li.append(head, target, detail);
      list.appendChild(li);
    }
    if (actions.length === 0) out.appendChild(line('Nothing at or downstream of the target can be revoked.'));
    else out.appendChild(list);
  }

  // ---- wiring ----------------------------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('token').value = view.token;
    $('token-form').addEventListener('submit', (ev) => { ev.preventDefault(); useToken($('token').value); });
    $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search($('ref').value, false); });
    $('details-close').addEventListener('click', () => { view.selected = null; hideDetails(); });
    $('revoke-dry-run').addEventListener('click', () => revoke('dry-run'));
    $('revoke-enforce').addEventListener('click', () => {
      const target = $('revoke-box').dataset.target;
      if (view.dryRunTarget !== target + ' ' + ($('revoke-cascade').checked ? 'downstream' : 'none')) return;
      revoke('enforce');
    });
    $('revoke-cascade').addEventListener('change', () => { $('revoke-enforce').disabled = true; });
    $('live').addEventListener('change', () => { if ($('live').checked) refresh(); });
    const m = /^#ref=(.+)$/.exec(location.hash);
    if (m) $('ref').value = decodeURIComponent(m[1]);
    useToken(view.token).then(() => { if ($('ref').value && !view.ref) search($('ref').value, false); });
  });
})();
