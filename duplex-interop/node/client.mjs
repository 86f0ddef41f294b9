// Node `ws` as a WebSocket CLIENT, driven by Duplex's interop tests (NodeWsClientInteropTest).
//
//   node client.mjs <url> <scenario> [comma-separated subprotocols] [--ca FILE] [--deflate JSON]
//
// --ca FILE: for wss:// URLs, trust the PEM certificate(s) in FILE (e.g. a test CA) instead of the
// system's CAs; hostname verification stays on.
// --deflate JSON: ws's perMessageDeflate option (e.g. {"threshold":0,"serverMaxWindowBits":10});
// without it, perMessageDeflate is true (ws's default offer).
//
// Prints one JSON object per line for everything it observes (open, message, ping, pong, close,
// error, unexpected-response), then {"event":"done"} and exits 0. The Java test asserts on these
// lines; this script only drives the scenario and reports, it judges nothing.
import WebSocket from 'ws';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let caFile;
const caAt = args.indexOf('--ca');
if (caAt >= 0) {
  caFile = args[caAt + 1];
  args.splice(caAt, 2);
}
let deflateJson;
const deflateAt = args.indexOf('--deflate');
if (deflateAt >= 0) {
  deflateJson = args[deflateAt + 1];
  args.splice(deflateAt, 2);
}
const [url, scenario, protocolList] = args;
if (!url || !scenario || (caAt >= 0 && !caFile) || (deflateAt >= 0 && !deflateJson)) {
  process.stderr.write('usage: node client.mjs <url> <scenario> [subprotocols] [--ca FILE] [--deflate JSON]\n');
  process.exit(64);
}

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// The same test data as dev.duplex.interop.Patterns on the Java side.
const MIB16 = 16 * 1024 * 1024;
function binaryPattern(length) {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}
const TEXT_UNIT = 'Dx\u20ac\u{1F600}\u00e912345'; // 16 bytes of UTF-8
const textPattern = (units) => TEXT_UNIT.repeat(units);

// A scenario that does not finish in time reports it and exits non-zero (the test also has its own timeout).
const watchdog = setTimeout(() => {
  out({ event: 'timeout' });
  process.exit(2);
}, 60_000);

const protocols = protocolList ? protocolList.split(',') : [];
// perMessageDeflate: ws offers it by default; say so explicitly, the compression scenario relies on it.
const ws = new WebSocket(url, protocols, {
  perMessageDeflate: deflateJson ? JSON.parse(deflateJson) : true,
  maxPayload: 64 * 1024 * 1024,
  ...(caFile ? { ca: readFileSync(caFile) } : {}),
});

let received = 0;
const waiters = [];
function messages(n) {
  return new Promise((resolve) => {
    waiters.push({ n, resolve });
    check();
  });
}
function check() {
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (received >= waiters[i].n) {
      waiters[i].resolve();
      waiters.splice(i, 1);
    }
  }
}
let pongs = 0;
const pongWaiters = [];
function pongsReceived(n) {
  return new Promise((resolve) => {
    pongWaiters.push({ n, resolve });
    checkPongs();
  });
}
function checkPongs() {
  for (let i = pongWaiters.length - 1; i >= 0; i--) {
    if (pongs >= pongWaiters[i].n) {
      pongWaiters[i].resolve();
      pongWaiters.splice(i, 1);
    }
  }
}

// The 101 response's Sec-WebSocket-Extensions (what the server agreed to, parameters included) and
// the TCP socket, whose byte counters show what actually crossed the wire (compressed or not).
let responseExtensions = '';
let socket;
ws.on('upgrade', (response) => {
  responseExtensions = response.headers['sec-websocket-extensions'] || '';
  socket = response.socket;
});

ws.on('open', () => {
  out({ event: 'open', protocol: ws.protocol, extensions: ws.extensions, responseExtensions });
  run().catch((e) => {
    out({ event: 'error', message: 'scenario failed: ' + (e && e.stack ? e.stack : e) });
    process.exit(3);
  });
});

ws.on('message', (data, isBinary) => {
  const report = { event: 'message', binary: isBinary, length: data.length, sha256: sha256(data) };
  if (data.length <= 4096) {
    if (isBinary) report.hex = data.toString('hex');
    else report.text = data.toString('utf8');
  }
  out(report);
  received++;
  check();
});

ws.on('ping', (data) => out({ event: 'ping', data: data.toString('utf8') }));
ws.on('pong', (data) => {
  out({ event: 'pong', data: data.toString('utf8'), length: data.length });
  pongs++;
  checkPongs();
});

