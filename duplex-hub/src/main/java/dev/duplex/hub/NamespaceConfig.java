package dev.duplex.hub;

import dev.duplex.hub.broker.HistoryOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * The options of a namespace: every channel named {@code name:…} (the default namespace holds the
 * channels without a colon). Immutable; build with {@link #builder()}.
 */
public final class NamespaceConfig {
    private final int historySize;
    private final Duration historyTtl;
    private final boolean presence;
    private final boolean joinLeave;
    private final Access subscribe;
    private final Access publish;
    private final Access history;
    private final int maxMessageBytes;
    private final DeliveryMode mode;
    private final SlowConsumerPolicy slowConsumer;
    private final Duration dedupWindow;

    private NamespaceConfig(Builder b) {
        this.historySize = b.historySize;
        this.historyTtl = b.historyTtl;
        this.presence = b.presence;
        this.joinLeave = b.joinLeave;
        this.subscribe = b.subscribe;
        this.publish = b.publish;
        this.history = b.history;
        this.maxMessageBytes = b.maxMessageBytes;
        this.mode = b.mode;
        this.slowConsumer = b.slowConsumer;
        this.dedupWindow = b.dedupWindow;
    }

    /**
     * The defaults: open to anyone, 100 publications of history for 5 minutes, presence and join/leave
     * on. Publishing and reading presence and history follow the subscribe rule unless set.
     */
    public static NamespaceConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.historySize = historySize;
        b.historyTtl = historyTtl;
        b.presence = presence;
        b.joinLeave = joinLeave;
        b.subscribe = subscribe;
        b.publish = publish;
        b.history = history;
        b.maxMessageBytes = maxMessageBytes;
        b.mode = mode;
        b.slowConsumer = slowConsumer;
        b.dedupWindow = dedupWindow;
        return b;
    }

    /** Publications kept per channel for recovery and history (0 = none; recovery then always fails). */
    public int historySize() {
        return historySize;
    }

    public Duration historyTtl() {
        return historyTtl;
    }

    public boolean presence() {
        return presence;
    }

    public boolean joinLeave() {
        return joinLeave;
    }

    public Access subscribe() {
        return subscribe;
    }

    /** Who may publish: as set, or else the subscribe rule. */
    public Access publish() {
        return publish != null ? publish : subscribe;
    }

    /** Who may read presence and history: as set, or else the subscribe rule. */
    public Access history() {
        return history != null ? history : subscribe;
    }


    /** Largest publication {@code data}, encoded, in bytes. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public DeliveryMode mode() {
        return mode;
    }

    public SlowConsumerPolicy slowConsumer() {
        return slowConsumer;
    }

    /** How long a client message id is remembered to drop a retried publish. */
    public Duration dedupWindow() {
        return dedupWindow;
    }

    /** The history options the broker applies to this namespace's channels. */
    public HistoryOptions historyOptions() {
        return new HistoryOptions(historySize, historyTtl, historyTtl.plus(Duration.ofHours(1)));
    }

    /** Mutable builder with the defaults of {@link #defaults()}. */
    public static final class Builder {
        private int historySize = 100;
        private Duration historyTtl = Duration.ofMinutes(5);
        private boolean presence = true;
        private boolean joinLeave = true;
        private Access subscribe = Access.ANYONE;
        /** null: follows {@link #subscribe}. */
        private Access publish;
        /** null: follows {@link #subscribe}. */
        private Access history;
        private int maxMessageBytes = 65_536;
        private DeliveryMode mode = DeliveryMode.STREAM;
        private SlowConsumerPolicy slowConsumer = SlowConsumerPolicy.DISCONNECT;
        private Duration dedupWindow = Duration.ofMinutes(2);

        public Builder historySize(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("history size must not be negative: " + value);
            }
            this.historySize = value;
            return this;
        }

        public Builder historyTtl(Duration value) {
            this.historyTtl = positive(value, "history TTL");
            return this;
        }

        public Builder presence(boolean value) {
            this.presence = value;
            return this;
        }

        public Builder joinLeave(boolean value) {
            this.joinLeave = value;
            return this;
        }

        public Builder subscribe(Access value) {
            this.subscribe = Objects.requireNonNull(value, "subscribe");
            return this;
        }

        /** Who may publish; null (the default) follows the subscribe rule. */
        public Builder publish(Access value) {
            this.publish = value;
            return this;
        }

        /** Who may read presence and history; null (the default) follows the subscribe rule. */
        public Builder history(Access value) {
            this.history = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            if (value <= 0) {
                throw new IllegalArgumentException("max message bytes must be positive: " + value);
            }
            this.maxMessageBytes = value;
            return this;
        }

        public Builder mode(DeliveryMode value) {
            this.mode = Objects.requireNonNull(value, "mode");
            return this;
        }

        public Builder slowConsumer(SlowConsumerPolicy value) {
            this.slowConsumer = Objects.requireNonNull(value, "slowConsumer");
            return this;
        }

        public Builder dedupWindow(Duration value) {
            this.dedupWindow = positive(value, "de-duplication window");
            return this;
        }

        public NamespaceConfig build() {
            if (mode == DeliveryMode.LATEST && historySize == 0) {
                historySize = 1; // the latest value is the last entry of history
            }
            return new NamespaceConfig(this);
        }
    }

    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        return value;
    }
}
