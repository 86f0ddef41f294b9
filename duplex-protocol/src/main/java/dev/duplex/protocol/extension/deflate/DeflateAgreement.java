package dev.duplex.protocol.extension.deflate;

/**
 * The permessage-deflate parameters both sides agreed on, seen from one endpoint.
 *
 * @param localNoContextTakeover our compressor resets after every message
 * @param peerNoContextTakeover the peer's compressor resets after every message, so our
 *     decompressor may too (and be pooled)
 * @param localWindowBits the window our compressor must stay within
 * @param peerWindowBits the window the peer's compressor stays within (our decompressor handles any)
 * @param level our compression level
 * @param thresholdBytes shorter messages are sent uncompressed
 */
public record DeflateAgreement(boolean localNoContextTakeover, boolean peerNoContextTakeover,
        int localWindowBits, int peerWindowBits, int level, int thresholdBytes) {
}