ws.on('unexpected-response', (req, res) => {
  out({ event: 'unexpected-response', status: res.statusCode });
  req.destroy();
  finish(0);
});

ws.on('error', (e) => out({ event: 'error', message: String(e && e.message) }));

ws.on('close', (code, reason) => {
  out({ event: 'close', code, reason: reason.toString('utf8'), ...(socket ? { wireRead: socket.bytesRead, wireWritten: socket.bytesWritten } : {}) });
  finish(0);
});

function finish(status) {
  clearTimeout(watchdog);
  out({ event: 'done' });
  // Let stdout drain before exiting.
  process.stdout.write('', () => process.exit(status));
}

// ---------------------------------------------------------------- deflate-suite
//
// Phases, each announced by {"event":"phase","name":...}; every message sent is reported as
// {"event":"sent",...} (sha256 of its bytes) and each phase waits for all its echoes, then reports
// {"event":"wire","phase":...,"read":N,"written":N}: the TCP bytes read and written during it.
function wire() {
  return { read: socket.bytesRead, written: socket.bytesWritten };
}

function sendReported(phase, data, binary, opts = {}) {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  out({ event: 'sent', phase, binary, length: buf.length, sha256: sha256(buf) });
  ws.send(data, { binary, ...opts });
}

async function phase(name, expectedReplies, body) {
  out({ event: 'phase', name });
  const start = wire();
  const target = received + expectedReplies;
  await body();
  await messages(target);
  const end = wire();
  out({ event: 'wire', phase: name, read: end.read - start.read, written: end.written - start.written });
}

async function deflateSuite() {
  const texts = ['hello', 'The quick brown fox jumps over the lazy dog. '.repeat(300),
    'h\u00e9llo w\u00f6rld \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e '.repeat(50),
    'emoji \u{1F600}\u{1F389}\u{1F44D}\u{1F3FD} '.repeat(100), '', 'x'];
  await phase('text', texts.length, () => texts.forEach((t) => sendReported('text', t, false)));

  const sizes = [0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024];
  await phase('binary', sizes.length, () => sizes.forEach((n) => sendReported('binary', binaryPattern(n), true)));

  // Incompressible data, and data whose repeats lie far back (2,000 and 3,000 bytes): a compressor
  // that ignored a small agreed window would refer back farther than the peer's inflater can see.
  // (zlib notices only for references that reach back across the 16 KiB chunks Node inflates into,
  // hence messages of over 100 KB.)
  const randomSizes = [1, 100, 4096, 65536, 1024 * 1024];
  const farBinary = Buffer.concat(Array(64).fill(randomBytes(2000)));
  const farText = randomBytes(1500).toString('hex').repeat(40);
  await phase('random', randomSizes.length + 2, () => {
    randomSizes.forEach((n) => sendReported('random', randomBytes(n), true));
    sendReported('random', farBinary, true);
    sendReported('random', farText, false);
  });

  await phase('fragmented', 5, async () => {
    out({ event: 'sent', phase: 'fragmented', binary: false, length: 13, sha256: sha256(Buffer.from('Hello, w\u00f6rld')) });
    ws.send('Hel', { fin: false });
    ws.send('lo, ', { fin: false });
    ws.ping('mid-message');
    ws.send('w\u00f6rld', { fin: true });
    const split = Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0x21]);
    out({ event: 'sent', phase: 'fragmented', binary: false, length: 5, sha256: sha256(split) });
    ws.send(split.subarray(0, 2), { binary: false, fin: false });
    ws.send(split.subarray(2), { binary: false, fin: true });
    out({ event: 'sent', phase: 'fragmented', binary: true, length: 5, sha256: sha256(Buffer.from([1, 2, 3, 4, 5])) });
    ws.send(Buffer.from([1, 2, 3]), { binary: true, fin: false });
    ws.send(Buffer.from([4, 5]), { binary: true, fin: true });
    const whole = Buffer.concat([randomBytes(50_000), binaryPattern(50_000)]);
    out({ event: 'sent', phase: 'fragmented', binary: true, length: whole.length, sha256: sha256(whole) });
    for (let i = 0; i < 1000; i++) {
      ws.send(whole.subarray(i * 100, (i + 1) * 100), { binary: true, fin: i === 999 });
    }
    out({ event: 'sent', phase: 'fragmented', binary: false, length: 5, sha256: sha256(Buffer.from('edges')) });
    ws.send('', { fin: false });
    ws.send('edges', { fin: false });
    ws.send('', { fin: true });
    await pongsReceived(1);
  });

  // 200 messages in a row sharing 200 random bytes (within even an 8-bit window): with context
  // takeover each costs a few bytes (a back-reference into the previous message), without it over 200.
  const shared = randomBytes(200);
  await phase('repeat', 200, () => {
    for (let i = 0; i < 200; i++) sendReported('repeat', Buffer.concat([shared, Buffer.from(String(i))]), true);
  });

  await phase('large', 1, () => sendReported('large', textPattern(MIB16 / 16), false));

  // Our server answers with 'u' x 65536 as text and 65536 zero bytes as binary, both sent with
  // send*Uncompressed: they must arrive intact and cross the wire at full size.
  await phase('uncompressed', 2, () => ws.send('\u0000send-uncompressed:65536'));
}

