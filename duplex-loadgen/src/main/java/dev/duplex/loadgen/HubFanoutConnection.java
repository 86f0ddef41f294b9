package dev.duplex.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static dev.duplex.loadgen.HubFanoutPatterns.CODE;
import static dev.duplex.loadgen.HubFanoutPatterns.HEARTBEAT;
import static dev.duplex.loadgen.HubFanoutPatterns.ID;
import static dev.duplex.loadgen.HubFanoutPatterns.MESSAGE;
import static dev.duplex.loadgen.HubFanoutPatterns.REASON;

/**
 * A hub connection of {@code duplex bench fanout --hub} ({@link HubFanoutBenchmark}): connect on
 * open, then the scenario's part ({@link HubFanoutSubscriber}, {@link HubFanoutPublisher}); setup
 * replies parsed, errors counted, each with a {@linkplain #hint(long) hint} at the hub setting behind
 * it.
 */
abstract class HubFanoutConnection extends LoadConnection {
    static final int OPENING = 0;
    static final int CONNECTING = 1;
    static final int SETTING_UP = 2;
    static final int READY = 3;
    static final int FAILED = 4;
    /** Publish ids are the publication's number plus this (ids 1 and 2 are connect and subscribe). */
    static final long PUBLISH_ID_BASE = 100;

    final HubFanoutShared s;
    int phase = OPENING;
    long lastCommandNanos;

    HubFanoutConnection(LoadRun run, LoopContext ctx, HubFanoutShared s, long startNanos) {
        super(run, ctx, startNanos);
        this.s = s;
        this.body = new byte[s.captureBytes];
    }

    final void command(ByteBuffer text) {
        send(text, true);
        lastCommandNanos = System.nanoTime();
    }

    final void command(String json) {
        command(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    final void onHandshake(long now) {
        phase = CONNECTING;
        if (!s.socketIo) {
            command("{\"type\":\"connect\",\"id\":1,\"name\":\"duplex-bench\"}");
        } // Socket.IO: the server speaks first (its open packet), see onSocketIoControl
    }

    /** The {@code connected} reply arrived. */
    abstract void onConnected();

    /** Setup could not finish (error reply, disconnect, close); called once. */
    abstract void onSetupFailed();

    final void failSetup() {
        if (phase < READY) {
            phase = FAILED;
            onSetupFailed();
        }
    }

    /** Replies and pushes other than the scenario's hot messages: setup, errors, disconnects. */
    void onControl(byte[] b, int n) {
        String type = HubText.type(b, n);
        switch (type) {
            case "connected" -> {
                s.heartbeat(HubText.longAfter(b, 0, n, HEARTBEAT));
                if (phase == CONNECTING) {
                    phase = SETTING_UP;
                    onConnected();
                }
            }
            case "join", "leave" -> ctx.joinLeavePushes++;
            case "pong" -> {
                // the answer to a keep-alive ping
            }
            case "error" -> {
                long code = HubText.longAfter(b, 0, n, CODE);
                long id = HubText.longAfter(b, 0, n, ID);
                onError(code, id, HubText.stringAfter(b, n, MESSAGE));
            }
            case "disconnect" -> {
                long code = HubText.longAfter(b, 0, n, CODE);
                String reason = HubText.stringAfter(b, n, REASON);
                if (!run.stopping) {
                    run.errors.record("hub_disconnect_" + code, "disconnect " + code
                            + (reason == null || reason.isEmpty() ? "" : ": " + reason) + hint(code));
                    markFailed(); // the close that follows is this same error
                }
                failSetup();
            }
            default -> run.errors.record("unexpected_message", HubText.preview(b, n));
        }
    }

    /** Socket.IO's packets other than the scenario's hot ones: open, connect, ping, disconnect, errors. */
    final void onSocketIoControl(byte[] b, int n) {
        if (SocketIoFrames.is(b, n, SocketIoFrames.PING)) {
            command(ByteBuffer.wrap(SocketIoFrames.PONG));
        } else if (HubText.startsWith(b, n, SocketIoFrames.OPEN)) {
            command(ByteBuffer.wrap(SocketIoFrames.CONNECT));
        } else if (HubText.startsWith(b, n, SocketIoFrames.CONNECTED)) {
            if (phase == CONNECTING) {
                phase = SETTING_UP;
                onConnected();
            }
        } else if (HubText.startsWith(b, n, SocketIoFrames.CONNECT_ERROR) || HubText.startsWith(b, n, SocketIoFrames.DISCONNECT)) {
            if (!run.stopping) {
                run.errors.record("socketio_disconnect", "Socket.IO ended the session: " + HubText.preview(b, n));
                markFailed();
            }
            failSetup();
        } else {
            run.errors.record("unexpected_message", HubText.preview(b, n));
        }
    }

    void onError(long code, long id, String message) {
        run.errors.record("hub_error_" + code, "error " + code + " in reply to command " + id
                + (message == null ? "" : ": " + message) + hint(code));
        if (id > 0 && id < PUBLISH_ID_BASE) {
            failSetup();
        }
    }

    @Override
    final void onConnectionClosed() {
        failSetup();
    }

    /** What to change when the hub answers with error or disconnect {@code code}; empty if nothing. */
    static String hint(long code) {
        if (code == 102) {
            return " (the channel's namespace is not configured on the hub: use a channel without ':' or configure "
                    + "the namespace)";
        }
        if (code == 110 || code == 3006) {
            return " (the hub's command rate per connection, hub.commands_per_second: use more --publishers)";
        }
        if (code == 3007) {
            return " (the hub's admission rate, hub.connections_per_second: lower --connect-rate)";
        }
        if (code == 3002) {
            return " (slow consumer: the generator did not read fast enough)";
        }
        return "";
    }
}
