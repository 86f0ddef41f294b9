// Test helpers for the unit tests of duplex.js: a fake clock (the client's injectable setTimeout,
// clearTimeout and now), a fake WebSocket with the browser's API surface, seeded randomness, and
// an event recorder. Not a test file itself (the runner is given *.test.mjs only).

import { DuplexClient } from '../../main/resources/dev/duplex/web/static/duplex.js';

export { DuplexClient };

/** Lets pending promise callbacks and I/O callbacks run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Timers that run only when the test advances the clock. */
export class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.t = start;
    this.timers = new Map();
    this.seq = 0;
    this.now = () => this.t;
    this.setTimeout = (fn, ms) => {
      const id = ++this.seq;
      this.timers.set(id, { id, at: this.t + Math.max(0, Number(ms) || 0), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      await flush();
      let next = null;
      for (const timer of this.timers.values()) {
        if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) next = timer;
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await flush();
  }

  /** Milliseconds until the earliest timer, or null. */
  nextIn() {
    let at = null;
    for (const timer of this.timers.values()) if (at === null || timer.at < at) at = timer.at;
    return at === null ? null : at - this.t;
  }
}

/** Deterministic numbers in [0, 1) (mulberry32). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A class with the browser WebSocket's API surface (constructor(url, protocols), readyState,
 * protocol, binaryType, bufferedAmount, send, close, onopen/onmessage/onerror/onclose; no
 * terminate), plus methods for the test to play the hub: accept, receive, serverClose, fail.
 */
export function fakeWebSocketClass() {
  class FakeWebSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = FakeWebSocket.CONNECTING;
      this.protocol = '';
      this.binaryType = 'blob';
      this.bufferedAmount = 0;
      this.sent = [];
      this.closeCalls = [];
      this.autoClose = true;
      this.onopen = null;
      this.onmessage = null;
      this.onerror = null;
      this.onclose = null;
      FakeWebSocket.instances.push(this);
    }

    send(data) {
      if (this.readyState === FakeWebSocket.CONNECTING) throw new Error('InvalidStateError: still connecting');
      if (this.readyState !== FakeWebSocket.OPEN) return; // browsers discard silently
      this.sent.push(JSON.parse(data));
    }

    close(code, reason) {
      if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw new Error(`InvalidAccessError: close code ${code}`);
      }
      this.closeCalls.push({ code, reason });
      if (this.readyState < FakeWebSocket.CLOSING) this.readyState = FakeWebSocket.CLOSING;
      // The hub answers the close handshake a moment later, unless the test plays a dead hub.
      if (this.autoClose) setImmediate(() => { if (this.readyState !== FakeWebSocket.CLOSED) this.serverClose(code ?? 1005, reason ?? ''); });
    }

    // ---- the hub's side

    accept() {
      this.readyState = FakeWebSocket.OPEN;
      this.protocol = 'duplex.v1.json';
      if (this.onopen) this.onopen({ type: 'open' });
    }

    receive(message) {
      if (this.onmessage) this.onmessage({ type: 'message', data: typeof message === 'string' ? message : JSON.stringify(message) });
    }

    serverClose(code = 1000, reason = '') {
      this.readyState = FakeWebSocket.CLOSED;
      if (this.onclose) this.onclose({ type: 'close', code, reason, wasClean: code !== 1006 });
    }

    /** The connection failed (no handshake, or the network went away). */
    fail() {
      this.readyState = FakeWebSocket.CLOSED;
      if (this.onerror) this.onerror({ type: 'error' });
      if (this.onclose) this.onclose({ type: 'close', code: 1006, reason: '', wasClean: false });
    }

    sentOf(type) {
      return this.sent.filter((m) => m.type === type);
    }

    lastSent(type) {
      const all = this.sentOf(type);
      return all[all.length - 1];
    }
  }
  FakeWebSocket.CONNECTING = 0;
  FakeWebSocket.OPEN = 1;
  FakeWebSocket.CLOSING = 2;
  FakeWebSocket.CLOSED = 3;
  FakeWebSocket.instances = [];
  return FakeWebSocket;
}

const EVENTS = ['state', 'connected', 'disconnected', 'error', 'publication', 'join', 'leave', 'subscribed',
  'unsubscribed', 'unrecoverable', 'rtt'];

/** Every event of `emitter`, in order, as [name, payload]. */
export function record(emitter, events = EVENTS) {
  const seen = [];
  for (const name of events) emitter.on(name, (payload) => seen.push([name, payload]));
  seen.of = (name) => seen.filter(([n]) => n === name).map(([, p]) => p);
  return seen;
}

/**
 * A client on a fake WebSocket and a fake clock. `options` override the defaults (random 0.5, so
 * that back-off delays are exactly half their cap).
 */
export async function setup(options = {}) {
  const clock = new FakeClock();
  const WS = fakeWebSocketClass();
  const client = new DuplexClient('ws://hub.test/connect', {
    WebSocket: WS,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: () => 0.5,
    msgIdPrefix: 'p',
    window: null,
    document: null,
    ...options,
  });
  const events = record(client);
  await flush(); // autoConnect runs in a microtask
  return { client, clock, WS, events, socket: () => WS.instances[WS.instances.length - 1] };
}

/** Plays the hub's side of a connection: opens it and answers `connect` with `connected`. */
export async function accept(socket, connected = {}) {
  socket.accept();
  const connect = socket.lastSent('connect');
  if (!connect) throw new Error('the client sent no connect command');
  socket.receive({ type: 'connected', id: connect.id, client: 'c1', heartbeat: 0, ...connected });
  await flush();
  return connect;
}
