package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ByteOutput;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/** The JDK's zlib, for a 15-bit window: native speed for the common case. Not thread safe. */
final class ZlibCompressor implements MessageCompressor {
    /** BFINAL 0, BTYPE 00, padding; LEN 0000, NLEN FFFF: what a sync flush writes with nothing pending. */
    private static final byte[] EMPTY_STORED_BLOCK = {0, 0, 0, (byte) 0xFF, (byte) 0xFF};

    private final Deflater deflater;

    ZlibCompressor(int level) {
        this.deflater = new Deflater(level, true);
    }

    @Override
    public void compress(ByteBuffer input, ByteOutput out) {
        deflater.setInput(input);
        int total = 0;
        while (true) {
            ByteBuffer buffer = out.reserve(Math.max(256, input.remaining() / 2 + 64));
            int space = buffer.remaining();
            int written = deflater.deflate(buffer, Deflater.SYNC_FLUSH);
            total += written;
            if (written < space && deflater.needsInput()) {
                break; // output not full: the flush is complete
            }
        }
        if (total == 0) {
            // zlib writes nothing for a second flush with no new input (Z_BUF_ERROR), e.g. an empty
            // message after another with context takeover, or an empty last part. The stream is
            // byte-aligned after the previous flush, so an empty stored block keeps the contract.
            out.reserve(EMPTY_STORED_BLOCK.length).put(EMPTY_STORED_BLOCK);
        }
    }

    @Override
    public void reset() {
        deflater.reset();
    }

    @Override
    public void end() {
        deflater.end();
    }
}
