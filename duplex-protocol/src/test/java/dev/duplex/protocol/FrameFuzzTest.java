package dev.duplex.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the frame parser with message assembly and UTF-8 validation: a {@link Connection}, as a
 * server or a client, reads arbitrary bytes split at points the fuzzer chooses, under limits it
 * chooses, and {@link FuzzedConnection} checks every invariant as it goes.
 *
 * <p>Input layout (missing bytes read as 0):
 * <pre>
 *   byte 0   flags: 0x01 client role (else server), 0x02 we send Close first, 0x04 no automatic
 *            pongs, 0x08 a 4 KiB incomplete-message budget (1013 when passed), 0x10 end with EOF
 *   byte 1   limits: bits 0-1 maxFrameBytes {none, 16, 256, 65536}, bits 2-3 maxMessageBytes
 *            {1 MiB, 32, 512, none}, bits 4-5 maxFragments {1024, 1, 3, none}, bits 6-7
 *            streamingThreshold {never, 0, 8, 200}
 *   byte 2   n = number of read sizes (n &amp; 7); then n bytes, each a read size - 1
 *   rest     the bytes from the peer, read in pieces of those sizes in turn (one read if n = 0)
 * </pre>
 * Seeds: {@code src/test/resources/dev/duplex/protocol/FrameFuzzTestInputs/frames/}.
 */
class FrameFuzzTest {
    private static final long[] FRAME_LIMITS = {Limits.NO_LIMIT, 16, 256, 65_536};
    private static final long[] MESSAGE_LIMITS = {1 << 20, 32, 512, Limits.NO_LIMIT};
    private static final int[] FRAGMENT_LIMITS = {1024, 1, 3, (int) Limits.NO_LIMIT};
    private static final long[] STREAMING = {Limits.NO_LIMIT, 0, 8, 200};

    @FuzzTest(maxDuration = "10m")
    void frames(byte[] input) {
        FuzzedConnection.checkAllocation(() -> run(input));
    }

    private static FuzzedConnection run(byte[] input) {
        int flags = at(input, 0);
        int limitBits = at(input, 1);
        Limits limits = new Limits(FRAME_LIMITS[limitBits & 3], MESSAGE_LIMITS[(limitBits >> 2) & 3],
                FRAGMENT_LIMITS[(limitBits >> 4) & 3], STREAMING[(limitBits >> 6) & 3]);
        int sizes = at(input, 2) & 7;
        int start = Math.min(input.length, 3 + sizes);

        FuzzedConnection connection = new FuzzedConnection((flags & 0x01) != 0 ? Role.CLIENT : Role.SERVER, limits,
                null, (flags & 0x08) != 0 ? 4096 : -1, (flags & 0x04) == 0);
        if ((flags & 0x02) != 0) {
            connection.sendClose();
        }
        feed(connection, input, start, sizes);
        connection.finish((flags & 0x10) != 0);
        return connection;
    }

    /** Feeds {@code input[start..]} in reads of the sizes listed in {@code input[3, 3 + sizes)}, in turn. */
    static void feed(FuzzedConnection connection, byte[] input, int start, int sizes) {
        int at = start;
        int turn = 0;
        while (at < input.length) {
            int size = sizes == 0 ? input.length - at : at(input, 3 + turn++ % sizes) + 1;
            int end = Math.min(input.length, at + size);
            connection.receive(input, at, end);
            at = end;
        }
    }

    static int at(byte[] input, int index) {
        return index < input.length ? input[index] & 0xFF : 0;
    }
}
