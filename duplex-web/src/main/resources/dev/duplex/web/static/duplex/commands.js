/**
 * Commands to the hub and their replies.
 * @module duplex/commands
 */
import { DuplexError, errorMessage } from './errors.js';

/**
 * The commands of a {@link DuplexClient}: their ids, the replies they wait for (each routed to what
 * sent it: a publish to the outbox, a subscribe to the subscriptions, a ping to the heartbeat, a
 * {@link DuplexClient#request} to its promise), the requests waiting for a connection, and the
 * sending of text on a connection (a failed send drops it).
 */
export class Commands {
  /** @param {DuplexClient} client */
  constructor(client) {
    /** @private */ this.client = client;
    /** @private */ this.lastId = 0;
    /** @private id -> what the reply is for */
    this.pending = new Map();
    /** @private requests waiting for a connection */
    this.waiting = [];
  }

  /** A new command id, for a command whose reply nobody waits for here (`connect`). */
  nextId() {
    return ++this.lastId;
  }

  /** A new command id, whose reply `pending` (`{kind, …}`) is waited for. */
  track(pending) {
    const id = ++this.lastId;
    this.pending.set(id, pending);
    return id;
  }

  /** Stops waiting for the reply to `id`. */
  forget(id) {
    this.pending.delete(id);
  }

  /** What the reply `id` is for, no longer waited for; undefined when nothing waits for it. */
  take(id) {
    const pending = this.pending.get(id);
    if (pending) this.pending.delete(id);
    return pending;
  }

  /**
   * Sends a request of {@link DuplexClient#request} now if the client is open, else when it is;
   * rejects it after `commandTimeout` ms.
   * @param {{type: string, fields: object, resolve: Function, reject: Function, timer: null, id: null}} call
   */
  request(call) {
    const client = this.client;
    call.timer = client._setTimeout(() => {
      call.timer = null;
      const i = this.waiting.indexOf(call);
      if (i >= 0) this.waiting.splice(i, 1);
      if (call.id != null) this.pending.delete(call.id);
      call.reject(new DuplexError('timeout', `No reply to ${call.type} within ${client.options.commandTimeout} ms`));
    }, client.options.commandTimeout);
    const conn = client._connector.conn;
    if (conn && conn.established) this.sendCall(conn, call);
    else this.waiting.push(call);
  }

  /** The connection is established: sends the requests that waited for it. */
  sendWaiting(conn) {
    for (const call of this.waiting.splice(0)) this.sendCall(conn, call);
  }

  /** Closed for good: rejects the requests that waited for a connection with `error()`. */
  rejectWaiting(error) {
    for (const call of this.waiting.splice(0)) {
      if (call.timer) this.client._clearTimeout(call.timer);
      call.reject(error());
    }
  }

  /** The connection dropped: replies that can no longer come. */
  onDisconnected() {
    const client = this.client;
    for (const pending of this.pending.values()) {
      if (pending.kind === 'call') {
        const call = pending.call;
        if (call.timer) client._clearTimeout(call.timer);
        call.timer = null;
        call.reject(new DuplexError('disconnected', `The connection dropped before the reply to ${call.type}`));
      }
    }
    this.pending.clear();
  }

  /** A reply to a command that was waited for (from {@link Commands#take}). */
  onReply(conn, pending, msg) {
    const client = this.client;
    const error = msg.type === 'error' ? new DuplexError(msg.code, msg.message || `error ${msg.code}`) : null;
    switch (pending.kind) {
      case 'publish':
        client._outbox.onReply(pending.entry, msg, error);
        return;
      case 'subscribe':
        client._subscriptions.onReply(conn, pending, msg, error);
        return;
      case 'heartbeat':
        if (conn.awaitingPong === msg.id) {
          conn.awaitingPong = 0;
          client._emit('rtt', Math.max(0, client._now() - conn.pingSentAt));
        }
        return;
      case 'call': {
        const call = pending.call;
        if (call.timer) client._clearTimeout(call.timer);
        call.timer = null;
        if (error) call.reject(error);
        else call.resolve(msg);
        return;
      }
      default:
        if (error) client._emit('error', error);
    }
  }

  /** @private */
  sendCall(conn, call) {
    const id = this.track({ kind: 'call', call });
    call.id = id;
    this.send(conn, { ...call.fields, type: call.type, id });
  }

  /** Sends a command whose reply is ignored (errors become error events). */
  sendInternal(conn, msg) {
    const id = this.track({ kind: 'internal' });
    this.send(conn, { ...msg, id });
  }

  send(conn, msg) {
    this.sendText(conn, JSON.stringify(msg));
  }

  /** Sends `text` on `conn`; when that fails, reports it and drops the connection. */
  sendText(conn, text) {
    try {
      conn.socket.send(text);
    } catch (e) {
      this.client._emit('error', new DuplexError('socket', `Cannot send: ${errorMessage(e)}`, { cause: e }));
      this.client._connector.abort(conn, 1006, 'send failed');
    }
  }
}
