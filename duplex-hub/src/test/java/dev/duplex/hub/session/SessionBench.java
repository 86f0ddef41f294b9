package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.metrics.HubMetrics;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.protocol.FrameObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * Hub sessions with no sockets and no threads: a real {@link MemoryBroker} and registries, a manual
 * clock, and a {@link Recording} transport per session that keeps what the session sends. The
 * test's own thread is every session's owner, so each step is finished when the call returns.
 */
final class SessionBench {
    final ManualClock clock = new ManualClock();
    final HubConfig config;
    final MemoryBroker broker;
    final SessionContext ctx;

    SessionBench(HubConfig config) {
        this(config, memory -> memory);
    }

    /** Sessions whose broker is {@code wrap} around the bench's memory broker: one that fails on demand, say. */
    SessionBench(HubConfig config, java.util.function.Function<MemoryBroker, Broker> wrap) {
        this.config = config;
        this.broker = new MemoryBroker(clock::currentTimeMillis, config.historyMemoryBytes(), config.maxStreams());
        Broker used = wrap.apply(broker);
        this.ctx = new SessionContext(config, used, new HubMetrics(), clock, new ChannelRegistry(used),
                new UserRegistry(config, clock), new SessionDirectory(), new TraceGraph());
        // What the Hub's fan-out does, minus the hand-off to other threads: there are none here.
        broker.listener(new BrokerListener() {
            @Override
            public void onPublication(String epoch, Publication publication) {
                ChannelRegistry.Members members = ctx.channels().members(publication.channel());
                if (members != null) {
                    SharedPublication shared = new SharedPublication(epoch, publication);
                    for (HubSession s : List.copyOf(members.subscribers())) {
                        s.execute(() -> s.deliver(shared));
                    }
                }
            }

            @Override
            public void onJoin(String channel, ClientInfo info) {
                event(channel, new ServerMessage.Join(channel, info), info);
            }

            @Override
            public void onLeave(String channel, ClientInfo info) {
                event(channel, new ServerMessage.Leave(channel, info), info);
            }

            private void event(String channel, ServerMessage message, ClientInfo info) {
                ChannelRegistry.Members members = ctx.channels().members(channel);
                if (members != null) {
                    for (HubSession s : List.copyOf(members.subscribers())) {
                        s.execute(() -> s.deliverPresenceEvent(channel, message, info));
                    }
                }
            }
        });
    }

    /** A session that has not sent connect yet. */
    Recording open() {
        Recording r = new Recording();
        r.session = new HubSession(ctx, r, HubCodec.JSON);
        ctx.sessions().add(r.session);
        return r;
    }

    /** A connected anonymous session, its connected reply taken. */
    Recording connected() {
        Recording r = open();
        r.command(new Command.Connect(1L, null, "test", "1", null));
        r.take(ServerMessage.Connected.class);
        return r;
    }

    /** Time passes: {@code millis} on both clocks. */
    void advance(long millis) {
        clock.advance(millis);
    }

    /** A session's transport that keeps what it sends; its socket takes everything unless told to hold. */
    static final class Recording implements SessionTransport {
        HubSession session;
        final List<ServerMessage> sent = new ArrayList<>();
        /** The socket's buffer: grows with each send while {@link #holding}, as a client that does not read. */
        long buffered;
        boolean holding;
        int closeCode = -1;
        FrameObserver observer;
        private int taken;

        void command(Command c) {
            byte[] bytes = HubCodec.JSON.encode(c);
            session.onMessage(bytes, 0, bytes.length);
        }

        void text(String json) {
            byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            session.onMessage(bytes, 0, bytes.length);
        }

        /** The messages sent since the last take, in order, and marks them taken. */
        List<ServerMessage> drain() {
            List<ServerMessage> fresh = List.copyOf(sent.subList(taken, sent.size()));
            taken = sent.size();
            return fresh;
        }

        /** The next sent message, which must be a {@code type}. */
        <T extends ServerMessage> T take(Class<T> type) {
            if (taken >= sent.size()) {
                throw new AssertionError("Nothing more was sent; expected a " + type.getSimpleName());
            }
            ServerMessage m = sent.get(taken++);
            if (!type.isInstance(m)) {
                throw new AssertionError("Expected a " + type.getSimpleName() + ", got " + m);
            }
            return type.cast(m);
        }

        /** The client read everything the socket held. */
        void drained() {
            buffered = 0;
            session.onWritable();
        }

        @Override
        public void send(EncodedMessage message) {
            try {
                sent.add(HubCodec.JSON.decodeServerMessage(message.bytes()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            if (holding) {
                buffered += message.size();
            }
        }

        @Override
        public long bufferedAmount() {
            return buffered;
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
        }

        @Override
        public void observeFrames(FrameObserver value) {
            observer = value;
        }

        @Override
        public String remoteAddress() {
            return "test";
        }

        @Override
        public void execute(Runnable task) {
            task.run(); // the test's thread owns every session
        }
    }

    /** A clock that moves only when told to. */
    static final class ManualClock implements HubClock {
        private long nanos = 1_000_000_000L;
        private long millis = 1_800_000_000_000L;

        void advance(long ms) {
            nanos += ms * 1_000_000L;
            millis += ms;
        }

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public long currentTimeMillis() {
            return millis;
        }
    }
}
