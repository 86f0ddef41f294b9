/**
 * duplex.js: the browser client of the Duplex hub (protocol `duplex.v1.json`, see PROTOCOL.md).
 *
 * A dependency-free ES module for modern browsers, also importable by Node.js (pass a WebSocket
 * implementation such as the `ws` package as `options.WebSocket`).
 *
 * ```js
 * import { DuplexClient } from '/duplex.js';
 * const client = new DuplexClient('/connect', { token: async () => (await fetch('/token')).text() });
 * const room = client.subscribe('chat:lobby', { publication: (p) => console.log(p.offset, p.data) });
 * await client.publish('chat:lobby', { text: 'hi' });   // resolves with the ack
 * ```
 *
 * What it does for the application:
 * - reconnects with exponential back-off and full jitter, following the hub's disconnect codes
 *   (never after `close()`, 3500–3999, 4500–4999, 1002, 1003, 1007, 1010) and `retryAfter`;
 * - sends heartbeat pings and treats a pong missing for one interval as a dead connection;
 * - resubscribes in the `connect` command after a reconnect, recovering missed publications, and
 *   de-duplicates by offset so each publication is delivered once, in order (or tells the
 *   application with `unrecoverable` when the hub could not recover);
 * - keeps unacknowledged publishes in a bounded outbox and resends them with the same message ids
 *   after a reconnect, so the hub publishes each once;
 * - holds publishes back while the socket's `bufferedAmount` is above a high watermark;
 * - refreshes the connection token before it expires.
 *
 * @module duplex
 */

/** The version of this client: the project's version (StaticFilesTest keeps them equal). */
export const VERSION = '0.1.0-SNAPSHOT';

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
 * The defaults of {@link ClientOptions}.
 * @type {Readonly<ClientOptions>}
 */
export const DEFAULTS = Object.freeze({
  minDelay: 500,
  maxDelay: 20_000,
  maxAttempts: Infinity,
  outboxLimit: 1000,
  commandTimeout: 10_000,
  highWatermark: 1 << 20,
  flushInterval: 50,
  closeTimeout: 5_000,
  autoConnect: true,
});

/** Hub error codes after which a subscribe is retried (with back-off) instead of given up. */
const TEMPORARY_ERRORS = new Set([100, 110]);

/**
 * Whether a client should reconnect after the hub disconnected it (or the WebSocket closed) with
 * `code`, by the ranges of PROTOCOL.md: 3000–3499 and 4000–4499 yes, 3500–3999 and 4500–4999 no;
 * below 3000 (WebSocket codes) yes except 1002, 1003, 1007 and 1010. A missing code means yes.
 * @param {number|null|undefined} code
 * @returns {boolean}
 */
export function shouldReconnect(code) {
  if (typeof code !== 'number' || !Number.isFinite(code)) return true;
  if (code >= 3000 && code < 5000) return code % 1000 < 500;
  return code !== 1002 && code !== 1003 && code !== 1007 && code !== 1010;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): exponential back-off with
 * full jitter, `random(0, min(maxDelay, minDelay · 2^attempt))`, in whole milliseconds.
 * @param {number} attempt 0, 1, 2, …
 * @param {number} [minDelay=500] the base delay (ms)
 * @param {number} [maxDelay=20000] the cap (ms)
 * @param {() => number} [random=Math.random] a source of numbers in [0, 1)
 * @returns {number}
 */
export function backoff(attempt, minDelay = DEFAULTS.minDelay, maxDelay = DEFAULTS.maxDelay, random = Math.random) {
  const cap = Math.min(maxDelay, minDelay * 2 ** Math.min(Math.max(0, attempt), 40));
  const r = Math.min(Math.max(Number(random()) || 0, 0), 1);
  return Math.min(Math.floor(r * cap), Math.floor(cap));
}

/**
 * An error of the hub or of this client. `code` is the hub's error code (a number, see PROTOCOL.md:
 * 100–115), a disconnect code (3000–4999) when a publish failed because the hub closed the
 * connection for good, or one of this client's codes: `'closed'` (the client is closed),
 * `'outbox_full'`, `'timeout'` (no reply within `commandTimeout`), `'disconnected'` (the connection
 * dropped before the reply), `'unsubscribed'`, `'token'` (the token function failed), `'socket'`
 * (a WebSocket error), `'protocol'` (an unreadable message from the hub).
 */
export class DuplexError extends Error {
  /**
   * @param {number|string} code
   * @param {string} message
   * @param {object} [details] copied onto the error (e.g. `channel`, `msgId`, `cause`)
   */
  constructor(code, message, details) {
    super(message);
    this.name = 'DuplexError';
    /** @type {number|string} */
    this.code = code;
    if (details) Object.assign(this, details);
  }
}

/**
 * A small event emitter: `on` returns a function that removes the listener. A listener that throws
 * does not stop the others; the error is reported as an `error` event of the client.
 */
class Emitter {
  constructor() {
    /** @private */
    this._listeners = new Map();
  }

  /**
   * Adds a listener.
   * @param {string} event
   * @param {(payload: any) => void} fn
   * @returns {() => void} removes the listener
   */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /**
   * Removes a listener added with {@link Emitter#on}.
   * @param {string} event
   * @param {Function} fn
   */
  off(event, fn) {
    const set = this._listeners.get(event);
    if (set) set.delete(fn);
  }

  /**
   * Adds a listener called at most once.
   * @param {string} event
   * @param {(payload: any) => void} fn
   * @returns {() => void} removes the listener
   */
  once(event, fn) {
    const off = this.on(event, (payload) => {
      off();
      fn(payload);
    });
    return off;
  }

  /** @private */
  _emit(event, payload) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (e) {
        this._listenerFailed(event, e);
      }
    }
  }

  /** @private */
  _listenerFailed(event, error) {
    if (typeof console !== 'undefined') console.error(`duplex.js: a '${event}' listener threw`, error);
  }
}

/**
 * A subscription to one channel, made by {@link DuplexClient#subscribe}. It lives until
 * {@link Subscription#unsubscribe} (or until the hub refuses or ends it), across reconnects.
 *
 * Events (`sub.on(event, fn)`): `publication` ({@link Publication}), `join` / `leave`
 * (`{channel, info}`), `subscribed` ({@link SubscribedEvent}, after every (re)subscribe),
 * `unrecoverable` ({@link UnrecoverableEvent}), `unsubscribed` (`{channel, reason, code}`),
 * `error` ({@link DuplexError}).
 */
