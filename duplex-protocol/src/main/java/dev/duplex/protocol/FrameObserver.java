package dev.duplex.protocol;

/**
 * Sees every frame a {@link Connection} reads or writes, for tracing and debugging; set with
 * {@link Connection#frameObserver}. Called on the thread that drives the connection (its event
 * loop), in wire order, while the engine is working: return quickly, do not block, do not call
 * the connection back, and do not throw (an exception propagates to the engine's caller).
 */
@FunctionalInterface
public interface FrameObserver {

    /** One frame, as it is (or was) on the wire. */
    void onFrame(FrameTrace trace);
}
