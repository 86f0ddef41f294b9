// The state machine and the reconnect rules, on a fake WebSocket (the browser API surface) and a
// fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, accept, flush, DuplexClient, fakeWebSocketClass } from './support.mjs';

const states = (events) => events.of('state').map((e) => e.state);

test('connecting → open → (drop) closed → connecting → open, with WebSocket-style names and the attempt number', async () => {
  const { client, clock, WS, events, socket } = await setup();
  assert.equal(client.state, 'connecting');
  assert.equal(WS.instances.length, 1);
  const ws = socket();
  assert.equal(ws.url, 'ws://hub.test/connect');
  assert.deepEqual(ws.protocols, ['duplex.v1.json']);
  assert.equal(ws.binaryType, 'arraybuffer');

  const connect = await accept(ws, { client: 'c-1', heartbeat: 0 });
  assert.equal(connect.type, 'connect');
  assert.equal(connect.token, undefined, 'no token configured: none sent');
  assert.equal(client.state, 'open');
  assert.equal(client.clientId, 'c-1');
  assert.deepEqual(events.of('connected').map((c) => c.client), ['c-1']);

  assert.equal(client.dropConnection(), true);
  assert.deepEqual(ws.closeCalls, [{ code: 4000, reason: 'connection dropped' }], 'a browser socket is closed with 4000');
  const closed = events.of('state').at(-1);
  assert.deepEqual(
    { state: closed.state, readyState: closed.readyState, code: closed.code, reconnect: closed.reconnect, attempt: closed.attempt },
    { state: 'closed', readyState: 'CLOSED', code: 1006, reconnect: true, attempt: 1 });
  assert.equal(closed.nextRetryIn, 250);
  assert.equal(events.of('disconnected').length, 1);
  ws.serverClose(4000, 'connection dropped'); // the late close event of the old socket changes nothing
  assert.equal(events.of('state').length, 3);

  await clock.advance(250);
  assert.equal(WS.instances.length, 2);
  const reconnecting = events.of('state').at(-1);
  assert.deepEqual([reconnecting.state, reconnecting.readyState, reconnecting.attempt], ['connecting', 'CONNECTING', 1]);
  await accept(socket(), { client: 'c-2' });
  assert.deepEqual(states(events), ['connecting', 'open', 'closed', 'connecting', 'open']);
  assert.equal(events.of('state').at(-1).readyState, 'OPEN');
  assert.equal(events.of('state').at(-1).attempt, 0);
  assert.equal(client.clientId, 'c-2');

  await client.close();
});

test('close() is deliberate (1000): closing → closed, never reconnects, rejects what waits', async () => {
  const { client, clock, WS, events, socket } = await setup();
  await accept(socket());
  const pending = client.publish('room', { n: 1 });
  socket().readyState = 1;
  const closing = client.close();
  assert.equal(client.state, 'closing');
  assert.deepEqual(socket().closeCalls, [{ code: 1000, reason: 'client closed' }]);
  socket().serverClose(1000, '');
  await closing;
  const last = events.of('state').at(-1);
  assert.deepEqual([last.state, last.code, last.reconnect], ['closed', 1000, false]);
  await assert.rejects(pending, (e) => e.code === 'closed');
  await assert.rejects(client.publish('room', 2), (e) => e.code === 'closed');
  await clock.advance(120_000);
  assert.equal(WS.instances.length, 1, 'no reconnect after close()');
  assert.deepEqual(states(events), ['connecting', 'open', 'closing', 'closed']);
});

test('close() finishes on its own when the socket never reports closing (closeTimeout)', async () => {
  const { client, clock, events, socket } = await setup({ closeTimeout: 2_000 });
  await accept(socket());
  socket().autoClose = false; // a dead hub: no answer to the close handshake
  let done = false;
  client.close().then(() => { done = true; });
  await clock.advance(1_999);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal(done, true);
  assert.equal(events.of('state').at(-1).state, 'closed');
});

test('close() while waiting to retry cancels the retry', async () => {
  const { client, clock, WS, socket } = await setup();
  await accept(socket());
  socket().fail();
  await client.close();
  assert.equal(client.state, 'closed');
  await clock.advance(60_000);
  assert.equal(WS.instances.length, 1);
});

for (const [code, viaMessage] of [[3500, true], [3501, true], [3504, false], [3999, false], [4500, true], [4999, false],
  [1002, false], [1003, false], [1007, false], [1010, false]]) {
  test(`no reconnect after ${code}${viaMessage ? ' (disconnect message)' : ' (close code)'}`, async () => {
    const { client, clock, WS, events, socket } = await setup();
    await accept(socket());
    const outboxed = client.publish('room', 'x');
    if (viaMessage) socket().receive({ type: 'disconnect', code, reason: 'go away', reconnect: false });
    socket().serverClose(code, 'go away');
    const last = events.of('state').at(-1);
    assert.deepEqual([last.state, last.code, last.reconnect, last.nextRetryIn], ['closed', code, false, null]);
    await assert.rejects(outboxed, (e) => e.code === code, 'the outbox is rejected with the disconnect code');
    await clock.advance(120_000);
    assert.equal(WS.instances.length, 1, `no reconnect after ${code}`);
    assert.equal(client.state, 'closed');
  });
}