async function run() {
  switch (scenario) {
    case 'open': // connect, report, close normally
      ws.close(1000);
      break;

    case 'text': {
      const texts = ['hello', 'h\u00e9llo w\u00f6rld', '\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e',
        'emoji \u{1F600}\u{1F389}\u{1F44D}\u{1F3FD}', ''];
      for (const t of texts) ws.send(t);
      await messages(texts.length);
      ws.close(1000);
      break;
    }

    case 'binary': {
      const sizes = [0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024];
      for (const n of sizes) ws.send(binaryPattern(n));
      await messages(sizes.length);
      ws.close(1000);
      break;
    }

    case 'fragmented': {
      // Text in three fragments, with a ping between two of them (control frames may interleave).
      ws.send('Hel', { fin: false });
      ws.send('lo, ', { fin: false });
      ws.ping('mid-message');
      ws.send('w\u00f6rld', { fin: true });
      // A text message whose fragments split a 4-byte UTF-8 character (U+1F600) in the middle.
      ws.send(Buffer.from([0xf0, 0x9f]), { binary: false, fin: false });
      ws.send(Buffer.from([0x98, 0x80, 0x21]), { binary: false, fin: true });
      // Binary in two fragments.
      ws.send(Buffer.from([1, 2, 3]), { binary: true, fin: false });
      ws.send(Buffer.from([4, 5]), { binary: true, fin: true });
      // Binary in 1,000 fragments of 100 bytes.
      const whole = binaryPattern(100_000);
      for (let i = 0; i < 1000; i++) {
        ws.send(whole.subarray(i * 100, (i + 1) * 100), { binary: true, fin: i === 999 });
      }
      // An empty first fragment and an empty last one.
      ws.send('', { fin: false });
      ws.send('edges', { fin: false });
      ws.send('', { fin: true });
      await messages(5);
      await pongsReceived(1);
      ws.close(1000);
      break;
    }

    case 'large': {
      // One after the other, as Autobahn's section 9 does: each echo completes before the next message.
      ws.send(binaryPattern(MIB16));
      await messages(1);
      ws.send(textPattern(MIB16 / 16));
      await messages(2);
      ws.close(1000);
      break;
    }

    case 'ping': {
      ws.ping('hello-ping');
      ws.ping(Buffer.alloc(0));
      ws.ping('p'.repeat(125));
      await pongsReceived(3);
      ws.close(1000);
      break;
    }

    case 'wait-for-message': // e.g. /pinger: the server pings us and then reports the pong as a text message
      await messages(1);
      ws.close(1000);
      break;

    case 'close1000':
      ws.send('before close');
      await messages(1);
      ws.close(1000);
      break;

    case 'close4000':
      ws.send('before close');
      await messages(1);
      ws.close(4000, 'client says bye');
      break;

    case 'close-nocode': // a Close frame with an empty payload (no status code)
      ws.send('before close');
      await messages(1);
      ws.close();
      break;

    case 'wait-for-close': // the server closes
      break;

    case 'compression': {
      // ws offered permessage-deflate; the server declines. Compressible messages must still flow, uncompressed.
      ws.send('a'.repeat(1024 * 1024));
      ws.send('small');
      ws.send(Buffer.alloc(65536, 0));
      await messages(3);
      ws.close(1000);
      break;
    }

    case 'deflate-suite': // every kind of message echoed, with the bytes on the wire per phase
      await deflateSuite();
      ws.close(1000);
      break;

    case 'deflate-bomb': { // 64 MiB of zeros: compressed, a few tens of KB on the wire
      const before = socket.bytesWritten;
      ws.send(Buffer.alloc(64 * 1024 * 1024), { binary: true }, (err) => {
        out({ event: 'sent', label: 'bomb', wireWritten: socket.bytesWritten - before, error: err ? String(err.message) : null });
      });
      break; // the server closes
    }

    default:
      out({ event: 'error', message: 'unknown scenario ' + scenario });
      ws.terminate();
      finish(64);
  }
}
