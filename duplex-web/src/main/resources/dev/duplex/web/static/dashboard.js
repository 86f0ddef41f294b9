/**
 * The Duplex live dashboard: sensor charts, a thermostat to command, a connection inspector with the
 * real frames of this page's connection, presence and the hub's vital signs. Static files only: this
 * module, duplex.js and uPlot, all from the hub's own origin (the page's CSP allows nothing else).
 *
 * Two connections to the hub: `client` carries everything the page shows; `tracer` asks the hub for
 * the frames of `client` (the `trace` command with the client id and the `traceKey` from
 * `connected`), and asks again after every reconnect (new id, new key).
 *
 * The page keeps its state in data attributes too (`data-state`, `data-history`, `data-points`,
 * `data-duplicates`, …), which the end-to-end tests read.
 */
import { DuplexClient, DEFAULTS, VERSION } from './duplex.js';
import uPlot from '/vendor/uplot/uPlot.esm.js';

/** Points kept per chart (the sensors' history holds 300 readings per room). */
const POINTS = 300;
/** Rows kept in the frame log. */
const FRAME_ROWS = 200;
/** States kept in the inspector's history. */
const STATE_HISTORY = 40;
/** How long a device command may stay unanswered. */
const COMMAND_TIMEOUT = 10_000;
/** How often charts and the frame log are redrawn at most. */
const REDRAW_MS = 250;

