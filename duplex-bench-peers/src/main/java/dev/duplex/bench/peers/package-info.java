/**
 * The peers Duplex is measured against: echo and broadcast servers on Netty, Jetty, Java-WebSocket
 * and Vert.x, and a bare NIO TCP echo, each started by the benchmark runner as a process of its
 * own. Benchmark code only; nothing in the product depends on it.
 */
package dev.duplex.bench.peers;
