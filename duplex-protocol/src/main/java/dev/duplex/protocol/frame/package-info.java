/**
 * Framing rules that need no message context (RFC 6455 §5): the header bit layout and the
 * control-frame payload rule ({@link dev.duplex.protocol.frame.FrameBits}), the incremental frame
 * parser, frame writing, masking eight bytes at a time, and fail-fast UTF-8 validation that
 * survives fragment boundaries. Stateless helpers, or state owned by one connection.
 */
package dev.duplex.protocol.frame;
