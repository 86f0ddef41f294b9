/**
 * The connection state machine of a {@link DuplexClient}.
 * @module duplex/connector
 */
import { backoff, shouldReconnect } from './backoff.js';
import { DuplexError, errorMessage } from './errors.js';
import { startHeartbeat, scheduleRefresh } from './keepalive.js';

/** The subprotocol this client speaks. */
export const SUBPROTOCOL = 'duplex.v1.json';

/**
 * Client states. `open` means the hub accepted the `connect` command (not merely that the
 * WebSocket opened).
 * @readonly
 * @enum {string}
 */
export const State = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  CLOSING: 'closing',
  CLOSED: 'closed',
});

const READY_STATE = Object.freeze({
  connecting: 'CONNECTING',
  open: 'OPEN',
  closing: 'CLOSING',
  closed: 'CLOSED',
});

/**
 * Runs one connection after another for a {@link DuplexClient}: gets the token, opens the
 * WebSocket, sends `connect` (resuming the subscriptions), dispatches what the hub sends, and when
 * the connection ends decides, by the disconnect code, whether to reconnect after a back-off or to
 * stay closed. Each connection attempt is a plain object (`conn`); callbacks of an old one are
 * ignored once `this.conn` is another.
 *
 * The client's `Commands`, `Subscriptions` and `Outbox` are told when a connection is established
 * or lost.
 */
export class Connector {
  /** @param {DuplexClient} client */
  constructor(client) {
    /** @private */ this.client = client;
    this.state = State.CLOSED;
    /** the current connection attempt (token fetch, socket, session), or null */
    this.conn = null;
    /** consecutive failed connections; 0 after `connected` */
    this.failures = 0;
    /** @private */ this.retryTimer = null;
    /** @private */ this.retryNotBefore = 0;
    /** connect() or close() was called (or autoConnect ran) */
    this.started = false;
    /** closed for good until connect() */
    this.terminal = false;
    /** @private close() was called */
    this.deliberate = false;
    /** @private */ this.closeWaiters = [];
    /** the client id the hub gave the connection */
    this.clientId = null;
    /** when the token expires (epoch ms), or null */
    this.expires = null;
    /** @private */ this.envAttached = false;
    /** @private */ this.onOnline = () => this.wake();
    /** @private */
    this.onVisibility = () => {
      const d = client._document;
      if (d && (d.visibilityState === 'visible' || d.hidden === false)) this.wake();
    };
  }

  /** {@link DuplexClient#connect} */
  connect() {
    const client = this.client;
    this.started = true;
    if (this.conn) {
      if (!this.conn.closing) return;
      this.abort(this.conn, 1000, 'client closed'); // connect() right after close(): finish closing now
    }
    this.deliberate = false;
    this.terminal = false;
    if (this.retryTimer) {
      client._clearTimeout(this.retryTimer);
      this.retryTimer = null;
    } else {
      this.failures = 0;
    }
    this.attachEnv();
    this.open();
  }

  /** {@link DuplexClient#close} */
  close() {
    const client = this.client;
    this.started = true;
    this.deliberate = true;
    if (this.retryTimer) {
      client._clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    const conn = this.conn;
    if (!conn) {
      if (!this.terminal) this.becomeTerminal(1000, 'client closed', null, false);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      if (conn.closing) return;
      conn.closing = true;
      this.clearConnTimers(conn);
      const s = conn.socket;
      if (!s) {
        this.finish(conn, 1000, 'client closed');
        return;
      }
      this.setState(State.CLOSING, { code: 1000, reason: 'client closed', reconnect: false });
      try {
        s.close(1000, 'client closed');
      } catch (e) {
        this.abort(conn, 1000, 'client closed');
        return;
      }
      conn.closeTimer = client._setTimeout(() => this.abort(conn, 1000, 'client closed'), client.options.closeTimeout);
    });
  }

  /** {@link DuplexClient#dropConnection} */
  drop() {
    const conn = this.conn;
    if (!conn || conn.closing) return false;
    this.abort(conn, 1006, 'connection dropped');
    return true;
  }

  // ---- one connection

  /** @private starts a connection attempt */
  open() {
    const client = this.client;
    this.retryTimer = null;
    const conn = {
      socket: null, established: false, closing: false, disconnect: null, connectId: null,
      resumed: new Map(), awaitingPong: 0, pingSentAt: 0,
      connectTimer: null, hbTimer: null, refreshTimer: null, flushTimer: null, closeTimer: null,
    };
    this.conn = conn;
    this.setState(State.CONNECTING, { attempt: this.failures, reconnect: true });
    if (this.conn !== conn) return; // a state listener closed or dropped it
    conn.connectTimer = client._setTimeout(
      () => this.abort(conn, 1006, `not connected within ${client.options.commandTimeout} ms`), client.options.commandTimeout);
    const token = client.options.token;
    if (typeof token === 'function') {
      Promise.resolve()
        .then(() => token({ refresh: false, attempt: this.failures }))
        .then((t) => {
          if (this.conn === conn && !conn.closing) this.createSocket(conn, t);
        }, (err) => {
          if (this.conn !== conn || conn.closing) return;
          client._emit('error', new DuplexError('token', `The token function failed: ${errorMessage(err)}`, { cause: err }));
          this.finish(conn, null, 'the token function failed');
        });
    } else {
      this.createSocket(conn, token);
    }
  }

