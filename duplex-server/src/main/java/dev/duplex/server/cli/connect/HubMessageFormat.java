package dev.duplex.server.cli.connect;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hub messages as {@code duplex connect --hub} prints them, one line each (a reply that carries
 * publications adds one line per publication):
 * <pre>
 * [chat:lobby #42] ann: {"text":"hi"}
 * ack chat:lobby #42
 * error 107: Missing field "channel"
 * join chat:lobby ann
 * disconnect 3000 server shutting down, reconnect (reconnect after 3456 ms)
 * </pre>
 * Publishers are named by user, or by client id when anonymous; publications made through the HTTP
 * API or the server itself (simulated devices, stats) by {@code (server)}.
 */
public final class HubMessageFormat {
    private HubMessageFormat() {
    }

    public static String format(ServerMessage message) {
        if (message instanceof Publication p) {
            return publication(p);
        }
        if (message instanceof ServerMessage.Connected c) {
            StringBuilder line = new StringBuilder("connected as ").append(c.client())
                    .append(", heartbeat ").append(c.heartbeat()).append(" ms");
            if (c.expires() != null) {
                line.append(", token expires ").append(Instant.ofEpochMilli(c.expires()));
            }
            if (c.traceKey() != null) {
                line.append(", trace key ").append(c.traceKey());
            }
            List<String> lines = new ArrayList<>(List.of(line.toString()));
            if (c.subs() != null) {
                for (Map.Entry<String, ServerMessage.Subscribed> sub : c.subs().entrySet()) {
                    lines.add(format(sub.getValue()));
                }
            }
            return String.join("\n", lines);
        }
        if (message instanceof ServerMessage.Subscribed s) {
            StringBuilder line = new StringBuilder("subscribed ").append(s.channel()).append(" at #").append(s.offset())
                    .append(" (epoch ").append(s.epoch()).append(')');
            if (Boolean.TRUE.equals(s.recovered())) {
                int n = s.publications() == null ? 0 : s.publications().size();
                line.append(", recovered ").append(n).append(n == 1 ? " publication" : " publications");
            } else if (Boolean.FALSE.equals(s.recovered())) {
                line.append(", not recovered: publications were missed");
            }
            return withPublications(line.toString(), s.publications());
        }
        if (message instanceof ServerMessage.Unsubscribed u) {
            return "unsubscribed " + u.channel() + (u.reason() == null || u.reason().isEmpty() ? "" : ": " + u.reason());
        }
        if (message instanceof ServerMessage.Join j) {
            return "join " + j.channel() + " " + who(j.info());
        }
        if (message instanceof ServerMessage.Leave l) {
            return "leave " + l.channel() + " " + who(l.info());
        }
        if (message instanceof ServerMessage.Ack a) {
            return "ack " + a.channel() + " #" + a.offset() + (a.duplicate() ? " (duplicate)" : "");
        }
        if (message instanceof ServerMessage.PresenceResult p) {
            List<String> clients = new ArrayList<>();
            for (ClientInfo info : p.clients() == null ? List.<ClientInfo>of() : p.clients()) {
                clients.add(info.user() == null || info.user().isEmpty() ? info.client() : info.user() + " (" + info.client() + ")");
            }
            int n = clients.size();
            return "presence " + p.channel() + ": " + n + (n == 1 ? " client" : " clients") + (n == 0 ? "" : ": " + String.join(", ", clients));
        }
        if (message instanceof ServerMessage.HistoryResult h) {
            int n = h.publications() == null ? 0 : h.publications().size();
            return withPublications("history " + h.channel() + " at #" + h.offset() + " (epoch " + h.epoch() + "): " + n
                    + (n == 1 ? " publication" : " publications"), h.publications());
        }
        if (message instanceof ServerMessage.Pong) {
            return "pong";
        }
        if (message instanceof ServerMessage.Refreshed r) {
            return "refreshed" + (r.expires() == null ? "" : ", token expires " + Instant.ofEpochMilli(r.expires()));
        }
        if (message instanceof ServerMessage.Error e) {
            return "error " + e.code() + ": " + e.message();
        }
        if (message instanceof ServerMessage.Disconnect d) {
            String advice = d.reconnect()
                    ? "(reconnect" + (d.retryAfter() == null ? "" : " after " + d.retryAfter() + " ms") + ")"
                    : "(do not reconnect)";
            return "disconnect " + d.code() + (d.reason() == null || d.reason().isEmpty() ? "" : " " + d.reason()) + " " + advice;
        }
        if (message instanceof ServerMessage.Tracing t) {
            return "tracing " + t.client() + (t.enabled() ? " on" : " off");
        }
        if (message instanceof ServerMessage.Frame f) {
            StringBuilder line = new StringBuilder("frame ").append(f.client()).append(' ').append(f.dir());
            if (f.fin()) {
                line.append(" FIN");
            }
            if (f.rsv1()) {
                line.append(" RSV1");
            }
            if (f.rsv2()) {
                line.append(" RSV2");
            }
            if (f.rsv3()) {
                line.append(" RSV3");
            }
            line.append(' ').append(f.opcode());
            if (f.masked()) {
                line.append(" masked");
            }
            line.append(" len=").append(f.length());
            if (f.code() != null) {
                line.append(' ').append(f.code());
                if (f.reason() != null && !f.reason().isEmpty()) {
                    line.append(' ').append(FrameLines.quote(f.reason()));
                }
            }
            return line.toString();
        }
        return String.valueOf(message);
    }

    /** {@code [chat:lobby #42] ann: {"text":"hi"}}. */
    public static String publication(Publication p) {
        return "[" + p.channel() + " #" + p.offset() + "] " + (p.info() == null ? "(server)" : who(p.info())) + ": "
                + (p.data() == null ? "null" : p.data().toString()) + (p.key() == null ? "" : " (key " + p.key() + ")");
    }

    private static String withPublications(String first, List<Publication> publications) {
        if (publications == null || publications.isEmpty()) {
            return first;
        }
        StringBuilder out = new StringBuilder(first);
        for (Publication p : publications) {
            out.append('\n').append(publication(p));
        }
        return out.toString();
    }

    private static String who(ClientInfo info) {
        if (info == null) {
            return "?";
        }
        return info.user() == null || info.user().isEmpty() ? info.client() : info.user();
    }
}
