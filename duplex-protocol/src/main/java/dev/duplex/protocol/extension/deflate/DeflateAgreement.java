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

    /** zlib's deflate state for a 15-bit window at memory level 8: (1 << 17) + (1 << 17) plus ~6 KiB. */
    static final long ZLIB_DEFLATE_BYTES = 262 * 1024;
    /** zlib's inflate state: a 32 KiB window plus ~7 KiB. */
    static final long ZLIB_INFLATE_BYTES = 40 * 1024;

    /**
     * Memory this connection keeps for compression between messages: nothing without context
     * takeover (state is borrowed per message), otherwise the compressor's and/or decompressor's
     * window and tables. An estimate from zlib's documented formulas, for budgeting.
     */
    public long contextMemoryBytes() {
        long bytes = 0;
        if (!localNoContextTakeover) {
            bytes += localWindowBits == DeflateOptions.MAX_WINDOW_BITS
                    ? ZLIB_DEFLATE_BYTES
                    : 16 * 1024 + 5L * (1 << localWindowBits); // SmallWindowCompressor: hash heads, chains, history
        }
        if (!peerNoContextTakeover) {
            bytes += ZLIB_INFLATE_BYTES;
        }
        return bytes;
    }
}
