// Subscriptions: positions, resubscribing in connect.subs, de-duplication by offset/epoch,
// unrecoverable gaps, refused and ended subscriptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, accept, flush, record } from './support.mjs';

const pub = (channel, offset, data = `m${offset}`) => ({ type: 'publication', channel, offset, data, info: { client: 'c9', user: '' } });

/** A client with one subscription to `room` at epoch E, offset `offset`. */
async function subscribed(offset = 5, options = {}) {
  const ctx = await setup(options);
  await accept(ctx.socket());
  const got = [];
  const sub = ctx.client.subscribe('room', { publication: (p) => got.push(p.offset) });
  const subEvents = record(sub, ['publication', 'subscribed', 'unrecoverable', 'unsubscribed', 'error']);
  const s = ctx.socket().lastSent('subscribe');
  assert.deepEqual([s.channel, s.since], ['room', undefined]);
  ctx.socket().receive({ type: 'subscribed', id: s.id, channel: 'room', epoch: 'E', offset, publications: [] });
  await sub.ready;
  return { ...ctx, sub, got, subEvents };
}

test('a subscription delivers publications in order, once each, and tracks its position', async () => {
  const { client, sub, got, events, socket } = await subscribed(5);
  assert.equal(sub.state, 'subscribed');
  assert.deepEqual(sub.position, { offset: 5, epoch: 'E' });
  for (const offset of [6, 7, 7, 6, 5, 8]) socket().receive(pub('room', offset));
  assert.deepEqual(got, [6, 7, 8]);
  assert.deepEqual(events.of('publication').map((p) => [p.channel, p.offset, p.data, p.info.client]),
    [['room', 6, 'm6', 'c9'], ['room', 7, 'm7', 'c9'], ['room', 8, 'm8', 'c9']], 'the client sees them too');
  assert.deepEqual(sub.position, { offset: 8, epoch: 'E' });
  socket().receive(pub('elsewhere', 9));
  assert.deepEqual(got, [6, 7, 8], 'other channels are not delivered here');
  await client.close();
});

test('after a reconnect, connect.subs carries the position; recovered publications fill the gap exactly once', async () => {
  const { client, clock, got, subEvents, events, socket } = await subscribed(5);
  socket().receive(pub('room', 6));
  socket().receive(pub('room', 7));
  client.dropConnection();
  await clock.advance(250);
  socket().accept();
  const connect = socket().lastSent('connect');
  assert.deepEqual(connect.subs, { room: { offset: 7, epoch: 'E' } }, 'one round trip: resubscribed in connect');
  socket().receive({
    type: 'connected', id: connect.id, client: 'c2', heartbeat: 0,
    subs: { room: { type: 'subscribed', channel: 'room', epoch: 'E', offset: 10, recovered: true, publications: [pub('room', 6), pub('room', 7), pub('room', 8), pub('room', 9), pub('room', 10)] } },
  });
  assert.equal(socket().sentOf('subscribe').length, 0, 'no separate subscribe');
  socket().receive(pub('room', 10)); // overlap with the recovered ones
  socket().receive(pub('room', 11));
  assert.deepEqual(got, [6, 7, 8, 9, 10, 11]);
  const again = subEvents.of('subscribed').at(-1);
  assert.deepEqual([again.recovered, again.previous, again.offset], [true, { offset: 7, epoch: 'E' }, 10]);
  assert.equal(events.of('unrecoverable').length, 0);
  await client.close();
});

test('recovered: false → unrecoverable (with where the client was), then delivery continues from the new position', async () => {
  const { client, clock, sub, got, subEvents, events, socket } = await subscribed(5);
  socket().receive(pub('room', 6));
  client.dropConnection();
  await clock.advance(250);
  socket().accept();
  const connect = socket().lastSent('connect');
  socket().receive({
    type: 'connected', id: connect.id, client: 'c2', heartbeat: 0,
    subs: { room: { type: 'subscribed', channel: 'room', epoch: 'F', offset: 3, recovered: false, publications: [] } },
  });
  const lost = subEvents.of('unrecoverable');
  assert.deepEqual(lost, [{ channel: 'room', epoch: 'F', offset: 3, previous: { offset: 6, epoch: 'E' } }]);
  assert.deepEqual(events.of('unrecoverable'), lost, 'the client reports it too');
  assert.deepEqual(sub.position, { offset: 3, epoch: 'F' });
  socket().receive(pub('room', 3));
  socket().receive(pub('room', 4));
  assert.deepEqual(got, [6, 4], 'offset 3 of the new epoch is before the new position; 4 is new');
  await client.close();
});