for (const code of [3000, 3001, 3003, 3009, 3499, 4000, 4499, 1000, 1001, 1006, 1011]) {
  test(`reconnect after ${code}`, async () => {
    const { client, clock, WS, events, socket } = await setup();
    await accept(socket());
    socket().serverClose(code, '');
    assert.equal(events.of('state').at(-1).reconnect, true);
    await clock.advance(250);
    assert.equal(WS.instances.length, 2);
    await client.close();
  });
}

test('the disconnect message wins over the close code: a drain closes with 1001 but says 3000 and retryAfter', async () => {
  const { client, clock, WS, events, socket } = await setup();
  await accept(socket());
  socket().receive({ type: 'disconnect', code: 3000, reason: 'server shutting down, reconnect', reconnect: true, retryAfter: 5_000 });
  socket().serverClose(1001, '');
  const closed = events.of('state').at(-1);
  assert.deepEqual([closed.code, closed.reason, closed.reconnect, closed.nextRetryIn], [3000, 'server shutting down, reconnect', true, 5_000]);
  assert.deepEqual(events.of('disconnected')[0], { code: 3000, reason: 'server shutting down, reconnect', reconnect: true, retryAfter: 5_000 });
  await clock.advance(4_999);
  assert.equal(WS.instances.length, 1, 'retryAfter honoured');
  await clock.advance(1);
  assert.equal(WS.instances.length, 2);
  await client.close();
});

test('retryAfter is a floor: a longer back-off still applies', async () => {
  const { client, events, socket } = await setup({ minDelay: 20_000, maxDelay: 60_000, random: () => 0.9 });
  await accept(socket());
  socket().receive({ type: 'disconnect', code: 3006, reason: 'too many commands', reconnect: true, retryAfter: 1_000 });
  socket().serverClose(3006, '');
  assert.equal(events.of('state').at(-1).nextRetryIn, 18_000);
  await client.close();
});

test('a refused handshake counts as a failed attempt; maxAttempts gives up', async () => {
  const { client, clock, WS, events, socket } = await setup({ maxAttempts: 2 });
  socket().fail();
  assert.equal(events.of('state').at(-1).reconnect, true);
  await clock.advance(250);
  socket().fail();
  assert.equal(events.of('state').at(-1).reconnect, true);
  await clock.advance(500);
  socket().fail();
  const last = events.of('state').at(-1);
  assert.deepEqual([last.state, last.reconnect], ['closed', false]);
  assert.ok(events.of('error').some((e) => /Gave up after 2/.test(e.message)));
  await clock.advance(60_000);
  assert.equal(WS.instances.length, 3);
  assert.equal(events.of('disconnected').length, 0, 'never open, so never disconnected');
  client.connect();
  assert.equal(WS.instances.length, 4, 'connect() starts over');
  await client.close();
});

test('no connected within commandTimeout: the attempt is abandoned and retried', async () => {
  const { client, clock, WS, events, socket } = await setup({ commandTimeout: 3_000 });
  socket().accept(); // open, but the hub never answers connect
  await clock.advance(3_000);
  const last = events.of('state').at(-1);
  assert.deepEqual([last.state, last.code, last.reconnect], ['closed', 1006, true]);
  await clock.advance(250);
  assert.equal(WS.instances.length, 2);
  await client.close();
});

test('heartbeat: a ping every interval, rtt from ping to pong; a pong missing for one interval reconnects', async () => {
  const { client, clock, WS, events, socket } = await setup();
  await accept(socket(), { heartbeat: 1_000 });
  const ws = socket();
  await clock.advance(999);
  assert.equal(ws.sentOf('ping').length, 0);
  await clock.advance(1);
  const ping = ws.lastSent('ping');
  assert.ok(ping, 'a ping after one interval');
  await clock.advance(30);
  ws.receive({ type: 'pong', id: ping.id });
  assert.deepEqual(events.of('rtt'), [30]);
  await clock.advance(970);
  assert.equal(ws.sentOf('ping').length, 2, 'the next ping one interval later');
  // no pong this time
  await clock.advance(999);
  assert.equal(client.state, 'open');
  await clock.advance(1);
  const closed = events.of('state').at(-1);
  assert.deepEqual([closed.state, closed.code, closed.reconnect], ['closed', 1006, true]);
  assert.match(closed.reason, /no pong within 1000 ms/);
  assert.equal(ws.closeCalls.length, 1, 'the dead socket was closed');
  await clock.advance(250);
  assert.equal(WS.instances.length, 2, 'and a new one opened');
  await accept(socket(), { heartbeat: 1_000 });
  assert.equal(client.state, 'open');
  await client.close();
});

test('ws-style sockets (with terminate) are terminated by dropConnection', async () => {
  const { client, socket } = await setup();
  await accept(socket());
  let terminated = 0;
  socket().terminate = () => { terminated++; };
  client.dropConnection();
  assert.equal(terminated, 1);
  assert.equal(socket().closeCalls.length, 0);
  await client.close();
});

