// Node `ws` as a WebSocket SERVER, driven by Duplex's interop tests (NodeWsServerInteropTest).
//
//   node server.mjs [--per-message-deflate=false|true|default|JSON]
//
// JSON: ws's perMessageDeflate option itself, e.g. --per-message-deflate={"threshold":0,"clientMaxWindowBits":9}.
//
// Listens on 127.0.0.1, any free port, and prints the port as the first stdout line. After that
// it prints one JSON object per line for what it observes (connection, message, pong, close), each
// with the connection's `id` query parameter so the test can tell connections apart. A connection
// event carries the Sec-WebSocket-Extensions of the 101 response (responseExtensions); a message
// event the TCP bytes read and written on that connection so far (wireRead, wireWritten), which
// show whether compression happened.
//
// Paths:
//   /echo          echoes every message (text as text, binary as binary)
//   /close4001     closes at once with 4001 "bye"
//   /ping          pings the client with "ws-server-ping"; on the pong, sends {"pong": payload} as text
//   /fragmented    sends fragmented messages, then {"done":true} as text
//   /large         sends a 16 MiB binary and a 16 MiB text message (the test patterns)
//   /subprotocol   agrees to the first of "chat.v1", "chat.v2" (in this order) that the client offers
//   /missing       answers 404 instead of upgrading
// Any other path echoes.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { createHash } from 'node:crypto';

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

const modeArg = process.argv.slice(2).find((a) => a.startsWith('--per-message-deflate='));
const mode = modeArg ? modeArg.slice('--per-message-deflate='.length) : 'default';
const options = { noServer: true, maxPayload: 64 * 1024 * 1024 };
if (mode.startsWith('{')) options.perMessageDeflate = JSON.parse(mode);
else if (mode === 'true') options.perMessageDeflate = true;
else if (mode === 'false') options.perMessageDeflate = false;
// 'default': leave ws's own default in place.
options.handleProtocols = (protocols, request) => {
  if (!request.url.startsWith('/subprotocol')) return false;
  for (const p of ['chat.v1', 'chat.v2']) if (protocols.has(p)) return p;
  return false;
};

const MIB16 = 16 * 1024 * 1024;
function binaryPattern(length) {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}
const TEXT_UNIT = 'Dx\u20ac\u{1F600}\u00e912345'; // 16 bytes of UTF-8

const wss = new WebSocketServer(options);
const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});

const kResponseExtensions = Symbol('response-extensions');
const kSocket = Symbol('socket');
wss.on('headers', (headers, request) => {
  const line = headers.find((h) => h.toLowerCase().startsWith('sec-websocket-extensions:'));
  request[kResponseExtensions] = line ? line.slice(line.indexOf(':') + 1).trim() : '';
});

server.on('upgrade', (request, socket, head) => {
  request[kSocket] = socket;
  const path = new URL(request.url, 'http://localhost').pathname;
  if (path === '/missing') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});

wss.on('connection', (ws, request) => {
  const parsed = new URL(request.url, 'http://localhost');
  const path = parsed.pathname;
  const id = parsed.searchParams.get('id') || '';
  out({
    event: 'connection', id, path, protocol: ws.protocol, extensions: ws.extensions,
    offeredExtensions: request.headers['sec-websocket-extensions'] || '',
    responseExtensions: request[kResponseExtensions] || '',
  });
  const socket = request[kSocket];

  ws.on('message', (data, isBinary) => {
    out({
      event: 'message', id, binary: isBinary, length: data.length, sha256: sha256(data),
      wireRead: socket.bytesRead, wireWritten: socket.bytesWritten,
    });
    if (path !== '/ping' && path !== '/fragmented' && path !== '/large' && path !== '/close4001') {
      ws.send(data, { binary: isBinary });
    }
  });
  ws.on('ping', (data) => out({ event: 'ping', id, data: data.toString('utf8') }));
  ws.on('pong', (data) => {
    out({ event: 'pong', id, data: data.toString('utf8') });
    if (path === '/ping') ws.send(JSON.stringify({ pong: data.toString('utf8') }));
  });
  ws.on('close', (code, reason) => out({ event: 'close', id, code, reason: reason.toString('utf8') }));
  ws.on('error', (e) => out({ event: 'error', id, message: String(e && e.message) }));

  switch (path) {
    case '/close4001':
      ws.close(4001, 'bye');
      break;
    case '/ping':
      ws.ping('ws-server-ping');
      break;
    case '/fragmented': {
      ws.send('Hel', { fin: false });
      ws.send('lo ', { fin: false });
      ws.ping('between-fragments');
      ws.send('w\u00f6rld \u{1F600}', { fin: true });
      // A 4-byte UTF-8 character split between two fragments.
      ws.send(Buffer.from([0xf0, 0x9f]), { binary: false, fin: false });
      ws.send(Buffer.from([0x98, 0x80, 0x21]), { binary: false, fin: true });
      ws.send(Buffer.from([1, 2, 3]), { binary: true, fin: false });
      ws.send(Buffer.from([4, 5]), { binary: true, fin: true });
      const whole = binaryPattern(100_000);
      for (let i = 0; i < 1000; i++) {
        ws.send(whole.subarray(i * 100, (i + 1) * 100), { binary: true, fin: i === 999 });
      }
      ws.send(JSON.stringify({ done: true }));
      break;
    }
    case '/large':
      ws.send(binaryPattern(MIB16));
      ws.send(TEXT_UNIT.repeat(MIB16 / 16));
      break;
    default:
      break;
  }
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n');
});

// The test closes our stdin (or kills us) when it is done; go away then.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
