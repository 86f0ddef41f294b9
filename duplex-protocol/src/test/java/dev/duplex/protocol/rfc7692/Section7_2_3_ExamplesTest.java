package dev.duplex.protocol.rfc7692;

import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.Compression;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RFC 7692 §7.2.3 "Examples", byte for byte, received by a client (frames from a server are
 * unmasked), whole and split at every byte offset; and the same bytes written by a server.
 */
class Section7_2_3_ExamplesTest {
    static final String HELLO = "c1 07 f2 48 cd c9 c9 07 00";
    static final String HELLO_AGAIN_WITH_TAKEOVER = "c1 05 f2 00 11 00 00";
    static final String STORED = "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00";
    static final String BFINAL = "c1 08 f3 48 cd c9 c9 07 00 00";
    static final String TWO_BLOCKS = "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00";
    static final String FRAGMENTED = "41 03 f2 48 cd" + "80 04 c9 c9 07 00";
    static final String EMPTY = "c1 01 00";

    /** The server (our peer) keeps its LZ77 window across messages unless {@code peerNoContextTakeover}. */
    private static Endpoint client(boolean peerNoContextTakeover) {
        DeflateAgreement agreement = Compression.agreement(true, peerNoContextTakeover, 256);
        return Compression.endpoint(Role.CLIENT, Limits.defaults(), agreement);
    }

    static Stream<Arguments> examples() {
        return Stream.of(
                Arguments.of("§7.2.3.1 one compressed block", HELLO, List.of("Hello")),
                Arguments.of("§7.2.3.1 fragmented", FRAGMENTED, List.of("Hello")),
                Arguments.of("§7.2.3.2 sliding window shared by two messages", HELLO + HELLO_AGAIN_WITH_TAKEOVER, List.of("Hello", "Hello")),
                Arguments.of("§7.2.3.3 stored (no compression) block", STORED, List.of("Hello")),
                Arguments.of("§7.2.3.4 block with BFINAL set", BFINAL, List.of("Hello")),
                Arguments.of("§7.2.3.5 two blocks in one message", TWO_BLOCKS, List.of("Hello")),
                Arguments.of("empty message", EMPTY, List.of("")),
                Arguments.of("all in sequence", HELLO + FRAGMENTED + STORED + TWO_BLOCKS + EMPTY + BFINAL + HELLO + HELLO_AGAIN_WITH_TAKEOVER,
                        List.of("Hello", "Hello", "Hello", "Hello", "", "Hello", "Hello", "Hello")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    @DisplayName("Each example decodes to its text: whole, and split in two at every byte offset")
    void decodesWholeAndSplitAtEveryOffset(String name, String hex, List<String> texts) {
        byte[] bytes = Hex.parse(hex);
        List<EventRecorder.Event> expected = texts.stream().map(EventRecorder::text).toList();

        Endpoint whole = client(false).receive(bytes);
        assertThat(whole.events.takeAll()).isEqualTo(expected);
        assertThat(whole.written()).as("nothing written back").isEmpty();

        for (int split = 0; split <= bytes.length; split++) {
            Endpoint client = client(false).receive(Arrays.copyOfRange(bytes, 0, split), Arrays.copyOfRange(bytes, split, bytes.length));
            assertThat(client.events.takeAll()).as("split at %d", split).isEqualTo(expected);
            assertThat(client.written()).isEmpty();
        }
        Endpoint byteByByte = client(false).receiveByteByByte(bytes);
        assertThat(byteByByte.events.takeAll()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    @DisplayName("Examples that need no shared window decode the same with a pooled inflater (server_no_context_takeover)")
    void decodesWithoutContextTakeover(String name, String hex, List<String> texts) {
        if (hex.contains(HELLO_AGAIN_WITH_TAKEOVER)) {
            return; // needs the previous message's window by design
        }
        Endpoint client = client(true).receive(Hex.parse(hex));
        assertThat(client.events.takeAll()).isEqualTo(texts.stream().map(EventRecorder::text).toList());
    }

    @Test
    @DisplayName("§7.2.3.2 without the shared window the second message is not valid: 1007, and the connection fails")
    void secondHelloNeedsTheWindow() {
        Endpoint client = client(true).receiveHex(HELLO + HELLO_AGAIN_WITH_TAKEOVER);
        assertThat(client.events.take()).isEqualTo(text("Hello"));
        assertThat(client.events.takeErrorCode()).isEqualTo(1007);
        client.events.assertExhausted();
        assertThat(client.writtenFrames().get(0).closeCode()).isEqualTo(1007);
    }

    @Test
    @DisplayName("A server with context takeover writes the §7.2.3.1/§7.2.3.2 bytes exactly; without it, the first twice")
    void serverWritesTheRfcBytes() {
        Endpoint takeover = Compression.endpoint(Role.SERVER, Limits.defaults(), Compression.agreement(false, true, 0));
        takeover.connection.sendText("Hello", takeover.out);
        assertThat(Hex.of(takeover.written())).isEqualTo(HELLO);
        takeover.connection.sendText("Hello", takeover.out);
        assertThat(Hex.of(takeover.written())).isEqualTo(HELLO_AGAIN_WITH_TAKEOVER);

        Endpoint fresh = Compression.endpoint(Role.SERVER, Limits.defaults(), Compression.agreement(true, true, 0));
        fresh.connection.sendText("Hello", fresh.out);
        fresh.connection.sendText("Hello", fresh.out);
        assertThat(Hex.of(fresh.written())).isEqualTo(HELLO + " " + HELLO);
    }

    @Test
    @DisplayName("An empty message compressed is the single byte 00 (RSV1 set), with or without context takeover")
    void emptyMessageIsOneByte() {
        Endpoint fresh = Compression.endpoint(Role.SERVER, Limits.defaults(), Compression.agreement(true, true, 0));
        fresh.connection.sendText("", fresh.out);
        assertThat(Hex.of(fresh.written())).isEqualTo(EMPTY);

        Endpoint takeover = Compression.endpoint(Role.SERVER, Limits.defaults(), Compression.agreement(false, true, 0));
        takeover.connection.sendText("Hello", takeover.out);
        takeover.connection.sendText("", takeover.out);
        takeover.connection.sendText("Hello", takeover.out);
        assertThat(Hex.of(takeover.written())).isEqualTo(HELLO + " " + EMPTY + " " + HELLO_AGAIN_WITH_TAKEOVER);

        Endpoint client = client(false).receive(Hex.parse(HELLO + EMPTY + HELLO_AGAIN_WITH_TAKEOVER));
        assertThat(client.events.takeAll()).containsExactly(text("Hello"), text(""), text("Hello"));
    }
}
