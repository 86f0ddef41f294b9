package dev.duplex.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Node's {@code ws} as a CLIENT ({@code node/client.mjs <url> <scenario>}) against our
 * {@code WebSocketServer}. The script prints what it observed as JSON lines; the assertions are
 * here.
 */
class NodeWsClientInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static NodePeers.Setup node;
    private static InteropServer server;
    private final List<NodeProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() {
        node = NodePeers.require();
        server = new InteropServer();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void forgetCloses() {
        server.closes.clear();
    }

    @AfterEach
    void endProcesses() {
        processes.forEach(NodeProcess::close);
    }

    @Test
    void textMessagesIncludingNonAsciiAndEmojiAreEchoed() {
        List<Map<String, Object>> events = run("/echo", "text");
        assertThat(texts(messages(events))).containsExactly("hello", "h\u00e9llo w\u00f6rld",
                "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e",
                "emoji \uD83D\uDE00\uD83C\uDF89\uD83D\uDC4D\uD83C\uDFFD", "");
        assertThat(messages(events)).allSatisfy(m -> assertThat(m.get("binary")).isEqualTo(false));
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void binaryMessagesOfEveryLengthEncodingAreEchoed() {
        List<Map<String, Object>> events = run("/echo", "binary");
        int[] sizes = {0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 1 << 20};
        List<Map<String, Object>> messages = messages(events);
        assertThat(messages).hasSize(sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            Map<String, Object> m = messages.get(i);
            assertThat(m.get("binary")).isEqualTo(true);
            assertThat(m.get("length")).isEqualTo((long) sizes[i]);
            assertThat(m.get("sha256")).as("message of %d bytes", sizes[i]).isEqualTo(Patterns.sha256(Patterns.binary(sizes[i])));
            if (sizes[i] <= 4096) {
                assertThat(m.get("hex")).isEqualTo(HexFormat.of().formatHex(Patterns.binary(sizes[i])));
            }
        }
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void fragmentedSendsAreReassembled() {
        List<Map<String, Object>> events = run("/echo", "fragmented");
        assertThat(the(events, "pong").get("data")).as("pong to the ping between fragments").isEqualTo("mid-message");
        List<Map<String, Object>> messages = messages(events);
        assertThat(messages).hasSize(5);
        assertThat(messages.get(0).get("text")).isEqualTo("Hello, w\u00f6rld");
        assertThat(messages.get(1).get("text")).as("a 4-byte character split between fragments").isEqualTo("\uD83D\uDE00!");
        assertThat(messages.get(2).get("binary")).isEqualTo(true);
        assertThat(messages.get(2).get("hex")).isEqualTo("0102030405");
        assertThat(messages.get(3).get("binary")).isEqualTo(true);
        assertThat(messages.get(3).get("sha256")).as("1,000 fragments of 100 bytes")
                .isEqualTo(Patterns.sha256(Patterns.binary(100_000)));
        assertThat(messages.get(4).get("text")).as("empty first and last fragments").isEqualTo("edges");
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void sixteenMebibyteMessagesAreEchoedIntact() {
        List<Map<String, Object>> events = run("/echo", "large");
        List<Map<String, Object>> messages = messages(events);
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).get("binary")).isEqualTo(true);
        assertThat(messages.get(0).get("length")).isEqualTo((long) Patterns.MIB_16);
        assertThat(messages.get(0).get("sha256")).isEqualTo(Patterns.sha256(Patterns.binary(Patterns.MIB_16)));
        assertThat(messages.get(1).get("binary")).isEqualTo(false);
        assertThat(messages.get(1).get("length")).isEqualTo((long) Patterns.MIB_16);
        assertThat(messages.get(1).get("sha256")).isEqualTo(Patterns.sha256(Patterns.text(Patterns.MIB_16 / 16)));
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void pingsAreAnsweredWithPongsOfTheSamePayload() {
        List<Map<String, Object>> events = run("/echo", "ping");
        assertThat(all(events, "pong")).extracting(e -> e.get("data"))
                .containsExactly("hello-ping", "", "p".repeat(125));
    }

    @Test
    void serverPingIsAnsweredByWs() {
        List<Map<String, Object>> events = run("/pinger", "wait-for-message");
        assertThat(the(events, "ping").get("data")).isEqualTo("duplex-ping");
        assertThat(texts(messages(events))).containsExactly("pong:duplex-ping");
    }

    @Test
    void clientInitiatedClose1000IsEchoed() {
        List<Map<String, Object>> events = run("/observed", "close1000");
        assertThat(close(events).get("code")).isEqualTo(1000L);
        assertThat(server.nextClose(TIMEOUT)).isEqualTo(new InteropServer.ServerClose("/observed", 1000, ""));
    }

    @Test
    void clientInitiatedClose4000WithReasonIsEchoed() {
        List<Map<String, Object>> events = run("/observed", "close4000");
        assertThat(close(events).get("code")).isEqualTo(4000L);
        assertThat(server.nextClose(TIMEOUT)).isEqualTo(new InteropServer.ServerClose("/observed", 4000, "client says bye"));
    }

    @Test
    void clientCloseWithoutStatusCodeIsAnsweredWithoutOne() {
        List<Map<String, Object>> events = run("/observed", "close-nocode");
        assertThat(close(events).get("code")).as("ws reports 1005 for a Close without a code").isEqualTo(1005L);
        assertThat(server.nextClose(TIMEOUT)).isEqualTo(new InteropServer.ServerClose("/observed", 1005, ""));
    }

    @Test
    void serverInitiatedCloseReachesWs() {
        List<Map<String, Object>> events = run("/close4001", "wait-for-close");
        assertThat(close(events).get("code")).isEqualTo(4001L);
        assertThat(close(events).get("reason")).isEqualTo("bye");
        InteropServer.ServerClose seen = server.nextClose(TIMEOUT);
        assertThat(seen.path()).isEqualTo("/close4001");
        assertThat(seen.code()).isEqualTo(4001);
    }

    @Test
    void permessageDeflateOfferedByWsIsDeclinedAndMessagesStillFlow() {
        List<Map<String, Object>> events = run("/echo", "compression");
        assertThat(the(events, "open").get("extensions")).as("extensions agreed").isEqualTo("");
        List<Map<String, Object>> messages = messages(events);
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).get("sha256")).isEqualTo(Patterns.sha256("a".repeat(1 << 20)));
        assertThat(messages.get(1).get("text")).isEqualTo("small");
        assertThat(messages.get(2).get("hex")).isNull(); // 64 KiB: reported by hash only
        assertThat(messages.get(2).get("sha256")).isEqualTo(Patterns.sha256(new byte[65_536]));
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void subprotocolIsNegotiatedInTheServersOrderOfPreference() {
        List<Map<String, Object>> events = run("/chat", "wait-for-message", "chat.v2,chat.v1");
        assertThat(the(events, "open").get("protocol")).isEqualTo("chat.v1");
        assertThat(texts(messages(events))).containsExactly("subprotocol:chat.v1");
    }

    @Test
    void unknownPathIsRefusedWith404() {
        List<Map<String, Object>> events = run("/no-such-endpoint", "open");
        assertThat(the(events, "unexpected-response").get("status")).isEqualTo(404L);
        assertThat(all(events, "open")).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private List<Map<String, Object>> run(String path, String scenario, String... protocols) {
        List<String> args = new ArrayList<>(List.of(server.url(path), scenario));
        if (protocols.length > 0) {
            args.add(protocols[0]);
        }
        NodeProcess p = NodeProcess.start(node, "client.mjs", args.toArray(String[]::new));
        processes.add(p);
        List<Map<String, Object>> events = p.eventsUntilDone(TIMEOUT);
        assertThat(all(events, "error")).as("errors reported by ws; " + p.diagnostics()).isEmpty();
        assertThat(all(events, "timeout")).as("scenario timed out; " + p.diagnostics()).isEmpty();
        return events;
    }

    private static Predicate<Map<String, Object>> event(String name) {
        return e -> name.equals(e.get("event"));
    }

    private static List<Map<String, Object>> all(List<Map<String, Object>> events, String name) {
        return events.stream().filter(event(name)).toList();
    }

    private static Map<String, Object> the(List<Map<String, Object>> events, String name) {
        List<Map<String, Object>> found = all(events, name);
        assertThat(found).as("'" + name + "' events among " + events).hasSize(1);
        return found.get(0);
    }

    private static List<Map<String, Object>> messages(List<Map<String, Object>> events) {
        return all(events, "message");
    }

    private static Map<String, Object> close(List<Map<String, Object>> events) {
        return the(events, "close");
    }

    private static List<Object> texts(List<Map<String, Object>> messages) {
        return messages.stream().map(m -> m.get("text")).toList();
    }
}
