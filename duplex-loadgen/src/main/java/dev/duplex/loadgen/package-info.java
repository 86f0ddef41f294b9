/**
 * The load generator behind {@code duplex bench}: echo, connect and fan-out scenarios driven
 * straight on the engine and the transport, with few threads and no per-message garbage, so that
 * it does not share the limits of the server it measures.
 */
package dev.duplex.loadgen;