test('`online` and `visibilitychange` (visible) retry at once while waiting, but not before retryAfter', async () => {
  const win = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = 'hidden';
  const { client, clock, WS, socket } = await setup({ window: win, document: doc, minDelay: 10_000, maxDelay: 60_000 });
  await accept(socket());
  socket().fail();
  assert.equal(WS.instances.length, 1);
  win.dispatchEvent(new Event('online'));
  assert.equal(WS.instances.length, 2, 'online: reconnect at once');
  await accept(socket());

  socket().fail();
  doc.dispatchEvent(new Event('visibilitychange'));
  assert.equal(WS.instances.length, 2, 'still hidden: keep waiting');
  doc.visibilityState = 'visible';
  doc.dispatchEvent(new Event('visibilitychange'));
  assert.equal(WS.instances.length, 3, 'visible again: reconnect at once');
  await accept(socket());

  socket().receive({ type: 'disconnect', code: 3007, reason: 'node full', reconnect: true, retryAfter: 8_000 });
  socket().serverClose(3007, '');
  await clock.advance(3_000);
  win.dispatchEvent(new Event('online'));
  assert.equal(WS.instances.length, 3, 'online does not skip retryAfter');
  await clock.advance(4_999);
  assert.equal(WS.instances.length, 3);
  await clock.advance(1);
  assert.equal(WS.instances.length, 4, 'reconnects as soon as retryAfter has passed');

  win.dispatchEvent(new Event('online')); // while connecting: nothing
  assert.equal(WS.instances.length, 4);
  await client.close();
  socket().serverClose(1000);
  win.dispatchEvent(new Event('online'));
  assert.equal(WS.instances.length, 4, 'closed for good: listeners removed');
});

test('the token function is called on every connect, and to refresh before expiry', async () => {
  const calls = [];
  let n = 0;
  const { client, clock, socket } = await setup({
    token: async (ctx) => {
      calls.push(ctx.refresh);
      return `t${++n}`;
    },
  });
  await flush();
  const now = clock.now();
  const connect = await accept(socket(), { expires: now + 60_000 });
  assert.equal(connect.token, 't1');
  await clock.advance(29_999);
  assert.equal(socket().sentOf('refresh').length, 0);
  await clock.advance(1);
  await flush();
  const refresh = socket().lastSent('refresh');
  assert.equal(refresh && refresh.token, 't2', 'refreshed 30 s before expiry');
  socket().receive({ type: 'refreshed', id: refresh.id, expires: clock.now() + 60_000 });
  await flush();
  await clock.advance(30_000);
  await flush();
  assert.equal(socket().lastSent('refresh').token, 't3', 'and again before the new expiry');

  client.dropConnection();
  await clock.advance(250);
  await flush();
  const again = await accept(socket());
  assert.equal(again.token, 't4', 'a fresh token for the reconnect');
  assert.deepEqual(calls, [false, true, true, false]);
  await client.close();
});

test('a failing token function is an error event and a failed attempt (retried with back-off)', async () => {
  let fail = true;
  const { client, clock, WS, events } = await setup({
    token: () => {
      if (fail) throw new Error('auth server down');
      return 'tok';
    },
  });
  await flush();
  assert.equal(WS.instances.length, 0, 'no socket without a token');
  assert.ok(events.of('error').some((e) => e.code === 'token' && /auth server down/.test(e.message)));
  assert.equal(events.of('state').at(-1).reconnect, true);
  fail = false;
  await clock.advance(250);
  await flush();
  assert.equal(WS.instances.length, 1);
  await client.close();
});

test('a static token is sent with name and version; relative and http URLs become ws URLs', async () => {
  const { client, socket } = await setup({ token: 'jwt', name: 'app', version: '1.2.3' });
  const connect = await accept(socket());
  assert.deepEqual([connect.token, connect.name, connect.version], ['jwt', 'app', '1.2.3']);
  await client.close();
  const WS = fakeWebSocketClass();
  const other = new DuplexClient('https://example.com/connect', { WebSocket: WS, autoConnect: false });
  assert.equal(other.url, 'wss://example.com/connect');
  assert.throws(() => new DuplexClient('ftp://x/connect', { WebSocket: WS }), TypeError);
  assert.throws(() => new DuplexClient('ws://x/connect', { WebSocket: undefined, autoConnect: false }), /WebSocket/);
});

test('autoConnect: false waits for connect()', async () => {
  const { client, WS } = await setup({ autoConnect: false });
  await flush();
  assert.equal(WS.instances.length, 0);
  assert.equal(client.state, 'closed');
  client.connect();
  assert.equal(WS.instances.length, 1);
  await client.close();
});

test('a listener that throws does not break the client: it becomes an error event', async () => {
  const { client, events, socket } = await setup();
  client.on('connected', () => { throw new Error('boom'); });
  await accept(socket());
  assert.equal(client.state, 'open');
  assert.ok(events.of('error').some((e) => e.message === 'boom'));
  await client.close();
});
