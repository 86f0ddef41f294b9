package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.EventRecorder.BinaryMessage;
import dev.duplex.protocol.EventRecorder.Event;
import dev.duplex.protocol.EventRecorder.Ping;
import dev.duplex.protocol.EventRecorder.TextMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * 10,000 seeded random messages each way: written by one Connection (whole, or in random parts with
 * pings in between), read by the other in random read sizes, and compared with what was sent.
 */
class RoundTripTest {
    private static final int MESSAGES = 10_000;
    private static final int[] BOUNDARIES = {0, 1, 124, 125, 126, 127, 128, 65534, 65535, 65536, 65537, 70_000};

    @Test
    @DisplayName("CLIENT → SERVER: 10,000 random messages arrive as sent, pings answered in order")
    void clientToServer() {
        roundTrip(new Random(0xC11E47), true);
    }

    @Test
    @DisplayName("SERVER → CLIENT: 10,000 random messages arrive as sent, pings answered in order")
    void serverToClient() {
        roundTrip(new Random(0x5E4E4), false);
    }

    private static void roundTrip(Random random, boolean fromClient) {
        Peers peers = new Peers();
        Endpoint sender = fromClient ? peers.client : peers.server;
        Endpoint receiver = fromClient ? peers.server : peers.client;
        int sent = 0;
        long bytes = 0;
        while (sent < MESSAGES) {
            List<Event> expected = new ArrayList<>();
            int batch = Math.min(MESSAGES - sent, 1 + random.nextInt(16));
            for (int i = 0; i < batch; i++) {
                maybePing(random, sender, expected);
                send(random, sender, expected);
            }
            sent += batch;
            byte[] wire = sender.written();
            bytes += wire.length;
            feedInRandomReads(random, receiver, wire);

            assertThat(receiver.events.takeAll()).as("batch ending at message %d", sent).isEqualTo(expected);
            List<byte[]> pings = expected.stream().filter(e -> e instanceof Ping).map(e -> ((Ping) e).bytes()).toList();
            List<RawFrames.Frame> pongs = receiver.writtenFrames();
            assertThat(pongs).hasSameSizeAs(pings);
            for (int p = 0; p < pongs.size(); p++) {
                assertThat(pongs.get(p).opcode()).isEqualTo(0xA);
                assertThat(pongs.get(p).masked()).isEqualTo(!fromClient);
                assertThat(pongs.get(p).payload()).isEqualTo(pings.get(p));
            }
            assertThat(receiver.connection.isFailed()).isFalse();
        }
        assertThat(bytes).as("the run covers large messages too").isGreaterThan(20_000_000L);
    }

    private static void maybePing(Random random, Endpoint sender, List<Event> expected) {
        if (random.nextInt(5) == 0) {
            byte[] payload = new byte[random.nextInt(126)];
            random.nextBytes(payload);
            sender.connection.sendPing(ByteBuffer.wrap(payload), sender.out);
            expected.add(new Ping(payload));
        }
    }

    private static void send(Random random, Endpoint sender, List<Event> expected) {
        int size = randomSize(random);
        boolean text = random.nextBoolean();
        byte[] payload;
        if (text) {
            String s = randomText(random, size);
            payload = s.getBytes(StandardCharsets.UTF_8);
            expected.add(new TextMessage(s));
        } else {
            payload = new byte[size];
            random.nextBytes(payload);
            expected.add(new BinaryMessage(payload));
        }
        List<Event> pingsBetweenParts = new ArrayList<>();
        if (random.nextBoolean()) {
            if (text && random.nextBoolean()) {
                sender.connection.sendText(new String(payload, StandardCharsets.UTF_8), sender.out);
            } else if (text) {
                sender.connection.sendTextUtf8(ByteBuffer.wrap(payload), sender.out);
            } else {
                sender.connection.sendBinary(ByteBuffer.wrap(payload), sender.out);
            }
            return;
        }
        // In parts cut at arbitrary bytes (inside characters too), with pings in between.
        int parts = 1 + random.nextInt(6);
        int at = 0;
        for (int p = 0; p < parts; p++) {
            boolean last = p == parts - 1;
            int end = last ? payload.length : at + random.nextInt(payload.length - at + 1);
            sender.connection.sendPart(text, ByteBuffer.wrap(payload, at, end - at), last, sender.out);
            at = end;
            if (!last) {
                maybePing(random, sender, pingsBetweenParts);
            }
        }
        // Pings sent mid-message arrive before the message is complete.
        expected.addAll(expected.size() - 1, pingsBetweenParts);
    }

    private static void feedInRandomReads(Random random, Endpoint receiver, byte[] wire) {
        ByteBuffer buffer = ByteBuffer.wrap(wire);
        int at = 0;
        while (at < wire.length) {
            int size = switch (random.nextInt(4)) {
                case 0 -> 1 + random.nextInt(16);
                case 1 -> 1 + random.nextInt(1500);
                case 2 -> 1 + random.nextInt(70_000);
                default -> wire.length - at;
            };
            size = Math.min(size, wire.length - at);
            buffer.limit(at + size).position(at);
            receiver.connection.receive(buffer, receiver.out, receiver.events);
            assertThat(buffer.hasRemaining()).as("receive consumes every byte").isFalse();
            at += size;
        }
    }

    /** Biased towards the length-encoding boundaries and small messages. */
    private static int randomSize(Random random) {
        int kind = random.nextInt(20);
        if (kind < 12) {
            return random.nextInt(131);
        }
        if (kind < 17) {
            int size = BOUNDARIES[random.nextInt(BOUNDARIES.length)] + random.nextInt(3) - 1;
            return Math.max(0, Math.min(70_000, size));
        }
        return random.nextInt(70_001);
    }

    /** Random text of roughly {@code bytes} bytes of UTF-8, mostly ASCII with all the other lengths of character. */
    private static String randomText(Random random, int bytes) {
        StringBuilder b = new StringBuilder();
        int length = 0;
        while (length < bytes) {
            int cp = switch (random.nextInt(8)) {
                case 0 -> 0x80 + random.nextInt(0x780);
                case 1 -> {
                    int c = 0x800 + random.nextInt(0xF800);
                    yield c >= 0xD800 && c <= 0xDFFF ? 0xFFFD : c;
                }
                case 2 -> 0x10000 + random.nextInt(0x100000);
                default -> random.nextInt(0x80);
            };
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (length + n > bytes) {
                cp = 'a';
                n = 1;
            }
            b.appendCodePoint(cp);
            length += n;
        }
        return b.toString();
    }
}
