package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.extension.deflate.CompressionPool;

/**
 * The output buffer of one event loop thread, shared by all its sessions. Frames produced while a
 * batch of input is processed collect here and go to the socket in one write; when another session
 * claims the buffer, the previous owner's bytes are written first, so bytes never cross sessions.
 *
 * <p>Used only by its event loop thread.
 */
final class LoopOutput {
    private static final int INITIAL_BYTES = 64 * 1024;
    private static final ThreadLocal<LoopOutput> PER_THREAD = ThreadLocal.withInitial(LoopOutput::new);

    final ByteOutput out = new ByteOutput(INITIAL_BYTES, true);
    private Session owner;
    private CompressionPool compression;

    static LoopOutput current() {
        return PER_THREAD.get();
    }

    /** The loop's pooled compression state, created when the first connection negotiates compression. */
    CompressionPool compression() {
        if (compression == null) {
            compression = new CompressionPool();
        }
        return compression;
    }

    /** Makes {@code session} the owner of the buffer, first writing out what another owner left. */
    ByteOutput claim(Session session) {
        if (owner != session) {
            if (owner != null && !out.isEmpty()) {
                owner.writeOut(out.flip());
                out.clear();
            }
            owner = session;
        }
        return out;
    }

    /** Writes what {@code session} has in the buffer to its socket. */
    void flush(Session session) {
        if (owner == session && !out.isEmpty()) {
            session.writeOut(out.flip());
            out.clear();
        }
    }

    /** Forgets bytes of a session that is gone. */
    void release(Session session) {
        if (owner == session) {
            out.clear();
            owner = null;
        }
    }
}
