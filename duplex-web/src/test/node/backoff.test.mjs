// Back-off with full jitter, and the reconnect decision by close/disconnect code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, shouldReconnect, DEFAULTS } from '../../main/resources/dev/duplex/web/static/duplex.js';
import { seededRandom, setup, accept } from './support.mjs';

test('defaults: 500 ms base, 20 s cap, endless attempts, 1000 in the outbox, 10 s commands, 1 MiB watermark', () => {
  assert.equal(DEFAULTS.minDelay, 500);
  assert.equal(DEFAULTS.maxDelay, 20_000);
  assert.equal(DEFAULTS.maxAttempts, Infinity);
  assert.equal(DEFAULTS.outboxLimit, 1000);
  assert.equal(DEFAULTS.commandTimeout, 10_000);
  assert.equal(DEFAULTS.highWatermark, 1 << 20);
});

test('full jitter stays within [0, min(max, base * 2^attempt)) and spreads over it', () => {
  const random = seededRandom(42);
  for (let attempt = 0; attempt <= 12; attempt++) {
    const cap = Math.min(20_000, 500 * 2 ** attempt);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const d = backoff(attempt, 500, 20_000, random);
      assert.ok(Number.isInteger(d), `integer delay, got ${d}`);
      assert.ok(d >= 0 && d < cap, `attempt ${attempt}: ${d} outside [0, ${cap})`);
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    assert.ok(lo < cap * 0.05, `attempt ${attempt}: smallest ${lo} should be near 0 (full jitter)`);
    assert.ok(hi > cap * 0.95, `attempt ${attempt}: largest ${hi} should be near the cap ${cap}`);
  }
});

test('the cap holds for huge attempt numbers, and the extremes of random map to 0 and just under the cap', () => {
  assert.equal(backoff(10_000, 500, 20_000, () => 0), 0);
  assert.equal(backoff(10_000, 500, 20_000, () => 0.999999), 19_999);
  assert.equal(backoff(0, 500, 20_000, () => 0.999999), 499);
  assert.equal(backoff(3, 500, 20_000, () => 0.5), 2_000);
  assert.equal(backoff(1e9, 500, 20_000, () => 0.5), 10_000);
});

test('the same seed gives the same delays', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const da = Array.from({ length: 20 }, (_, i) => backoff(i, 500, 20_000, a));
  const db = Array.from({ length: 20 }, (_, i) => backoff(i, 500, 20_000, b));
  assert.deepEqual(da, db);
});

test('reconnect by range: 3000-3499 and 4000-4499 yes, 3500-3999 and 4500-4999 no, WebSocket codes except 1002/1003/1007/1010', () => {
  for (const code of [3000, 3003, 3009, 3499, 4000, 4499, 1000, 1001, 1005, 1006, 1008, 1009, 1011, 1012, null, undefined]) {
    assert.equal(shouldReconnect(code), true, `code ${code}`);
  }
  for (const code of [3500, 3501, 3504, 3999, 4500, 4999, 1002, 1003, 1007, 1010]) {
    assert.equal(shouldReconnect(code), false, `code ${code}`);
  }
});

test('the client waits the jittered delay, doubling per failure up to the cap, and resets after connected', async () => {
  const { client, clock, WS, events, socket } = await setup({ minDelay: 500, maxDelay: 4_000, random: () => 0.5 });
  await accept(socket());
  const expected = [250, 500, 1000, 2000, 2000, 2000];
  for (const delay of expected) {
    const before = WS.instances.length;
    socket().fail();
    const closed = events.of('state').at(-1);
    assert.equal(closed.state, 'closed');
    assert.equal(closed.nextRetryIn, delay);
    await clock.advance(delay - 1);
    assert.equal(WS.instances.length, before, `no new socket before ${delay} ms`);
    await clock.advance(1);
    assert.equal(WS.instances.length, before + 1, `a new socket after ${delay} ms`);
  }
  await accept(socket());
  assert.equal(client.state, 'open');
  socket().fail();
  assert.equal(events.of('state').at(-1).nextRetryIn, 250, 'back to the base delay after a successful connect');
  await client.close();
});