export class Subscription extends Emitter {
  /** @private */
  constructor(client, channel, options) {
    super();
    /** The client this subscription belongs to. @type {DuplexClient} */
    this.client = client;
    /** The channel name. @type {string} */
    this.channel = channel;
    /**
     * `subscribing` (waiting for the hub, also while the client reconnects), `subscribed` or
     * `unsubscribed` (for good).
     * @type {'subscribing'|'subscribed'|'unsubscribed'}
     */
    this.state = 'subscribing';
    /** @private */
    this._position = null;
    if (options.since && typeof options.since.offset === 'number') {
      this._position = { offset: options.since.offset, epoch: String(options.since.epoch ?? '') };
    }
    /** @private */
    this._token = options.token;
    /** @private */
    this._inflight = false;
    /** @private */
    this._attempts = 0;
    /** @private */
    this._retryTimer = null;
    /**
     * Resolves with the first {@link SubscribedEvent}; rejects if the hub refuses the subscription
     * or it is unsubscribed first.
     * @type {Promise<SubscribedEvent>}
     */
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    this.ready.catch(() => {});
    for (const event of ['publication', 'join', 'leave', 'subscribed', 'unsubscribed', 'unrecoverable', 'error']) {
      if (typeof options[event] === 'function') this.on(event, options[event]);
    }
  }

  /**
   * Where this subscription is in the channel's stream: the offset of the last publication
   * delivered and the stream's epoch; null before the first `subscribed`. Save it to resume later
   * with `subscribe(channel, { since })`.
   * @type {Position|null}
   */
  get position() {
    return this._position ? { offset: this._position.offset, epoch: this._position.epoch } : null;
  }

  /**
   * Leaves the channel. Publications that arrive afterwards are not delivered.
   * @returns {Promise<void>} resolves once the hub confirmed (at once when offline)
   */
  unsubscribe() {
    return this.client._unsubscribe(this);
  }

  /**
   * Publishes to this channel: {@link DuplexClient#publish}.
   * @param {any} data
   * @param {PublishOptions} [options]
   * @returns {Promise<Ack>}
   */
  publish(data, options) {
    return this.client.publish(this.channel, data, options);
  }

  /** {@link DuplexClient#presence} of this channel. @returns {Promise<PresenceResult>} */
  presence() {
    return this.client.presence(this.channel);
  }

  /**
   * {@link DuplexClient#history} of this channel.
   * @param {HistoryOptions} [options]
   * @returns {Promise<HistoryResult>}
   */
  history(options) {
    return this.client.history(this.channel, options);
  }

  /** @private */
  _listenerFailed(event, error) {
    this.client._listenerFailed(`${this.channel}: ${event}`, error);
  }
}

/**
 * A client of the Duplex hub over one WebSocket, reconnecting as the hub's protocol says.
 *
 * Events (`client.on(event, fn)`, `off`, `once`):
 * - `state` ({@link StateEvent}): every state change;
 * - `connected` ({@link ConnectedEvent}): the hub accepted the connection (after every reconnect);
 * - `disconnected` (`{code, reason, reconnect, retryAfter}`): an open connection ended;
 * - `error` (an `Error`, usually a {@link DuplexError}): socket errors, failed token functions,
 *   refused subscriptions, hub errors without a command, listeners that threw;
 * - `publication`, `join`, `leave`, `subscribed`, `unsubscribed`, `unrecoverable`: those of every
 *   subscription, with `channel` in the payload;
 * - `rtt` (a number, ms): the round-trip time of each heartbeat ping;
 * - `message` (the parsed object): every message from the hub, for tools and new message types.
 */
export class DuplexClient extends Emitter {
  /**
   * @param {string} url the hub's WebSocket URL, e.g. `wss://example.com/connect`; `http(s)://` and
   *   (in a browser) paths such as `/connect` are turned into `ws(s)://` URLs
   * @param {ClientOptions} [options]
   */
  constructor(url, options = {}) {
    super();
    const o = { ...DEFAULTS, ...options };
    for (const k of ['minDelay', 'maxDelay', 'commandTimeout', 'highWatermark', 'flushInterval', 'closeTimeout']) {
      if (typeof o[k] !== 'number' || !(o[k] >= 0)) throw new TypeError(`options.${k} must be a number >= 0: ${o[k]}`);
    }
    if (!(o.outboxLimit >= 0)) throw new TypeError(`options.outboxLimit must be a number >= 0: ${o.outboxLimit}`);
    if (!(o.maxAttempts >= 0)) throw new TypeError(`options.maxAttempts must be a number >= 0: ${o.maxAttempts}`);
    /** The options in effect (defaults filled in). @type {ClientOptions} */
    this.options = o;
    /** The hub's URL. @type {string} */
    this.url = resolveUrl(url);
    /** @private */
    this._WebSocket = o.WebSocket || globalThis.WebSocket;
    if (typeof this._WebSocket !== 'function') {
      throw new TypeError('No WebSocket implementation: pass options.WebSocket (in Node.js, the ws package)');
    }
    /** @private */
    this._random = o.random || Math.random;
    /** @private */
    this._now = o.now || (() => Date.now());
    /** @private */
    this._setTimeout = o.setTimeout || ((fn, ms) => globalThis.setTimeout(fn, ms));
    /** @private */
    this._clearTimeout = o.clearTimeout || ((id) => globalThis.clearTimeout(id));
    /** @private */
    this._window = 'window' in options ? options.window : globalThis.window;
    /** @private */
    this._document = 'document' in options ? options.document : globalThis.document;

    /** @private */ this._state = State.CLOSED;
    /** @private the current connection attempt (token fetch, socket, session), or null */
    this._conn = null;
    /** @private */ this._cmdId = 0;
    /** @private consecutive failed connections; 0 after `connected` */
    this._failures = 0;
    /** @private */ this._retryTimer = null;
    /** @private */ this._retryNotBefore = 0;
    /** @private connect() or close() was called (or autoConnect ran) */
    this._started = false;
    /** @private closed for good until connect() */
    this._terminal = false;
    /** @private close() was called */
    this._deliberate = false;
    /** @private */ this._closeWaiters = [];
    /** @private id -> what the reply is for */
    this._pending = new Map();
    /** @private commands waiting for a connection */
    this._waiting = [];
    /** @private unacknowledged publishes, in order */
    this._outbox = [];
    /** @private channel -> Subscription */
    this._subs = new Map();
    /** @private */ this._msgPrefix = o.msgIdPrefix || randomPrefix();
    /** @private */ this._msgCounter = 0;
    /** @private */ this._clientId = null;
    /** @private */ this._expires = null;
    /** @private */ this._envAttached = false;
    /** @private */ this._onOnline = () => this._wake();
    /** @private */
    this._onVisibility = () => {
      const d = this._document;
      if (d && (d.visibilityState === 'visible' || d.hidden === false)) this._wake();
    };

    if (o.autoConnect) {
      queueMicrotask(() => {
        if (!this._started) this.connect();
      });
    }
  }

