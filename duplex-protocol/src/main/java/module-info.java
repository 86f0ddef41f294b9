/**
 * The sans-IO WebSocket engine (RFC 6455, RFC 7692): bytes in, events out, with no sockets,
 * threads, clocks or hidden randomness. Every package is API: the WebSocket layer, the load
 * generator and the benchmarks drive the engine, the handshake and the framing rules directly.
 */
module dev.duplex.protocol {
    exports dev.duplex.protocol;
    exports dev.duplex.protocol.frame;
    exports dev.duplex.protocol.handshake;
    exports dev.duplex.protocol.extension;
    exports dev.duplex.protocol.extension.deflate;
}
