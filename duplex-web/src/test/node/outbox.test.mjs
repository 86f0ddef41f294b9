// The outbox: bounded, in order, resent with the same message ids after a reconnect, removed by the
// ack; backpressure on bufferedAmount; commands (presence, history, ping) and their failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, accept, flush } from './support.mjs';

test('publishes made offline wait in order and go out after connected, with prefix-counter message ids', async () => {
  const { client, socket } = await setup({ msgIdPrefix: 'abc' });
  const acks = [client.publish('room', { n: 1 }), client.publish('room', { n: 2 }, { key: 'k' }), client.publish('other', 'three')];
  assert.equal(client.outboxSize, 3);
  socket().accept();
  assert.equal(socket().sentOf('publish').length, 0, 'not before connected');
  const connect = socket().lastSent('connect');
  socket().receive({ type: 'connected', id: connect.id, client: 'c1', heartbeat: 0 });
  const sent = socket().sentOf('publish');
  assert.deepEqual(sent.map((m) => [m.channel, m.data, m.msgId, m.key]), [
    ['room', { n: 1 }, 'abc-1', undefined],
    ['room', { n: 2 }, 'abc-2', 'k'],
    ['other', 'three', 'abc-3', undefined],
  ]);
  for (const [i, m] of sent.entries()) {
    socket().receive({ type: 'ack', id: m.id, channel: m.channel, epoch: 'E', offset: i + 1, duplicate: false });
  }
  assert.deepEqual(await Promise.all(acks), [
    { channel: 'room', epoch: 'E', offset: 1, duplicate: false, msgId: 'abc-1' },
    { channel: 'room', epoch: 'E', offset: 2, duplicate: false, msgId: 'abc-2' },
    { channel: 'other', epoch: 'E', offset: 3, duplicate: false, msgId: 'abc-3' },
  ]);
  assert.equal(client.outboxSize, 0, 'acks remove');
  await client.close();
});

test('the outbox is bounded: when full, publish rejects at once; an ack makes room', async () => {
  const { client, socket } = await setup({ outboxLimit: 3 });
  await accept(socket());
  const p = [1, 2, 3].map((n) => client.publish('room', n));
  await assert.rejects(client.publish('room', 4), (e) => e.code === 'outbox_full' && e.name === 'DuplexError');
  assert.equal(client.outboxSize, 3);
  const first = socket().sentOf('publish')[0];
  socket().receive({ type: 'ack', id: first.id, channel: 'room', epoch: 'E', offset: 1, duplicate: false });
  await p[0];
  const fifth = client.publish('room', 5);
  assert.equal(client.outboxSize, 3);
  assert.equal(socket().lastSent('publish').data, 5);
  for (const m of socket().sentOf('publish').slice(1)) {
    socket().receive({ type: 'ack', id: m.id, channel: 'room', epoch: 'E', offset: m.data, duplicate: false });
  }
  await Promise.all([p[1], p[2], fifth]);
  await client.close();
});

test('unacknowledged publishes are resent after a reconnect, in order, with the same message ids; the ack resolves once', async () => {
  const { client, clock, socket } = await setup();
  await accept(socket());
  const results = [];
  const acks = [1, 2, 3, 4].map((n) => client.publish('room', { n }).then((a) => { results.push(a); return a; }));
  const first = socket();
  const sent = first.sentOf('publish');
  assert.deepEqual(sent.map((m) => m.msgId), ['p-1', 'p-2', 'p-3', 'p-4']);
  first.receive({ type: 'ack', id: sent[1].id, channel: 'room', epoch: 'E', offset: 2, duplicate: false });
  await flush();
  assert.equal(client.outboxSize, 3);

  client.dropConnection();
  const queued = client.publish('room', { n: 5 }); // offline: queued behind the unacknowledged ones
  first.receive({ type: 'ack', id: sent[0].id, channel: 'room', epoch: 'E', offset: 1, duplicate: false }); // the old socket: ignored
  await clock.advance(250);
  await accept(socket());
  const resent = socket().sentOf('publish');
  assert.deepEqual(resent.map((m) => m.msgId), ['p-1', 'p-3', 'p-4', 'p-5'], 'same ids, in order, the acked one not resent');
  assert.deepEqual(resent.map((m) => m.data.n), [1, 3, 4, 5]);
  assert.ok(resent.every((m) => !sent.some((s) => s.id === m.id)), 'new command ids');
  for (const m of resent) {
    socket().receive({ type: 'ack', id: m.id, channel: 'room', epoch: 'E', offset: m.data.n, duplicate: m.data.n !== 5 });
  }
  await Promise.all([...acks, queued]);
  assert.deepEqual(results.map((a) => [a.msgId, a.offset]), [['p-2', 2], ['p-1', 1], ['p-3', 3], ['p-4', 4]]);
  assert.equal((await queued).duplicate, false);
  assert.equal(client.outboxSize, 0);
  await client.close();
});

