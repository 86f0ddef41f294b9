package dev.duplex.loadgen;

import java.net.URI;

/**
 * The few Engine.IO 4 / Socket.IO 5 packets {@code duplex bench fanout --socketio} speaks over one
 * WebSocket ({@code /socket.io/?EIO=4&transport=websocket}): the server's open packet {@code 0{…}},
 * the namespace connect {@code 40} and its answer {@code 40{…}}, the server's ping {@code 2} and the
 * pong {@code 3}, events {@code 42[name,payload]} (with an ack id: {@code 42<id>[…]}) and acks
 * {@code 43<id>[…]}. Read from the raw text, like {@link HubFanoutPatterns}: no JSON parse per delivery.
 */
final class SocketIoFrames {
    /** The path a Socket.IO server's WebSocket transport answers on. */
    static final String PATH = "/socket.io/";
    static final String QUERY = "EIO=4&transport=websocket";
    static final byte[] OPEN = HubText.ascii("0{");
    static final byte[] CONNECT = HubText.ascii("40");
    static final byte[] CONNECTED = HubText.ascii("40{");
    static final byte[] DISCONNECT = HubText.ascii("41");
    static final byte[] CONNECT_ERROR = HubText.ascii("44");
    static final byte[] PING = HubText.ascii("2");
    static final byte[] PONG = HubText.ascii("3");
    /** An event {@code pub}: what the peer's {@code io.to(room).emit('pub', data)} sends each subscriber. */
    static final byte[] PUB = HubText.ascii("42[\"pub\",");
    static final byte[] ACK = HubText.ascii("43");
    /** The ack id of the subscribe event (publications use {@link HubFanoutConnection#PUBLISH_ID_BASE} + seq). */
    static final long SUBSCRIBE_ID = 2;

    private SocketIoFrames() {
    }

    /** Whether {@code url} names a Socket.IO server (its path starts with {@value #PATH}). */
    static boolean isSocketIo(URI url) {
        String path = url.getRawPath();
        return path != null && path.startsWith(PATH);
    }

    /** {@code url} with the Socket.IO path and query added when it has no path. */
    static URI url(URI url) {
        String path = url.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return url.resolve(PATH + "?" + QUERY);
        }
        return url;
    }

    /** Whether the {@code n} bytes of {@code b} are exactly {@code packet}. */
    static boolean is(byte[] b, int n, byte[] packet) {
        return n == packet.length && HubText.startsWith(b, n, packet);
    }

    /** The id of an ack packet {@code 43<id>[…]}, or {@link HubText#NONE} if {@code b} is not one. */
    static long ackId(byte[] b, int n) {
        if (!HubText.startsWith(b, n, ACK)) {
            return HubText.NONE;
        }
        long id = 0;
        int i = ACK.length;
        for (; i < n && i < ACK.length + 18 && b[i] >= '0' && b[i] <= '9'; i++) {
            id = id * 10 + (b[i] - '0');
        }
        return i > ACK.length && i < n && b[i] == '[' ? id : HubText.NONE;
    }
}
