// Helpers for the integration tests of duplex.js against a real hub. BrowserClientTest (JUnit)
// starts the hubs and sets DUPLEX_HUB_URL, DUPLEX_AUTH_HUB_URL, DUPLEX_AUTH_HUB_SECRET and
// DUPLEX_WS_MODULE (the ws package ./test-all installs into duplex-interop/node). Run outside it,
// without DUPLEX_HUB_URL, the integration tests skip.

import { createHmac } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuplexClient } from '../../main/resources/dev/duplex/web/static/duplex.js';

export { DuplexClient, sleep };

export const HUB_URL = process.env.DUPLEX_HUB_URL || null;
export const AUTH_HUB_URL = process.env.DUPLEX_AUTH_HUB_URL || null;
export const AUTH_SECRET = process.env.DUPLEX_AUTH_HUB_SECRET || null;

if (HUB_URL && (!AUTH_HUB_URL || !AUTH_SECRET)) {
  throw new Error('DUPLEX_HUB_URL is set, so the integration tests run: they also need DUPLEX_AUTH_HUB_URL and '
    + 'DUPLEX_AUTH_HUB_SECRET (a hub without anonymous access, HS256 tokens); BrowserClientTest sets all three');
}

/** The `skip` option of the integration tests: false when a hub is there. */
export const SKIP = HUB_URL ? false : 'DUPLEX_HUB_URL is not set: run these through BrowserClientTest (./mvnw test -pl duplex-web)';

/** Node 20 has no WebSocket: the ws package, from DUPLEX_WS_MODULE or duplex-interop's node_modules. */
export async function loadWebSocket() {
  const path = process.env.DUPLEX_WS_MODULE
    || fileURLToPath(new URL('../../../../duplex-interop/node/node_modules/ws/index.js', import.meta.url));
  const mod = await import(pathToFileURL(path).href);
  const WebSocket = mod.default || mod.WebSocket;
  if (typeof WebSocket !== 'function') throw new Error(`${path} does not export a WebSocket class`);
  return WebSocket;
}

/** Clients made by a test, all closed by closeAll() (bounded). */
export class Clients {
  constructor(WebSocket) {
    this.WebSocket = WebSocket;
    this.all = [];
  }

  make(url, options = {}) {
    const client = new DuplexClient(url, { WebSocket: this.WebSocket, ...options });
    this.all.push(client);
    return client;
  }

  async closeAll() {
    const all = this.all.splice(0);
    // The bound must not keep Node alive once the clients have closed: an unreferenced timer.
    await Promise.race([Promise.all(all.map((c) => c.close())), sleep(3_000, undefined, { ref: false })]);
  }
}

/** Polls `predicate` every 5 ms; throws after `ms` with `what` (and `detail()` if given). */
export async function waitFor(predicate, ms, what, detail) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (predicate()) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    }
    await sleep(5);
  }
}

/** Resolves when `client` is open (now, or within `ms`). */
export async function opened(client, ms = 5_000) {
  await waitFor(() => client.state === 'open', ms, 'the client to be open', () => `state ${client.state}`);
  return client;
}

/** A channel name of its own for each test. */
export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** An HS256 JWT. */
export function jwt(secret, claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** The integers from `from` to `to`, inclusive. */
export const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
