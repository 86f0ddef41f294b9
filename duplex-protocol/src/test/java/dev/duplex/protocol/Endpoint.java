package dev.duplex.protocol;

import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/** One {@link Connection} with an {@link EventRecorder} and its own {@link ByteOutput}. */
public final class Endpoint {
    public final Connection connection;
    public final EventRecorder events;
    public final ByteOutput out;
    /** permessage-deflate as agreed, or null. */
    public final PerMessageDeflate deflate;

    public Endpoint(Role role, Limits limits, Random maskSource) {
        this(role, limits, maskSource, null);
    }

    /** An endpoint with permessage-deflate (RFC 7692) in use when {@code deflate} is not null. */
    public Endpoint(Role role, Limits limits, Random maskSource, PerMessageDeflate deflate) {
        this.events = new EventRecorder();
        this.out = new ByteOutput(256, false);
        this.deflate = deflate;
        this.connection = new Connection(role, limits, maskSource, deflate);
    }

    public static Endpoint server() {
        return server(Limits.defaults());
    }

    public static Endpoint server(Limits limits) {
        return new Endpoint(Role.SERVER, limits, null);
    }

    public static Endpoint client() {
        return client(Limits.defaults());
    }

    public static Endpoint client(Limits limits) {
        return new Endpoint(Role.CLIENT, limits, new Random(42));
    }

    /** Feeds each array as one read (a copy: the connection unmasks in place). */
    public Endpoint receive(byte[]... reads) {
        for (byte[] read : reads) {
            connection.receive(ByteBuffer.wrap(read.clone()), out, events);
        }
        return this;
    }

    public Endpoint receiveHex(String hex) {
        return receive(Hex.parse(hex));
    }

    /** Feeds {@code bytes} one byte per read. */
    public Endpoint receiveByteByByte(byte[] bytes) {
        for (byte b : bytes) {
            connection.receive(ByteBuffer.wrap(new byte[] {b}), out, events);
        }
        return this;
    }

    /** Everything written since the last call; empties the output. */
    public byte[] written() {
        ByteBuffer buffer = out.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        out.clear();
        return bytes;
    }

    /** Everything written since the last call, decoded into frames; empties the output. */
    public List<RawFrames.Frame> writtenFrames() {
        return RawFrames.decode(written());
    }

    public Connection.State state() {
        return connection.state();
    }
}
