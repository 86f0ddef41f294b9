package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request table with a manual clock: replies, timeouts, a lost connection. */
class RequestsTest {
    private final ManualLoop loop = new ManualLoop();
    private final Requests requests = new Requests(loop);
    private final List<String> heard = new ArrayList<>();

    private Requests.Reply recorder(String name) {
        return new Requests.Reply() {
            @Override
            public void onReply(ServerMessage reply) {
                heard.add(name + " reply " + reply.getClass().getSimpleName());
            }

            @Override
            public void onTimeout() {
                heard.add(name + " timeout");
            }

            @Override
            public void onLost(DuplexClientException why) {
                heard.add(name + " lost: " + why.getMessage());
            }
        };
    }

    @Test
    void aReplyReachesItsCommandOnceAndOthersWait() {
        long a = requests.add(recorder("a"), 0);
        long b = requests.add(recorder("b"), 0);
        assertThat(a).isNotEqualTo(b);
        assertThat(requests.answer(b, new ServerMessage.Pong(b))).isTrue();
        assertThat(requests.answer(b, new ServerMessage.Pong(b))).as("answered already").isFalse();
        assertThat(requests.answer(99, new ServerMessage.Pong(99L))).as("nobody asked").isFalse();
        assertThat(heard).containsExactly("b reply Pong");
        assertThat(requests.size()).isEqualTo(1);

        assertThat(requests.answer(a, new ServerMessage.Error(a, 108, "off"))).isTrue();
        assertThat(heard).containsExactly("b reply Pong", "a reply Error");
        assertThat(requests.size()).isZero();
    }

    @Test
    void aTimeoutFiresOnceAtItsTimeAndALateReplyFindsNobody() {
        long id = requests.add(recorder("slow"), 1_000);
        loop.advance(999);
        assertThat(heard).isEmpty();
        loop.advance(1);
        assertThat(heard).containsExactly("slow timeout");
        assertThat(requests.answer(id, new ServerMessage.Pong(id))).isFalse();
        loop.advance(10_000);
        assertThat(heard).containsExactly("slow timeout");
    }

    @Test
    void aReplyInTimeCancelsTheTimeout() {
        long id = requests.add(recorder("quick"), 1_000);
        assertThat(loop.timers()).isEqualTo(1);
        requests.answer(id, new ServerMessage.Pong(id));
        assertThat(loop.timers()).isZero();
        loop.advance(5_000);
        assertThat(heard).containsExactly("quick reply Pong");
    }

    @Test
    void aLostConnectionTellsEveryWaiterWhyAndStopsTheirTimers() {
        requests.add(recorder("a"), 1_000);
        requests.add(recorder("b"), 0);
        requests.loseAll(new NotConnectedException("gone"));
        assertThat(heard).containsExactlyInAnyOrder("a lost: gone", "b lost: gone");
        assertThat(requests.size()).isZero();
        assertThat(loop.timers()).isZero();
        loop.advance(5_000);
        assertThat(heard).hasSize(2);
    }
}
