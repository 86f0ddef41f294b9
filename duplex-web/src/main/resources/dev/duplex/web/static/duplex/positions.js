/**
 * Stream positions and de-duplication: where a subscription is in its channel's stream (the offset
 * of the last publication delivered, and the stream's epoch), what a `subscribed` reply means for
 * it, and whether a publication is new. Pure functions over plain `{offset, epoch}` objects.
 * @module duplex/positions
 */

/**
 * The position a `since` option asks to recover from, or null.
 * @param {{offset: number, epoch?: string}|undefined} since
 * @returns {Position|null}
 */
export function positionFrom(since) {
  if (since && typeof since.offset === 'number') {
    return { offset: since.offset, epoch: String(since.epoch ?? '') };
  }
  return null;
}

/**
 * What a `subscribed` reply (to `subscribe`, or inside `connected`) means for a subscription that
 * was at `position`:
 * - `recovered`: null for a fresh subscribe; true only when the reply continues from `position`
 *   (recovered and the same epoch); false for a gap;
 * - `publications`: those that came with the reply;
 * - `position`: where delivery starts, so that the publications after it are delivered once: from
 *   `position` when recovered, from before the first publication of a fresh subscribe (latest-value
 *   namespaces send the latest one), else from the stream's offset.
 * @param {Position|null} position
 * @param {object} reply
 * @returns {{recovered: boolean|null, publications: object[], position: Position}}
 */
export function afterSubscribed(position, reply) {
  // recovered: true continues only from where this client is (same epoch); anything else is a gap
  const continues = reply.recovered === true && !!position && position.epoch === reply.epoch;
  const recovered = reply.recovered === true || reply.recovered === false ? continues : null;
  const publications = Array.isArray(reply.publications) ? reply.publications : [];
  let startOffset;
  if (continues) {
    startOffset = position.offset;
  } else if (recovered === null && publications.length > 0) {
    // a fresh subscribe (latest-value namespaces send the latest publication): deliver them
    startOffset = Math.min(reply.offset,
      ...publications.map((p) => (typeof p.offset === 'number' ? p.offset - 1 : reply.offset)));
  } else {
    startOffset = reply.offset;
  }
  return { recovered, publications, position: { offset: startOffset, epoch: reply.epoch } };
}

/**
 * Whether the publication at `offset` is new at `position`: publications at or below it are
 * duplicates. A new one moves `position` to it. Without an offset or a position, everything is new.
 * @param {Position|null} position changed in place
 * @param {number|undefined} offset
 * @returns {boolean}
 */
export function advance(position, offset) {
  if (typeof offset === 'number' && position) {
    if (offset <= position.offset) return false;
    position.offset = offset;
  }
  return true;
}
