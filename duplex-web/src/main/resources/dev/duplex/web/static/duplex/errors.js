/**
 * The errors of duplex.js: {@link DuplexError} and the hub's error codes worth retrying.
 * @module duplex/errors
 */

/** Hub error codes after which a subscribe is retried (with back-off) instead of given up. */
export const TEMPORARY_ERRORS = new Set([100, 110, 116]);

/**
 * An error of the hub or of this client. `code` is the hub's error code (a number, see PROTOCOL.md:
 * 100–116), a disconnect code (3000–4999) when a publish failed because the hub closed the
 * connection for good, or one of this client's codes: `'closed'` (the client is closed),
 * `'outbox_full'`, `'timeout'` (no reply within `commandTimeout`), `'disconnected'` (the connection
 * dropped before the reply), `'unsubscribed'`, `'token'` (the token function failed), `'socket'`
 * (a WebSocket error), `'protocol'` (an unreadable message from the hub).
 */
export class DuplexError extends Error {
  /**
   * @param {number|string} code
   * @param {string} message
   * @param {object} [details] copied onto the error (e.g. `channel`, `msgId`, `cause`)
   */
  constructor(code, message, details) {
    super(message);
    this.name = 'DuplexError';
    /** @type {number|string} */
    this.code = code;
    if (details) Object.assign(this, details);
  }
}

/** The message of anything thrown. */
export function errorMessage(e) {
  return e && e.message ? e.message : String(e);
}