test('a subscription made while offline goes out in connect.subs (null: no position yet)', async () => {
  const { client, socket } = await setup();
  const got = [];
  const sub = client.subscribe('room', { publication: (p) => got.push(p.data) });
  assert.equal(sub.state, 'subscribing');
  socket().accept();
  const connect = socket().lastSent('connect');
  assert.deepEqual(connect.subs, { room: null });
  socket().receive({
    type: 'connected', id: connect.id, client: 'c1', heartbeat: 0,
    subs: { room: { channel: 'room', epoch: 'E', offset: 0, publications: [] } },
  });
  const ready = await sub.ready;
  assert.deepEqual([ready.recovered, ready.offset, ready.epoch], [null, 0, 'E']);
  socket().receive(pub('room', 1, 'first'));
  assert.deepEqual(got, ['first']);
  await client.close();
});

test('a saved position (since) recovers on the first subscribe', async () => {
  const { client, socket } = await setup();
  await accept(socket());
  const got = [];
  const sub = client.subscribe('room', { since: { offset: 40, epoch: 'E' }, publication: (p) => got.push(p.offset) });
  const s = socket().lastSent('subscribe');
  assert.deepEqual(s.since, { offset: 40, epoch: 'E' });
  socket().receive({ type: 'subscribed', id: s.id, channel: 'room', epoch: 'E', offset: 42, recovered: true, publications: [pub('room', 41), pub('room', 42)] });
  await sub.ready;
  assert.deepEqual(got, [41, 42]);
  await client.close();
});

test('latest-value namespaces: the latest publication that comes with a fresh subscribe is delivered', async () => {
  const { client, socket } = await setup();
  await accept(socket());
  const got = [];
  client.subscribe('prices', { publication: (p) => got.push(p.data) });
  const s = socket().lastSent('subscribe');
  socket().receive({ type: 'subscribed', id: s.id, channel: 'prices', epoch: 'E', offset: 17, publications: [pub('prices', 17, 'latest')] });
  socket().receive(pub('prices', 17, 'latest'));
  socket().receive(pub('prices', 18, 'next'));
  assert.deepEqual(got, ['latest', 'next']);
  await client.close();
});

test('a refused subscribe rejects ready with the hub code and ends the subscription', async () => {
  const { client, events, socket } = await setup();
  await accept(socket());
  const sub = client.subscribe('secret:x');
  const s = socket().lastSent('subscribe');
  socket().receive({ type: 'error', id: s.id, code: 103, message: 'Nobody may subscribe to secret:x' });
  await assert.rejects(sub.ready, (e) => e.code === 103 && e.channel === 'secret:x');
  assert.equal(sub.state, 'unsubscribed');
  assert.equal(client.getSubscription('secret:x'), undefined);
  assert.deepEqual(events.of('unsubscribed').map((e) => [e.channel, e.code]), [['secret:x', 103]]);
  assert.ok(events.of('error').some((e) => e.code === 103));
  const again = client.subscribe('secret:x'); // may be tried again
  assert.equal(again.state, 'subscribing');
  await client.close();
});

test('a temporary error (100, 110) retries the subscribe with back-off', async () => {
  const { client, clock, socket } = await setup();
  await accept(socket());
  const sub = client.subscribe('room');
  const first = socket().lastSent('subscribe');
  socket().receive({ type: 'error', id: first.id, code: 110, message: 'slow down' });
  assert.equal(sub.state, 'subscribing');
  await clock.advance(249);
  assert.equal(socket().sentOf('subscribe').length, 1);
  await clock.advance(1);
  const second = socket().lastSent('subscribe');
  assert.notEqual(second.id, first.id);
  socket().receive({ type: 'subscribed', id: second.id, channel: 'room', epoch: 'E', offset: 0, publications: [] });
  await sub.ready;
  assert.equal(sub.state, 'subscribed');
  await client.close();
});

