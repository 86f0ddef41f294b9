package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ByteOutput;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/** The JDK's zlib, for a 15-bit window: native speed for the common case. Not thread safe. */
final class ZlibCompressor implements MessageCompressor {
    private final Deflater deflater;

    ZlibCompressor(int level) {
        this.deflater = new Deflater(level, true);
    }

    @Override
    public void compress(ByteBuffer input, ByteOutput out) {
        deflater.setInput(input);
        while (true) {
            ByteBuffer buffer = out.reserve(Math.max(256, input.remaining() / 2 + 64));
            int space = buffer.remaining();
            int written = deflater.deflate(buffer, Deflater.SYNC_FLUSH);
            if (written < space && deflater.needsInput()) {
                return; // output not full: the flush is complete
            }
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
