/**
 * The {@link Subscription} class: one channel followed by a {@link DuplexClient}.
 * @module duplex/subscription
 */
import { Emitter } from './emitter.js';
import { positionFrom } from './positions.js';

/**
 * A subscription to one channel, made by {@link DuplexClient#subscribe}. It lives until
 * {@link Subscription#unsubscribe} (or until the hub refuses or ends it), across reconnects.
 *
 * Events (`sub.on(event, fn)`): `publication` ({@link Publication}), `join` / `leave`
 * (`{channel, info}`), `subscribed` ({@link SubscribedEvent}, after every (re)subscribe),
 * `unrecoverable` ({@link UnrecoverableEvent}), `unsubscribed` (`{channel, reason, code}`),
 * `error` ({@link DuplexError}).
 *
 * Its protocol (subscribe, resume, deliver, retry, end) is run by the client's `Subscriptions`.
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
    this._position = positionFrom(options.since);
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
