package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.broker.redis.RedisBroker;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.testkit.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code duplex serve --broker redis://…}: two nodes on one real Redis share channels and history. */
class ServeBrokerTest {

    private static ServeCommand parse(Map<String, String> environment, String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = environment;
        serve.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    @Test
    void twoNodesOnOneRedisShareAChannelAndItsHistory() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            ServeCommand first = parse(Map.of(), "--port", "0", "--no-demo", "--no-dashboard", "--broker", redis.uri());
            ServeCommand second = parse(Map.of("DUPLEX_BROKER", redis.uri()), "--port", "0", "--no-demo", "--no-dashboard");
            HubServer a = first.start();
            HubServer b = second.start();
            try {
                assertThat(a.hub().broker()).isInstanceOf(RedisBroker.class);
                assertThat(b.hub().broker()).isInstanceOf(RedisBroker.class);
                List<Publication> onA = new CopyOnWriteArrayList<>();
                AutoCloseable listening = a.hub().listen("room", onA::add);
                a.hub().broker().subscribe("room").get(10, TimeUnit.SECONDS); // A's subscription is in place

                PublishResult result = b.hub().publish("room", TextNode.valueOf("from b"), null).get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (onA.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // a bounded wait for the other node's delivery
                }
                assertThat(onA).extracting(Publication::offset).containsExactly(result.offset());
                HistoryPage page = a.hub().history("room", null, 10).get(10, TimeUnit.SECONDS);
                assertThat(page.epoch()).isEqualTo(result.epoch());
                assertThat(page.offset()).isEqualTo(result.offset());
                listening.close();
            } finally {
                a.close();
                b.close();
                first.closeBroker();
                second.closeBroker();
            }
        }
    }

    @Test
    void aBrokerThatCannotBeReachedStopsTheStartWithItsAddress() throws Exception {
        ServeCommand serve = parse(Map.of(), "--port", "0", "--no-demo", "--no-dashboard", "--broker", "redis://:secret@127.0.0.1:1");
        assertThatThrownBy(serve::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot use Redis at redis://***@127.0.0.1:1")
                .hasMessageNotContaining("secret");
        ServeCommand notRedis = parse(Map.of(), "--port", "0", "--no-demo", "--no-dashboard", "--broker", "http://127.0.0.1:1");
        assertThatThrownBy(notRedis::start).hasMessageContaining("Not a Redis URI");
    }
}
