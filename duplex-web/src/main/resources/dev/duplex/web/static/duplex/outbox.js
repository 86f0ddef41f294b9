/**
 * The outbox: publishes waiting for their ack, in order, bounded.
 * @module duplex/outbox
 */
import { DuplexError, errorMessage } from './errors.js';

/**
 * The unacknowledged publishes of a {@link DuplexClient}, in order, at most `outboxLimit` (sent and
 * unsent). Each is sent once per connection, while the socket's `bufferedAmount` is at most
 * `highWatermark`, with the same message id every time, so that the hub publishes it once; it
 * leaves the outbox with its ack, its error or its timeout.
 *
 * Sends on the client's current connection (`Connector`) with its `Commands`.
 */
export class Outbox {
  /**
   * @param {DuplexClient} client
   * @param {string} msgIdPrefix the message ids are this prefix and a counter
   */
  constructor(client, msgIdPrefix) {
    /** @private */ this.client = client;
    /** @private unacknowledged publishes, in order */
    this.entries = [];
    /** @private */ this.msgPrefix = msgIdPrefix;
    /** @private */ this.msgCounter = 0;
  }

  /** Publishes waiting for their ack (sent or not yet sent). */
  get size() {
    return this.entries.length;
  }

  /**
   * Queues a publish and sends what can be sent; rejects at once when the outbox is full or `data`
   * is not JSON.
   */
  add(channel, data, options, resolve, reject) {
    const limit = this.client.options.outboxLimit;
    if (this.entries.length >= limit) {
      reject(new DuplexError('outbox_full', `The outbox is full (${limit} unacknowledged publishes)`, { channel }));
      return;
    }
    let json;
    try {
      json = JSON.stringify(data === undefined ? null : data);
    } catch (e) {
      reject(new TypeError(`data cannot be encoded as JSON: ${errorMessage(e)}`));
      return;
    }
    const msgId = (options && options.msgId) || `${this.msgPrefix}-${++this.msgCounter}`;
    this.entries.push({
      channel, json: json === undefined ? 'null' : json, key: options && options.key, msgId,
      resolve, reject, sentOn: null, timer: null, done: false,
    });
    this.flush();
  }

  /** Sends what the outbox has not sent on this connection, in order, while the socket has room. */
  flush() {
    const client = this.client;
    const connector = client._connector;
    const commands = client._commands;
    const conn = connector.conn;
    if (!conn || !conn.established || conn.closing) return;
    for (const e of [...this.entries]) {
      if (connector.conn !== conn) return;
      if (e.done || e.sentOn === conn) continue;
      if (client.bufferedAmount > client.options.highWatermark) {
        if (!conn.flushTimer) {
          conn.flushTimer = client._setTimeout(() => {
            conn.flushTimer = null;
            if (connector.conn === conn) this.flush();
          }, client.options.flushInterval);
        }
        return;
      }
      e.sentOn = conn;
      const id = commands.track({ kind: 'publish', entry: e });
      let text = `{"type":"publish","id":${id},"channel":${JSON.stringify(e.channel)},"data":${e.json},"msgId":${JSON.stringify(e.msgId)}`;
      if (e.key != null) text += `,"key":${JSON.stringify(String(e.key))}`;
      text += '}';
      e.timer = client._setTimeout(() => {
        e.timer = null;
        if (e.done) return;
        commands.forget(id);
        this.remove(e);
        e.reject(new DuplexError('timeout', `No ack within ${client.options.commandTimeout} ms`, { channel: e.channel, msgId: e.msgId }));
      }, client.options.commandTimeout);
      commands.sendText(conn, text);
    }
  }

  /** The hub's reply to a publish: an ack resolves it, an error rejects it. */
  onReply(e, msg, error) {
    if (e.done) return;
    this.remove(e);
    if (error) {
      error.channel = e.channel;
      error.msgId = e.msgId;
      e.reject(error);
    } else {
      e.resolve({ channel: msg.channel, epoch: msg.epoch, offset: msg.offset, duplicate: !!msg.duplicate, msgId: e.msgId });
    }
    this.flush();
  }

  /** The connection dropped: every publish is to be sent again on the next one. */
  onDisconnected() {
    for (const e of this.entries) {
      if (e.timer) this.client._clearTimeout(e.timer);
      e.timer = null;
      e.sentOn = null;
    }
  }

  /** Closed for good: rejects every publish, with `error()` and its channel and message id. */
  rejectAll(error) {
    for (const e of this.entries.splice(0)) {
      if (e.timer) this.client._clearTimeout(e.timer);
      e.done = true;
      e.reject(Object.assign(error(), { channel: e.channel, msgId: e.msgId }));
    }
  }

  /** @private */
  remove(e) {
    e.done = true;
    if (e.timer) this.client._clearTimeout(e.timer);
    e.timer = null;
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
  }
}
