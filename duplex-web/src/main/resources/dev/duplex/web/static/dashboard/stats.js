/**
 * The server section: the hub's vital signs from the hub:stats channel, a chart of its message
 * rates, and the cluster's nodes (this node alone with the in-memory broker), gone ones marked.
 * @module dashboard/stats
 */
import { LiveChart } from './charts.js';
import { $, fixed } from './page.js';

/** Where the hub publishes its stats. */
export const STATS_CHANNEL = 'hub:stats';

const statFields = {
  connections: ['stat-connections', (v) => String(v)],
  channels: ['stat-channels', (v) => String(v)],
  messagesInPerSecond: ['stat-in', (v) => fixed(v, 1)],
  messagesOutPerSecond: ['stat-out', (v) => fixed(v, 1)],
  publicationsPerSecond: ['stat-pubs', (v) => fixed(v, 1)],
  errors: ['stat-errors', (v) => String(v)],
  disconnects: ['stat-disconnects', (v) => String(v)],
  queuedBytes: ['stat-queued', (v) => Number(v).toLocaleString()],
};

/** A duration in seconds as the page shows it: `42 s`, `3 min 12 s`, `2 h 05 min`, `3 d 4 h`. */
function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** A count from a node's report, or a dash when the node reported none. */
function count(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString() : '–';
}

/**
 * One row of the nodes table: the id (this node marked), the state in words (a gone node says so
 * and when it was last seen, not only by its colour), and its last report.
 */
function nodeRow(n, time) {
  const tr = document.createElement('tr');
  tr.dataset.node = String(n.id);
  tr.dataset.alive = String(Boolean(n.alive));
  tr.dataset.connections = String(n.connections ?? '');
  if (!n.alive) tr.className = 'gone';
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = String(n.id);
  if (n.self) {
    tr.dataset.self = 'true';
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'this node';
    th.append(' ', badge);
  }
  const state = document.createElement('td');
  state.className = 'state';
  const ago = typeof n.lastSeenMillis === 'number' ? Math.max(0, Math.round((time - n.lastSeenMillis) / 1000)) : null;
  state.textContent = n.alive ? 'alive' : `gone${ago != null ? `, last seen ${duration(ago)} ago` : ''}`;
  tr.append(th, state);
  for (const [k, format] of [['connections', count], ['subscriptions', count], ['uptimeSeconds', duration]]) {
    const td = document.createElement('td');
    td.className = `num ${k}`;
    td.textContent = format(n[k]);
    tr.append(td);
  }
  return tr;
}

/**
 * Makes the rates chart.
 * @returns {{onStats: (data: any, live: boolean) => void}} for the publications of STATS_CHANNEL
 */
export function statsPanel() {
  const ratesChart = new LiveChart($('chart-rates'), {
    series: [{ label: 'in', color: '#0b8f96' }, { label: 'out', color: '#7d4fd0' }],
    unit: '/s', digits: 1, height: 140, limit: 120,
  });
  let statsTime = 0;

  function onStats(data, live) {
    if (!data || typeof data.time !== 'number') return;
    ratesChart.put(data.time / 1000, 0, data.messagesInPerSecond);
    ratesChart.put(data.time / 1000, 1, data.messagesOutPerSecond);
    if (data.time < statsTime) return;
    statsTime = data.time;
    for (const [k, [id, format]] of Object.entries(statFields)) {
      if (data[k] != null) $(id).textContent = format(data[k]);
    }
    $('stats').dataset.connections = String(data.connections ?? '');
    if (Array.isArray(data.nodes)) showNodes(data);
    if (live) $('stats').dataset.updated = String(data.time);
  }

  function showNodes(data) {
    const table = $('nodes');
    $('nodes-rows').replaceChildren(...data.nodes.map((n) => nodeRow(n, data.time)));
    const alive = data.nodesAlive ?? data.nodes.filter((n) => n.alive).length;
    const gone = data.nodesGone ?? data.nodes.length - alive;
    table.dataset.count = String(data.nodes.length);
    table.dataset.alive = String(alive);
    table.dataset.gone = String(gone);
    const shown = data.nodes.length < alive + gone ? ` (the first ${data.nodes.length} shown)` : '';
    $('nodes-summary').textContent = `${alive} node${alive === 1 ? '' : 's'} alive, ${gone} gone${shown}; `
      + 'a node that stops reporting is listed as gone, then forgotten.';
  }

  return { onStats };
}
