package dev.duplex.loadgen;

/**
 * The byte patterns the {@code fanout --hub} connections scan hub messages for (message starts and
 * {@code "key":} prefixes, see {@link HubText}) and the keep-alive {@code ping} they send: found
 * in the raw text, so no delivery is parsed as JSON.
 */
final class HubFanoutPatterns {
    static final byte[] PUBLICATION = HubText.ascii("{\"type\":\"publication\"");
    static final byte[] ACK = HubText.ascii("{\"type\":\"ack\"");
    static final byte[] OFFSET = HubText.key("offset");
    static final byte[] DATA = HubText.key("data");
    static final byte[] SEQ = HubText.key("seq");
    static final byte[] T = HubText.key("t");
    static final byte[] ID = HubText.key("id");
    static final byte[] CODE = HubText.key("code");
    static final byte[] HEARTBEAT = HubText.key("heartbeat");
    static final byte[] MESSAGE = HubText.key("message");
    static final byte[] REASON = HubText.key("reason");
    static final byte[] PING = HubText.ascii("{\"type\":\"ping\"}");

    private HubFanoutPatterns() {
    }
}
