/**
 * The event emitter under {@link DuplexClient} and {@link Subscription}.
 * @module duplex/emitter
 */

/**
 * A small event emitter: `on` returns a function that removes the listener. A listener that throws
 * does not stop the others; the error is reported as an `error` event of the client.
 */
export class Emitter {
  constructor() {
    /** @private */
    this._listeners = new Map();
  }

  /**
   * Adds a listener.
   * @param {string} event
   * @param {(payload: any) => void} fn
   * @returns {() => void} removes the listener
   */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /**
   * Removes a listener added with {@link Emitter#on}.
   * @param {string} event
   * @param {Function} fn
   */
  off(event, fn) {
    const set = this._listeners.get(event);
    if (set) set.delete(fn);
  }

  /**
   * Adds a listener called at most once.
   * @param {string} event
   * @param {(payload: any) => void} fn
   * @returns {() => void} removes the listener
   */
  once(event, fn) {
    const off = this.on(event, (payload) => {
      off();
      fn(payload);
    });
    return off;
  }

  /** @private */
  _emit(event, payload) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (e) {
        this._listenerFailed(event, e);
      }
    }
  }

  /** @private */
  _listenerFailed(event, error) {
    if (typeof console !== 'undefined') console.error(`duplex.js: a '${event}' listener threw`, error);
  }
}
