// duplex.js against a real hub (started by BrowserClientTest), over the ws package.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HUB_URL, AUTH_HUB_URL, SKIP, loadWebSocket, Clients, waitFor, opened, unique, range, sleep } from './hub-support.mjs';

const WebSocket = SKIP ? null : await loadWebSocket();
const clients = new Clients(WebSocket);
afterEach(() => clients.closeAll());

/** A ws WebSocket without terminate(), so dropConnection closes it as a browser would (4000), recording what it sends. */
function browserLikeClass() {
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.terminate = undefined;
      this.frames = [];
      BrowserLikeWebSocket.sockets.push(this);
    }

    send(data, ...rest) {
      this.frames.push(JSON.parse(data));
      return super.send(data, ...rest);
    }
  }
  BrowserLikeWebSocket.sockets = [];
  return BrowserLikeWebSocket;
}

test('connect, subscribe, publish: the ack, the publication, history, ping and heartbeat rtt', { skip: SKIP, timeout: 15_000 }, async () => {
  const a = clients.make(HUB_URL, { name: 'duplex-web-tests', version: '1' });
  const rtts = [];
  a.on('rtt', (ms) => rtts.push(ms));
  const connected = [];
  a.on('connected', (c) => connected.push(c));
  await opened(a);
  assert.equal(connected.length, 1);
  assert.match(connected[0].client, /\S/);
  assert.equal(connected[0].heartbeat, 2_000, 'the hub under test has a 2 s heartbeat');
  assert.equal(a.clientId, connected[0].client);

  const channel = unique('room');
  const got = [];
  const sub = a.subscribe(channel, { publication: (p) => got.push(p) });
  const ready = await sub.ready;
  assert.equal(ready.recovered, null);
  assert.equal(ready.offset, 0);
  assert.match(ready.epoch, /\S/);

  const ack = await a.publish(channel, { text: 'hi' });
  assert.deepEqual({ ...ack, msgId: typeof ack.msgId },
    { channel, epoch: ready.epoch, offset: 1, duplicate: false, msgId: 'string' });
  await waitFor(() => got.length === 1, 5_000, 'the publication');
  assert.deepEqual([got[0].channel, got[0].offset, got[0].data, got[0].info.client], [channel, 1, { text: 'hi' }, a.clientId]);
  assert.deepEqual(sub.position, { offset: 1, epoch: ready.epoch });

  await a.publish(channel, { text: 'again' });
  const history = await a.history(channel);
  assert.deepEqual(history.publications.map((p) => p.data.text), ['hi', 'again']);
  const since = await a.history(channel, { since: { offset: 1, epoch: ready.epoch } });
  assert.deepEqual(since.publications.map((p) => p.offset), [2]);

  const rtt = await a.ping();
  assert.ok(rtt >= 0 && rtt < 5_000, `ping rtt ${rtt}`);
  await waitFor(() => rtts.length >= 1, 5_000, 'a heartbeat rtt (2 s heartbeat)');
  assert.ok(rtts[0] >= 0 && rtts[0] < 2_000, `heartbeat rtt ${rtts[0]}`);

  await assert.rejects(a.publish('nosuchns:x', 1), (e) => e.code === 102, 'unknown namespace: error 102');
  assert.equal(a.state, 'open', 'an error reply leaves the connection open');
});

test('dropConnection: every publication is delivered exactly once, in order, while another client publishes 500', { skip: SKIP, timeout: 20_000 }, async () => {
  const channel = unique('stream');
  const a = clients.make(HUB_URL, { minDelay: 50, maxDelay: 400 });
  const b = clients.make(HUB_URL);
  await Promise.all([opened(a), opened(b)]);
  const states = [];
  a.on('state', (e) => states.push(e));
  const received = [];
  const subscribedEvents = [];
  const lost = [];
  a.on('unrecoverable', (e) => lost.push(e));
  const sub = a.subscribe(channel, {
    publication: (p) => received.push(p),
    subscribed: (e) => subscribedEvents.push(e),
  });
  await sub.ready;

  // Drop at these counts (as soon as possible after each, while open).
  const thresholds = [60, 200, 350];
  let drops = 0;
  let dropping = false;
  const maybeDrop = () => {
    if (dropping || thresholds.length === 0 || received.length < thresholds[0]) return;
    dropping = true;
    setImmediate(() => {
      dropping = false;
      if (a.dropConnection()) {
        drops++;
        thresholds.shift();
      }
    });
  };
  a.on('publication', maybeDrop);
  // A threshold crossed while the connection was down (the rest of the stream arrived before the
  // drop took effect, or all of it came back in one recovery) is honoured once the client is back.
  a.on('state', (e) => { if (e.state === 'open') maybeDrop(); });

  const acks = [];
  for (let batch = 0; batch < 20; batch++) {
    for (let i = 0; i < 25; i++) acks.push(b.publish(channel, { n: batch * 25 + i }));
    await sleep(15);
  }
  const results = await Promise.all(acks);
  assert.ok(results.every((r) => r.duplicate === false), 'one publisher, no retries: no duplicates');
  assert.deepEqual(results.map((r) => r.offset), range(1, 500));

  await waitFor(() => received.length >= 500 && a.state === 'open', 10_000, '500 publications at the subscriber',
    () => `${received.length} received, state ${a.state}, ${drops} drops`);
  await sleep(100); // anything extra would show now
  assert.equal(received.length, 500, 'exactly once');
  assert.deepEqual(received.map((p) => p.offset), range(1, 500), 'in order, no gap, no repeat');
  assert.deepEqual(received.map((p) => p.data.n), range(0, 499));
  assert.equal(drops, 3, 'a drop at each threshold');
  const opens = states.filter((e) => e.state === 'open').length;
  assert.ok(opens >= 3, `reconnected after each drop (${opens} opens)`);
  assert.deepEqual(states.filter((e) => e.state === 'closed').map((e) => e.reconnect), Array(opens).fill(true));
  assert.equal(subscribedEvents.length, opens + 1, 'subscribed once, then resubscribed after each reconnect');
  assert.ok(subscribedEvents.slice(1).every((e) => e.recovered === true), 'every resubscribe recovered');
  assert.ok(subscribedEvents.slice(1).some((e) => e.publications > 0), 'missed publications came from history');
  assert.deepEqual(lost, []);
  assert.deepEqual(sub.position, { offset: 500, epoch: subscribedEvents[0].epoch });
});

