/**
 * The connection inspector: the client's state machine as it moves (with its history and the
 * countdown to the next retry), the connection's id, heartbeat and round-trip time, the back-off
 * settings, and the buttons that drop, ping and reconnect.
 * @module dashboard/inspector
 */
import { DEFAULTS } from '../duplex.js';
import { $, clearNotice, errorText } from './page.js';

/** States kept in the inspector's history. */
const STATE_HISTORY = 40;

/**
 * Follows `client`'s states and round trips, and wires the inspector's controls.
 * @param {DuplexClient} client
 * @param {{render: () => void}} presence redrawn when the connection closes
 * @returns {{connected: (info: object) => void, showRtt: (ms: number) => void}} `connected` shows
 *   a `connected` event; `showRtt` a round-trip time
 */
export function inspectorPanel(client, presence) {
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
      presence.render();
    }
  }

  function showRtt(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return;
    const out = $('conn-rtt');
    out.textContent = `${Math.round(ms)} ms`;
    out.dataset.rtt = String(Math.round(ms));
  }

  function connected(info) {
    inspector.dataset.client = info.client || '';
    document.body.dataset.client = info.client || '';
    $('conn-client').textContent = info.client || '–';
    $('conn-heartbeat').textContent = typeof info.heartbeat === 'number' ? `${(info.heartbeat / 1000).toFixed(1)} s` : '–';
    statePill.textContent = `Live · ${info.client}`;
    clearNotice();
  }

  client.on('state', onState);
  client.on('rtt', showRtt);
  backoffControls(client, inspector);

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

  return { connected, showRtt };
}

/** The back-off fields: duplex.js reads its options at every reconnect. */
function backoffControls(client, inspector) {
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
}