test('a resubscribe refused inside connect is retried on its own to learn the code', async () => {
  const { client, clock, sub, subEvents, socket } = await subscribed(5);
  client.dropConnection();
  await clock.advance(250);
  socket().accept();
  const connect = socket().lastSent('connect');
  assert.deepEqual(Object.keys(connect.subs), ['room']);
  socket().receive({ type: 'connected', id: connect.id, client: 'c2', heartbeat: 0 });
  socket().receive({ type: 'unsubscribed', channel: 'room', reason: 'Subscribing to room needs a connection token' });
  const s = socket().lastSent('subscribe');
  assert.deepEqual([s.channel, s.since], ['room', { offset: 5, epoch: 'E' }]);
  socket().receive({ type: 'error', id: s.id, code: 103, message: 'Subscribing to room needs a connection token' });
  assert.equal(sub.state, 'unsubscribed');
  assert.deepEqual(subEvents.of('unsubscribed').map((e) => e.code), [103]);
  await client.close();
});

test('unsubscribe tells the hub and stops delivery; the hub can end a subscription too', async () => {
  const { client, sub, got, subEvents, socket } = await subscribed(5);
  const done = sub.unsubscribe();
  const u = socket().lastSent('unsubscribe');
  assert.equal(u.channel, 'room');
  socket().receive(pub('room', 6));
  assert.deepEqual(got, [], 'nothing after unsubscribe');
  socket().receive({ type: 'unsubscribed', id: u.id, channel: 'room' });
  await done;
  assert.equal(sub.state, 'unsubscribed');
  assert.equal(client.getSubscription('room'), undefined);

  const other = client.subscribe('other');
  const s = socket().lastSent('subscribe');
  socket().receive({ type: 'subscribed', id: s.id, channel: 'other', epoch: 'E', offset: 0, publications: [] });
  await other.ready;
  const ended = record(other, ['unsubscribed']);
  socket().receive({ type: 'unsubscribed', channel: 'other', reason: 'removed by the server' });
  assert.equal(other.state, 'unsubscribed');
  assert.deepEqual(ended.of('unsubscribed'), [{ channel: 'other', reason: 'removed by the server', code: null }]);
  assert.equal(subEvents.of('unsubscribed').length, 1);
  await client.close();
});

test('unsubscribing while offline is local; a channel left while connecting is unsubscribed at the hub', async () => {
  const { client, clock, sub, socket } = await subscribed(5);
  client.dropConnection();
  await clock.advance(250);
  socket().accept(); // connect sent, with room in subs
  await sub.unsubscribe();
  const connect = socket().lastSent('connect');
  socket().receive({
    type: 'connected', id: connect.id, client: 'c2', heartbeat: 0,
    subs: { room: { channel: 'room', epoch: 'E', offset: 5, recovered: true, publications: [] } },
  });
  assert.deepEqual(socket().sentOf('unsubscribe').map((m) => m.channel), ['room']);
  assert.throws(() => client.subscribe(''), TypeError);
  client.subscribe('x');
  assert.throws(() => client.subscribe('x'), (e) => e.code === 105);
  await client.close();
});

test('join and leave reach the subscription and the client; subscribed fires after every resubscribe', async () => {
  const { client, clock, sub, events, subEvents, socket } = await subscribed(5);
  const joins = record(sub, ['join', 'leave']);
  socket().receive({ type: 'join', channel: 'room', info: { client: 'c7', user: 'bob' } });
  socket().receive({ type: 'leave', channel: 'room', info: { client: 'c7', user: 'bob' } });
  assert.deepEqual(joins.map(([n, e]) => [n, e.info.user]), [['join', 'bob'], ['leave', 'bob']]);
  assert.equal(events.of('join').length, 1);
  client.dropConnection();
  await clock.advance(250);
  socket().accept();
  const connect = socket().lastSent('connect');
  socket().receive({ type: 'connected', id: connect.id, client: 'c2', heartbeat: 0,
    subs: { room: { channel: 'room', epoch: 'E', offset: 5, recovered: true, publications: [] } } });
  await flush();
  assert.equal(subEvents.of('subscribed').length, 2);
  await client.close();
});
