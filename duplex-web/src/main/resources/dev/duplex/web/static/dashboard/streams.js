/**
 * Following a channel: its history, then live from exactly where the history ended, with the
 * page's own check of exactly-once delivery.
 * @module dashboard/streams
 */
import { errorText, showNotice } from './page.js';

/**
 * The dashboard's own check of exactly-once delivery, per channel: every publication must be the
 * one after the previous (same epoch). duplex.js already de-duplicates by offset; a duplicate or a
 * gap counted here would be a bug (or, for gaps, a stream the hub could not recover, reported too).
 */
export class StreamCheck {
  /**
   * @param {{duplicates: number, gaps: number, recovered: number, unrecoverable: number}} counters
   *   shared by the checks of one panel
   * @param {() => void} show redraws the counters
   */
  constructor(counters, show) {
    this.counters = counters;
    this.show = show;
    this.epoch = null;
    this.offset = null;
  }

  reset(epoch, offset) {
    this.epoch = epoch;
    this.offset = typeof offset === 'number' ? offset : null;
  }

  /** Whether the publication at `offset` is new; counts duplicates and gaps. */
  accept(offset) {
    if (typeof offset !== 'number') return true;
    if (this.offset == null) {
      this.offset = offset;
      return true;
    }
    if (offset <= this.offset) {
      this.counters.duplicates++;
      return false;
    }
    if (offset > this.offset + 1) this.counters.gaps += offset - this.offset - 1;
    this.offset = offset;
    return true;
  }
}

/**
 * Follows a channel: reads its history (the whole window), then subscribes from the history's
 * position, so the hub recovers whatever was published in between and nothing is read twice.
 * After reconnects duplex.js resumes from the last offset; `unrecoverable` (the hub lost the
 * position) reloads the history.
 * @param {DuplexClient} client
 * @param {string} channel
 * @param {(data: any, live: boolean) => void} onData
 * @param {{check?: StreamCheck|null}} [options]
 */
export async function follow(client, channel, onData, { check = null } = {}) {
  let since = null;
  const load = async () => {
    const h = await client.history(channel);
    for (const p of h.publications) onData(p.data, false);
    return h;
  };
  try {
    const h = await load();
    since = { offset: h.offset, epoch: h.epoch };
    if (check) check.reset(h.epoch, h.offset);
  } catch (e) {
    showNotice(`No history for ${channel}: ${errorText(e)}; showing live data only`);
  }
  let first = true;
  const sub = client.subscribe(channel, since ? { since } : {});
  sub.on('subscribed', (e) => {
    if (check) {
      if (first && !since) check.reset(e.epoch, null);
      if (!first && e.recovered === true) check.counters.recovered += e.publications;
      check.show();
    }
    first = false;
  });
  sub.on('unrecoverable', (e) => {
    if (check) {
      check.counters.unrecoverable++;
      check.reset(e.epoch, e.offset);
      check.show();
    }
    load().catch((err) => showNotice(`Reloading ${channel} failed: ${errorText(err)}`));
  });
  sub.on('publication', (p) => {
    if (check && !check.accept(p.offset)) {
      check.show();
      return;
    }
    onData(p.data, true);
    if (check) check.show();
  });
  sub.on('error', (e) => showNotice(`${channel}: ${errorText(e)}`));
  return sub;
}
