package dev.duplex.protocol.extension.deflate;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.Compression;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.FuzzedConnection;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Fuzzes permessage-deflate (RFC 7692), negotiated through the real {@link DeflateNegotiation}
 * (offer and response formatted and parsed again) for every window size, 8 to 15 bits, with and
 * without context takeover.
 *
 * <p>{@link #inflate}: fuzzer bytes arrive as the payloads of compressed frames (RSV1 on the first
 * frame of a message) at a {@link dev.duplex.protocol.Connection}; {@link FuzzedConnection} checks
 * that nothing delivered passes the message limit (1009 instead, however well the bytes inflate),
 * that buffers and allocation stay bounded, that close codes are valid; and every zlib object is
 * given back or ended. Input layout:
 * <pre>
 *   byte 0   0x01 the receiver is the client (else the server); bits 1-3 window bits - 8 of the
 *            peer's compressor; 0x10 the receiver lets the peer keep its context; 0x20 the peer
 *            asks to reset its context anyway
 *   byte 1   limits: bits 0-1 maxMessageBytes {1 MiB, 100, 4096, 65536}; 0x04 maxFrameBytes 64;
 *            0x08 stream messages over 50 bytes; 0x10 a 2 KiB incomplete-message budget
 *   then     frames: a control byte (0x01 FIN, 0x02 text, 0x04 continuation, 0x08 not compressed,
 *            0x10 a ping instead, 0x20 two length bytes, 0x40 split the frame across two reads),
 *            the length (one or two bytes), the payload
 * </pre>
 *
 * <p>{@link #roundTrip}: fuzzer data compressed by our compressors ({@link ZlibCompressor} for 15
 * bits, {@link SmallWindowCompressor} below) and inflated again must come back unchanged, with no
 * back-reference farther than the window; then the same messages through a negotiated client and
 * server. Input layout: byte 0 bit 0 the sender is the client, bits 1-3 window bits - 8, 0x10
 * the sender keeps its context, 0x20 send each message in two parts, bits 6-7 level {1, 6, 9, 3};
 * byte 1 the number of messages - 1 (bits 0-2); then the data, cut into that many messages.
 */
class DeflateFuzzTest {
    private static final long[] MESSAGE_LIMITS = {1 << 20, 100, 4096, 65_536};
    private static final int[] LEVELS = {1, 6, 9, 3};

    // ------------------------------------------------------------------ inflation

    @FuzzTest(maxDuration = "10m")
    void inflate(byte[] input) {
        FuzzedConnection.checkAllocation(() -> inflateOnce(input));
    }

