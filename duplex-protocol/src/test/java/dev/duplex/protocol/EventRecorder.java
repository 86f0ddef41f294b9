package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link ConnectionListener} that copies every event into a list of value records, so tests can
 * compare what a connection reported with {@code equals}.
 */
public class EventRecorder implements ConnectionListener {

    /** One thing a connection reported. Records holding bytes compare them by content. */
    public sealed interface Event permits TextMessage, BinaryMessage, Part, Ping, Pong, CloseReceived, ProtocolError {
    }

    public record TextMessage(String text) implements Event {
    }

    public record BinaryMessage(byte[] bytes) implements Event {
        @Override
        public boolean equals(Object o) {
            return o instanceof BinaryMessage other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "BinaryMessage[" + describe(bytes) + "]";
        }
    }

    public record Part(boolean text, byte[] bytes, boolean last) implements Event {
        @Override
        public boolean equals(Object o) {
            return o instanceof Part other && text == other.text && last == other.last && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) * 31 + (text ? 2 : 0) + (last ? 1 : 0);
        }

        @Override
        public String toString() {
            return "Part[text=" + text + ", " + describe(bytes) + ", last=" + last + "]";
        }
    }

    public record Ping(byte[] bytes) implements Event {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ping other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Ping[" + describe(bytes) + "]";
        }
    }

    public record Pong(byte[] bytes) implements Event {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pong other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Pong[" + describe(bytes) + "]";
        }
    }

    public record CloseReceived(int code, String reason) implements Event {
    }

    public record ProtocolError(int code, String message) implements Event {
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public void onText(ByteBuffer utf8) {
        events.add(new TextMessage(StandardCharsets.UTF_8.decode(utf8.duplicate()).toString()));
    }

    @Override
    public void onBinary(ByteBuffer data) {
        events.add(new BinaryMessage(copy(data)));
    }

    @Override
    public void onMessagePart(boolean text, ByteBuffer part, boolean last) {
        events.add(new Part(text, copy(part), last));
    }

    @Override
    public void onPing(ByteBuffer payload) {
        events.add(new Ping(copy(payload)));
    }

    @Override
    public void onPong(ByteBuffer payload) {
        events.add(new Pong(copy(payload)));
    }

    @Override
    public void onCloseReceived(int code, String reason) {
        events.add(new CloseReceived(code, reason));
    }

    @Override
    public void onProtocolError(ProtocolException error) {
        events.add(new ProtocolError(error.closeCode(), error.getMessage()));
    }

    /** Every event not yet taken, oldest first (a live view). */
    public List<Event> events() {
        return events;
    }

    /** Removes and returns the oldest event; fails if there is none. */
    public Event take() {
        assertThat(events).as("events recorded").isNotEmpty();
        return events.remove(0);
    }

    /** Removes and returns the oldest event, which must be of {@code type}. */
    public <T extends Event> T take(Class<T> type) {
        Event event = take();
        assertThat(event).as("next event").isInstanceOf(type);
        return type.cast(event);
    }

    /** Removes and returns every event. */
    public List<Event> takeAll() {
        List<Event> all = new ArrayList<>(events);
        events.clear();
        return all;
    }

    /** Takes the next event, which must be a protocol error, and returns its code. */
    public int takeErrorCode() {
        return take(ProtocolError.class).code();
    }

    public void assertExhausted() {
        assertThat(events).as("events left over").isEmpty();
    }

    public boolean hasError() {
        return events.stream().anyMatch(e -> e instanceof ProtocolError);
    }

    public void clear() {
        events.clear();
    }

    static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String describe(byte[] bytes) {
        return bytes.length <= 32 ? Hex.of(bytes) : bytes.length + " bytes, starting " + Hex.of(Arrays.copyOf(bytes, 16));
    }

    public static Event text(String text) {
        return new TextMessage(text);
    }

    public static Event binary(byte[] bytes) {
        return new BinaryMessage(bytes);
    }

    public static Event ping(byte[] bytes) {
        return new Ping(bytes);
    }

    public static Event pong(byte[] bytes) {
        return new Pong(bytes);
    }
}
