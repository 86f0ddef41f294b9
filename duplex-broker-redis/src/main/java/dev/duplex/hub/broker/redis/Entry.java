package dev.duplex.hub.broker.redis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.Publication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How a publication (without its channel, epoch and offset, which Redis holds) and a client's info
 * are written into Redis: one MessagePack map, the data kept as the bytes its publisher sent.
 * Stream entries and pub/sub messages carry the same bytes. Thread-safe.
 *
 * <pre>
 * publication  {f: 0 (JSON) | 1 (MessagePack), d: bytes, c: client, u: user, i: info (JSON bytes), k: key}
 * client info  {c: client, u: user, i: info (JSON bytes)}
 * </pre>
 */
final class Entry {
    private static final ObjectMapper MSGPACK = HubCodec.MSGPACK.mapper();
    private static final ObjectMapper JSON = HubCodec.JSON.mapper();

    private Entry() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stored(int f, byte[] d, String c, String u, byte[] i, String k) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Member(String c, String u, byte[] i) {
    }

    static byte[] publication(Payload data, ClientInfo info, String key) {
        byte[] bytes = data.bytes() != null ? data.bytes() : Keys.bytes(data.tree().toString());
        return write(new Stored(data.format() == HubCodec.MSGPACK ? 1 : 0, bytes,
                info == null ? null : info.client(), info == null ? null : info.user(),
                info == null ? null : infoBytes(info.info()), key));
    }

    static Publication publication(String channel, long offset, byte[] bytes) {
        Stored s = read(bytes, Stored.class);
        Payload data = Payload.stored(s.d(), s.f() == 1 ? HubCodec.MSGPACK : HubCodec.JSON);
        ClientInfo info = s.c() == null ? null : new ClientInfo(s.c(), s.u(), infoTree(s.i()));
        return new Publication(channel, offset, data, info, s.k());
    }

    static byte[] member(ClientInfo info) {
        return write(new Member(info.client(), info.user(), infoBytes(info.info())));
    }

    static ClientInfo member(byte[] bytes) {
        Member m = read(bytes, Member.class);
        return new ClientInfo(m.c(), m.u(), infoTree(m.i()));
    }

    private static byte[] infoBytes(JsonNode info) {
        return info == null ? null : info.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode infoTree(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("client info in Redis is not JSON", e);
        }
    }

    private static byte[] write(Object value) {
        try {
            return MSGPACK.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // our own records always serialise
        }
    }

    private static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MSGPACK.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("an entry in Redis that Duplex did not write", e);
        }
    }
}