  /** The state: `connecting`, `open`, `closing` or `closed`. @type {string} */
  get state() {
    return this._state;
  }

  /** The client id the hub gave this connection (null before the first `connected`). @type {string|null} */
  get clientId() {
    return this._clientId;
  }

  /** Bytes the WebSocket has queued but not yet sent (0 without a socket). @type {number} */
  get bufferedAmount() {
    const s = this._conn && this._conn.socket;
    return (s && s.bufferedAmount) || 0;
  }

  /** Publishes waiting for their ack (sent or not yet sent). @type {number} */
  get outboxSize() {
    return this._outbox.length;
  }

  /** The active subscription of `channel`, or undefined. @param {string} channel @returns {Subscription|undefined} */
  getSubscription(channel) {
    return this._subs.get(channel);
  }

  /** The active subscriptions, by channel (a copy). @returns {Map<string, Subscription>} */
  subscriptions() {
    return new Map(this._subs);
  }

  /**
   * Connects, or reconnects at once if waiting to retry. Called by the constructor unless
   * `autoConnect` is false; call it again after {@link DuplexClient#close} or after the hub closed
   * the connection for good.
   */
  connect() {
    this._started = true;
    if (this._conn) {
      if (!this._conn.closing) return;
      this._abort(this._conn, 1000, 'client closed'); // connect() right after close(): finish closing now
    }
    this._deliberate = false;
    this._terminal = false;
    if (this._retryTimer) {
      this._clearTimeout(this._retryTimer);
      this._retryTimer = null;
    } else {
      this._failures = 0;
    }
    this._attachEnv();
    this._open();
  }

