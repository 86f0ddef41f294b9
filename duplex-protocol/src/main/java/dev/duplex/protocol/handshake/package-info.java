/**
 * The opening handshake, both sides (RFC 6455 §4): a linear, bounded HTTP head parser, the
 * server's validation and answer (101 or an error status with a reason), the client's request and
 * its check of the answer, and the accept key. Pure functions of bytes and limits; no sockets.
 */
package dev.duplex.protocol.handshake;
