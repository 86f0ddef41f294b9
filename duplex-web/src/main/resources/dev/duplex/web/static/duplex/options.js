/**
 * What a {@link DuplexClient} is made with: the defaults of its options, their checks, and the URL.
 * @module duplex/options
 */

/**
 * The defaults of {@link ClientOptions}.
 * @type {Readonly<ClientOptions>}
 */
export const DEFAULTS = Object.freeze({
  minDelay: 500,
  maxDelay: 20_000,
  maxAttempts: Infinity,
  outboxLimit: 1000,
  commandTimeout: 10_000,
  highWatermark: 1 << 20,
  flushInterval: 50,
  closeTimeout: 5_000,
  autoConnect: true,
});

/**
 * The options in effect: `options` over {@link DEFAULTS}.
 * @param {ClientOptions} options
 * @returns {ClientOptions}
 * @throws {TypeError} when a delay, timeout or limit is not a number >= 0
 */
export function effectiveOptions(options) {
  const o = { ...DEFAULTS, ...options };
  for (const k of ['minDelay', 'maxDelay', 'commandTimeout', 'highWatermark', 'flushInterval', 'closeTimeout']) {
    if (typeof o[k] !== 'number' || !(o[k] >= 0)) throw new TypeError(`options.${k} must be a number >= 0: ${o[k]}`);
  }
  if (!(o.outboxLimit >= 0)) throw new TypeError(`options.outboxLimit must be a number >= 0: ${o.outboxLimit}`);
  if (!(o.maxAttempts >= 0)) throw new TypeError(`options.maxAttempts must be a number >= 0: ${o.maxAttempts}`);
  return o;
}

/**
 * The WebSocket URL of `url`: `http(s)://` becomes `ws(s)://`; in a browser, paths such as
 * `/connect` are taken from the page's location.
 * @param {string} url
 * @returns {string}
 */
export function resolveUrl(url) {
  if (typeof url !== 'string' || url === '') throw new TypeError('url must be a non-empty string');
  const base = globalThis.location && globalThis.location.href;
  const u = base ? new URL(url, base) : new URL(url);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`Not a WebSocket URL: ${url}`);
  return u.href;
}

/**
 * @typedef {object} ClientOptions
 * @property {string|((ctx: {refresh: boolean, attempt: number}) => (string|Promise<string>))} [token]
 *   the connection token (JWT), or a function returning it, called before every (re)connect and,
 *   when `connected.expires` is set, to refresh it before it expires; omit for anonymous access
 * @property {string} [name] the application's name, sent in `connect`
 * @property {string} [version] the application's version, sent in `connect`
 * @property {number} [minDelay=500] back-off base (ms)
 * @property {number} [maxDelay=20000] back-off cap (ms)
 * @property {number} [maxAttempts=Infinity] consecutive failed reconnects before giving up
 * @property {number} [outboxLimit=1000] unacknowledged publishes kept; beyond, `publish` rejects
 * @property {number} [commandTimeout=10000] ms to wait for a reply (and for `connected`)
 * @property {number} [highWatermark=1048576] publishes wait while the socket's `bufferedAmount` is above this
 * @property {number} [flushInterval=50] ms between checks of `bufferedAmount` while publishes wait
 * @property {number} [closeTimeout=5000] ms `close()` waits for the socket to close
 * @property {boolean} [autoConnect=true] connect from the constructor (in a microtask)
 * @property {string} [msgIdPrefix] message id prefix (default: 16 random hex digits per instance)
 * @property {Function} [WebSocket] the WebSocket constructor (default `globalThis.WebSocket`)
 * @property {() => number} [random] numbers in [0, 1) for the jitter (default `Math.random`)
 * @property {() => number} [now] the clock, epoch ms (default `Date.now`)
 * @property {(fn: Function, ms: number) => any} [setTimeout] timers (default the global one)
 * @property {(id: any) => void} [clearTimeout]
 * @property {EventTarget|null} [window] fires `online` (default `globalThis.window`)
 * @property {EventTarget|null} [document] fires `visibilitychange` (default `globalThis.document`)
 */
