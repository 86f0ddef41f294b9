/**
 * The frame log: the real WebSocket frames of the page's connection, which a second connection
 * (the tracer) asks the hub for with the `trace` command.
 * @module dashboard/frames
 */
import { $, REDRAW_MS, clock, errorText } from './page.js';

/** Rows kept in the frame log. */
const FRAME_ROWS = 200;

/**
 * Shows the frames of `client`'s connections, as `tracer` receives them. The hub traces one
 * connection per request: `startTrace` asks again after every reconnect of either (new id, new key).
 * @param {DuplexClient} client the connection whose frames are shown
 * @param {DuplexClient} tracer the connection that receives them
 * @returns {{connected: (info: object) => void, startTrace: () => void}} `connected` records a
 *   `connected` event of `client` (its id and `traceKey`); `startTrace` asks for its trace
 */
export function frameLog(client, tracer) {
  const frameLogEl = $('frame-log');
  const frameRows = $('frame-rows');
  const traceStatus = $('trace-status');
  /** The last `connected` of `client`: `{client, heartbeat, expires, traceKey}`. */
  let session = null;
  /** Client ids this page had, oldest first: frames of any of them belong in the log. */
  const ownIds = new Set();
  let frameCount = 0;
  let paused = false;
  let queuedRows = [];
  let frameTimer = null;
  /** What was last asked of which tracer connection, so that both `connected` events ask once. */
  let traceAsked = null;

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

  function connected(info) {
    session = info;
    if (info.client) ownIds.add(info.client);
    if (ownIds.size > 8) ownIds.delete(ownIds.values().next().value); // the oldest: its frames are long gone
  }

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
        frameLogEl.dataset.tracing = s.client;
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
      frameLogEl.dataset.frames = String(frameCount);
      queueRow(frameRow(m));
    } else if (m.type === 'tracing' && m.id == null && m.enabled === false) {
      queueRow(noteRow(`trace of ${m.client} ended (connection closed)`));
      if (frameLogEl.dataset.tracing === m.client) delete frameLogEl.dataset.tracing;
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

  return { connected, startTrace };
}
