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
 * The client is this module (the public API) and its internals beside it in `duplex/`:
 * `connector.js` (the connection state machine), `commands.js` (commands and their replies),
 * `keepalive.js` (heartbeats and token refresh), `subscriptions.js` and `subscription.js`
 * (subscribing and resuming), `positions.js` (stream positions and de-duplication), `outbox.js`
 * (publishes until their ack), `backoff.js` (reconnect policy and full jitter), `options.js`,
 * `errors.js` and `emitter.js`. Applications import this module only.
 *
 * @module duplex
 */
import { Commands } from './duplex/commands.js';
import { Connector, State, SUBPROTOCOL } from './duplex/connector.js';
import { DuplexError, errorMessage } from './duplex/errors.js';
import { Emitter } from './duplex/emitter.js';
import { DEFAULTS, effectiveOptions, resolveUrl } from './duplex/options.js';
import { Outbox } from './duplex/outbox.js';
import { Subscription } from './duplex/subscription.js';
import { Subscriptions } from './duplex/subscriptions.js';

export { backoff, shouldReconnect } from './duplex/backoff.js';
export { DEFAULTS, DuplexError, State, SUBPROTOCOL, Subscription };

/** The version of this client: the project's version (StaticFilesTest keeps them equal). */
export const VERSION = '0.1.0-SNAPSHOT';

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
    const o = effectiveOptions(options);
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

    /** @private the connection state machine */
    this._connector = new Connector(this);
    /** @private commands and their replies */
    this._commands = new Commands(this);
    /** @private channel -> Subscription, and their protocol */
    this._subscriptions = new Subscriptions(this);
    /** @private unacknowledged publishes, in order */
    this._outbox = new Outbox(this, o.msgIdPrefix || randomPrefix());

    if (o.autoConnect) {
      queueMicrotask(() => {
        if (!this._connector.started) this.connect();
      });
    }
  }

  /** The state: `connecting`, `open`, `closing` or `closed`. @type {string} */
  get state() {
    return this._connector.state;
  }

  /** The client id the hub gave this connection (null before the first `connected`). @type {string|null} */
  get clientId() {
    return this._connector.clientId;
  }

  /** Bytes the WebSocket has queued but not yet sent (0 without a socket). @type {number} */
  get bufferedAmount() {
    const conn = this._connector.conn;
    const s = conn && conn.socket;
    return (s && s.bufferedAmount) || 0;
  }

  /** Publishes waiting for their ack (sent or not yet sent). @type {number} */
  get outboxSize() {
    return this._outbox.size;
  }

  /** The active subscription of `channel`, or undefined. @param {string} channel @returns {Subscription|undefined} */
  getSubscription(channel) {
    return this._subscriptions.get(channel);
  }

  /** The active subscriptions, by channel (a copy). @returns {Map<string, Subscription>} */
  subscriptions() {
    return this._subscriptions.copy();
  }

  /**
   * Connects, or reconnects at once if waiting to retry. Called by the constructor unless
   * `autoConnect` is false; call it again after {@link DuplexClient#close} or after the hub closed
   * the connection for good.
   */
  connect() {
    this._connector.connect();
  }

  /**
   * Closes deliberately with code 1000: no reconnect. Pending commands and unacknowledged publishes
   * are rejected with code `'closed'`. Subscriptions are kept for a later {@link DuplexClient#connect}.
   * @returns {Promise<void>} resolves when the socket has closed (at most `closeTimeout` ms)
   */
  close() {
    return this._connector.close();
  }

  /**
   * Drops the connection without a deliberate close, as a network failure would: the client goes
   * CLOSED → CONNECTING → OPEN, recovering its subscriptions and resending unacknowledged
   * publishes. (With the `ws` package the socket is terminated; in a browser it is closed with
   * 4000.) For tests and the dashboard.
   * @returns {boolean} whether there was a connection to drop
   */
  dropConnection() {
    return this._connector.drop();
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
    return this._subscriptions.add(channel, options);
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
      if (this._connector.terminal) {
        reject(new DuplexError('closed', 'The client is closed; call connect() first', { channel }));
        return;
      }
      this._outbox.add(channel, data, options, resolve, reject);
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
      if (this._connector.terminal) {
        reject(new DuplexError('closed', 'The client is closed; call connect() first'));
        return;
      }
      try {
        JSON.stringify(fields);
      } catch (e) {
        reject(new TypeError(`${type}: the fields cannot be encoded as JSON: ${errorMessage(e)}`));
        return;
      }
      this._commands.request({ type, fields, resolve, reject, timer: null, id: null });
    });
  }

  /** @private {@link Subscription#unsubscribe} */
  _unsubscribe(sub) {
    return this._subscriptions.unsubscribe(sub);
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

/** 16 random hex digits: the default prefix of this client's message ids. */
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

/** The options of the constructor: see ./duplex/options.js. @typedef {import('./duplex/options.js').ClientOptions} ClientOptions */

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
