// Node's `ws` as a peer server for Duplex's side-by-side load benchmarks.
//
//   node peer.mjs [--port N] [--host H]
//
// --port 0 (the default) takes any free port; --host defaults to 127.0.0.1. Once listening it
// prints exactly one stdout line, `LISTENING <port>`, and nothing else. It serves the same two
// endpoints as `duplex serve`:
//   /echo       echoes every text and binary message unchanged;
//   /broadcast  every message a /broadcast client sends goes to every open /broadcast client,
//               the sender included (same type, same bytes).
// Any other path is answered 404 without an upgrade. SIGTERM / SIGINT close it.
//
// Settings, as ws's documentation recommends for throughput:
//   perMessageDeflate: false   no compression (ws's README: "disabled by default on the server",
//                              set explicitly so a change of default cannot skew a run);
//   maxPayload: 16 MiB         the same message limit as the JVM peers;
//   noServer + one http server routing upgrades by path (ws's "multiple servers sharing a single
//   HTTP/S server" pattern); clientTracking only on /broadcast, whose `clients` set is the
//   broadcast list (ws's broadcast example); no heartbeat/idle timeout (ws has none unless the
//   application adds one).
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';

function option(name, fallback) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) return args[i + 1];
    if (args[i].startsWith(name + '=')) return args[i].slice(name.length + 1);
  }
  return fallback;
}

const port = Number.parseInt(option('--port', '0'), 10);
const host = option('--host', '127.0.0.1');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`peer.mjs: --port must be 0..65535, got ${option('--port', '')}\n`);
  process.exit(2);
}

const MAX_PAYLOAD = 16 * 1024 * 1024;
const common = { noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD };

const echo = new WebSocketServer({ ...common, clientTracking: false });
echo.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});

const broadcast = new WebSocketServer({ ...common, clientTracking: true });
broadcast.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    for (const client of broadcast.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
  ws.on('error', () => {});
});

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only: /echo or /broadcast\n');
});
server.on('upgrade', (request, socket, head) => {
  socket.setNoDelay(true);
  const path = (request.url || '/').split('?', 1)[0];
  const target = path === '/echo' ? echo : path === '/broadcast' ? broadcast : null;
  if (target === null) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
});
server.on('clientError', (err, socket) => socket.destroy());

server.listen(port, host, () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});

function shutdown() {
  for (const ws of broadcast.clients) ws.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
