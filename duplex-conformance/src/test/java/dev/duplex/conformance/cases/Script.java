package dev.duplex.conformance.cases;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the fuzzing peer does in one case and what it expects back.
 *
 * @param steps what to send, in order
 * @param expected for each verdict (OK first, then NON-STRICT), the exact list of events that earns
 *     it; the first match wins, no match is FAILED
 * @param close how the connection must end
 * @param finalDelay after the last step, how long to wait for the case to finish
 * @param killAtEnd at {@code finalDelay}, true: drop TCP (Autobahn's {@code killAfter}); false:
 *     start the close handshake (Autobahn's {@code closeAfter})
 * @param suppressClose the fuzzer does not close by itself once the expected events arrived
 * @param informational Autobahn reports the case as INFORMATIONAL whatever happens; we still
 *     report OK when the peer does exactly what the RFC prefers, and INFORMATIONAL otherwise
 * @param deflate permessage-deflate to negotiate (sections 12 and 13), or null for none; when
 *     the peer declines it the case is UNIMPLEMENTED, as in Autobahn
 */
public record Script(
        List<Step> steps,
        Map<Verdict, List<Event>> expected,
        CloseExpectation close,
        Duration finalDelay,
        boolean killAtEnd,
        boolean suppressClose,
        boolean informational,
        DeflateScenario deflate) {

    public Script {
        steps = List.copyOf(steps);
        expected = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(expected));
        Objects.requireNonNull(close, "close");
        Objects.requireNonNull(finalDelay, "finalDelay");
    }

    /** The events that earn OK. */
    public List<Event> expectedOk() {
        return expected.getOrDefault(Verdict.OK, List.of());
    }

    /** Sum of the case's own waits: its pauses and its final delay. */
    public Duration scriptedTime() {
        Duration total = finalDelay;
        for (Step s : steps) {
            if (s instanceof Step.Pause p) {
                total = total.plus(p.duration());
            }
        }
        return total;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Script}. Not thread safe. */
    public static final class Builder {
        private final List<Step> steps = new ArrayList<>();
        private final Map<Verdict, List<Event>> expected = new LinkedHashMap<>();
        private CloseExpectation close;
        private Duration finalDelay = Duration.ofSeconds(1);
        private boolean killAtEnd = true;
        private boolean suppressClose;
        private boolean informational;
        private DeflateScenario deflate;

        private Builder() {
        }

        public Builder send(Frame frame) {
            steps.add(new Step.Send(frame, 0, false, false));
            return this;
        }

        /** Writes the frame in pieces of {@code chopSize} octets. */
        public Builder sendChopped(Frame frame, int chopSize) {
            steps.add(new Step.Send(frame, chopSize, false, false));
            return this;
        }

        public Builder sendSync(Frame frame) {
            steps.add(new Step.Send(frame, 0, true, false));
            return this;
        }

        /** Sends the frame in the given mode: 0 at once, -1 sync (frame-wise), else in chops of that size. */
        public Builder send(Frame frame, int mode) {
            steps.add(new Step.Send(frame, Math.max(mode, 0), mode < 0, false));
            return this;
        }

        /** Sends a close frame that starts the fuzzer's close handshake. */
        public Builder sendClose(Frame closeFrame) {
            steps.add(new Step.Send(closeFrame, 0, false, true));
            return this;
        }

        public Builder sendMessage(boolean text, byte[] payload, int fragmentSize) {
            steps.add(new Step.SendMessage(text, payload, fragmentSize));
            return this;
        }

        public Builder sendSlice(Frame frame, int from, int to) {
            steps.add(new Step.SendSlice(frame, from, to));
            return this;
        }

        public Builder pause(Duration d) {
            steps.add(new Step.Pause(d, null));
            return this;
        }

        public Builder waitOpen(Duration d, String label) {
            steps.add(new Step.Pause(d, Objects.requireNonNull(label)));
            return this;
        }

        public Builder roundTrips(Frame frame, int count) {
            steps.add(new Step.RoundTrips(frame, count));
            return this;
        }

        /** Sends each message only after the previous echo (Autobahn 12.x/13.x); see {@link Step.Echoes}. */
        public Builder echoes(boolean text, int count, java.util.function.IntFunction<byte[]> message, int fragmentSize) {
            steps.add(new Step.Echoes(text, count, message, fragmentSize));
            return this;
        }

        /** Negotiates permessage-deflate as {@code scenario} says. */
        public Builder deflate(DeflateScenario scenario) {
            this.deflate = Objects.requireNonNull(scenario);
            return this;
        }

        public Builder expect(Verdict verdict, Event... events) {
            expected.put(verdict, List.of(events));
            return this;
        }

        public Builder expect(Verdict verdict, List<Event> events) {
            expected.put(verdict, List.copyOf(events));
            return this;
        }

        public Builder close(CloseExpectation value) {
            this.close = value;
            return this;
        }

        /** Drop TCP this long after the last step (Autobahn's {@code killAfter}). */
        public Builder killAfter(Duration d) {
            this.finalDelay = d;
            this.killAtEnd = true;
            return this;
        }

        /** Start the close handshake this long after the last step (Autobahn's {@code closeAfter}). */
        public Builder closeAfter(Duration d) {
            this.finalDelay = d;
            this.killAtEnd = false;
            return this;
        }

        public Builder suppressClose() {
            this.suppressClose = true;
            return this;
        }

        public Builder informational() {
            this.informational = true;
            return this;
        }

        public Script build() {
            if (!expected.containsKey(Verdict.OK)) {
                expected.put(Verdict.OK, List.of());
            }
            Map<Verdict, List<Event>> ordered = new LinkedHashMap<>();
            for (Verdict v : Arrays.asList(Verdict.OK, Verdict.NON_STRICT)) {
                if (expected.containsKey(v)) {
                    ordered.put(v, expected.get(v));
                }
            }
            return new Script(steps, ordered, close, finalDelay, killAtEnd, suppressClose, informational, deflate);
        }
    }
}