test('an error reply rejects the publish with the hub code; an unanswered publish times out', async () => {
  const { client, clock, socket } = await setup({ commandTimeout: 5_000 });
  await accept(socket());
  const refused = client.publish('secret', 1);
  const m = socket().lastSent('publish');
  socket().receive({ type: 'error', id: m.id, code: 103, message: 'Nobody may publish to secret' });
  await assert.rejects(refused, (e) => e.code === 103 && e.message === 'Nobody may publish to secret' && e.msgId === m.msgId);
  const lost = assert.rejects(client.publish('room', 2), (e) => e.code === 'timeout');
  await clock.advance(5_000);
  await lost;
  assert.equal(client.outboxSize, 0);
  await assert.rejects(client.publish('', 1), TypeError);
  const cyclic = {};
  cyclic.self = cyclic;
  await assert.rejects(client.publish('room', cyclic), TypeError);
  await client.close();
});

test('backpressure: publishes wait while bufferedAmount is above the high watermark, then flush in order', async () => {
  const { client, clock, socket } = await setup({ highWatermark: 1_000, flushInterval: 50 });
  await accept(socket());
  const ws = socket();
  ws.bufferedAmount = 5_000;
  assert.equal(client.bufferedAmount, 5_000);
  const p = [1, 2, 3].map((n) => client.publish('room', n));
  assert.equal(ws.sentOf('publish').length, 0, 'held back');
  await clock.advance(50);
  assert.equal(ws.sentOf('publish').length, 0, 'still held back');
  ws.bufferedAmount = 1_000; // at the watermark: may send
  await clock.advance(50);
  assert.deepEqual(ws.sentOf('publish').map((m) => m.data), [1, 2, 3]);
  for (const m of ws.sentOf('publish')) ws.receive({ type: 'ack', id: m.id, channel: 'room', epoch: 'E', offset: m.data, duplicate: false });
  await Promise.all(p);
  await client.close();
});

test('presence, history and ping wait for the connection and resolve with the reply', async () => {
  const { client, clock, socket } = await setup();
  const presence = client.presence('room');
  const history = client.history('room', { since: { offset: 3, epoch: 'E' }, limit: 2 });
  await clock.advance(40);
  await accept(socket());
  const p = socket().lastSent('presence');
  const h = socket().lastSent('history');
  assert.deepEqual([p.channel, h.channel, h.since, h.limit], ['room', 'room', { offset: 3, epoch: 'E' }, 2]);
  socket().receive({ type: 'presence', id: p.id, channel: 'room', clients: [{ client: 'c1', user: '' }] });
  socket().receive({ type: 'history', id: h.id, channel: 'room', epoch: 'E', offset: 5, publications: [{ offset: 4, data: 'a' }, { offset: 5, data: 'b' }] });
  assert.deepEqual(await presence, { channel: 'room', clients: [{ client: 'c1', user: '' }] });
  assert.deepEqual((await history).publications.map((x) => x.data), ['a', 'b']);
  const rtt = client.ping();
  await clock.advance(12);
  socket().receive({ type: 'pong', id: socket().lastSent('ping').id });
  assert.equal(await rtt, 12);
  await client.close();
});

test('a command fails with the hub code, with "disconnected" when the connection drops, with "timeout" when unanswered', async () => {
  const { client, clock, socket } = await setup({ commandTimeout: 2_000 });
  await accept(socket());
  const off = client.history('room');
  socket().receive({ type: 'error', id: socket().lastSent('history').id, code: 108, message: 'History is off for room' });
  await assert.rejects(off, (e) => e.code === 108);
  const dropped = client.presence('room');
  client.dropConnection();
  await assert.rejects(dropped, (e) => e.code === 'disconnected');
  // waits for the reconnect, which never answers
  const unanswered = assert.rejects(client.presence('room'), (e) => e.code === 'timeout');
  await clock.advance(2_000);
  await unanswered;
  await client.close();
});
