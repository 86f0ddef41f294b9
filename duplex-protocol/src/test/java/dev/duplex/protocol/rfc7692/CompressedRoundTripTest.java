package dev.duplex.protocol.rfc7692;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.Compression;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Peers;
import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random messages through a compressing client and server, both directions, for every
 * combination of context takeover and window bits {8, 9, 12, 15}: what arrives equals what was
 * sent, and RSV1 is set exactly on the messages that should be compressed.
 */
class CompressedRoundTripTest {
    // 64 parameter combinations run in every build, so each gets a seeded sample rather than thousands.
    private static final int MESSAGES = 400;
    private static final int MAX_SIZE = 200_000;
    private static final int THRESHOLD = 256;
    private static final int RSV1 = 0x40;
    private static final String[] WORDS = {"the ", "websocket ", "frame ", "naïve ", "Größe ", "日本語 ", "данные ",
        "😀", "κόσμε ", "€", "\n", "compression ", "window ", "Ünïcödé ", "message\t", "𝄞 "};

    static Stream<Arguments> combinations() {
        List<Arguments> all = new ArrayList<>();
        for (boolean c2s : new boolean[] {false, true}) {
            for (boolean s2c : new boolean[] {false, true}) {
                for (int clientBits : new int[] {8, 9, 12, 15}) {
                    for (int serverBits : new int[] {8, 9, 12, 15}) {
                        all.add(Arguments.of(c2s, s2c, clientBits, serverBits));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "client→server takeover={0}, server→client takeover={1}, client bits={2}, server bits={3}")
    @MethodSource("combinations")
    @DisplayName("2,000 random messages both ways arrive intact, RSV1 set exactly when compressed")
    void randomMessagesRoundTrip(boolean c2sTakeover, boolean s2cTakeover, int clientBits, int serverBits) {
        DeflateOptions client = DeflateOptions.defaults().withThresholdBytes(THRESHOLD)
                .withLocalContextTakeover(c2sTakeover).withPeerContextTakeover(s2cTakeover).withLocalMaxWindowBits(clientBits);
        DeflateOptions server = DeflateOptions.defaults().withThresholdBytes(THRESHOLD)
                .withLocalContextTakeover(s2cTakeover).withPeerContextTakeover(c2sTakeover).withLocalMaxWindowBits(serverBits);
        Peers peers = Compression.peers(Limits.defaults(), client, server);
        assertThat(peers.client.deflate.agreement().localWindowBits()).isEqualTo(clientBits);
        assertThat(peers.server.deflate.agreement().localWindowBits()).isEqualTo(serverBits);
        assertThat(peers.client.deflate.agreement().localNoContextTakeover()).isEqualTo(!c2sTakeover);
        assertThat(peers.server.deflate.agreement().localNoContextTakeover()).isEqualTo(!s2cTakeover);

        Random random = new Random(31L * Arrays.hashCode(new int[] {c2sTakeover ? 1 : 0, s2cTakeover ? 1 : 0, clientBits, serverBits}));
        for (int i = 0; i < MESSAGES; i++) {
            boolean fromClient = (i & 1) == 0 ? random.nextBoolean() : (i & 2) == 0;
            int size = i < 4 ? new int[] {0, MAX_SIZE, THRESHOLD - 1, THRESHOLD}[i] : randomSize(random);
            Message message = Message.random(random, size);
            int mode = random.nextInt(10);
            Send how = mode == 0 ? Send.UNCOMPRESSED : mode == 1 ? Send.PARTS : Send.NORMAL;
            roundTrip(fromClient ? peers.client : peers.server, fromClient ? peers.server : peers.client, message, how, random, "message " + i);
        }
    }

    @Test
    @DisplayName("Threshold: below it RSV1 is clear, at and above it set; mayCompress=false always sends uncompressed")
    void thresholdAndOptOut() {
        Peers peers = Compression.peers(Limits.defaults(), DeflateOptions.defaults(), DeflateOptions.defaults());
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 100, THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, 10_000, 150_000}) {
            for (Endpoint sender : List.of(peers.client, peers.server)) {
                Endpoint receiver = sender == peers.client ? peers.server : peers.client;
                for (boolean text : new boolean[] {false, true}) {
                    Message m = Message.compressible(random, size, text);
                    roundTrip(sender, receiver, m, Send.NORMAL, random, "size " + size);
                    roundTrip(sender, receiver, m, Send.UNCOMPRESSED, random, "size " + size + ", mayCompress=false");
                }
            }
        }
    }

    @Test
    @DisplayName("Streamed sendPart messages: RSV1 on the first frame only, including empty parts and an empty last part")
    void streamedParts() {
        for (boolean takeover : new boolean[] {false, true}) {
            for (int bits : new int[] {8, 15}) {
                DeflateOptions options = DeflateOptions.defaults().withLocalContextTakeover(takeover).withPeerContextTakeover(takeover)
                        .withLocalMaxWindowBits(bits);
                Peers peers = Compression.peers(Limits.defaults(), options, options);
                Random random = new Random(bits * 2L + (takeover ? 1 : 0));
                for (Endpoint sender : List.of(peers.client, peers.server)) {
                    Endpoint receiver = sender == peers.client ? peers.server : peers.client;
                    // empty last part, after a non-empty one
                    Message first = Message.compressible(random, 1000, true);
                    sendParts(sender, receiver, first, new int[] {first.bytes.length, 0}, "empty last part");
                    // only empty parts
                    sendParts(sender, receiver, Message.compressible(random, 0, false), new int[] {0, 0, 0}, "only empty parts");
                    // a single part
                    sendParts(sender, receiver, Message.compressible(random, 5000, false), new int[] {5000}, "one part");
                    // many parts, a code point split across parts
                    Message text = Message.compressible(random, 3000, true);
                    sendParts(sender, receiver, text, new int[] {1, 2, 0, 997, 1000, text.bytes.length - 2000}, "many parts");
                    for (int i = 0; i < 50; i++) {
                        roundTrip(sender, receiver, Message.random(random, randomSize(random)), Send.PARTS, random, "random parts " + i);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ machinery

    private enum Send { NORMAL, UNCOMPRESSED, PARTS }

    /** A message: text (with its UTF-8) or binary. */
    record Message(boolean text, String string, byte[] bytes) {
        static Message random(Random random, int size) {
            boolean text = random.nextBoolean();
            return random.nextInt(3) == 0 ? incompressible(random, size, text) : compressible(random, size, text);
        }

        static Message compressible(Random random, int size, boolean text) {
            if (text) {
                StringBuilder b = new StringBuilder();
                int bytes = 0;
                while (bytes < size) {
                    String word = random.nextInt(8) == 0 ? Integer.toString(random.nextInt(100_000)) : WORDS[random.nextInt(WORDS.length)];
                    b.append(word);
                    bytes += word.getBytes(StandardCharsets.UTF_8).length;
                }
                return ofText(b.toString());
            }
            byte[] data = new byte[size];
            int pos = 0;
            while (pos < size) {
                int kind = random.nextInt(4);
                if (kind == 0 || pos < 3) { // a few random bytes
                    int n = Math.min(size - pos, 1 + random.nextInt(24));
                    for (int k = 0; k < n; k++) {
                        data[pos++] = (byte) random.nextInt(256);
                    }
                } else if (kind == 1) { // a run
                    int n = Math.min(size - pos, 1 + random.nextInt(400));
                    byte b = (byte) random.nextInt(256);
                    for (int k = 0; k < n; k++) {
                        data[pos++] = b;
                    }
                } else { // a copy from up to 40,000 bytes back: near and far for every window size
                    int distance = 1 + (random.nextBoolean() ? random.nextInt(Math.min(pos, 300)) : random.nextInt(Math.min(pos, 40_000)));
                    int n = Math.min(size - pos, 3 + random.nextInt(300));
                    for (int k = 0; k < n; k++, pos++) {
                        data[pos] = data[pos - distance];
                    }
                }
            }
            return new Message(false, null, data);
        }

        static Message incompressible(Random random, int size, boolean text) {
            if (text) {
                StringBuilder b = new StringBuilder();
                int bytes = 0;
                while (bytes < size) {
                    int cp = switch (random.nextInt(4)) {
                        case 0 -> 0x20 + random.nextInt(0x5F);
                        case 1 -> 0x80 + random.nextInt(0x780);
                        case 2 -> {
                            int c = 0x800 + random.nextInt(0x10000 - 0x800 - 0x800);
                            yield c >= 0xD800 ? c + 0x800 : c; // skip surrogates
                        }
                        default -> 0x10000 + random.nextInt(0x100000);
                    };
                    b.appendCodePoint(cp);
                    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                }
                return ofText(b.toString());
            }
            byte[] data = new byte[size];
            random.nextBytes(data);
            return new Message(false, null, data);
        }

        static Message ofText(String s) {
            return new Message(true, s, s.getBytes(StandardCharsets.UTF_8));
        }

        EventRecorder.Event event() {
            return text ? EventRecorder.text(string) : EventRecorder.binary(bytes);
        }
    }

    /** Mostly small, some medium, a few up to 200,000 bytes. */
    static int randomSize(Random random) {
        int k = random.nextInt(100);
        if (k < 60) {
            return random.nextInt(1024);
        } else if (k < 85) {
            return 1024 + random.nextInt(15 * 1024);
        } else if (k < 98) {
            return 16 * 1024 + random.nextInt(48 * 1024);
        }
        return 64 * 1024 + random.nextInt(MAX_SIZE - 64 * 1024 + 1);
    }

    private static void roundTrip(Endpoint sender, Endpoint receiver, Message m, Send how, Random random, String what) {
        String desc = what + " (" + (m.text ? "text" : "binary") + ", " + m.bytes.length + " bytes, " + how + ", "
                + sender.connection.role() + " → " + receiver.connection.role() + ")";
        if (how == Send.PARTS) {
            int parts = 1 + random.nextInt(4);
            int[] sizes = new int[parts];
            int left = m.bytes.length;
            for (int p = 0; p < parts - 1; p++) {
                sizes[p] = left == 0 ? 0 : random.nextInt(left + 1);
                left -= sizes[p];
            }
            sizes[parts - 1] = left;
            sendParts(sender, receiver, m, sizes, desc);
            return;
        }
        boolean mayCompress = how == Send.NORMAL;
        if (m.text) {
            sender.connection.sendText(m.string, mayCompress, sender.out);
        } else {
            ByteBuffer data = ByteBuffer.wrap(m.bytes);
            sender.connection.sendBinary(data, mayCompress, sender.out);
            assertThat(data.position()).as(desc + ": the caller's buffer is not consumed").isZero();
        }
        byte[] wire = sender.written();
        List<RawFrames.Frame> frames = RawFrames.decode(wire);
        assertThat(frames).as(desc).hasSize(1);
        RawFrames.Frame frame = frames.get(0);
        boolean compressed = mayCompress && m.bytes.length >= THRESHOLD;
        assertThat(frame.rsv()).as(desc + ": RSV1").isEqualTo(compressed ? RSV1 : 0);
        assertThat(frame.opcode()).isEqualTo(m.text ? 1 : 2);
        if (!compressed) {
            assertThat(frame.payload()).as(desc).isEqualTo(m.bytes);
        }
        deliver(receiver, wire, m, desc);
    }

    private static void sendParts(Endpoint sender, Endpoint receiver, Message m, int[] sizes, String desc) {
        int offset = 0;
        for (int p = 0; p < sizes.length; p++) {
            ByteBuffer part = ByteBuffer.wrap(m.bytes, offset, sizes[p]);
            sender.connection.sendPart(m.text, part, p == sizes.length - 1, sender.out);
            assertThat(part.position()).as(desc + ": the caller's buffer is not consumed").isEqualTo(offset);
            offset += sizes[p];
        }
        assertThat(offset).isEqualTo(m.bytes.length);
        byte[] wire = sender.written();
        List<RawFrames.Frame> frames = RawFrames.decode(wire);
        assertThat(frames).as(desc).hasSize(sizes.length);
        for (int p = 0; p < frames.size(); p++) {
            RawFrames.Frame f = frames.get(p);
            assertThat(f.rsv()).as(desc + ": RSV1 of frame " + p).isEqualTo(p == 0 ? RSV1 : 0);
            assertThat(f.opcode()).as(desc).isEqualTo(p == 0 ? (m.text ? 1 : 2) : 0);
            assertThat(f.fin()).as(desc).isEqualTo(p == frames.size() - 1);
        }
        deliver(receiver, wire, m, desc);
    }

    private static void deliver(Endpoint receiver, byte[] wire, Message m, String desc) {
        receiver.receive(wire);
        List<EventRecorder.Event> events = receiver.events.takeAll();
        assertThat(events).as(desc).containsExactly(m.event());
        assertThat(receiver.written()).as(desc + ": nothing written back").isEmpty();
        assertThat(receiver.connection.isFailed()).isFalse();
    }
}
