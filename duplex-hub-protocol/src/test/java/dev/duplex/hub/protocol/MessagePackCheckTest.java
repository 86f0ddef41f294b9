package dev.duplex.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 6): the MessagePack format had no depth limit (a
 * 50,000-deep publish was stored), trusted declared lengths (6 bytes declaring a 60 MiB string
 * allocated it) and let the library's unchecked exceptions escape (close 1011 and a stack trace per
 * message). It now gets JSON's limits, checked before the parser runs, and every malformed message
 * is error 107.
 */
class MessagePackCheckTest {

    private static byte[] publishCommand(byte[] dataValue) {
        // {"type":"publish","channel":"a","data":<dataValue>}
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x83);
        str(out, "type");
        str(out, "publish");
        str(out, "channel");
        str(out, "a");
        str(out, "data");
        out.writeBytes(dataValue);
        return out.toByteArray();
    }

    private static void str(ByteArrayOutputStream out, String s) {
        out.write(0xa0 | s.length());
        out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static ProtocolException refused(byte[] message) {
        try {
            HubCodec.MSGPACK.decodeCommand(message);
        } catch (ProtocolException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            return e;
        }
        throw new AssertionError("accepted: " + Arrays.toString(Arrays.copyOf(message, Math.min(32, message.length))));
    }

    @Test
    void nestingDeeperThanJsonAllowsIsRefused() {
        int depth = 50_000;
        byte[] deep = new byte[depth];
        Arrays.fill(deep, (byte) 0x91); // fixarray of one element, 50,000 times
        byte[] message = publishCommand(deep);
        message = Arrays.copyOf(message, message.length + 1); // the innermost element: 0
        assertThat(refused(message).getMessage()).contains("nesting deeper than 64");

        byte[] shallow = new byte[60];
        Arrays.fill(shallow, (byte) 0x91);
        byte[] fine = publishCommand(shallow);
        fine = Arrays.copyOf(fine, fine.length + 1);
        assertThat(((Command.Publish) decode(fine)).data().isArray()).isTrue();
    }

    private static Command decode(byte[] message) {
        try {
            return HubCodec.MSGPACK.decodeCommand(message);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDeclaredLengthIsTrustedOnlyAsFarAsBytesArrived() {
        // str32 declaring 60 MiB, followed by nothing: 6 bytes with the top-level fixmap.
        byte[] message = {(byte) 0x81, (byte) 0xdb, 0x03, (byte) 0xc0, 0x00, 0x00};
        refused(message); // once before measuring: the first call loads and initialises the codec
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ProtocolException e = refused(message);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e.getMessage()).contains("declares 62914560 bytes but only 0 follow");
        assertThat(allocated).as("bytes allocated to refuse it").isLessThan(1L << 20);

        assertThat(refused(publishCommand(new byte[] {(byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})).getMessage())
                .contains("declares 2147483647 elements");
        assertThat(refused(publishCommand(new byte[] {(byte) 0xdf, 0x00, 0x10, 0x00, 0x00})).getMessage())
                .contains("map declares 1048576 elements");
    }

    @Test
    void everythingElseMalformedIs107Too() {
        assertThat(refused(new byte[] {(byte) 0x81}).getMessage()).contains("a map declares 1 element but only 0 bytes follow");
        assertThat(refused(new byte[] {(byte) 0x81, (byte) 0xa1, 0x61}).getMessage()).contains("ends inside a value");
        assertThat(refused(new byte[] {(byte) 0x91, (byte) 0xa5, 0x61}).getMessage()).contains("a value declares 5 bytes but only 1 follow");
        assertThat(refused(publishCommand(new byte[] {(byte) 0xc1})).getMessage()).contains("0xc1");
        assertThat(refused(publishCommand(new byte[] {(byte) 0xd4, 0x01, 0x02})).getMessage()).contains("extension");
        assertThat(refused(publishCommand(new byte[] {(byte) 0x81, 0x01, 0x02})).getMessage()).contains("keys must be strings");
        assertThat(refused(publishCommand(new byte[] {0x01, 0x02})).getMessage()).contains("1 bytes follow the message's value");
        // Invalid UTF-8 in a string: the library would quietly replace it; a JSON text could not carry it.
        assertThat(refused(publishCommand(new byte[] {(byte) 0xa2, (byte) 0xc3, 0x28})).getMessage()).contains("not valid UTF-8");
        assertThat(refused(publishCommand(new byte[] {(byte) 0xa3, (byte) 0xed, (byte) 0xa0, (byte) 0x80})).getMessage())
                .as("a UTF-16 surrogate").contains("not valid UTF-8");
        assertThat(refused(publishCommand(new byte[] {(byte) 0xa2, (byte) 0xc0, (byte) 0x80})).getMessage())
                .as("an overlong NUL").contains("not valid UTF-8");
    }

    @Test
    void validMessagesOfEveryKindPass() throws Exception {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("int", 7).put("negative", -1_000_000).put("long", Long.MAX_VALUE).put("double", 1.5)
                .put("text", "h\u00e9llo").put("flag", true).putNull("nothing").put("binary", new byte[] {1, 2, 3});
        data.putArray("list").add(1).add("two").addObject().put("three", 3);
        byte[] encoded = HubCodec.MSGPACK.encode(new Command.Publish(1L, "a", data, "m", "k"));
        Command.Publish back = (Command.Publish) HubCodec.MSGPACK.decodeCommand(encoded);
        assertThat(back.data()).isEqualTo(data);
    }
}