  /**
   * Closes deliberately with code 1000: no reconnect. Pending commands and unacknowledged publishes
   * are rejected with code `'closed'`. Subscriptions are kept for a later {@link DuplexClient#connect}.
   * @returns {Promise<void>} resolves when the socket has closed (at most `closeTimeout` ms)
   */
  close() {
    this._started = true;
    this._deliberate = true;
    if (this._retryTimer) {
      this._clearTimeout(this._retryTimer);
      this._retryTimer = null;
    }
    const conn = this._conn;
    if (!conn) {
      if (!this._terminal) this._becomeTerminal(1000, 'client closed', null, false);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this._closeWaiters.push(resolve);
      if (conn.closing) return;
      conn.closing = true;
      this._clearConnTimers(conn);
      const s = conn.socket;
      if (!s) {
        this._finish(conn, 1000, 'client closed');
        return;
      }
      this._setState(State.CLOSING, { code: 1000, reason: 'client closed', reconnect: false });
      try {
        s.close(1000, 'client closed');
      } catch (e) {
        this._abort(conn, 1000, 'client closed');
        return;
      }
      conn.closeTimer = this._setTimeout(() => this._abort(conn, 1000, 'client closed'), this.options.closeTimeout);
    });
  }

  /**
   * Drops the connection without a deliberate close, as a network failure would: the client goes
   * CLOSED → CONNECTING → OPEN, recovering its subscriptions and resending unacknowledged
   * publishes. (With the `ws` package the socket is terminated; in a browser it is closed with
   * 4000.) For tests and the dashboard.
   * @returns {boolean} whether there was a connection to drop
   */
  dropConnection() {
    const conn = this._conn;
    if (!conn || conn.closing) return false;
    this._abort(conn, 1006, 'connection dropped');
    return true;
  }

  /**
   * Subscribes to a channel. While the client is not open, the subscription waits and is sent with
   * the next `connect`. After a reconnect it resumes from its {@link Subscription#position}.
   * @param {string} channel
   * @param {SubscribeOptions} [options] handlers (`publication`, `join`, …) and options
   * @returns {Subscription}
   * @throws {DuplexError} code 105 when the channel already has an active subscription
   */
  subscribe(channel, options = {}) {
    if (typeof channel !== 'string' || channel === '') throw new TypeError('channel must be a non-empty string');
    if (this._subs.has(channel)) {
      throw new DuplexError(105, `Already subscribed to ${channel}; use getSubscription()`, { channel });
    }
    const sub = new Subscription(this, channel, options || {});
    this._subs.set(channel, sub);
    const conn = this._conn;
    if (conn && conn.established) this._sendSubscribe(conn, sub);
    return sub;
  }

  /**
   * Publishes `data` to `channel`. Resolves with the hub's ack. The publish waits in the outbox
   * (at most `outboxLimit` publishes, sent and unsent; beyond, it is rejected at once with code
   * `'outbox_full'`) while the client is not open, or while the socket's `bufferedAmount` is above
   * `highWatermark`, and is resent with the same message id after a reconnect until acknowledged:
   * the hub publishes it once (a resend it already has is acknowledged with `duplicate: true`).
   * @param {string} channel
   * @param {any} data any JSON value
   * @param {PublishOptions} [options]
   * @returns {Promise<Ack>} rejects with a {@link DuplexError} (the hub's code, `'timeout'`, `'closed'`, …)
   */
  publish(channel, data, options = {}) {
    return new Promise((resolve, reject) => {
      if (typeof channel !== 'string' || channel === '') {
        reject(new TypeError('channel must be a non-empty string'));
        return;
      }
      if (this._terminal) {
        reject(new DuplexError('closed', 'The client is closed; call connect() first', { channel }));
        return;
      }
      if (this._outbox.length >= this.options.outboxLimit) {
        reject(new DuplexError('outbox_full', `The outbox is full (${this.options.outboxLimit} unacknowledged publishes)`, { channel }));
        return;
      }
      let json;
      try {
        json = JSON.stringify(data === undefined ? null : data);
      } catch (e) {
        reject(new TypeError(`data cannot be encoded as JSON: ${errorMessage(e)}`));
        return;
      }
      const msgId = (options && options.msgId) || `${this._msgPrefix}-${++this._msgCounter}`;
      this._outbox.push({
        channel, json: json === undefined ? 'null' : json, key: options && options.key, msgId,
        resolve, reject, sentOn: null, timer: null, done: false,
      });
      this._flushOutbox();
    });
  }

  /**
   * Who is subscribed to `channel` (namespaces with presence on).
   * @param {string} channel
   * @returns {Promise<PresenceResult>}
   */
  presence(channel) {
    return this.request('presence', { channel }).then((r) => ({ channel: r.channel, clients: r.clients || [] }));
  }

  /**
   * The history of `channel`, oldest first: everything in the history window, or what came after
   * `since`; at most `limit` publications.
   * @param {string} channel
   * @param {HistoryOptions} [options]
   * @returns {Promise<HistoryResult>} rejects with code 115 when `since` fell out of the window
   */
  history(channel, options = {}) {
    const fields = { channel };
    if (options.since) fields.since = { offset: options.since.offset, epoch: options.since.epoch };
    if (options.limit != null) fields.limit = options.limit;
    return this.request('history', fields).then((r) => ({
      channel: r.channel, epoch: r.epoch, offset: r.offset, publications: r.publications || [],
    }));
  }

  /**
   * Pings the hub.
   * @returns {Promise<number>} the round-trip time in ms
   */
  ping() {
    const start = this._now();
    return this.request('ping').then(() => this._now() - start);
  }

  /**
   * Sends any command and resolves with the hub's reply (rejects with a {@link DuplexError} on an
   * `error` reply). Waits for the connection if the client is not open; gives up after
   * `commandTimeout` ms (`'timeout'`), or when the connection drops after sending
   * (`'disconnected'`). The low-level door for commands this client has no method for.
   * @param {string} type the command's `type`
   * @param {object} [fields] its other fields
   * @returns {Promise<object>}
   */
  request(type, fields = {}) {
    return new Promise((resolve, reject) => {
      if (this._terminal) {
        reject(new DuplexError('closed', 'The client is closed; call connect() first'));
        return;
      }
      try {
        JSON.stringify(fields);
      } catch (e) {
        reject(new TypeError(`${type}: the fields cannot be encoded as JSON: ${errorMessage(e)}`));
        return;
      }
      const call = { type, fields, resolve, reject, timer: null, id: null };
      call.timer = this._setTimeout(() => {
        call.timer = null;
        const i = this._waiting.indexOf(call);
        if (i >= 0) this._waiting.splice(i, 1);
        if (call.id != null) this._pending.delete(call.id);
        reject(new DuplexError('timeout', `No reply to ${type} within ${this.options.commandTimeout} ms`));
      }, this.options.commandTimeout);
      const conn = this._conn;
      if (conn && conn.established) this._sendCall(conn, call);
      else this._waiting.push(call);
    });
  }

  // ---- connection lifecycle

  /** @private starts a connection attempt */
  _open() {
    this._retryTimer = null;
    const conn = {
      socket: null, established: false, closing: false, disconnect: null, connectId: null,
      resumed: new Map(), awaitingPong: 0, pingSentAt: 0,
      connectTimer: null, hbTimer: null, refreshTimer: null, flushTimer: null, closeTimer: null,
    };
    this._conn = conn;
    this._setState(State.CONNECTING, { attempt: this._failures, reconnect: true });
    if (this._conn !== conn) return; // a state listener closed or dropped it
    conn.connectTimer = this._setTimeout(
      () => this._abort(conn, 1006, `not connected within ${this.options.commandTimeout} ms`), this.options.commandTimeout);
    const token = this.options.token;
    if (typeof token === 'function') {
      Promise.resolve()
        .then(() => token({ refresh: false, attempt: this._failures }))
        .then((t) => {
          if (this._conn === conn && !conn.closing) this._createSocket(conn, t);
        }, (err) => {
          if (this._conn !== conn || conn.closing) return;
          this._emit('error', new DuplexError('token', `The token function failed: ${errorMessage(err)}`, { cause: err }));
          this._finish(conn, null, 'the token function failed');
        });
    } else {
      this._createSocket(conn, token);
    }
  }

  /** @private */
  _createSocket(conn, token) {
    let socket;
    try {
      socket = new this._WebSocket(this.url, [SUBPROTOCOL]);
    } catch (e) {
      this._emit('error', new DuplexError('socket', `Cannot open a WebSocket to ${this.url}: ${errorMessage(e)}`, { cause: e }));
      this._finish(conn, null, 'cannot open a WebSocket');
      return;
    }
    conn.socket = socket;
    try {
      socket.binaryType = 'arraybuffer';
    } catch (e) {
      // not settable: the default will do, the hub sends text
    }
    socket.onopen = () => {
      if (this._conn !== conn) return;
      this._sendConnect(conn, token);
    };
    socket.onmessage = (event) => {
      if (this._conn !== conn) return;
      this._onMessage(conn, event.data);
    };
    socket.onerror = (event) => {
      if (this._conn !== conn) return;
      this._emit('error', new DuplexError('socket', 'WebSocket error', { event }));
    };
    socket.onclose = (event) => {
      if (this._conn !== conn) return;
      this._finish(conn, event.code, event.reason);
    };
  }

  /** @private */
  _sendConnect(conn, token) {
    const id = ++this._cmdId;
    conn.connectId = id;
    const msg = { type: 'connect', id };
    if (token) msg.token = token;
    if (this.options.name) msg.name = this.options.name;
    if (this.options.version) msg.version = this.options.version;
    const subs = {};
    let any = false;
    for (const sub of this._subs.values()) {
      if (sub.state === 'unsubscribed' || sub._token) continue; // subscription tokens need a subscribe command
      const since = sub.position;
      subs[sub.channel] = since;
      conn.resumed.set(sub, since);
      sub._inflight = true;
      any = true;
    }
    if (any) msg.subs = subs;
    this._send(conn, msg);
  }

  /** @private */
  _onMessage(conn, data) {
    if (typeof data !== 'string') {
      this._emit('error', new DuplexError('protocol', 'A binary message from the hub; this client speaks duplex.v1.json'));
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      this._emit('error', new DuplexError('protocol', `A message from the hub that is not JSON: ${errorMessage(e)}`));
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    this._emit('message', msg);
    if (this._conn !== conn) return;
    switch (msg.type) {
      case 'publication': this._onPublication(msg); return;
      case 'join':
      case 'leave': this._onPresenceEvent(msg); return;
      case 'disconnect': conn.disconnect = msg; return;
      default: break;
    }
    if (msg.id != null && msg.id === conn.connectId) {
      if (msg.type === 'connected') this._onConnected(conn, msg);
      else if (msg.type === 'error') {
        this._emit('error', new DuplexError(msg.code, msg.message || 'connect failed'));
      }
      return;
    }
    const pending = msg.id != null ? this._pending.get(msg.id) : undefined;
    if (pending) {
      this._pending.delete(msg.id);
      this._onReply(conn, pending, msg);
      return;
    }
    if (msg.type === 'unsubscribed') {
      this._onUnsubscribedPush(conn, msg);
    } else if (msg.type === 'error') {
      this._emit('error', new DuplexError(msg.code, msg.message || 'error'));
    }
  }

  /** @private */
  _onConnected(conn, msg) {
    if (conn.connectTimer) {
      this._clearTimeout(conn.connectTimer);
      conn.connectTimer = null;
    }
    conn.established = true;
    this._failures = 0;
    this._clientId = msg.client ?? null;
    this._expires = typeof msg.expires === 'number' ? msg.expires : null;
    this._setState(State.OPEN, { reconnect: true });
    if (this._conn !== conn) return;
    const info = { ...msg };
    delete info.type;
    delete info.id;
    delete info.subs;
    this._emit('connected', info);
    if (this._conn !== conn) return;
    this._startHeartbeat(conn, msg.heartbeat);
    this._scheduleRefresh(conn);

    const replies = msg.subs && typeof msg.subs === 'object' ? msg.subs : {};
    for (const channel of Object.keys(replies)) {
      const sub = this._subs.get(channel);
      if (sub && conn.resumed.has(sub)) {
        this._applySubscribed(conn, sub, replies[channel], conn.resumed.get(sub));
        conn.resumed.delete(sub);
      } else {
        // unsubscribed while connecting: tell the hub
        this._sendInternal(conn, { type: 'unsubscribe', channel });
      }
      if (this._conn !== conn) return;
    }
    for (const sub of this._subs.values()) {
      if (sub.state === 'subscribing' && !conn.resumed.has(sub) && !sub._inflight) this._sendSubscribe(conn, sub);
    }
    for (const call of this._waiting.splice(0)) this._sendCall(conn, call);
    this._flushOutbox();
  }

  /** @private a reply to a command in this._pending */
  _onReply(conn, pending, msg) {
    const error = msg.type === 'error' ? new DuplexError(msg.code, msg.message || `error ${msg.code}`) : null;
    switch (pending.kind) {
      case 'publish': {
        const e = pending.entry;
        if (e.done) return;
        this._removeFromOutbox(e);
        if (error) {
          error.channel = e.channel;
          error.msgId = e.msgId;
          e.reject(error);
        } else {
          e.resolve({ channel: msg.channel, epoch: msg.epoch, offset: msg.offset, duplicate: !!msg.duplicate, msgId: e.msgId });
        }
        this._flushOutbox();
        return;
      }
      case 'subscribe': {
        const sub = pending.sub;
        sub._inflight = false;
        if (this._subs.get(sub.channel) !== sub) return;
        if (msg.type === 'subscribed') this._applySubscribed(conn, sub, msg, pending.since);
        else if (error) this._subscribeFailed(sub, error);
        else if (msg.type === 'unsubscribed') this._endSub(sub, msg.reason || 'unsubscribed by the hub', null);
        return;
      }
      case 'heartbeat':
        if (conn.awaitingPong === msg.id) {
          conn.awaitingPong = 0;
          this._emit('rtt', Math.max(0, this._now() - conn.pingSentAt));
        }
        return;
      case 'call': {
        const call = pending.call;
        if (call.timer) this._clearTimeout(call.timer);
        call.timer = null;
        if (error) call.reject(error);
        else call.resolve(msg);
        return;
      }
      default:
        if (error) this._emit('error', error);
    }
  }

  /** @private */
  _finish(conn, code, reason) {
    if (this._conn !== conn) return;
    this._conn = null;
    this._clearConnTimers(conn);
    if (conn.closeTimer) this._clearTimeout(conn.closeTimer);
    if (conn.socket) detach(conn.socket);
    const wasOpen = conn.established;

    // Replies that can no longer come.
    for (const pending of this._pending.values()) {
      if (pending.kind === 'call') {
        const call = pending.call;
        if (call.timer) this._clearTimeout(call.timer);
        call.timer = null;
        call.reject(new DuplexError('disconnected', `The connection dropped before the reply to ${call.type}`));
      }
    }
    this._pending.clear();
    for (const e of this._outbox) {
      if (e.timer) this._clearTimeout(e.timer);
      e.timer = null;
      e.sentOn = null;
    }
    for (const sub of this._subs.values()) {
      sub._inflight = false;
      if (sub._retryTimer) {
        this._clearTimeout(sub._retryTimer);
        sub._retryTimer = null;
      }
      if (sub.state === 'subscribed') sub.state = 'subscribing';
    }

    const d = conn.disconnect;
    let finalCode = d && typeof d.code === 'number' ? d.code : code;
    let finalReason = (d && d.reason) || reason || '';
    const retryAfter = d && typeof d.retryAfter === 'number' && d.retryAfter > 0 ? d.retryAfter : null;
    let reconnect = !this._deliberate && shouldReconnect(code) && shouldReconnect(finalCode) && !(d && d.reconnect === false);
    if (this._deliberate) {
      finalCode = 1000;
      finalReason = 'client closed';
    }
    if (reconnect) {
      this._failures++;
      if (this._failures > this.options.maxAttempts) {
        reconnect = false;
        this._emit('error', new DuplexError('closed', `Gave up after ${this.options.maxAttempts} reconnect attempts`));
      }
    }
    if (reconnect) {
      let delay = backoff(this._failures - 1, this.options.minDelay, this.options.maxDelay, this._random);
      if (retryAfter != null) delay = Math.max(delay, retryAfter);
      this._retryNotBefore = retryAfter != null ? this._now() + retryAfter : 0;
      this._retryTimer = this._setTimeout(() => {
        this._retryTimer = null;
        if (!this._conn && !this._terminal) this._open();
      }, delay);
      this._setState(State.CLOSED, { code: finalCode, reason: finalReason, reconnect: true, attempt: this._failures, nextRetryIn: delay });
    } else {
      this._becomeTerminal(finalCode, finalReason, retryAfter, !this._deliberate);
    }
    if (wasOpen) this._emit('disconnected', { code: finalCode, reason: finalReason, reconnect, retryAfter });
  }

  /** @private closed for good: reject what waits, stop listening to the environment */
  _becomeTerminal(code, reason, retryAfter, byHub) {
    this._terminal = true;
    this._detachEnv();
    const error = () => byHub
      ? new DuplexError(code ?? 'closed', `Disconnected for good: ${code ?? ''} ${reason || ''}`.trim(), { reason })
      : new DuplexError('closed', 'The client was closed');
    for (const call of this._waiting.splice(0)) {
      if (call.timer) this._clearTimeout(call.timer);
      call.reject(error());
    }
    for (const e of this._outbox.splice(0)) {
      if (e.timer) this._clearTimeout(e.timer);
      e.done = true;
      e.reject(Object.assign(error(), { channel: e.channel, msgId: e.msgId }));
    }
    this._setState(State.CLOSED, { code, reason, reconnect: false, attempt: this._failures, nextRetryIn: null });
    for (const resolve of this._closeWaiters.splice(0)) resolve();
  }

  /** @private ends a connection now, without waiting for the socket's close event */
  _abort(conn, code, reason) {
    if (this._conn !== conn) return;
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
    this._finish(conn, code, reason);
  }

  /** @private */
  _clearConnTimers(conn) {
    for (const k of ['connectTimer', 'hbTimer', 'refreshTimer', 'flushTimer']) {
      if (conn[k]) this._clearTimeout(conn[k]);
      conn[k] = null;
    }
  }

  /** @private online / visible again: retry now unless the hub asked to wait (retryAfter) */
  _wake() {
    if (!this._retryTimer) return;
    this._clearTimeout(this._retryTimer);
    const wait = this._retryNotBefore - this._now();
    if (wait > 0) {
      this._retryTimer = this._setTimeout(() => {
        this._retryTimer = null;
        if (!this._conn && !this._terminal) this._open();
      }, wait);
    } else {
      this._retryTimer = null;
      this._open();
    }
  }

  /** @private */
  _attachEnv() {
    if (this._envAttached) return;
    this._envAttached = true;
    const w = this._window;
    const d = this._document;
    if (w && typeof w.addEventListener === 'function') w.addEventListener('online', this._onOnline);
    if (d && typeof d.addEventListener === 'function') d.addEventListener('visibilitychange', this._onVisibility);
  }

  /** @private */
  _detachEnv() {
    if (!this._envAttached) return;
    this._envAttached = false;
    const w = this._window;
    const d = this._document;
    if (w && typeof w.removeEventListener === 'function') w.removeEventListener('online', this._onOnline);
    if (d && typeof d.removeEventListener === 'function') d.removeEventListener('visibilitychange', this._onVisibility);
  }

  /** @private */
  _setState(state, info = {}) {
    const previous = this._state;
    this._state = state;
    this._emit('state', {
      state,
      previous,
      readyState: READY_STATE[state],
      code: info.code ?? null,
      reason: info.reason ?? '',
      reconnect: info.reconnect ?? false,
      attempt: info.attempt ?? this._failures,
      nextRetryIn: info.nextRetryIn ?? null,
    });
  }

  // ---- heartbeat and token refresh

  /** @private */
  _startHeartbeat(conn, interval) {
    if (typeof interval !== 'number' || !(interval > 0)) return;
    const tick = () => {
      conn.hbTimer = null;
      if (this._conn !== conn) return;
      if (conn.awaitingPong) {
        this._abort(conn, 1006, `no pong within ${interval} ms`);
        return;
      }
      const id = ++this._cmdId;
      conn.awaitingPong = id;
      conn.pingSentAt = this._now();
      this._pending.set(id, { kind: 'heartbeat' });
      this._send(conn, { type: 'ping', id });
      if (this._conn === conn) conn.hbTimer = this._setTimeout(tick, interval);
    };
    conn.hbTimer = this._setTimeout(tick, interval);
  }

  /** @private refresh the token 30 s before it expires (halfway there for tokens that live less than a minute) */
  _scheduleRefresh(conn) {
    if (conn.refreshTimer) this._clearTimeout(conn.refreshTimer);
    conn.refreshTimer = null;
    if (typeof this.options.token !== 'function' || this._expires == null) return;
    const remaining = this._expires - this._now();
    const delay = Math.max(0, remaining - Math.min(30_000, remaining / 2));
    conn.refreshTimer = this._setTimeout(() => this._refresh(conn), delay);
  }

  /** @private */
  _refresh(conn) {
    conn.refreshTimer = null;
    if (this._conn !== conn || !conn.established) return;
    const retry = () => {
      if (this._conn !== conn) return;
      const left = (this._expires ?? this._now()) - this._now();
      conn.refreshTimer = this._setTimeout(() => this._refresh(conn), Math.max(1000, Math.min(10_000, left / 2)));
    };
    Promise.resolve()
      .then(() => this.options.token({ refresh: true, attempt: 0 }))
      .then((token) => {
        if (this._conn !== conn) return undefined;
        return this.request('refresh', { token }).then((reply) => {
          this._expires = typeof reply.expires === 'number' ? reply.expires : null;
          if (this._conn === conn) this._scheduleRefresh(conn);
        });
      })
      .catch((err) => {
        if (this._conn !== conn) return;
        this._emit('error', err instanceof DuplexError ? err
          : new DuplexError('token', `The token function failed: ${errorMessage(err)}`, { cause: err }));
        // The hub disconnects with 3004 when the token expires; the reconnect fetches a new one.
        if (!(err instanceof DuplexError) || err.code === 'timeout' || TEMPORARY_ERRORS.has(err.code)) retry();
      });
  }

  // ---- subscriptions

  /** @private */
  _sendSubscribe(conn, sub) {
    sub.state = 'subscribing';
    sub._inflight = true;
    const since = sub.position;
    const send = (token) => {
      if (this._conn !== conn || !conn.established || this._subs.get(sub.channel) !== sub) {
        sub._inflight = false;
        return;
      }
      const id = ++this._cmdId;
      this._pending.set(id, { kind: 'subscribe', sub, since });
      const msg = { type: 'subscribe', id, channel: sub.channel };
      if (since) msg.since = since;
      if (token) msg.token = token;
      this._send(conn, msg);
    };
    const t = sub._token;
    if (typeof t === 'function') {
      Promise.resolve().then(() => t(sub.channel)).then(send, (err) => {
        sub._inflight = false;
        if (this._conn !== conn) return;
        this._subscribeFailed(sub, new DuplexError('token', `The subscription token function failed: ${errorMessage(err)}`,
          { cause: err, channel: sub.channel }));
      });
    } else {
      send(t);
    }
  }

  /** @private a subscribed reply (to subscribe, or inside connected): position, recovery, de-dup */
  _applySubscribed(conn, sub, reply, since) {
    sub._inflight = false;
    sub._attempts = 0;
    const previous = since || null;
    // recovered: true continues only from where this client is (same epoch); anything else is a gap
    const continues = reply.recovered === true && !!sub._position && sub._position.epoch === reply.epoch;
    const recovered = reply.recovered === true || reply.recovered === false ? continues : null;
    const pubs = Array.isArray(reply.publications) ? reply.publications : [];
    let startOffset;
    if (continues) {
      startOffset = sub._position.offset;
    } else if (recovered === null && pubs.length > 0) {
      // a fresh subscribe (latest-value namespaces send the latest publication): deliver them
      startOffset = Math.min(reply.offset, ...pubs.map((p) => (typeof p.offset === 'number' ? p.offset - 1 : reply.offset)));
    } else {
      startOffset = reply.offset;
    }
    sub._position = { offset: startOffset, epoch: reply.epoch };
    sub.state = 'subscribed';
    const event = {
      channel: sub.channel, epoch: reply.epoch, offset: reply.offset, recovered, previous,
      publications: recovered === false ? 0 : pubs.length,
    };
    sub._emit('subscribed', event);
    this._emit('subscribed', event);
    sub._resolveReady(event);
    if (recovered === false) {
      const lost = { channel: sub.channel, epoch: reply.epoch, offset: reply.offset, previous };
      sub._emit('unrecoverable', lost);
      this._emit('unrecoverable', lost);
    } else {
      for (const p of pubs) {
        if (this._conn !== conn || this._subs.get(sub.channel) !== sub) return; // a listener dropped or unsubscribed
        this._deliver(sub, { channel: sub.channel, ...p });
      }
    }
    if (this._conn === conn && this._subs.get(sub.channel) === sub && sub._position.offset < reply.offset) {
      sub._position.offset = reply.offset;
    }
  }

  /** @private */
  _onPublication(msg) {
    const sub = this._subs.get(msg.channel);
    if (!sub || sub.state !== 'subscribed') return;
    this._deliver(sub, msg);
  }

  /** @private delivers once: publications at or below the position are duplicates */
  _deliver(sub, p) {
    if (typeof p.offset === 'number' && sub._position) {
      if (p.offset <= sub._position.offset) return;
      sub._position.offset = p.offset;
    }
    /** @type {Publication} */
    const publication = { channel: sub.channel, offset: p.offset, data: p.data, info: p.info ?? null, key: p.key ?? null };
    sub._emit('publication', publication);
    this._emit('publication', publication);
  }

  /** @private */
  _onPresenceEvent(msg) {
    const sub = this._subs.get(msg.channel);
    if (!sub || sub.state !== 'subscribed') return;
    const event = { channel: msg.channel, info: msg.info ?? null };
    sub._emit(msg.type, event);
    this._emit(msg.type, event);
  }

  /** @private an unsubscribed message without a pending command */
  _onUnsubscribedPush(conn, msg) {
    const sub = this._subs.get(msg.channel);
    if (!sub) return;
    if (conn.resumed.has(sub)) {
      // Resuming in connect failed; the hub only says why in words. Subscribe on its own to learn
      // the error code (and to retry if it was temporary).
      conn.resumed.delete(sub);
      sub._inflight = false;
      this._sendSubscribe(conn, sub);
      return;
    }
    if (sub.state === 'subscribed') this._endSub(sub, msg.reason || 'unsubscribed by the hub', null);
  }

  /** @private */
  _subscribeFailed(sub, error) {
    if (this._subs.get(sub.channel) !== sub) return;
    error.channel = sub.channel;
    if (TEMPORARY_ERRORS.has(error.code) || error.code === 'token') {
      sub._attempts++;
      sub._emit('error', error);
      this._emit('error', error);
      const delay = backoff(sub._attempts - 1, this.options.minDelay, this.options.maxDelay, this._random);
      sub._retryTimer = this._setTimeout(() => {
        sub._retryTimer = null;
        const conn = this._conn;
        if (conn && conn.established && this._subs.get(sub.channel) === sub && sub.state === 'subscribing' && !sub._inflight) {
          this._sendSubscribe(conn, sub);
        }
      }, delay);
      return;
    }
    this._endSub(sub, error.message, error);
  }

  /** @private */
  _endSub(sub, reason, error) {
    if (this._subs.get(sub.channel) === sub) this._subs.delete(sub.channel);
    sub.state = 'unsubscribed';
    sub._inflight = false;
    if (sub._retryTimer) {
      this._clearTimeout(sub._retryTimer);
      sub._retryTimer = null;
    }
    if (error) {
      sub._rejectReady(error);
      sub._emit('error', error);
      this._emit('error', error);
    } else {
      sub._rejectReady(new DuplexError('unsubscribed', `${sub.channel}: ${reason}`, { channel: sub.channel }));
    }
    const event = { channel: sub.channel, reason, code: error ? error.code : null };
    sub._emit('unsubscribed', event);
    this._emit('unsubscribed', event);
  }

  /** @private */
  _unsubscribe(sub) {
    if (sub.state === 'unsubscribed' || this._subs.get(sub.channel) !== sub) {
      sub.state = 'unsubscribed';
      return Promise.resolve();
    }
    const conn = this._conn;
    const tellHub = !!(conn && conn.established && (sub.state === 'subscribed' || sub._inflight));
    this._endSub(sub, 'unsubscribed by the client', null);
    if (!tellHub) return Promise.resolve();
    return this.request('unsubscribe', { channel: sub.channel }).then(() => undefined, () => undefined);
  }

  // ---- publishing

  /** @private sends what the outbox has not sent on this connection, in order, while the socket has room */
  _flushOutbox() {
    const conn = this._conn;
    if (!conn || !conn.established || conn.closing) return;
    for (const e of [...this._outbox]) {
      if (this._conn !== conn) return;
      if (e.done || e.sentOn === conn) continue;
      if (this.bufferedAmount > this.options.highWatermark) {
        if (!conn.flushTimer) {
          conn.flushTimer = this._setTimeout(() => {
            conn.flushTimer = null;
            if (this._conn === conn) this._flushOutbox();
          }, this.options.flushInterval);
        }
        return;
      }
      const id = ++this._cmdId;
      e.sentOn = conn;
      this._pending.set(id, { kind: 'publish', entry: e });
      let text = `{"type":"publish","id":${id},"channel":${JSON.stringify(e.channel)},"data":${e.json},"msgId":${JSON.stringify(e.msgId)}`;
      if (e.key != null) text += `,"key":${JSON.stringify(String(e.key))}`;
      text += '}';
      e.timer = this._setTimeout(() => {
        e.timer = null;
        if (e.done) return;
        this._pending.delete(id);
        this._removeFromOutbox(e);
        e.reject(new DuplexError('timeout', `No ack within ${this.options.commandTimeout} ms`, { channel: e.channel, msgId: e.msgId }));
      }, this.options.commandTimeout);
      this._sendText(conn, text);
    }
  }

  /** @private */
  _removeFromOutbox(e) {
    e.done = true;
    if (e.timer) this._clearTimeout(e.timer);
    e.timer = null;
    const i = this._outbox.indexOf(e);
    if (i >= 0) this._outbox.splice(i, 1);
  }

  // ---- sending

  /** @private */
  _sendCall(conn, call) {
    const id = ++this._cmdId;
    call.id = id;
    this._pending.set(id, { kind: 'call', call });
    this._send(conn, { ...call.fields, type: call.type, id });
  }

  /** @private a command whose reply is ignored (errors become error events) */
  _sendInternal(conn, msg) {
    const id = ++this._cmdId;
    this._pending.set(id, { kind: 'internal' });
    this._send(conn, { ...msg, id });
  }

  /** @private */
  _send(conn, msg) {
    this._sendText(conn, JSON.stringify(msg));
  }

  /** @private */
  _sendText(conn, text) {
    try {
      conn.socket.send(text);
    } catch (e) {
      this._emit('error', new DuplexError('socket', `Cannot send: ${errorMessage(e)}`, { cause: e }));
      this._abort(conn, 1006, 'send failed');
    }
  }

  /** @private */
  _listenerFailed(event, error) {
    if (event === 'error') {
      super._listenerFailed(event, error);
    } else {
      this._emit('error', error);
    }
  }
}

