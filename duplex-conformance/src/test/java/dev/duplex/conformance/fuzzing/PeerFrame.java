package dev.duplex.conformance.fuzzing;

/** A frame read from the peer under test, payload already unmasked. */
record PeerFrame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
    boolean isControl() {
        return (opcode & 0x8) != 0;
    }
}
