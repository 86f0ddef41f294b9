package dev.duplex.websocket.internal;

import dev.duplex.protocol.FrameObserver;
import dev.duplex.websocket.WebSocket;

/**
 * Frame tracing, for Duplex's own tools (the hub's frame traces behind the dashboard, and
 * {@code duplex connect --frames}): a diagnostic hook, kept out of the public API, which a user of
 * the library does not need to learn. This package is exported to the hub alone (see {@code module-info.java}).
 */
public final class FrameTracing {
    private FrameTracing() {
    }

    /**
     * Reports every frame {@code ws} reads or writes from now on: direction, FIN, RSV bits, opcode,
     * mask bit, payload length and, for Close frames, code and reason (see
     * {@link dev.duplex.protocol.FrameTrace}). Includes the pings, pongs and Close frames the
     * connection sends by itself; a compressed message is reported as on the wire. {@code null}
     * stops. Off by default, and then free.
     *
     * <p>Callable from any thread: the change happens on the connection's event loop, so frames
     * already under way may still be missed or reported; called from a listener running on the
     * loop it takes effect at once. The observer is called on the event loop, in wire order, even
     * when listeners run on an executor: it must be quick and must not block. If it throws, it is
     * removed and the failure logged; the connection goes on.
     *
     * @param ws a connection of a Duplex server or client
     */
    public static void observe(WebSocket ws, FrameObserver observer) {
        ((Session) ws).observeFrames(observer);
    }
}