  /** @private */
  createSocket(conn, token) {
    const client = this.client;
    let socket;
    try {
      socket = new client._WebSocket(client.url, [SUBPROTOCOL]);
    } catch (e) {
      client._emit('error', new DuplexError('socket', `Cannot open a WebSocket to ${client.url}: ${errorMessage(e)}`, { cause: e }));
      this.finish(conn, null, 'cannot open a WebSocket');
      return;
    }
    conn.socket = socket;
    try {
      socket.binaryType = 'arraybuffer';
    } catch (e) {
      // not settable: the default will do, the hub sends text
    }
    socket.onopen = () => {
      if (this.conn !== conn) return;
      this.sendConnect(conn, token);
    };
    socket.onmessage = (event) => {
      if (this.conn !== conn) return;
      this.onMessage(conn, event.data);
    };
    socket.onerror = (event) => {
      if (this.conn !== conn) return;
      client._emit('error', new DuplexError('socket', 'WebSocket error', { event }));
    };
    socket.onclose = (event) => {
      if (this.conn !== conn) return;
      this.finish(conn, event.code, event.reason);
    };
  }

  /** @private */
  sendConnect(conn, token) {
    const options = this.client.options;
    const id = this.client._commands.nextId();
    conn.connectId = id;
    const msg = { type: 'connect', id };
    if (token) msg.token = token;
    if (options.name) msg.name = options.name;
    if (options.version) msg.version = options.version;
    const subs = this.client._subscriptions.resumeIn(conn);
    if (subs) msg.subs = subs;
    this.client._commands.send(conn, msg);
  }

