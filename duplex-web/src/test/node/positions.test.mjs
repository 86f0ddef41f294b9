// Stream positions and de-duplication (duplex/positions.js), without a client: what a subscribed
// reply means for a subscription's position, and which publications are new.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, afterSubscribed, positionFrom } from '../../main/resources/dev/duplex/web/static/duplex/positions.js';

test('since becomes a position only with a numeric offset; the epoch is a string', () => {
  assert.deepEqual(positionFrom({ offset: 4, epoch: 'E' }), { offset: 4, epoch: 'E' });
  assert.deepEqual(positionFrom({ offset: 0 }), { offset: 0, epoch: '' });
  assert.equal(positionFrom({ offset: '4', epoch: 'E' }), null);
  assert.equal(positionFrom(undefined), null);
});

test('a fresh subscribe starts at the stream offset, or before the publications that came with it', () => {
  assert.deepEqual(afterSubscribed(null, { epoch: 'E', offset: 7 }),
    { recovered: null, publications: [], position: { offset: 7, epoch: 'E' } });
  const latest = afterSubscribed(null, { epoch: 'E', offset: 7, publications: [{ offset: 7, data: 1 }] });
  assert.equal(latest.recovered, null);
  assert.deepEqual(latest.position, { offset: 6, epoch: 'E' }, 'the latest value is delivered');
});

test('recovered continues from the position only within the same epoch; otherwise it is a gap', () => {
  const pubs = [{ offset: 5 }, { offset: 6 }];
  const same = afterSubscribed({ offset: 4, epoch: 'E' }, { epoch: 'E', offset: 6, recovered: true, publications: pubs });
  assert.deepEqual([same.recovered, same.position, same.publications], [true, { offset: 4, epoch: 'E' }, pubs]);
  const otherEpoch = afterSubscribed({ offset: 4, epoch: 'OLD' }, { epoch: 'E', offset: 6, recovered: true });
  assert.deepEqual([otherEpoch.recovered, otherEpoch.position], [false, { offset: 6, epoch: 'E' }]);
  const lost = afterSubscribed({ offset: 4, epoch: 'E' }, { epoch: 'E', offset: 90, recovered: false });
  assert.deepEqual([lost.recovered, lost.position], [false, { offset: 90, epoch: 'E' }]);
});

test('a publication at or below the position is a duplicate; a new one moves the position', () => {
  const position = { offset: 4, epoch: 'E' };
  assert.equal(advance(position, 4), false);
  assert.equal(advance(position, 3), false);
  assert.equal(advance(position, 6), true);
  assert.equal(position.offset, 6);
  assert.equal(advance(position, undefined), true, 'no offset: delivered');
  assert.equal(advance(null, 1), true, 'no position yet: delivered');
});
