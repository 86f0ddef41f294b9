/**
 * The server section: the hub's vital signs from the hub:stats channel, and a chart of its
 * message rates.
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
    if (live) $('stats').dataset.updated = String(data.time);
  }

  return { onStats };
}
