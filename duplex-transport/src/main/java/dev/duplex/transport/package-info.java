/**
 * A small NIO TCP transport that moves bytes and knows nothing of WebSocket.
 *
 * <p>An {@link dev.duplex.transport.EventLoopGroup} runs event loops, each one thread with one
 * selector, a task queue and a hashed timer wheel. {@link dev.duplex.transport.TcpServer} and
 * {@link dev.duplex.transport.TcpClient} create {@link dev.duplex.transport.TcpConnection}s, each
 * confined to one loop and driven through a {@link dev.duplex.transport.ConnectionHandler}.
 * Idle connections are cheap: they hold no read or write buffer and no timer object.
 */
package dev.duplex.transport;
