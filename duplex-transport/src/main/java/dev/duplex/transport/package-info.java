/**
 * A small NIO TCP transport that moves bytes and knows nothing of WebSocket.
 *
 * <p>An {@link dev.duplex.transport.EventLoopGroup} runs event loops, each one thread with one
 * selector, a task queue and a hashed timer wheel. {@link dev.duplex.transport.TcpServer} and
 * {@link dev.duplex.transport.TcpClient} create {@link dev.duplex.transport.TcpConnection}s.
 *
 * <p>Ownership: a connection belongs to one loop for its whole life, and its handler
 * ({@link dev.duplex.transport.ConnectionHandler}) is called only on that loop's thread, so
 * neither needs a lock. Another thread reaches a connection only by handing a task to its loop
 * ({@code connection.loop().execute(…)}); the few methods safe from any thread say so. Idle
 * connections are cheap: they hold no read or write buffer and no timer object.
 */
package dev.duplex.transport;
