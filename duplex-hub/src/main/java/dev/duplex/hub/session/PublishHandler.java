package dev.duplex.hub.session;

import dev.duplex.hub.ChannelAccess;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.List;

/**
 * The commands that reach a channel without subscribing to it: {@code publish} (acknowledged once
 * the broker stored it), {@code presence} and {@code history} (in pages bounded by bytes). Confined
 * to the session's owner; broker replies come back to it through the transport.
 */
final class PublishHandler {

    private final HubSession session;
    private final SessionContext ctx;

    PublishHandler(HubSession session, SessionContext ctx) {
        this.session = session;
        this.ctx = ctx;
    }

    void publish(Command.Publish p) throws ProtocolException {
        NamespaceConfig ns = namespace(p.channel(), p.id());
        check(ChannelAccess.Operation.PUBLISH, ns, p.channel(), null, p.id());
        // Encoded (and checked to have a form in every wire format) before the broker gives it an
        // offset: what cannot reach every subscriber is refused here, never skipped later.
        Payload data;
        try {
            data = Payload.encode(p.data(), session.codec());
        } catch (ProtocolException e) {
            throw new ProtocolException(e.code(), e.getMessage(), p.id());
        }
        if (data.size() > ns.maxMessageBytes()) {
            throw new ProtocolException(ErrorCode.MESSAGE_TOO_LARGE, "The data is " + data.size()
                    + " bytes; " + p.channel() + " allows " + ns.maxMessageBytes(), p.id());
        }
        PublishRequest request = new PublishRequest(p.channel(), data, session.info(), p.key(), ns.historyOptions(),
                p.msgId(), ns.dedupWindow());
        ctx.broker().publish(request).whenComplete((result, failure) -> session.execute(() -> {
            if (failure == null) {
                ctx.metrics().published(result.duplicate());
                session.reply(new ServerMessage.Ack(p.id(), p.channel(), result.epoch(), result.offset(), result.duplicate()));
                return;
            }
            session.reply(BrokerErrors.reply(ctx, p.id(), "Publish to " + p.channel(), failure));
        }));
    }

    void presence(Command.Presence p) throws ProtocolException {
        NamespaceConfig ns = namespace(p.channel(), p.id());
        if (!ns.presence()) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "Presence is off for " + p.channel(), p.id());
        }
        check(ChannelAccess.Operation.PRESENCE, ns, p.channel(), p.token(), p.id());
        ctx.broker().presence(p.channel()).whenComplete((clients, failure) -> session.execute(() -> session.reply(
                failure != null ? BrokerErrors.reply(ctx, p.id(), "Presence of " + p.channel(), failure)
                        : presenceReply(p, clients))));
    }

    /** Who is subscribed, cut to one reply's worth (with the total) on a crowded channel. */
    private ServerMessage presenceReply(Command.Presence p, List<ClientInfo> clients) {
        int fit = ReplyBudget.fitClients(clients, session.subscriptions().replyBudget(false));
        return fit == clients.size() ? new ServerMessage.PresenceResult(p.id(), p.channel(), clients)
                : new ServerMessage.PresenceResult(p.id(), p.channel(), List.copyOf(clients.subList(0, fit)), clients.size());
    }

    void history(Command.History h) throws ProtocolException {
        NamespaceConfig ns = namespace(h.channel(), h.id());
        if (ns.historySize() == 0) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "History is off for " + h.channel(), h.id());
        }
        check(ChannelAccess.Operation.HISTORY, ns, h.channel(), h.token(), h.id());
        int limit = h.limit() == null ? ns.historySize() : Math.min(h.limit(), ns.historySize());
        ctx.broker().history(h.channel(), h.since(), limit, ns.historyOptions()).whenComplete((page, failure) -> session.execute(() -> {
            if (failure != null) {
                session.reply(BrokerErrors.reply(ctx, h.id(), "History of " + h.channel(), failure));
            } else if (!page.recoverable()) {
                session.reply(new ServerMessage.Error(h.id(), ErrorCode.UNRECOVERABLE_POSITION.code(),
                        "Position " + h.since().offset() + " of epoch " + h.since().epoch()
                                + " is no longer in history (now epoch " + page.epoch() + ", offset " + page.offset() + ")"));
            } else {
                // At most one reply's worth: "more" says to ask again from the last offset received.
                List<Publication> pubs = page.publications();
                List<Publication> sent = pubs.subList(0, ReplyBudget.fit(pubs, session.subscriptions().replyBudget(false)));
                boolean more = !sent.isEmpty() && sent.get(sent.size() - 1).offset() < page.offset();
                session.reply(new ServerMessage.HistoryResult(h.id(), h.channel(), page.epoch(), page.offset(), sent,
                        more ? true : null));
            }
        }));
    }

    private NamespaceConfig namespace(String channel, Long id) throws ProtocolException {
        NamespaceConfig ns = ctx.config().namespaceOf(channel);
        if (ns == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_CHANNEL, "No namespace '"
                    + channel.substring(0, channel.indexOf(':')) + "' is configured", id);
        }
        return ns;
    }

    /** The one access decision for what this connection wants to do with {@code channel}. */
    private void check(ChannelAccess.Operation operation, NamespaceConfig ns, String channel, String token, Long id)
            throws ProtocolException {
        ChannelAccess.check(operation, ns, channel, session.user(), token, session.subscriptions().isSubscribed(channel),
                ctx.config().tokens(), ctx.clock().currentTimeMillis(), id);
    }
}
