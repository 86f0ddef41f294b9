package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/** The heartbeat on a manual clock, with the connection's own event loop run by hand too. */
class KeepAliveTest {
    private static final long INTERVAL = 300;

    private final ManualLoop loop = new ManualLoop();
    /** The connection's event loop: its tasks wait until the test lets it catch up. */
    private final Queue<Runnable> socketLoop = new ArrayDeque<>();
    private final FakeConnection hub = new FakeConnection(loop, socketLoop::add);
    private final KeepAlive keepAlive = new KeepAlive(loop, null, null, 0, java.time.Clock.systemUTC());

    private void socketCatchesUp() {
        Runnable task;
        while ((task = socketLoop.poll()) != null) {
            task.run();
        }
        loop.runPending();
    }

    private Command.Ping lastPing() {
        return hub.last(Command.Ping.class);
    }

    @Test
    void aPingEveryIntervalWhileEachPongComes() {
        keepAlive.start(hub.c, INTERVAL, null);
        loop.advance(INTERVAL);
        for (int i = 1; i <= 3; i++) {
            assertThat(hub.sent(Command.Ping.class)).hasSize(i);
            socketCatchesUp(); // the ping has left: its interval starts
            hub.reply(lastPing(), new ServerMessage.Pong(lastPing().id()));
            loop.advance(INTERVAL);
            socketCatchesUp();
        }
        assertThat(hub.aborts).isEmpty();
        assertThat(hub.sent(Command.Ping.class)).hasSize(4);
    }

    @Test
    void aMissingPongAfterOneIntervalDropsTheConnection() {
        keepAlive.start(hub.c, INTERVAL, null);
        loop.advance(INTERVAL);
        socketCatchesUp();
        loop.advance(INTERVAL - 1);
        socketCatchesUp();
        assertThat(hub.aborts).isEmpty();
        loop.advance(1);
        socketCatchesUp();
        assertThat(hub.aborts).containsExactly("no pong within the heartbeat interval (300 ms): the connection is dead");
        assertThat(hub.c.ended).isTrue();
        loop.advance(10 * INTERVAL);
        socketCatchesUp();
        assertThat(hub.sent(Command.Ping.class)).hasSize(1);
    }

    @Test
    void aPongTheSocketHadReadWhenTheIntervalEndedCounts() {
        keepAlive.start(hub.c, INTERVAL, null);
        loop.advance(INTERVAL);
        socketCatchesUp();
        Command.Ping ping = lastPing();
        // The interval ends while the pong sits read on the connection's loop, not yet handed over
        // (both threads were waiting for a busy CPU, and the client's loop got it first).
        loop.advance(INTERVAL);
        assertThat(hub.aborts).isEmpty();
        Runnable decision = socketLoop.poll();
        // The connection's loop hands over what it has read, then runs the task it was given.
        loop.execute(() -> hub.reply(ping, new ServerMessage.Pong(ping.id())));
        decision.run();
        loop.runPending();
        assertThat(hub.aborts).isEmpty();
        assertThat(hub.sent(Command.Ping.class)).as("the next ping").hasSize(2);
    }

    @Test
    void theIntervalStartsWhenThePingHasLeft() {
        keepAlive.start(hub.c, INTERVAL, null);
        loop.advance(INTERVAL);
        loop.advance(5 * INTERVAL); // the connection's loop has not sent the ping yet
        assertThat(hub.aborts).isEmpty();
        socketCatchesUp();
        loop.advance(INTERVAL);
        socketCatchesUp();
        assertThat(hub.aborts).hasSize(1);
    }
}