const ROOMS = ['room-1', 'room-2', 'room-3'];
const ROOM_COLORS = ['#2f6fde', '#e4572e', '#1b9e77'];
const THERMOSTAT = 'thermostat-1';
const DEVICE_CHANNEL = `devices:${THERMOSTAT}`;
const COMMAND_CHANNEL = `commands:${THERMOSTAT}`;
const STATS_CHANNEL = 'hub:stats';
const LOBBY = 'lobby';
const HUB_PATH = '/connect';

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} is missing from index.html`);
  return el;
};

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

/** HH:MM:SS.mmm of an epoch-ms time. */
function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function errorText(e) {
  if (!e) return 'unknown error';
  const code = e.code != null ? ` (${e.code})` : '';
  return `${e.message || String(e)}${code}`;
}

function fixed(v, digits) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

const notice = $('notice');
function showNotice(text) {
  notice.textContent = text;
  notice.hidden = false;
}
function clearNotice() {
  notice.hidden = true;
  notice.textContent = '';
}

// ---------------------------------------------------------------------------------------------
// Charts

/**
 * A uPlot chart of a few series sharing a time axis, fed point by point, in any order (history and
 * live), at most `limit` points: the oldest go first, so memory stays flat however long the page
 * stays open. Redraws at most every REDRAW_MS; follows its container's width.
 */
class LiveChart {
  constructor(el, { series, unit, digits = 1, height = 200, limit = POINTS }) {
    this.el = el;
    this.limit = limit;
    this.height = height;
    this.x = [];
    this.ys = series.map(() => []);
    this.timer = null;
    this.width = Math.max(200, Math.floor(el.clientWidth) || 300);
    const muted = cssVar('--muted', '#5a6478');
    const line = cssVar('--line', '#d9dee8');
    const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
    this.plot = new uPlot({
      width: this.width,
      height,
      scales: { x: { time: true } },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: true,
          points: { show: false },
          value: (u, v) => (v == null ? '–' : `${v.toFixed(digits)} ${unit}`),
        })),
      ],
      axes: [axis, { ...axis, size: 52 }],
    }, [this.x, ...this.ys], el);
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => this.resize()).observe(el);
    } else {
      window.addEventListener('resize', () => this.resize());
    }
  }

  /** Sets series `i` at time `t` (seconds), inserting the time in order when it is new. */
  put(t, i, value) {
    if (typeof t !== 'number' || !Number.isFinite(t)) return;
    const v = typeof value === 'number' && Number.isFinite(value) ? value : null;
    const x = this.x;
    let j = x.length - 1;
    while (j >= 0 && x[j] > t) j--;
    if (j >= 0 && x[j] === t) {
      this.ys[i][j] = v;
    } else {
      if (x.length >= this.limit && j < 0) return; // older than everything kept: would be dropped at once
      x.splice(j + 1, 0, t);
      this.ys.forEach((y, k) => y.splice(j + 1, 0, k === i ? v : null));
      const excess = x.length - this.limit;
      if (excess > 0) {
        x.splice(0, excess);
        for (const y of this.ys) y.splice(0, excess);
      }
    }
    this.schedule();
  }

  schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.plot.setData([this.x, ...this.ys]);
      this.el.dataset.points = String(this.x.length);
    }, REDRAW_MS);
  }

  resize() {
    const w = Math.floor(this.el.clientWidth);
    if (w > 0 && w !== this.width) {
      this.width = w;
      this.plot.setSize({ width: w, height: this.height });
    }
  }
}

const roomSeries = ROOMS.map((room, i) => ({ label: `Room ${i + 1}`, color: ROOM_COLORS[i] }));
const charts = {
  temperature: new LiveChart($('chart-temperature'), { series: roomSeries, unit: '°C', digits: 2 }),
  humidity: new LiveChart($('chart-humidity'), { series: roomSeries, unit: '%', digits: 1 }),
  co2: new LiveChart($('chart-co2'), { series: roomSeries, unit: 'ppm', digits: 0 }),
};
const ratesChart = new LiveChart($('chart-rates'), {
  series: [{ label: 'in', color: '#0b8f96' }, { label: 'out', color: '#7d4fd0' }],
  unit: '/s', digits: 1, height: 140, limit: 120,
});

// ---------------------------------------------------------------------------------------------
// The connection

const client = new DuplexClient(HUB_PATH, { name: 'duplex-dashboard', version: VERSION });
const tracer = new DuplexClient(HUB_PATH, { name: 'duplex-dashboard-tracer', version: VERSION, maxDelay: 5_000 });
/** The last `connected` of `client`: `{client, heartbeat, expires, traceKey}`. */
let session = null;
/** Client ids this page had, oldest first: frames of any of them belong in the log. */
const ownIds = new Set();

// ---------------------------------------------------------------------------------------------
// Sensors: history first, then live from exactly where the history ended

const sensorsEl = $('sensors');
const counters = { live: 0, recovered: 0, duplicates: 0, gaps: 0, unrecoverable: 0 };

function showCounters() {
  for (const [k, v] of Object.entries(counters)) sensorsEl.dataset[k] = String(v);
  $('count-live').textContent = String(counters.live);
  $('count-recovered').textContent = String(counters.recovered);
  $('count-duplicates').textContent = String(counters.duplicates);
  $('count-gaps').textContent = String(counters.gaps + counters.unrecoverable);
}

/**
 * The dashboard's own check of exactly-once delivery, per channel: every publication must be the
 * one after the previous (same epoch). duplex.js already de-duplicates by offset; a duplicate or a
 * gap counted here would be a bug (or, for gaps, a stream the hub could not recover, reported too).
 */
class StreamCheck {
  constructor() {
    this.epoch = null;
    this.offset = null;
  }

  reset(epoch, offset) {
    this.epoch = epoch;
    this.offset = typeof offset === 'number' ? offset : null;
  }

  /** Whether the publication at `offset` is new; counts duplicates and gaps. */
  accept(offset) {
    if (typeof offset !== 'number') return true;
    if (this.offset == null) {
      this.offset = offset;
      return true;
    }
    if (offset <= this.offset) {
      counters.duplicates++;
      return false;
    }
    if (offset > this.offset + 1) counters.gaps += offset - this.offset - 1;
    this.offset = offset;
    return true;
  }
}

const nowRows = new Map();
for (const [i, room] of ROOMS.entries()) {
  const tr = document.createElement('tr');
  tr.dataset.room = room;
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = `Room ${i + 1}`;
  tr.append(th);
  const cells = {};
  for (const k of ['temperature', 'humidity', 'co2', 'time']) {
    const td = document.createElement('td');
    td.className = k === 'time' ? '' : 'num';
    td.textContent = '–';
    tr.append(td);
    cells[k] = td;
  }
  $('now-rows').append(tr);
  nowRows.set(room, cells);
}

function applyReading(room, data, live) {
  const i = ROOMS.indexOf(room);
  if (i < 0 || !data || typeof data.time !== 'number') return;
  const t = data.time / 1000;
  charts.temperature.put(t, i, data.temperature);
  charts.humidity.put(t, i, data.humidity);
  charts.co2.put(t, i, data.co2);
  const cells = nowRows.get(room);
  const shown = Number(cells.time.dataset.time || 0);
  if (data.time >= shown) {
    cells.time.dataset.time = String(data.time);
    cells.temperature.textContent = `${fixed(data.temperature, 2)} °C`;
    cells.humidity.textContent = `${fixed(data.humidity, 1)} %`;
    cells.co2.textContent = `${fixed(data.co2, 0)} ppm`;
    cells.time.textContent = new Date(data.time).toLocaleTimeString();
  }
  if (live) counters.live++;
}

/**
 * Follows a channel: reads its history (the whole window), then subscribes from the history's
 * position, so the hub recovers whatever was published in between and nothing is read twice.
 * After reconnects duplex.js resumes from the last offset; `unrecoverable` (the hub lost the
 * position) reloads the history.
 */
async function follow(channel, onData, { check = null } = {}) {
  let since = null;
  const load = async () => {
    const h = await client.history(channel);
    for (const p of h.publications) onData(p.data, false);
    return h;
  };
  try {
    const h = await load();
    since = { offset: h.offset, epoch: h.epoch };
    if (check) check.reset(h.epoch, h.offset);
  } catch (e) {
    showNotice(`No history for ${channel}: ${errorText(e)}; showing live data only`);
  }
  let first = true;
  const sub = client.subscribe(channel, since ? { since } : {});
  sub.on('subscribed', (e) => {
    if (check) {
      if (first && !since) check.reset(e.epoch, null);
      if (!first && e.recovered === true) counters.recovered += e.publications;
      showCounters();
    }
    first = false;
  });
  sub.on('unrecoverable', (e) => {
    if (check) {
      counters.unrecoverable++;
      check.reset(e.epoch, e.offset);
      showCounters();
    }
    load().catch((err) => showNotice(`Reloading ${channel} failed: ${errorText(err)}`));
  });
  sub.on('publication', (p) => {
    if (check && !check.accept(p.offset)) {
      showCounters();
      return;
    }
    onData(p.data, true);
    if (check) showCounters();
  });
  sub.on('error', (e) => showNotice(`${channel}: ${errorText(e)}`));
  return sub;
}

// ---------------------------------------------------------------------------------------------
// Devices: commands with their acknowledgements

const thermostatEl = $('thermostat');
const statusEl = $('command-status');
const setpointInput = $('setpoint-input');
const relaySwitch = $('relay-switch');
const commandPrefix = `dash-${Math.random().toString(36).slice(2, 8)}`;
let commandSeq = 0;
/** command id -> {describe, kind, timer} */
const pendingCommands = new Map();
let shownCommand = null;
let setpointEdited = false;
let deviceState = null;

function setCommandStatus(status, id, text) {
  shownCommand = id;
  statusEl.dataset.status = status;
  statusEl.dataset.command = id || '';
  statusEl.textContent = text;
}

function sendCommand(fields, describe, kind) {
  const id = `${commandPrefix}-${++commandSeq}`;
  const entry = { describe, kind, timer: null };
  entry.timer = setTimeout(() => finishCommand(id, 'failed',
    `${describe}: no answer from ${THERMOSTAT} within ${COMMAND_TIMEOUT / 1000} s`), COMMAND_TIMEOUT);
  pendingCommands.set(id, entry);
  setCommandStatus('pending', id, `${describe}: pending…`);
  client.publish(COMMAND_CHANNEL, { id, ...fields }).then((ack) => {
    if (pendingCommands.has(id) && shownCommand === id) {
      setCommandStatus('pending', id, `${describe}: pending… (sent as offset ${ack.offset}, waiting for the device)`);
    }
  }, (e) => finishCommand(id, 'failed', `${describe}: not sent: ${errorText(e)}`));
  return id;
}

function finishCommand(id, status, text) {
  const entry = pendingCommands.get(id);
  if (!entry) return;
  pendingCommands.delete(id);
  clearTimeout(entry.timer);
  if (shownCommand === id) setCommandStatus(status, id, text);
  if (entry.kind === 'relay' && ![...pendingCommands.values()].some((c) => c.kind === 'relay')) {
    relaySwitch.disabled = false;
    if (deviceState) relaySwitch.checked = !!deviceState.relay;
  }
}

function applyDeviceState(data) {
  if (!data || typeof data !== 'object') return;
  if (deviceState && typeof deviceState.time === 'number' && typeof data.time === 'number' && data.time < deviceState.time) {
    return; // an older state from history
  }
  deviceState = data;
  $('dev-temperature').textContent = `${fixed(data.temperature, 2)} °C`;
  $('dev-setpoint').textContent = `${fixed(data.setpoint, 1)} °C`;
  $('dev-heating').textContent = data.heating ? 'on' : 'off';
  $('dev-relay').textContent = data.relay ? 'on' : 'off';
  thermostatEl.dataset.setpoint = String(data.setpoint);
  thermostatEl.dataset.relay = String(!!data.relay);
  thermostatEl.dataset.heating = String(!!data.heating);
  if (!setpointEdited && document.activeElement !== setpointInput && typeof data.setpoint === 'number') {
    setpointInput.value = String(data.setpoint);
  }
  if (!relaySwitch.disabled) relaySwitch.checked = !!data.relay;
}

function onDevicePublication(data) {
  applyDeviceState(data);
  const ack = data && data.ack;
  if (ack && typeof ack.id === 'string' && pendingCommands.has(ack.id)) {
    const entry = pendingCommands.get(ack.id);
    const message = ack.message || (ack.ok ? 'applied' : 'refused');
    finishCommand(ack.id, ack.ok ? 'applied' : 'refused', ack.ok ? `${entry.describe}: ${message}` : `${entry.describe}: refused: ${message}`);
  }
}

setpointInput.addEventListener('input', () => {
  setpointEdited = true;
  setpointInput.removeAttribute('aria-invalid');
});
$('setpoint-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = setpointInput.value.trim();
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value)) {
    setpointInput.setAttribute('aria-invalid', 'true');
    setCommandStatus('failed', null, 'Enter the set-point as a number, e.g. 21.5');
    return;
  }
  setpointInput.removeAttribute('aria-invalid');
  // Out-of-range values go to the device anyway: it refuses them with its reason.
  sendCommand({ setpoint: value }, `Set-point ${value} °C`, 'setpoint');
});
relaySwitch.addEventListener('change', () => {
  const on = relaySwitch.checked;
  relaySwitch.disabled = true;
  sendCommand({ relay: on }, `Relay ${on ? 'on' : 'off'}`, 'relay');
});

// ---------------------------------------------------------------------------------------------
// Presence

const presenceEl = $('presence');
const members = new Map();

function renderPresence() {
  const me = client.state === 'open' ? client.clientId : null;
  const list = $('presence-list');
  const ids = [...members.keys()].sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
  list.replaceChildren(...ids.map((id) => {
    const li = document.createElement('li');
    li.dataset.client = id;
    const info = members.get(id);
    const name = document.createElement('span');
    name.textContent = info && info.user ? `${info.user} (${id})` : id;
    li.append(name);
    if (id === me) {
      li.dataset.you = 'true';
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'you';
      li.append(badge);
    }
    return li;
  }));
  presenceEl.dataset.count = String(members.size);
  const others = members.size - (me && members.has(me) ? 1 : 0);
  $('presence-summary').textContent = client.state !== 'open'
    ? 'Offline: the list is from before the connection dropped.'
    : `${members.size} here (${others === 0 ? 'just you' : `you and ${others} other${others === 1 ? '' : 's'}`})`;
}

function refreshPresence() {
  client.presence(LOBBY).then((r) => {
    members.clear();
    for (const c of r.clients) if (c && c.client) members.set(c.client, c);
    renderPresence();
  }, (e) => showNotice(`Presence of ${LOBBY}: ${errorText(e)}`));
}

const lobby = client.subscribe(LOBBY);
lobby.on('subscribed', refreshPresence);
lobby.on('join', (e) => {
  if (e.info && e.info.client) {
    members.set(e.info.client, e.info);
    renderPresence();
  }
});
lobby.on('leave', (e) => {
  if (e.info && e.info.client) {
    members.delete(e.info.client);
    renderPresence();
  }
});
lobby.on('error', (e) => showNotice(`${LOBBY}: ${errorText(e)}`));

// ---------------------------------------------------------------------------------------------
// Server

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

// ---------------------------------------------------------------------------------------------
// Connection inspector

const inspector = $('inspector');
const statePill = $('status');
const stateHistory = [];
let opens = 0;
let reconnects = 0;
let retryAt = null;
let retryTimer = null;
let lastState = null;

/** The countdown to the next retry (not in a live region: it changes ten times a second). */
function showRetry() {
  if (retryAt == null) return;
  const left = Math.max(0, retryAt - Date.now());
  $('conn-retry').textContent = `in ${(left / 1000).toFixed(1)} s`;
}

function stopRetryCountdown() {
  retryAt = null;
  if (retryTimer) clearInterval(retryTimer);
  retryTimer = null;
}

function onState(e) {
  const name = e.readyState || String(e.state).toUpperCase();
  inspector.dataset.state = e.state;
  stateHistory.push(name);
  if (stateHistory.length > STATE_HISTORY) stateHistory.splice(0, stateHistory.length - STATE_HISTORY);
  inspector.dataset.history = stateHistory.join(',');
  inspector.dataset.attempt = String(e.attempt ?? 0);
  $('state-history').textContent = stateHistory.join(' → ');
  $('conn-state').textContent = name;
  $('conn-attempt').textContent = String(e.attempt ?? 0);
  $('diagram-title').textContent = `Client state: ${name}`;
  for (const node of document.querySelectorAll('#state-diagram .node')) {
    node.classList.toggle('active', node.dataset.node === e.state);
  }
  for (const edge of document.querySelectorAll('#state-diagram .edge')) edge.classList.remove('active');
  if (lastState && lastState !== e.state) {
    const edge = document.getElementById(`edge-${lastState}-${e.state}`);
    if (edge) edge.classList.add('active');
  }
  lastState = e.state;
  statePill.dataset.state = e.state;
  stopRetryCountdown();
  $('drop').disabled = e.state !== 'open';
  $('ping').disabled = e.state !== 'open';
  $('reconnect').hidden = e.state !== 'closed';

  if (e.state === 'open') {
    opens++;
    if (opens > 1) reconnects++;
    inspector.dataset.reconnects = String(reconnects);
    $('conn-reconnects').textContent = String(reconnects);
    $('conn-retry').textContent = '–';
    statePill.textContent = `Live · ${client.clientId}`;
  } else if (e.state === 'connecting') {
    $('conn-retry').textContent = 'now';
    statePill.textContent = e.attempt > 0 ? `Reconnecting (attempt ${e.attempt})…` : 'Connecting…';
  } else if (e.state === 'closing') {
    statePill.textContent = 'Closing…';
  } else if (e.state === 'closed') {
    $('conn-close').textContent = e.code != null ? `${e.code}${e.reason ? ` ${e.reason}` : ''}` : (e.reason || '–');
    if (e.reconnect && typeof e.nextRetryIn === 'number') {
      inspector.dataset.nextRetry = String(e.nextRetryIn);
      retryAt = Date.now() + e.nextRetryIn;
      statePill.textContent = `Offline · reconnecting in ${(e.nextRetryIn / 1000).toFixed(1)} s (attempt ${e.attempt})`;
      showRetry();
      retryTimer = setInterval(showRetry, 100);
    } else {
      $('conn-retry').textContent = 'not reconnecting';
      statePill.textContent = `Disconnected${e.code != null ? ` (${e.code}${e.reason ? ` ${e.reason}` : ''})` : ''}`;
    }
    renderPresence();
  }
}

function showRtt(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return;
  const out = $('conn-rtt');
  out.textContent = `${Math.round(ms)} ms`;
  out.dataset.rtt = String(Math.round(ms));
}

client.on('state', onState);
client.on('rtt', showRtt);
client.on('connected', (info) => {
  session = info;
  if (info.client) ownIds.add(info.client);
  if (ownIds.size > 8) ownIds.delete(ownIds.values().next().value); // the oldest: its frames are long gone
  inspector.dataset.client = info.client || '';
  document.body.dataset.client = info.client || '';
  $('conn-client').textContent = info.client || '–';
  $('conn-heartbeat').textContent = typeof info.heartbeat === 'number' ? `${(info.heartbeat / 1000).toFixed(1)} s` : '–';
  statePill.textContent = `Live · ${info.client}`;
  clearNotice();
  renderPresence();
  client.ping().then(showRtt, () => {});
  startTrace();
});
client.on('error', (e) => showNotice(errorText(e)));

// Back-off: duplex.js reads its options at every reconnect.
const minInput = $('backoff-min');
const maxInput = $('backoff-max');
minInput.value = String(client.options.minDelay ?? DEFAULTS.minDelay);
maxInput.value = String(client.options.maxDelay ?? DEFAULTS.maxDelay);
function describeBackoff() {
  $('backoff-status').textContent = `A retry waits a random 0 to min(${client.options.maxDelay}, `
    + `${client.options.minDelay} × 2^attempt) ms.`;
}
function applyBackoff() {
  const min = Number(minInput.value);
  const max = Number(maxInput.value);
  const ok = minInput.value !== '' && maxInput.value !== '' && Number.isFinite(min) && Number.isFinite(max)
    && min >= 0 && max >= min;
  minInput.setAttribute('aria-invalid', String(!ok));
  maxInput.setAttribute('aria-invalid', String(!ok));
  if (!ok) {
    $('backoff-status').textContent = 'Enter delays in ms, 0 or more, with the minimum at most the maximum.';
    return;
  }
  client.options.minDelay = min;
  client.options.maxDelay = max;
  inspector.dataset.backoff = `${min}-${max}`;
  describeBackoff();
}
minInput.addEventListener('change', applyBackoff);
maxInput.addEventListener('change', applyBackoff);
describeBackoff();

$('drop').addEventListener('click', () => {
  $('drop-status').textContent = client.dropConnection()
    ? 'Dropped: reconnecting with back-off, recovering what was missed.'
    : 'No open connection to drop.';
});
$('ping').addEventListener('click', () => {
  client.ping().then((ms) => {
    showRtt(ms);
    $('drop-status').textContent = `Pong after ${Math.round(ms)} ms.`;
  }, (e) => {
    $('drop-status').textContent = `Ping failed: ${errorText(e)}`;
  });
});
$('reconnect').addEventListener('click', () => {
  $('drop-status').textContent = '';
  client.connect();
});

// ---------------------------------------------------------------------------------------------
// Frame log, from the tracer connection

const frameLog = $('frame-log');
const frameRows = $('frame-rows');
const traceStatus = $('trace-status');
let frameCount = 0;
let paused = false;
let queuedRows = [];
let frameTimer = null;

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function frameRow(f) {
  const tr = document.createElement('tr');
  tr.dataset.dir = f.dir;
  tr.dataset.opcode = f.opcode;
  tr.dataset.masked = String(!!f.masked);
  tr.dataset.client = f.client || '';
  if (f.code != null) tr.dataset.code = String(f.code);
  const bit = (b) => (b ? '1' : '0');
  tr.append(
    cell(typeof f.time === 'number' ? clock(f.time) : '–'),
    cell(f.dir === 'in' ? 'in →' : 'out ←', 'dir'),
    cell(bit(f.fin)), cell(bit(f.rsv1)), cell(bit(f.rsv2)), cell(bit(f.rsv3)),
    cell(f.opcode || '?'),
    cell(bit(f.masked)),
    cell(String(f.length ?? ''), 'num'),
    cell(f.code != null ? `${f.code}${f.reason ? ` ${f.reason}` : ''}` : ''),
  );
  return tr;
}

function noteRow(text) {
  const tr = document.createElement('tr');
  tr.className = 'note';
  const td = cell(`${clock(Date.now())}  ${text}`);
  td.colSpan = 10;
  tr.append(td);
  return tr;
}

function queueRow(tr) {
  queuedRows.push(tr);
  if (queuedRows.length > FRAME_ROWS) queuedRows.splice(0, queuedRows.length - FRAME_ROWS);
  if (!paused && !frameTimer) frameTimer = setTimeout(flushRows, REDRAW_MS);
}

/** Newest on top; at most FRAME_ROWS rows. */
function flushRows() {
  frameTimer = null;
  if (paused || queuedRows.length === 0) return;
  const rows = queuedRows.reverse();
  queuedRows = [];
  frameRows.prepend(...rows);
  while (frameRows.childElementCount > FRAME_ROWS) frameRows.lastElementChild.remove();
}

/** What was last asked of which tracer connection, so that both `connected` events ask once. */
let traceAsked = null;

/** Asks the hub to trace `client`'s connection, once both connections are open. */
function startTrace() {
  const s = session;
  if (!s || client.state !== 'open') return;
  if (!s.traceKey) {
    traceStatus.textContent = 'This hub does not offer frame traces (frame_trace is off).';
    return;
  }
  if (tracer.state !== 'open') {
    traceStatus.textContent = `Waiting for the tracing connection to trace ${s.client}…`;
    return; // its `connected` calls again
  }
  const asked = `${s.client}@${tracer.clientId}`;
  if (traceAsked === asked) return;
  traceAsked = asked;
  traceStatus.textContent = `Asking the hub to trace ${s.client}…`;
  tracer.request('trace', { client: s.client, key: s.traceKey, enabled: true }).then(() => {
    if (session === s) {
      traceStatus.textContent = `Tracing ${s.client} from a second connection${tracer.clientId ? ` (${tracer.clientId})` : ''}.`;
      frameLog.dataset.tracing = s.client;
      queueRow(noteRow(`tracing ${s.client}`));
    }
  }, (e) => {
    if (session === s) traceStatus.textContent = `Cannot trace ${s.client}: ${errorText(e)}`;
  });
}

tracer.on('message', (m) => {
  if (m.type === 'frame') {
    if (!ownIds.has(m.client)) return;
    frameCount++;
    frameLog.dataset.frames = String(frameCount);
    queueRow(frameRow(m));
  } else if (m.type === 'tracing' && m.id == null && m.enabled === false) {
    queueRow(noteRow(`trace of ${m.client} ended (connection closed)`));
    if (frameLog.dataset.tracing === m.client) delete frameLog.dataset.tracing;
  }
});
tracer.on('connected', () => startTrace()); // the tracer reconnected: its traces are gone
tracer.on('state', (e) => {
  if (e.state === 'closed' && e.reconnect) traceStatus.textContent = 'The tracing connection dropped; reconnecting…';
});

$('frames-pause').addEventListener('click', (event) => {
  paused = !paused;
  const button = event.currentTarget;
  button.setAttribute('aria-pressed', String(paused));
  button.textContent = paused ? 'Resume' : 'Pause';
  if (!paused) flushRows();
});
$('frames-clear').addEventListener('click', () => {
  queuedRows = [];
  frameRows.replaceChildren();
});

// ---------------------------------------------------------------------------------------------
// Start following the channels

for (const room of ROOMS) {
  follow(`sensors:${room}`, (data, live) => applyReading(room, data, live), { check: new StreamCheck() })
    .catch((e) => showNotice(`sensors:${room}: ${errorText(e)}`));
}
follow(DEVICE_CHANNEL, (data) => onDevicePublication(data))
  .catch((e) => showNotice(`${DEVICE_CHANNEL}: ${errorText(e)}`));
follow(STATS_CHANNEL, (data, live) => onStats(data, live))
  .catch((e) => showNotice(`${STATS_CHANNEL}: ${errorText(e)}`));

showCounters();
renderPresence();
/** For the browser console: the two connections. */
window.duplexDashboard = { client, tracer };
document.body.dataset.ready = 'true';
