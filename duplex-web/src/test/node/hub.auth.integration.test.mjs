// duplex.js with connection tokens, against a real hub that refuses anonymous connections
// (started by BrowserClientTest). In a file of its own so that its waits for token expiry run
// alongside the other integration tests.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_HUB_URL, AUTH_SECRET, SKIP, loadWebSocket, Clients, waitFor, opened, unique, jwt, sleep } from './hub-support.mjs';

const WebSocket = SKIP ? null : await loadWebSocket();
const clients = new Clients(WebSocket);
afterEach(() => clients.closeAll());

const token = (user, seconds) => jwt(AUTH_SECRET, { sub: user, exp: Math.floor(Date.now() / 1000) + seconds, info: { name: user.toUpperCase() } });

test('the token function runs on every connect and refreshes the token before it expires; a static token expires (3004)', { skip: SKIP, timeout: 15_000 }, async () => {
  const calls = [];
  const fresh = clients.make(AUTH_HUB_URL, {
    minDelay: 50,
    token: async (ctx) => {
      calls.push(ctx.refresh);
      return token('ann', 3);
    },
  });
  const stale = clients.make(AUTH_HUB_URL, { token: token('bob', 2), minDelay: 50 });
  const freshStates = [];
  fresh.on('state', (e) => freshStates.push(e.state));
  const staleGone = [];
  stale.on('disconnected', (e) => staleGone.push(e));
  const connected = [];
  fresh.on('connected', (c) => connected.push(c));
  await Promise.all([opened(fresh), opened(stale)]);
  assert.equal(typeof connected[0].expires, 'number');

  const channel = unique('auth');
  await fresh.subscribe(channel).ready;
  const presence = await fresh.presence(channel);
  assert.deepEqual(presence.clients.map((c) => [c.user, c.info && c.info.name]), [['ann', 'ANN']]);

  // The hub checks expiry about once a second: 4.5 s outlives both tokens.
  await sleep(4_500);
  assert.ok(staleGone.length >= 1 && staleGone[0].code === 3004 && staleGone[0].reconnect === true,
    `the static token expired: ${JSON.stringify(staleGone)}`);
  assert.deepEqual(freshStates, ['connecting', 'open'], 'the refreshed connection stayed open');
  assert.ok(calls.filter((refresh) => refresh).length >= 2, `refreshed at least twice: ${JSON.stringify(calls)}`);
  assert.equal(calls.filter((refresh) => !refresh).length, 1);

  fresh.dropConnection();
  await waitFor(() => freshStates.filter((s) => s === 'open').length === 2, 5_000, 'the reconnect', () => JSON.stringify(freshStates));
  assert.equal(calls.filter((refresh) => !refresh).length, 2, 'a new token for the reconnect');
});