/** Static names of the states, like WebSocket.OPEN (but strings). */
DuplexClient.CONNECTING = State.CONNECTING;
DuplexClient.OPEN = State.OPEN;
DuplexClient.CLOSING = State.CLOSING;
DuplexClient.CLOSED = State.CLOSED;

function detach(socket) {
  const noop = () => {};
  // No-ops rather than null: some implementations (ws) throw on an 'error' without a listener.
  socket.onopen = noop;
  socket.onmessage = noop;
  socket.onerror = noop;
  socket.onclose = noop;
}

function errorMessage(e) {
  return e && e.message ? e.message : String(e);
}

function randomPrefix() {
  const bytes = new Uint8Array(8);
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === 'function') {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function resolveUrl(url) {
  if (typeof url !== 'string' || url === '') throw new TypeError('url must be a non-empty string');
  const base = globalThis.location && globalThis.location.href;
  const u = base ? new URL(url, base) : new URL(url);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`Not a WebSocket URL: ${url}`);
  return u.href;
}

/**
 * @typedef {object} ClientOptions
 * @property {string|((ctx: {refresh: boolean, attempt: number}) => (string|Promise<string>))} [token]
 *   the connection token (JWT), or a function returning it, called before every (re)connect and,
 *   when `connected.expires` is set, to refresh it before it expires; omit for anonymous access
 * @property {string} [name] the application's name, sent in `connect`
 * @property {string} [version] the application's version, sent in `connect`
 * @property {number} [minDelay=500] back-off base (ms)
 * @property {number} [maxDelay=20000] back-off cap (ms)
 * @property {number} [maxAttempts=Infinity] consecutive failed reconnects before giving up
 * @property {number} [outboxLimit=1000] unacknowledged publishes kept; beyond, `publish` rejects
 * @property {number} [commandTimeout=10000] ms to wait for a reply (and for `connected`)
 * @property {number} [highWatermark=1048576] publishes wait while the socket's `bufferedAmount` is above this
 * @property {number} [flushInterval=50] ms between checks of `bufferedAmount` while publishes wait
 * @property {number} [closeTimeout=5000] ms `close()` waits for the socket to close
 * @property {boolean} [autoConnect=true] connect from the constructor (in a microtask)
 * @property {string} [msgIdPrefix] message id prefix (default: 16 random hex digits per instance)
 * @property {Function} [WebSocket] the WebSocket constructor (default `globalThis.WebSocket`)
 * @property {() => number} [random] numbers in [0, 1) for the jitter (default `Math.random`)
 * @property {() => number} [now] the clock, epoch ms (default `Date.now`)
 * @property {(fn: Function, ms: number) => any} [setTimeout] timers (default the global one)
 * @property {(id: any) => void} [clearTimeout]
 * @property {EventTarget|null} [window] fires `online` (default `globalThis.window`)
 * @property {EventTarget|null} [document] fires `visibilitychange` (default `globalThis.document`)
 */