    private static FuzzedConnection inflateOnce(byte[] input) {
        int setup = at(input, 0);
        int limitBits = at(input, 1);
        boolean receiverIsClient = (setup & 0x01) != 0;
        int window = 8 + ((setup >> 1) & 7);
        boolean peerMayKeepContext = (setup & 0x10) != 0;
        boolean peerResets = (setup & 0x20) != 0;
        // The peer (the sender) compresses within its window; we (the receiver) negotiate it.
        DeflateOptions receiver = DeflateOptions.defaults().withPeerContextTakeover(peerMayKeepContext);
        DeflateOptions sender = DeflateOptions.defaults().withLocalContextTakeover(!peerResets).withLocalMaxWindowBits(window);
        if (receiverIsClient) {
            receiver = receiver.withPeerMaxWindowBits(window);
        }
        Compression.Negotiated n = receiverIsClient ? Compression.negotiate(receiver, sender) : Compression.negotiate(sender, receiver);
        DeflateAgreement agreement = receiverIsClient ? n.client() : n.server();
        check(agreement.peerWindowBits() == window, "negotiated a peer window of " + agreement.peerWindowBits()
                + " bits, not " + window + ": " + n);
        check(agreement.peerNoContextTakeover() == (!peerMayKeepContext || peerResets),
                "negotiated peer context takeover wrongly: " + n);

        Limits limits = Limits.defaults().withMaxMessageBytes(MESSAGE_LIMITS[limitBits & 3])
                .withMaxFrameBytes((limitBits & 0x04) != 0 ? 64 : 1 << 20)
                .withStreamingThresholdBytes((limitBits & 0x08) != 0 ? 50 : Limits.NO_LIMIT);
        CompressionPool pool = new CompressionPool();
        FuzzedConnection connection = new FuzzedConnection(receiverIsClient ? Role.CLIENT : Role.SERVER, limits,
                new PerMessageDeflate(agreement, pool), (limitBits & 0x10) != 0 ? 2048 : -1, true);
        Random masks = new Random(1);
        int at = 2;
        while (at < input.length) {
            int control = input[at++] & 0xFF;
            int length = at(input, at++);
            if ((control & 0x20) != 0) {
                length = (length << 8) | at(input, at++);
            }
            int end = Math.min(input.length, at + length);
            byte[] frame = frame(control, Arrays.copyOfRange(input, Math.min(at, end), end), !receiverIsClient, masks);
            at = end;
            if ((control & 0x40) != 0 && frame.length > 1) {
                connection.receive(frame, 0, frame.length / 2);
                connection.receive(frame, frame.length / 2, frame.length);
            } else {
                connection.receive(frame, 0, frame.length);
            }
        }
        connection.finish(false);
        pool.endIdle();
        check(pool.liveNativeObjects() == 0, pool.liveNativeObjects() + " zlib objects neither pooled nor ended");
        return connection;
    }