  /** @private */
  onMessage(conn, data) {
    const client = this.client;
    if (typeof data !== 'string') {
      client._emit('error', new DuplexError('protocol', 'A binary message from the hub; this client speaks duplex.v1.json'));
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      client._emit('error', new DuplexError('protocol', `A message from the hub that is not JSON: ${errorMessage(e)}`));
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    client._emit('message', msg);
    if (this.conn !== conn) return;
    switch (msg.type) {
      case 'publication': client._subscriptions.onPublication(msg); return;
      case 'join':
      case 'leave': client._subscriptions.onPresenceEvent(msg); return;
      case 'disconnect': conn.disconnect = msg; return;
      default: break;
    }
    if (msg.id != null && msg.id === conn.connectId) {
      if (msg.type === 'connected') this.onConnected(conn, msg);
      else if (msg.type === 'error') {
        client._emit('error', new DuplexError(msg.code, msg.message || 'connect failed'));
      }
      return;
    }
    const pending = msg.id != null ? client._commands.take(msg.id) : undefined;
    if (pending) {
      client._commands.onReply(conn, pending, msg);
      return;
    }
    if (msg.type === 'unsubscribed') {
      client._subscriptions.onUnsubscribedPush(conn, msg);
    } else if (msg.type === 'error') {
      client._emit('error', new DuplexError(msg.code, msg.message || 'error'));
    }
  }

  /** @private */
  onConnected(conn, msg) {
    const client = this.client;
    if (conn.connectTimer) {
      client._clearTimeout(conn.connectTimer);
      conn.connectTimer = null;
    }
    conn.established = true;
    this.failures = 0;
    this.clientId = msg.client ?? null;
    this.expires = typeof msg.expires === 'number' ? msg.expires : null;
    this.setState(State.OPEN, { reconnect: true });
    if (this.conn !== conn) return;
    const info = { ...msg };
    delete info.type;
    delete info.id;
    delete info.subs;
    client._emit('connected', info);
    if (this.conn !== conn) return;
    startHeartbeat(this, conn, msg.heartbeat);
    scheduleRefresh(this, conn);

    const replies = msg.subs && typeof msg.subs === 'object' ? msg.subs : {};
    if (!client._subscriptions.onConnected(conn, replies)) return;
    client._commands.sendWaiting(conn);
    client._outbox.flush();
  }

  // ---- the end of a connection

  /** @private the connection ended: reconnect after a back-off, or stay closed */
  finish(conn, code, reason) {
    const client = this.client;
    const options = client.options;
    if (this.conn !== conn) return;
    this.conn = null;
    this.clearConnTimers(conn);
    if (conn.closeTimer) client._clearTimeout(conn.closeTimer);
    if (conn.socket) detach(conn.socket);
    const wasOpen = conn.established;

    client._commands.onDisconnected();
    client._outbox.onDisconnected();
    client._subscriptions.onDisconnected();

    const d = conn.disconnect;
    let finalCode = d && typeof d.code === 'number' ? d.code : code;
    let finalReason = (d && d.reason) || reason || '';
    const retryAfter = d && typeof d.retryAfter === 'number' && d.retryAfter > 0 ? d.retryAfter : null;
    let reconnect = !this.deliberate && shouldReconnect(code) && shouldReconnect(finalCode) && !(d && d.reconnect === false);
    if (this.deliberate) {
      finalCode = 1000;
      finalReason = 'client closed';
    }
    if (reconnect) {
      this.failures++;
      if (this.failures > options.maxAttempts) {
        reconnect = false;
        client._emit('error', new DuplexError('closed', `Gave up after ${options.maxAttempts} reconnect attempts`));
      }
    }
    if (reconnect) {
      let delay = backoff(this.failures - 1, options.minDelay, options.maxDelay, client._random);
      if (retryAfter != null) delay = Math.max(delay, retryAfter);
      this.retryNotBefore = retryAfter != null ? client._now() + retryAfter : 0;
      this.retryTimer = client._setTimeout(() => {
        this.retryTimer = null;
        if (!this.conn && !this.terminal) this.open();
      }, delay);
      this.setState(State.CLOSED, { code: finalCode, reason: finalReason, reconnect: true, attempt: this.failures, nextRetryIn: delay });
    } else {
      this.becomeTerminal(finalCode, finalReason, retryAfter, !this.deliberate);
    }
    if (wasOpen) client._emit('disconnected', { code: finalCode, reason: finalReason, reconnect, retryAfter });
  }

  /** @private closed for good: reject what waits, stop listening to the environment */
  becomeTerminal(code, reason, retryAfter, byHub) {
    const client = this.client;
    this.terminal = true;
    this.detachEnv();
    const error = () => byHub
      ? new DuplexError(code ?? 'closed', `Disconnected for good: ${code ?? ''} ${reason || ''}`.trim(), { reason })
      : new DuplexError('closed', 'The client was closed');
    client._commands.rejectWaiting(error);
    client._outbox.rejectAll(error);
    this.setState(State.CLOSED, { code, reason, reconnect: false, attempt: this.failures, nextRetryIn: null });
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  /** ends a connection now, without waiting for the socket's close event */
  abort(conn, code, reason) {
    if (this.conn !== conn) return;
    const s = conn.socket;
    if (s) {
      detach(s);
      try {
        if (typeof s.terminate === 'function') s.terminate();
        else s.close(4000, reason);
      } catch (e) {
        // already closed
      }
    }
    this.finish(conn, code, reason);
  }

  /** @private */
  clearConnTimers(conn) {
    for (const k of ['connectTimer', 'hbTimer', 'refreshTimer', 'flushTimer']) {
      if (conn[k]) this.client._clearTimeout(conn[k]);
      conn[k] = null;
    }
  }

  // ---- the environment: online, visible

  /** @private online / visible again: retry now unless the hub asked to wait (retryAfter) */
  wake() {
    const client = this.client;
    if (!this.retryTimer) return;
    client._clearTimeout(this.retryTimer);
    const wait = this.retryNotBefore - client._now();
    if (wait > 0) {
      this.retryTimer = client._setTimeout(() => {
        this.retryTimer = null;
        if (!this.conn && !this.terminal) this.open();
      }, wait);
    } else {
      this.retryTimer = null;
      this.open();
    }
  }

  /** @private */
  attachEnv() {
    if (this.envAttached) return;
    this.envAttached = true;
    const w = this.client._window;
    const d = this.client._document;
    if (w && typeof w.addEventListener === 'function') w.addEventListener('online', this.onOnline);
    if (d && typeof d.addEventListener === 'function') d.addEventListener('visibilitychange', this.onVisibility);
  }

  /** @private */
  detachEnv() {
    if (!this.envAttached) return;
    this.envAttached = false;
    const w = this.client._window;
    const d = this.client._document;
    if (w && typeof w.removeEventListener === 'function') w.removeEventListener('online', this.onOnline);
    if (d && typeof d.removeEventListener === 'function') d.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** @private */
  setState(state, info = {}) {
    const previous = this.state;
    this.state = state;
    this.client._emit('state', {
      state,
      previous,
      readyState: READY_STATE[state],
      code: info.code ?? null,
      reason: info.reason ?? '',
      reconnect: info.reconnect ?? false,
      attempt: info.attempt ?? this.failures,
      nextRetryIn: info.nextRetryIn ?? null,
    });
  }
}

function detach(socket) {
  const noop = () => {};
  // No-ops rather than null: some implementations (ws) throw on an 'error' without a listener.
  socket.onopen = noop;
  socket.onmessage = noop;
  socket.onerror = noop;
  socket.onclose = noop;
}
