package dev.duplex.client;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/** A {@link Connection} without a socket: what the client sends is recorded, the test plays the hub. */
final class FakeConnection {
    final Connection c;
    final List<Command> sent = new ArrayList<>();
    final List<String> aborts = new ArrayList<>();

    /** An open connection (its {@code connected} arrived) whose socket loop is always caught up. */
    FakeConnection(Loop loop) {
        this(loop, Runnable::run);
    }

    /** An open connection whose socket's event loop runs tasks on {@code socketLoop}. */
    FakeConnection(Loop loop, java.util.concurrent.Executor socketLoop) {
        this.c = new Connection(1, loop, (aborted, reason) -> {
            aborts.add(reason);
            aborted.end(new NotConnectedException(reason));
        });
        c.attach(null, sent::add, socketLoop);
        c.open = true;
    }

    /** The commands of {@code type} sent so far, in order. */
    <T extends Command> List<T> sent(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Command command : sent) {
            if (type.isInstance(command)) {
                out.add(type.cast(command));
            }
        }
        return out;
    }

    /** The last command of {@code type} sent. */
    <T extends Command> T last(Class<T> type) {
        List<T> all = sent(type);
        if (all.isEmpty()) {
            throw new AssertionError("No " + type.getSimpleName() + " was sent; sent: " + sent);
        }
        return all.get(all.size() - 1);
    }

    /** The hub answers {@code command}: true if a command waited for it. */
    boolean reply(Command command, ServerMessage reply) {
        return c.requests.answer(command.id(), reply);
    }

    /** The connection is lost. */
    void lose() {
        c.end(new NotConnectedException("lost (test)"));
    }
}