/**
 * @typedef {object} StateEvent
 * @property {'connecting'|'open'|'closing'|'closed'} state
 * @property {string} previous the state before
 * @property {'CONNECTING'|'OPEN'|'CLOSING'|'CLOSED'} readyState the WebSocket-style name
 * @property {number|null} code the close or disconnect code (closing/closed)
 * @property {string} reason
 * @property {boolean} reconnect whether the client will connect again (false once closed for good)
 * @property {number} attempt consecutive failed connections so far (0 after `connected`)
 * @property {number|null} nextRetryIn ms until the next attempt (closed with reconnect)
 */

/**
 * @typedef {object} ConnectedEvent
 * @property {string} client the hub's id of this connection
 * @property {number} heartbeat the ping interval (ms)
 * @property {number|null} [expires] when the token expires (epoch ms)
 */

/** @typedef {{offset: number, epoch: string}} Position */

/**
 * @typedef {object} Publication
 * @property {string} channel
 * @property {number} offset its place in the channel's stream
 * @property {any} data
 * @property {{client: string, user: string, info?: any}|null} info the publisher
 * @property {string|null} key
 */

/**
 * @typedef {object} SubscribedEvent
 * @property {string} channel
 * @property {string} epoch
 * @property {number} offset the stream's position when subscribed
 * @property {boolean|null} recovered null for a fresh subscribe; true when the missed publications
 *   follow (delivered right after this event); false when they are lost (see `unrecoverable`)
 * @property {Position|null} previous the position the client asked to recover from
 * @property {number} publications how many publications came with the reply
 */

