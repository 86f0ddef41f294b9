/**
 * Keeping a connection alive: heartbeat pings, and refreshing the token before it expires.
 * @module duplex/keepalive
 */
import { DuplexError, TEMPORARY_ERRORS, errorMessage } from './errors.js';

/**
 * Pings the hub every `interval` ms (the `heartbeat` of `connected`); a pong missing for one
 * interval drops the connection. Each round trip is an `rtt` event of the client.
 * @param {Connector} connector
 * @param {object} conn the connection just established
 * @param {number} interval
 */
export function startHeartbeat(connector, conn, interval) {
  if (typeof interval !== 'number' || !(interval > 0)) return;
  const client = connector.client;
  const tick = () => {
    conn.hbTimer = null;
    if (connector.conn !== conn) return;
    if (conn.awaitingPong) {
      connector.abort(conn, 1006, `no pong within ${interval} ms`);
      return;
    }
    const id = client._commands.track({ kind: 'heartbeat' });
    conn.awaitingPong = id;
    conn.pingSentAt = client._now();
    client._commands.send(conn, { type: 'ping', id });
    if (connector.conn === conn) conn.hbTimer = client._setTimeout(tick, interval);
  };
  conn.hbTimer = client._setTimeout(tick, interval);
}

/**
 * Refreshes the token 30 s before it expires (halfway there for tokens that live less than a
 * minute), when the token is a function and `connected` said when it expires.
 * @param {Connector} connector
 * @param {object} conn
 */
export function scheduleRefresh(connector, conn) {
  const client = connector.client;
  if (conn.refreshTimer) client._clearTimeout(conn.refreshTimer);
  conn.refreshTimer = null;
  if (typeof client.options.token !== 'function' || connector.expires == null) return;
  const remaining = connector.expires - client._now();
  const delay = Math.max(0, remaining - Math.min(30_000, remaining / 2));
  conn.refreshTimer = client._setTimeout(() => refresh(connector, conn), delay);
}

/** Asks the token function for a new token and sends it in a `refresh` command; retries soon after temporary failures. */
function refresh(connector, conn) {
  const client = connector.client;
  conn.refreshTimer = null;
  if (connector.conn !== conn || !conn.established) return;
  const retry = () => {
    if (connector.conn !== conn) return;
    const left = (connector.expires ?? client._now()) - client._now();
    conn.refreshTimer = client._setTimeout(() => refresh(connector, conn), Math.max(1000, Math.min(10_000, left / 2)));
  };
  Promise.resolve()
    .then(() => client.options.token({ refresh: true, attempt: 0 }))
    .then((token) => {
      if (connector.conn !== conn) return undefined;
      return client.request('refresh', { token }).then((reply) => {
        connector.expires = typeof reply.expires === 'number' ? reply.expires : null;
        if (connector.conn === conn) scheduleRefresh(connector, conn);
      });
    })
    .catch((err) => {
      if (connector.conn !== conn) return;
      client._emit('error', err instanceof DuplexError ? err
        : new DuplexError('token', `The token function failed: ${errorMessage(err)}`, { cause: err }));
      // The hub disconnects with 3004 when the token expires; the reconnect fetches a new one.
      if (!(err instanceof DuplexError) || err.code === 'timeout' || TEMPORARY_ERRORS.has(err.code)) retry();
    });
}
