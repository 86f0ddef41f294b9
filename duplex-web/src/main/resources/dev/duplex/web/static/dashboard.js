/**
 * The Duplex live dashboard: sensor charts, a thermostat to command, a connection inspector with the
 * real frames of this page's connection, presence and the hub's vital signs. Static files only: this
 * module, the modules beside it in `dashboard/`, duplex.js and uPlot, all from the hub's own origin
 * (the page's CSP allows nothing else).
 *
 * Two connections to the hub: `client` carries everything the page shows; `tracer` asks the hub for
 * the frames of `client` (the `trace` command with the client id and the `traceKey` from
 * `connected`), and asks again after every reconnect (new id, new key).
 *
 * This module wires the page's parts: `dashboard/sensors.js` (charts and latest readings, on
 * `charts.js` and `streams.js`: history, then live, with a delivery check), `devices.js` (the
 * thermostat's commands and acks), `presence.js`, `stats.js` (the hub's vital signs),
 * `inspector.js` (the connection's state machine, back-off, drop and ping) and `frames.js` (the
 * frame log from the tracer); `page.js` holds what they share.
 *
 * The page keeps its state in data attributes too (`data-state`, `data-history`, `data-points`,
 * `data-duplicates`, …), which the end-to-end tests read.
 */
import { DuplexClient, VERSION } from './duplex.js';
import { DEVICE_CHANNEL, deviceControls } from './dashboard/devices.js';
import { frameLog } from './dashboard/frames.js';
import { inspectorPanel } from './dashboard/inspector.js';
import { errorText, showNotice } from './dashboard/page.js';
import { presencePanel } from './dashboard/presence.js';
import { sensorPanel } from './dashboard/sensors.js';
import { STATS_CHANNEL, statsPanel } from './dashboard/stats.js';
import { follow } from './dashboard/streams.js';

const HUB_PATH = '/connect';

const sensors = sensorPanel();
const stats = statsPanel();

const client = new DuplexClient(HUB_PATH, { name: 'duplex-dashboard', version: VERSION });
const tracer = new DuplexClient(HUB_PATH, { name: 'duplex-dashboard-tracer', version: VERSION, maxDelay: 5_000 });

const devices = deviceControls(client);
const presence = presencePanel(client);
const inspector = inspectorPanel(client, presence);
const frames = frameLog(client, tracer);

client.on('connected', (info) => {
  frames.connected(info);
  inspector.connected(info);
  presence.render();
  client.ping().then(inspector.showRtt, () => {});
  frames.startTrace();
});
client.on('error', (e) => showNotice(errorText(e)));

// Start following the channels: history first, then live from exactly where the history ended.
sensors.follow(client);
follow(client, DEVICE_CHANNEL, (data) => devices.onPublication(data))
  .catch((e) => showNotice(`${DEVICE_CHANNEL}: ${errorText(e)}`));
follow(client, STATS_CHANNEL, (data, live) => stats.onStats(data, live))
  .catch((e) => showNotice(`${STATS_CHANNEL}: ${errorText(e)}`));

sensors.showCounters();
presence.render();
/** For the browser console: the two connections. */
window.duplexDashboard = { client, tracer };
document.body.dataset.ready = 'true';
