package dev.duplex.client;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.WebSocket;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * One connection attempt, and the connection if it opens: its WebSocket, the commands waiting for
 * a reply on it, its keep-alive timers. At most one is current; one that {@link #ended} stays
 * ended, so a task that kept it (a timer, a token that arrived late, a subscription retry) sees
 * that it belongs to the past. Not thread safe: the client's loop owns it.
 */
final class Connection {
    /** The number of this attempt since the last connection that opened (1 = the first). */
    final int attempt;
    /** The commands sent on it that wait for their reply. */
    final Requests requests;
    private final Loop loop;
    private final BiConsumer<Connection, String> onAbort;
    private Consumer<Command> wire = command -> { }; // nothing is sent before the socket opens
    private Executor socketLoop = Runnable::run;

    /** The connection token it presents (null: anonymous). */
    String token;
    WebSocket ws;
    /** {@code connected} arrived. */
    boolean open;
    /** It is over: closed, dropped, failed, or the client was closed. */
    boolean ended;
    /** The hub's {@code disconnect}, if one arrived before the close. */
    ServerMessage.Disconnect disconnect;
    Loop.Timer heartbeat;
    Loop.Timer refresh;

    /**
     * @param onAbort ends the connection as a network failure would (see {@link #abort}); the
     *     {@link Connector} decides what follows
     */
    Connection(int attempt, Loop loop, BiConsumer<Connection, String> onAbort) {
        this.attempt = attempt;
        this.loop = loop;
        this.requests = new Requests(loop);
        this.onAbort = onAbort;
    }

    /** Open and not over: commands sent on it may be answered. */
    boolean isOpen() {
        return open && !ended;
    }

    /**
     * The socket opened: commands go to {@code commands} from now on, and {@code socketLoop} runs
     * tasks where the socket's events run (its {@link WebSocket#execute}).
     */
    void attach(WebSocket socket, Consumer<Command> commands, Executor socketLoop) {
        this.ws = socket;
        this.wire = Objects.requireNonNull(commands, "commands");
        this.socketLoop = Objects.requireNonNull(socketLoop, "socketLoop");
    }

    /** Sends a command nobody waits an answer for. */
    void send(Command command) {
        wire.accept(command);
    }

    /**
     * Sends a command that waits for its reply.
     *
     * @param command the command, given its id
     * @param timeoutMillis see {@link Requests#add}
     */
    void request(LongFunction<Command> command, Requests.Reply reply, long timeoutMillis) {
        long id = requests.add(reply, timeoutMillis);
        send(command.apply(id));
    }

    /**
     * Runs {@code task} on the client's loop once the connection's event loop has caught up: the
     * commands handed to it before have been sent, and what it had read has been handed to the
     * client's loop first. A reply timed between two such points measures the network and the hub,
     * not how long the client's own threads waited for a busy CPU.
     */
    void afterCatchingUp(Runnable task) {
        socketLoop.execute(() -> loop.execute(task)); // dropped once the WebSocket client stopped: nothing left to decide
    }

    /** Drops it as a dead network would (a missing pong, a command without reply); the client reconnects. */
    void abort(String reason) {
        if (!ended) {
            onAbort.accept(this, reason);
        }
    }

    /**
     * Marks it over: its timers stop and every command still waiting hears {@code why}.
     *
     * @return false when it had ended already
     */
    boolean end(DuplexClientException why) {
        if (ended) {
            return false;
        }
        ended = true;
        Loop.cancel(heartbeat);
        Loop.cancel(refresh);
        requests.loseAll(why);
        return true;
    }
}
