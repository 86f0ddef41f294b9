/**
 * When to reconnect, and after how long: the hub's disconnect-code ranges, and exponential
 * back-off with full jitter. Pure functions (the randomness is passed in).
 * @module duplex/backoff
 */
import { DEFAULTS } from './options.js';

/**
 * Whether a client should reconnect after the hub disconnected it (or the WebSocket closed) with
 * `code`, by the ranges of PROTOCOL.md: 3000–3499 and 4000–4499 yes, 3500–3999 and 4500–4999 no;
 * below 3000 (WebSocket codes) yes except 1002, 1003, 1007 and 1010. A missing code means yes.
 * @param {number|null|undefined} code
 * @returns {boolean}
 */
export function shouldReconnect(code) {
  if (typeof code !== 'number' || !Number.isFinite(code)) return true;
  if (code >= 3000 && code < 5000) return code % 1000 < 500;
  return code !== 1002 && code !== 1003 && code !== 1007 && code !== 1010;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): exponential back-off with
 * full jitter, `random(0, min(maxDelay, minDelay · 2^attempt))`, in whole milliseconds.
 * @param {number} attempt 0, 1, 2, …
 * @param {number} [minDelay=500] the base delay (ms)
 * @param {number} [maxDelay=20000] the cap (ms)
 * @param {() => number} [random=Math.random] a source of numbers in [0, 1)
 * @returns {number}
 */
export function backoff(attempt, minDelay = DEFAULTS.minDelay, maxDelay = DEFAULTS.maxDelay, random = Math.random) {
  const cap = Math.min(maxDelay, minDelay * 2 ** Math.min(Math.max(0, attempt), 40));
  const r = Math.min(Math.max(Number(random()) || 0, 0), 1);
  return Math.min(Math.floor(r * cap), Math.floor(cap));
}
