/**
 * The client's side of subscribing: its subscriptions by channel, and their protocol.
 * @module duplex/subscriptions
 */
import { backoff } from './backoff.js';
import { DuplexError, TEMPORARY_ERRORS, errorMessage } from './errors.js';
import { advance, afterSubscribed } from './positions.js';
import { Subscription } from './subscription.js';

/**
 * The {@link Subscription}s of a {@link DuplexClient}, one per channel, and what happens to them:
 * subscribed with a `subscribe` command or resumed inside `connect` (from their positions),
 * delivered to once per publication, retried with back-off after temporary errors, ended by the
 * client or the hub. Each event goes to the subscription, then to the client.
 *
 * Sends on the client's current connection (`Connector`) with its `Commands`.
 */
export class Subscriptions {
  /** @param {DuplexClient} client */
  constructor(client) {
    /** @private */ this.client = client;
    /** @private channel -> Subscription */
    this.byChannel = new Map();
  }

  /** @returns {Subscription|undefined} */
  get(channel) {
    return this.byChannel.get(channel);
  }

  /** @returns {Map<string, Subscription>} a copy */
  copy() {
    return new Map(this.byChannel);
  }

  /**
   * A new subscription of `channel`, sent at once when the client is open, else with the next `connect`.
   * @throws {DuplexError} code 105 when the channel already has an active subscription
   */
  add(channel, options) {
    if (this.byChannel.has(channel)) {
      throw new DuplexError(105, `Already subscribed to ${channel}; use getSubscription()`, { channel });
    }
    const sub = new Subscription(this.client, channel, options || {});
    this.byChannel.set(channel, sub);
    const conn = this.client._connector.conn;
    if (conn && conn.established) this.send(conn, sub);
    return sub;
  }

  /**
   * The `subs` of a `connect` command: every subscription that can resume there, with its position
   * (recorded in `conn.resumed`); null for none.
   */
  resumeIn(conn) {
    const subs = {};
    let any = false;
    for (const sub of this.byChannel.values()) {
      if (sub.state === 'unsubscribed' || sub._token) continue; // subscription tokens need a subscribe command
      const since = sub.position;
      subs[sub.channel] = since;
      conn.resumed.set(sub, since);
      sub._inflight = true;
      any = true;
    }
    return any ? subs : null;
  }

  /**
   * `connected` arrived: applies its `subs` replies, then subscribes what was not resumed.
   * @returns {boolean} whether `conn` is still the client's connection (a listener may have dropped it)
   */
  onConnected(conn, replies) {
    const connector = this.client._connector;
    for (const channel of Object.keys(replies)) {
      const sub = this.byChannel.get(channel);
      if (sub && conn.resumed.has(sub)) {
        this.applySubscribed(conn, sub, replies[channel], conn.resumed.get(sub));
        conn.resumed.delete(sub);
      } else {
        // unsubscribed while connecting: tell the hub
        this.client._commands.sendInternal(conn, { type: 'unsubscribe', channel });
      }
      if (connector.conn !== conn) return false;
    }
    for (const sub of this.byChannel.values()) {
      if (sub.state === 'subscribing' && !conn.resumed.has(sub) && !sub._inflight) this.send(conn, sub);
    }
    return true;
  }

  /** The connection dropped: every subscription waits to be resumed on the next one. */
  onDisconnected() {
    for (const sub of this.byChannel.values()) {
      sub._inflight = false;
      if (sub._retryTimer) {
        this.client._clearTimeout(sub._retryTimer);
        sub._retryTimer = null;
      }
      if (sub.state === 'subscribed') sub.state = 'subscribing';
    }
  }

  /** Sends a `subscribe` command (after the subscription token function, if any). */
  send(conn, sub) {
    const connector = this.client._connector;
    sub.state = 'subscribing';
    sub._inflight = true;
    const since = sub.position;
    const send = (token) => {
      if (connector.conn !== conn || !conn.established || this.byChannel.get(sub.channel) !== sub) {
        sub._inflight = false;
        return;
      }
      const id = this.client._commands.track({ kind: 'subscribe', sub, since });
      const msg = { type: 'subscribe', id, channel: sub.channel };
      if (since) msg.since = since;
      if (token) msg.token = token;
      this.client._commands.send(conn, msg);
    };
    const t = sub._token;
    if (typeof t === 'function') {
      Promise.resolve().then(() => t(sub.channel)).then(send, (err) => {
        sub._inflight = false;
        if (connector.conn !== conn) return;
        this.failed(sub, new DuplexError('token', `The subscription token function failed: ${errorMessage(err)}`,
          { cause: err, channel: sub.channel }));
      });
    } else {
      send(t);
    }
  }

  /** The hub's reply to a `subscribe` command. */
  onReply(conn, pending, msg, error) {
    const sub = pending.sub;
    sub._inflight = false;
    if (this.byChannel.get(sub.channel) !== sub) return;
    if (msg.type === 'subscribed') this.applySubscribed(conn, sub, msg, pending.since);
    else if (error) this.failed(sub, error);
    else if (msg.type === 'unsubscribed') this.end(sub, msg.reason || 'unsubscribed by the hub', null);
  }

