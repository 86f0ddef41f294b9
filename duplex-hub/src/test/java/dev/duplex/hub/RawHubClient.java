package dev.duplex.hub;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A hub client on a plain {@link Socket} with the WebSocket handshake and framing done by hand, so
 * that a test decides exactly when it reads: with a tiny receive buffer and no reads, it is the
 * slowest consumer there is. JSON only; not thread-safe.
 */
final class RawHubClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    RawHubClient(int port, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(receiveBufferBytes); // before connect, so the window is small from the start
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1024));
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String request = "GET " + HubServer.PATH + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: " + HubCodec.JSON_SUBPROTOCOL + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("Handshake refused: " + head);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    void send(Command command) throws IOException {
        writeFrame(0x1, HubCodec.JSON.encode(command));
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /**
     * The next hub message (answering pings on the way), or null when the hub sent a Close frame or
     * the connection ended.
     */
    ServerMessage read() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int b0;
            try {
                b0 = in.read();
            } catch (java.net.SocketException e) {
                return null; // reset
            }
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            int opcode = b0 & 0x0f;
            boolean fin = (b0 & 0x80) != 0;
            if (opcode == 0x8) {
                return null;
            } else if (opcode == 0x9) {
                writeFrame(0xA, payload);
            } else if (opcode == 0xA) {
                // unsolicited pong: ignore
            } else {
                message.write(payload, 0, payload.length);
                if (fin) {
                    try {
                        return HubCodec.JSON.decodeServerMessage(message.toByteArray());
                    } catch (dev.duplex.hub.protocol.ProtocolException e) {
                        throw new IOException("Undecodable: " + message.toString(StandardCharsets.UTF_8), e);
                    }
                }
            }
        }
    }

    /** Reads until a message of {@code type}; fails if the connection ends first. */
    <T extends ServerMessage> T expect(Class<T> type) throws IOException {
        while (true) {
            ServerMessage m = read();
            if (m == null) {
                throw new EOFException("Connection ended while waiting for " + type.getSimpleName());
            }
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
