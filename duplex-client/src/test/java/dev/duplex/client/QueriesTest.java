package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Presence and history requests without sockets; history replies that come in pages. */
class QueriesTest {
    private final ManualLoop loop = new ManualLoop();
    private final Queries queries = new Queries(new CallbackExecutor(Runnable::run, this), 1_000);
    private final FakeConnection hub = new FakeConnection(loop);

    private CompletableFuture<HistoryResult> history(StreamPosition since, Integer limit) {
        CompletableFuture<HistoryResult> future = new CompletableFuture<>();
        queries.history(hub.c, ConnectionState.OPEN, "ch", since, limit, future);
        return future;
    }

    private static ServerMessage.HistoryResult page(Command.History asked, long top, long from, long to, boolean more) {
        List<Publication> publications = new ArrayList<>();
        for (long offset = from; offset <= to; offset++) {
            publications.add(new Publication("ch", offset, IntNode.valueOf((int) offset), null, null));
        }
        return new ServerMessage.HistoryResult(asked.id(), "ch", "e", top, publications, more ? true : null);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        return future.handle((value, error) -> error).join();
    }

    @Test
    void historyAsksForTheNextPageUntilTheHubHasNoMore() {
        CompletableFuture<HistoryResult> future = history(null, null);
        Command.History first = hub.last(Command.History.class);
        assertThat(first.since()).isNull();
        assertThat(first.limit()).isNull();
        hub.reply(first, page(first, 10, 1, 4, true));

        Command.History second = hub.last(Command.History.class);
        assertThat(second.since()).isEqualTo(new StreamPosition(4, "e"));
        assertThat(second.limit()).isNull();
        assertThat(future).isNotDone();
        hub.reply(second, page(second, 12, 5, 12, false)); // two more were published meanwhile

        HistoryResult result = future.join();
        assertThat(result.publications()).extracting(Publication::offset)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(result.position()).isEqualTo(new StreamPosition(12, "e"));
        assertThat(hub.sent(Command.History.class)).hasSize(2);
    }

    @Test
    void aLimitIsSpreadOverThePagesAndEndsThem() {
        CompletableFuture<HistoryResult> future = history(new StreamPosition(100, "e"), 5);
        Command.History first = hub.last(Command.History.class);
        assertThat(first.limit()).isEqualTo(5);
        hub.reply(first, page(first, 500, 101, 103, true));
        Command.History second = hub.last(Command.History.class);
        assertThat(second.limit()).isEqualTo(2);
        hub.reply(second, page(second, 500, 104, 105, true)); // more exists, but the caller asked for 5
        assertThat(future.join().publications()).extracting(Publication::offset).containsExactly(101L, 102L, 103L, 104L, 105L);
        assertThat(hub.sent(Command.History.class)).hasSize(2);
    }

    @Test
    void moreWithoutAPublicationToContinueFromFailsInsteadOfLooping() {
        CompletableFuture<HistoryResult> future = history(null, null);
        Command.History first = hub.last(Command.History.class);
        hub.reply(first, page(first, 10, 1, 0, true));
        assertThat(failure(future)).isInstanceOf(DuplexClientException.class).hasMessageContaining("no publication");
        assertThat(hub.sent(Command.History.class)).hasSize(1);
    }

    @Test
    void anErrorOnALaterPageFailsTheWholeCall() {
        CompletableFuture<HistoryResult> future = history(null, null);
        Command.History first = hub.last(Command.History.class);
        hub.reply(first, page(first, 10, 1, 4, true));
        Command.History second = hub.last(Command.History.class);
        hub.reply(second, new ServerMessage.Error(second.id(), 115, "no longer in history"));
        assertThat(((HubErrorException) failure(future)).code()).isEqualTo(115);
    }

    @Test
    void eachPageHasTheCommandTimeout() {
        CompletableFuture<HistoryResult> future = history(null, null);
        loop.advance(600);
        Command.History first = hub.last(Command.History.class);
        hub.reply(first, page(first, 10, 1, 4, true));
        loop.advance(999);
        assertThat(future).isNotDone();
        loop.advance(1);
        assertThat(failure(future)).isInstanceOf(TimeoutException.class).hasMessageContaining("history of \"ch\"");
    }

    @Test
    void requestsNeedAnOpenConnectionAndFailWhenItIsLost() {
        CompletableFuture<List<dev.duplex.hub.protocol.ClientInfo>> offline = new CompletableFuture<>();
        queries.presence(null, ConnectionState.CONNECTING, "ch", offline);
        assertThat(failure(offline)).isInstanceOf(NotConnectedException.class).hasMessageContaining("CONNECTING");

        CompletableFuture<HistoryResult> future = history(null, null);
        hub.lose();
        assertThat(failure(future)).isInstanceOf(NotConnectedException.class);
        assertThat(loop.timers()).isZero();
    }

    @Test
    void anUnexpectedReplyFailsTheCallRatherThanLeavingItHanging() {
        CompletableFuture<List<dev.duplex.hub.protocol.ClientInfo>> future = new CompletableFuture<>();
        queries.presence(hub.c, ConnectionState.OPEN, "ch", future);
        Command.Presence asked = hub.last(Command.Presence.class);
        hub.reply(asked, new ServerMessage.Pong(asked.id()));
        assertThat(failure(future)).isInstanceOf(DuplexClientException.class).hasMessageContaining("Pong");
    }
}