  /** @private a subscribed reply (to subscribe, or inside connected): position, recovery, de-dup */
  applySubscribed(conn, sub, reply, since) {
    const client = this.client;
    sub._inflight = false;
    sub._attempts = 0;
    const previous = since || null;
    const { recovered, publications: pubs, position } = afterSubscribed(sub._position, reply);
    sub._position = position;
    sub.state = 'subscribed';
    const event = {
      channel: sub.channel, epoch: reply.epoch, offset: reply.offset, recovered, previous,
      publications: recovered === false ? 0 : pubs.length,
    };
    sub._emit('subscribed', event);
    client._emit('subscribed', event);
    sub._resolveReady(event);
    if (recovered === false) {
      const lost = { channel: sub.channel, epoch: reply.epoch, offset: reply.offset, previous };
      sub._emit('unrecoverable', lost);
      client._emit('unrecoverable', lost);
    } else {
      for (const p of pubs) {
        // a listener dropped or unsubscribed
        if (client._connector.conn !== conn || this.byChannel.get(sub.channel) !== sub) return;
        this.deliver(sub, { channel: sub.channel, ...p });
      }
    }
    if (client._connector.conn === conn && this.byChannel.get(sub.channel) === sub && sub._position.offset < reply.offset) {
      sub._position.offset = reply.offset;
    }
  }

  /** A publication pushed by the hub. */
  onPublication(msg) {
    const sub = this.byChannel.get(msg.channel);
    if (!sub || sub.state !== 'subscribed') return;
    this.deliver(sub, msg);
  }

  /** @private delivers once: publications at or below the position are duplicates */
  deliver(sub, p) {
    if (!advance(sub._position, p.offset)) return;
    /** @type {Publication} */
    const publication = { channel: sub.channel, offset: p.offset, data: p.data, info: p.info ?? null, key: p.key ?? null };
    sub._emit('publication', publication);
    this.client._emit('publication', publication);
  }

  /** A `join` or `leave` pushed by the hub. */
  onPresenceEvent(msg) {
    const sub = this.byChannel.get(msg.channel);
    if (!sub || sub.state !== 'subscribed') return;
    const event = { channel: msg.channel, info: msg.info ?? null };
    sub._emit(msg.type, event);
    this.client._emit(msg.type, event);
  }

  /** An unsubscribed message without a pending command. */
  onUnsubscribedPush(conn, msg) {
    const sub = this.byChannel.get(msg.channel);
    if (!sub) return;
    if (conn.resumed.has(sub)) {
      // Resuming in connect failed; the hub only says why in words. Subscribe on its own to learn
      // the error code (and to retry if it was temporary).
      conn.resumed.delete(sub);
      sub._inflight = false;
      this.send(conn, sub);
      return;
    }
    if (sub.state === 'subscribed') this.end(sub, msg.reason || 'unsubscribed by the hub', null);
  }

  /** @private retries after temporary errors (with back-off); ends the subscription after others */
  failed(sub, error) {
    const client = this.client;
    if (this.byChannel.get(sub.channel) !== sub) return;
    error.channel = sub.channel;
    if (TEMPORARY_ERRORS.has(error.code) || error.code === 'token') {
      sub._attempts++;
      sub._emit('error', error);
      client._emit('error', error);
      const delay = backoff(sub._attempts - 1, client.options.minDelay, client.options.maxDelay, client._random);
      sub._retryTimer = client._setTimeout(() => {
        sub._retryTimer = null;
        const conn = client._connector.conn;
        if (conn && conn.established && this.byChannel.get(sub.channel) === sub && sub.state === 'subscribing' && !sub._inflight) {
          this.send(conn, sub);
        }
      }, delay);
      return;
    }
    this.end(sub, error.message, error);
  }

  /** @private */
  end(sub, reason, error) {
    const client = this.client;
    if (this.byChannel.get(sub.channel) === sub) this.byChannel.delete(sub.channel);
    sub.state = 'unsubscribed';
    sub._inflight = false;
    if (sub._retryTimer) {
      client._clearTimeout(sub._retryTimer);
      sub._retryTimer = null;
    }
    if (error) {
      sub._rejectReady(error);
      sub._emit('error', error);
      client._emit('error', error);
    } else {
      sub._rejectReady(new DuplexError('unsubscribed', `${sub.channel}: ${reason}`, { channel: sub.channel }));
    }
    const event = { channel: sub.channel, reason, code: error ? error.code : null };
    sub._emit('unsubscribed', event);
    client._emit('unsubscribed', event);
  }

  /** {@link Subscription#unsubscribe}: ends it here, then tells the hub if it knows of it. */
  unsubscribe(sub) {
    if (sub.state === 'unsubscribed' || this.byChannel.get(sub.channel) !== sub) {
      sub.state = 'unsubscribed';
      return Promise.resolve();
    }
    const conn = this.client._connector.conn;
    const tellHub = !!(conn && conn.established && (sub.state === 'subscribed' || sub._inflight));
    this.end(sub, 'unsubscribed by the client', null);
    if (!tellHub) return Promise.resolve();
    return this.client.request('unsubscribe', { channel: sub.channel }).then(() => undefined, () => undefined);
  }
}
