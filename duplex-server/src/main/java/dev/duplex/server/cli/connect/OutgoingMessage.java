package dev.duplex.server.cli.connect;

import java.util.Arrays;

/** A message {@code duplex connect} sends for a line: text or binary. */
public sealed interface OutgoingMessage {

    record Text(String text) implements OutgoingMessage {
    }

    record Binary(byte[] bytes) implements OutgoingMessage {
        public Binary {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Binary[" + bytes.length + " bytes]";
        }
    }
}