    /** One frame: its header from the control byte, masked when it goes to a server. */
    private static byte[] frame(int control, byte[] payload, boolean masked, Random masks) {
        int opcode;
        int rsv = 0;
        if ((control & 0x10) != 0) {
            opcode = 0x9;
            payload = Arrays.copyOf(payload, Math.min(payload.length, 125));
        } else if ((control & 0x04) != 0) {
            opcode = 0x0;
        } else {
            opcode = (control & 0x02) != 0 ? 0x1 : 0x2;
            rsv = (control & 0x08) != 0 ? 0 : 0x40;
        }
        boolean fin = opcode == 0x9 || (control & 0x01) != 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | rsv | opcode);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(mask | payload.length);
        } else {
            out.write(mask | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        }
        byte[] key = new byte[4];
        if (masked) {
            masks.nextBytes(key);
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ key[i & 3]);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ round trip

    @FuzzTest(maxDuration = "10m")
    void roundTrip(byte[] input) {
        int setup = at(input, 0);
        boolean senderIsClient = (setup & 0x01) != 0;
        int window = 8 + ((setup >> 1) & 7);
        boolean keepContext = (setup & 0x10) != 0;
        boolean inParts = (setup & 0x20) != 0;
        int level = LEVELS[(setup >> 6) & 3];
        List<byte[]> messages = cut(Arrays.copyOfRange(input, Math.min(2, input.length), input.length), (at(input, 1) & 7) + 1);

        directly(messages, window, level, keepContext);
        throughConnections(messages, senderIsClient, window, level, keepContext, inParts);
    }

    /** Our compressor for the window, then a reference inflater: the same bytes, nothing farther back than the window. */
    private static void directly(List<byte[]> messages, int window, int level, boolean keepContext) {
        MessageCompressor compressor = CompressionPool.newCompressor(window, level);
        Inflater inflater = new Inflater(true);
        try {
            for (byte[] message : messages) {
                ByteOutput out = new ByteOutput(64, false);
                compressor.compress(ByteBuffer.wrap(message), out);
                ByteBuffer compressed = out.flip();
                byte[] bytes = new byte[compressed.remaining()];
                compressed.get(bytes);
                check(bytes.length >= 4 && Arrays.equals(Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length),
                        new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}), "a compressed message does not end with a sync flush");
                byte[] back = inflateAll(inflater, bytes);
                check(Arrays.equals(back, message), "window " + window + ", level " + level + ": " + message.length
                        + " bytes came back as " + back.length + " different bytes");
                if (compressor instanceof SmallWindowCompressor small) {
                    check(small.maxDistanceEmitted <= 1 << window, "a distance of " + small.maxDistanceEmitted
                            + " in a window of " + (1 << window));
                }
                if (!keepContext) {
                    compressor.reset();
                    inflater.reset();
                }
            }
        } finally {
            compressor.end();
            inflater.end();
        }
    }

    private static byte[] inflateAll(Inflater inflater, byte[] input) {
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            while (true) {
                int n = inflater.inflate(buffer);
                if (n == 0) {
                    check(inflater.needsInput() && !inflater.finished(), "the inflater stopped early");
                    return out.toByteArray();
                }
                out.write(buffer, 0, n);
            }
        } catch (DataFormatException e) {
            throw new AssertionError("our compressor wrote invalid DEFLATE data: " + e.getMessage());
        }
    }

    /** The messages from a negotiated sender to a receiver, one Connection each. */
    private static void throughConnections(List<byte[]> messages, boolean senderIsClient, int window, int level,
            boolean keepContext, boolean inParts) {
        DeflateOptions sender = DeflateOptions.defaults().withLevel(level).withThresholdBytes(0)
                .withLocalMaxWindowBits(window).withLocalContextTakeover(keepContext);
        DeflateOptions receiver = DeflateOptions.defaults().withPeerContextTakeover(true);
        if (senderIsClient) {
            sender = sender.withPeerContextTakeover(true);
        } else {
            receiver = receiver.withPeerMaxWindowBits(window);
        }
        Compression.Negotiated n = senderIsClient ? Compression.negotiate(sender, receiver) : Compression.negotiate(receiver, sender);
        DeflateAgreement senderAgreement = senderIsClient ? n.client() : n.server();
        DeflateAgreement receiverAgreement = senderIsClient ? n.server() : n.client();
        check(senderAgreement.localWindowBits() == window, "the sender's window was negotiated to "
                + senderAgreement.localWindowBits() + " bits, not " + window + ": " + n);
        check(senderAgreement.localNoContextTakeover() == !keepContext, "the sender's context takeover: " + n);

        CompressionPool senderPool = new CompressionPool();
        CompressionPool receiverPool = new CompressionPool();
        Limits limits = Limits.defaults();
        Endpoint from = new Endpoint(senderIsClient ? Role.CLIENT : Role.SERVER, limits, senderIsClient ? new Random(3) : null,
                new PerMessageDeflate(senderAgreement, senderPool));
        Endpoint to = new Endpoint(senderIsClient ? Role.SERVER : Role.CLIENT, limits, senderIsClient ? null : new Random(4),
                new PerMessageDeflate(receiverAgreement, receiverPool));
        List<EventRecorder.Event> expected = new ArrayList<>();
        for (byte[] message : messages) {
            if (inParts) {
                int half = message.length / 2;
                from.connection.sendPart(false, ByteBuffer.wrap(message, 0, half), false, from.out);
                from.connection.sendPart(false, ByteBuffer.wrap(message, half, message.length - half), true, from.out);
            } else {
                from.connection.sendBinary(ByteBuffer.wrap(message), from.out);
            }
            expected.add(EventRecorder.binary(message));
            to.receive(from.written());
        }
        List<EventRecorder.Event> received = to.events.takeAll();
        check(received.equals(expected), "sent " + expected + ", received " + received);
        from.connection.release();
        to.connection.release();
        senderPool.endIdle();
        receiverPool.endIdle();
        check(senderPool.liveNativeObjects() == 0 && receiverPool.liveNativeObjects() == 0, "zlib objects left over");
    }

    /** {@code data} in {@code count} pieces of about the same size. */
    private static List<byte[]> cut(byte[] data, int count) {
        List<byte[]> pieces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pieces.add(Arrays.copyOfRange(data, data.length * i / count, data.length * (i + 1) / count));
        }
        return pieces;
    }

    private static int at(byte[] input, int index) {
        return index < input.length ? input[index] & 0xFF : 0;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
