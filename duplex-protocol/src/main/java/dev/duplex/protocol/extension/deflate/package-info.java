/**
 * permessage-deflate (RFC 7692): negotiation ({@link dev.duplex.protocol.extension.deflate.DeflateNegotiation})
 * apart from transformation ({@link dev.duplex.protocol.extension.deflate.PerMessageDeflate}); zlib
 * for 15-bit windows and our own LZ77 compressor for smaller ones; a per-loop
 * {@link dev.duplex.protocol.extension.deflate.CompressionPool} that lends zlib state for one
 * message when no context takeover was agreed. Not thread safe: one pool per event loop.
 */
package dev.duplex.protocol.extension.deflate;
