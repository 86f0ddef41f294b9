package dev.duplex.conformance.cases;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntFunction;

/** One thing the fuzzing peer does, in order. Steps after the connection is gone are skipped. */
public sealed interface Step {

    /**
     * Writes one frame.
     *
     * @param chopSize 0 to write the frame at once, else write it in pieces of this many octets, each
     *     flushed on its own (Autobahn's {@code chopsize})
     * @param sync write the frame on its own and pause briefly, so it travels in its own segments
     *     (Autobahn's {@code sync = True})
     * @param startsClose this is a close frame that starts the close handshake for the fuzzer
     *     (Autobahn's {@code sendClose}); a raw opcode-8 frame sent as fuzzing data does not
     */
    record Send(Frame frame, int chopSize, boolean sync, boolean startsClose) implements Step {
        public Send {
            Objects.requireNonNull(frame);
        }
    }

    /**
     * Writes a whole message as a text or binary frame followed by continuation frames of
     * {@code fragmentSize} payload octets each (the last one shorter); generated while sending,
     * so 65,536 fragments cost no memory up front.
     */
    record SendMessage(boolean text, byte[] payload, int fragmentSize) implements Step {
        public SendMessage {
            if (fragmentSize <= 0) {
                throw new IllegalArgumentException("fragmentSize must be positive");
            }
        }
    }

    /**
     * Writes octets {@code [from, to)} of {@code frame}'s payload; the slice starting at 0 carries
     * the frame header too. Several slices of one frame, with pauses between, send one frame in
     * parts (Autobahn 6.4.3: the peer should fail before the frame is complete).
     */
    record SendSlice(Frame frame, int from, int to) implements Step {
    }

    /**
     * Waits. With a label (Autobahn's {@code continueLater} with a tag): the wait ends early when
     * the connection stops being open (a close was sent or received, or TCP is gone), and then every
     * later step is skipped; if it is still open at the end, {@link Event#timeout(String)} is
     * recorded. Without a label it is a plain pause, cut short only if TCP is gone.
     */
    record Pause(Duration duration, String timeoutLabel) implements Step {
    }

    /**
     * Sends {@code frame} {@code count} times, each time only after the previous echo arrived
     * (Autobahn 9.7/9.8 round trips).
     */
    record RoundTrips(Frame frame, int count) implements Step {
    }

    /**
     * Sends {@code count} messages one at a time, each only after the previous one came back
     * (Autobahn 12.x and 13.x). Message {@code i} is {@code message.apply(i)}, made when it is
     * sent; the fuzzer compares each echo with it and records {@link Event#echo} when it matches,
     * the message itself otherwise (and then closes). With permessage-deflate agreed the fuzzer
     * compresses each message and cuts the compressed payload into frames of {@code fragmentSize}
     * octets (0: one frame), Autobahn's {@code autoFragmentSize}.
     */
    record Echoes(boolean text, int count, IntFunction<byte[]> message, int fragmentSize) implements Step {
        public Echoes {
            Objects.requireNonNull(message);
            if (count < 0 || fragmentSize < 0) {
                throw new IllegalArgumentException("count and fragmentSize must be >= 0");
            }
        }
    }
}