test('publishes made while offline are sent after the reconnect: each acknowledged once (duplicate:false), seen once', { skip: SKIP, timeout: 15_000 }, async () => {
  const channel = unique('offline');
  const a = clients.make(HUB_URL);
  const b = clients.make(HUB_URL, { minDelay: 200 });
  await Promise.all([opened(a), opened(b)]);
  const received = [];
  await a.subscribe(channel, { publication: (p) => received.push(p.data.n) }).ready;

  assert.equal(b.dropConnection(), true);
  assert.equal(b.state, 'closed');
  const acks = range(0, 29).map((n) => b.publish(channel, { n }));
  assert.equal(b.outboxSize, 30, 'queued while offline');
  const results = await Promise.all(acks);
  assert.deepEqual(results.map((r) => r.duplicate), Array(30).fill(false));
  assert.deepEqual(results.map((r) => r.offset), range(1, 30));
  assert.equal(new Set(results.map((r) => r.msgId)).size, 30);
  assert.equal(b.outboxSize, 0);
  await waitFor(() => received.length >= 30, 5_000, '30 publications');
  await sleep(100);
  assert.deepEqual(received, range(0, 29));
});

test('publishes in flight when the connection drops are resent with the same ids; the hub de-duplicates', { skip: SKIP, timeout: 15_000 }, async () => {
  const channel = unique('inflight');
  const Socket = browserLikeClass();
  const a = clients.make(HUB_URL);
  const b = clients.make(HUB_URL, { WebSocket: Socket, minDelay: 50 });
  await Promise.all([opened(a), opened(b)]);
  const received = [];
  await a.subscribe(channel, { publication: (p) => received.push(p.data.n) }).ready;

  const acks = range(0, 19).map((n) => b.publish(channel, { n }));
  b.dropConnection(); // closes with 4000 after the 20 publish frames: the hub publishes them, the acks are lost
  const results = await Promise.all(acks);
  const first = Socket.sockets[0].frames.filter((f) => f.type === 'publish');
  const last = Socket.sockets[Socket.sockets.length - 1].frames.filter((f) => f.type === 'publish');
  assert.equal(Socket.sockets.length, 2);
  assert.equal(first.length, 20);
  assert.deepEqual(last.map((f) => f.msgId), first.map((f) => f.msgId), 'resent with the same message ids, in order');
  assert.deepEqual(results.map((r) => r.duplicate), Array(20).fill(true), 'the hub already had them');
  assert.deepEqual(results.map((r) => r.offset), range(1, 20), 'acks carry the offsets of the first publications');
  await waitFor(() => received.length >= 20, 5_000, '20 publications');
  await sleep(100);
  assert.deepEqual(received, range(0, 19), 'each seen once');
});

test('presence of two clients, with join and leave', { skip: SKIP, timeout: 10_000 }, async () => {
  const channel = unique('presence');
  const a = clients.make(HUB_URL);
  const b = clients.make(HUB_URL);
  await Promise.all([opened(a), opened(b)]);
  const joins = [];
  const leaves = [];
  await a.subscribe(channel, { join: (e) => joins.push(e.info.client), leave: (e) => leaves.push(e.info.client) }).ready;
  await b.subscribe(channel).ready;
  const presence = await a.presence(channel);
  assert.deepEqual(presence.clients.map((c) => c.client).sort(), [a.clientId, b.clientId].sort());
  await waitFor(() => joins.includes(b.clientId), 5_000, "b's join");
  const bId = b.clientId;
  await b.close();
  await waitFor(() => leaves.includes(bId), 5_000, "b's leave");
  assert.deepEqual((await a.presence(channel)).clients.map((c) => c.client), [a.clientId]);
});

test('no reconnect after the hub disconnects with 3500 (no token where one is needed)', { skip: SKIP, timeout: 10_000 }, async () => {
  for (const token of [undefined, 'not-a-jwt']) {
    const c = clients.make(AUTH_HUB_URL, { token, minDelay: 20, maxDelay: 50 });
    const states = [];
    c.on('state', (e) => states.push(e));
    const queued = assert.rejects(c.publish('room', 1), (e) => e.code === 3500, 'the outbox is rejected with the code');
    await waitFor(() => states.some((e) => e.state === 'closed'), 5_000, 'the disconnect', () => JSON.stringify(states));
    const closed = states.find((e) => e.state === 'closed');
    assert.deepEqual([closed.code, closed.reconnect, closed.nextRetryIn], [3500, false, null], `token ${token}`);
    assert.match(closed.reason, /token/i);
    await queued;
    await sleep(400); // with a 20–50 ms back-off, a wrong reconnect would have happened by now
    assert.deepEqual(states.map((e) => e.state), ['connecting', 'closed'], 'connected once, never again');
  }
});
