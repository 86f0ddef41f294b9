package dev.duplex.protocol;

/**
 * Inbound limits of one connection. Exceeding a size limit fails the connection with 1009 before
 * any payload byte beyond the limit is buffered.
 *
 * @param maxFrameBytes largest payload of a single frame; default 1 MiB. {@code -1}: no limit
 *     beyond {@code maxMessageBytes}.
 * @param maxMessageBytes largest message, summed over its fragments; default 1 MiB, which keeps a
 *     hostile peer from pinning more than that per connection. {@code -1}: no limit (not
 *     recommended for servers).
 * @param maxFragments most frames one message may span; default 1,024. Many tiny fragments cost
 *     bookkeeping far beyond their bytes (CVE-2026-48779 class). {@code -1}: no limit.
 * @param streamingThresholdBytes messages up to this size are delivered whole; a larger message is
 *     delivered in fragments as its bytes arrive, so it is never held in memory at once. Default
 *     {@code -1}: always deliver whole messages.
 */
public record Limits(long maxFrameBytes, long maxMessageBytes, int maxFragments, long streamingThresholdBytes) {
    public static final long NO_LIMIT = -1;
    private static final Limits DEFAULTS = new Limits(ProtocolDefaults.MAX_FRAME_BYTES, ProtocolDefaults.MAX_MESSAGE_BYTES,
            ProtocolDefaults.MAX_FRAGMENTS, ProtocolDefaults.STREAMING_THRESHOLD_BYTES);

    public Limits {
        if (maxFrameBytes == 0 || maxFrameBytes < NO_LIMIT) {
            throw new IllegalArgumentException("maxFrameBytes must be positive or -1 (no limit): " + maxFrameBytes);
        }
        if (maxMessageBytes == 0 || maxMessageBytes < NO_LIMIT) {
            throw new IllegalArgumentException("maxMessageBytes must be positive or -1 (no limit): " + maxMessageBytes);
        }
        if (maxFragments == 0 || maxFragments < NO_LIMIT) {
            throw new IllegalArgumentException("maxFragments must be positive or -1 (no limit): " + maxFragments);
        }
        if (streamingThresholdBytes < NO_LIMIT) {
            throw new IllegalArgumentException("streamingThresholdBytes must be >= 0 or -1 (never): " + streamingThresholdBytes);
        }
    }

    /** 1 MiB frames and messages, 1,024 fragments, whole-message delivery: see {@link ProtocolDefaults}. */
    public static Limits defaults() {
        return DEFAULTS;
    }

    public Limits withMaxFrameBytes(long value) {
        return new Limits(value, maxMessageBytes, maxFragments, streamingThresholdBytes);
    }

    public Limits withMaxMessageBytes(long value) {
        return new Limits(maxFrameBytes, value, maxFragments, streamingThresholdBytes);
    }

    public Limits withMaxFragments(int value) {
        return new Limits(maxFrameBytes, maxMessageBytes, value, streamingThresholdBytes);
    }

    public Limits withStreamingThresholdBytes(long value) {
        return new Limits(maxFrameBytes, maxMessageBytes, maxFragments, value);
    }

    boolean frameTooBig(long length) {
        return maxFrameBytes != NO_LIMIT && length > maxFrameBytes;
    }

    boolean messageTooBig(long length) {
        return maxMessageBytes != NO_LIMIT && length > maxMessageBytes;
    }

    boolean tooManyFragments(int count) {
        return maxFragments != NO_LIMIT && count > maxFragments;
    }

    boolean shouldStream(long bufferedBytes) {
        return streamingThresholdBytes != NO_LIMIT && bufferedBytes > streamingThresholdBytes;
    }
}