/**
 * @typedef {object} UnrecoverableEvent
 * @property {string} channel
 * @property {string} epoch the stream's epoch now
 * @property {number} offset the stream's offset now: delivery continues after it
 * @property {Position|null} previous where the client was
 */

/**
 * @typedef {object} SubscribeOptions
 * @property {Position} [since] recover from this position on the first subscribe (e.g. saved from `sub.position`)
 * @property {string|((channel: string) => (string|Promise<string>))} [token] a subscription token
 *   (namespaces with `subscribe: token`), or a function called before every subscribe
 * @property {(p: Publication) => void} [publication]
 * @property {(e: {channel: string, info: object}) => void} [join]
 * @property {(e: {channel: string, info: object}) => void} [leave]
 * @property {(e: SubscribedEvent) => void} [subscribed]
 * @property {(e: UnrecoverableEvent) => void} [unrecoverable]
 * @property {(e: {channel: string, reason: string, code: any}) => void} [unsubscribed]
 * @property {(e: Error) => void} [error]
 */

/**
 * @typedef {object} PublishOptions
 * @property {string} [key] the key for keep-latest-per-key delivery
 * @property {string} [msgId] the message id (default: this client's prefix and a counter)
 */

/**
 * @typedef {object} Ack
 * @property {string} channel
 * @property {string} epoch
 * @property {number} offset the publication's offset (of the first one when `duplicate`)
 * @property {boolean} duplicate the hub already had this message id: nothing new was published
 * @property {string} msgId
 */

/** @typedef {{channel: string, clients: Array<{client: string, user: string, info?: any}>}} PresenceResult */

/** @typedef {{since?: Position, limit?: number}} HistoryOptions */

/** @typedef {{channel: string, epoch: string, offset: number, publications: Publication[]}} HistoryResult */
