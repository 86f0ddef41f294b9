// Socket.IO with its Redis adapter as a peer for Duplex's cluster fan-out benchmark: several of
// these processes on one Redis play the part of several `duplex serve --broker redis://…` nodes.
//
//   node socketio-peer.mjs [--port N] [--host H] [--redis redis://HOST:PORT]
//
// --port 0 (the default) takes any free port; --host defaults to 127.0.0.1. Without --redis it is
// one node with Socket.IO's in-memory adapter. Once listening (and connected to Redis) it prints
// exactly one stdout line, `LISTENING <port>`, like peer.mjs. Two events, on the default namespace:
//   subscribe  (room, ack)          socket.join(room), then ack();
//   publish    ({room, data}, ack)  io.to(room).emit('pub', data) (through the adapter, so to every
//                                   node's sockets in the room), then ack().
// Settings: WebSocket transport only (no HTTP long-polling, no upgrade), no compression
// (perMessageDeflate false, Socket.IO's default, set explicitly), no HTTP compression, Socket.IO's
// default heartbeat (ping every 25 s). SIGTERM / SIGINT close it.
import http from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

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
const redisUrl = option('--redis', '');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`socketio-peer.mjs: --port must be 0..65535, got ${option('--port', '')}\n`);
  process.exit(2);
}

const server = http.createServer();
const io = new Server(server, {
  transports: ['websocket'],
  allowUpgrades: false,
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
});

const clients = [];
if (redisUrl !== '') {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', (err) => process.stderr.write(`socketio-peer.mjs: redis: ${err.message}\n`));
  await Promise.all([pub.connect(), sub.connect()]);
  clients.push(pub, sub);
  io.adapter(createAdapter(pub, sub));
}

io.on('connection', (socket) => {
  socket.on('subscribe', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack();
  });
  socket.on('publish', (msg, ack) => {
    if (msg && msg.room !== undefined) io.to(String(msg.room)).emit('pub', msg.data);
    if (typeof ack === 'function') ack();
  });
});

server.on('upgrade', (request, socket) => socket.setNoDelay(true));
server.listen(port, host, () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});

function shutdown() {
  io.close();
  for (const c of clients) c.disconnect().catch(() => {});
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
