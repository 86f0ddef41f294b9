/** NIO event loops, timers, write queues and TLS: moves bytes, knows nothing of WebSocket. */
module dev.duplex.transport {
    exports dev.duplex.transport;
}
