package dev.duplex.hub.session;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import java.util.List;

/**
 * How many publications fit in one reply: history and recovery are answered in pages bounded in
 * bytes, so that a large history never makes its reader a slow consumer (3002) and a recovery of a
 * large gap converges instead of failing the same way on every reconnect.
 */
final class ReplyBudget {
    /** Beyond the data: the publication's fields and their JSON or MessagePack framing. */
    private static final int FIELDS = 96;

    private ReplyBudget() {
    }

    /** The leading publications whose estimated size fits in {@code budget}; at least one, so a page always moves on. */
    static int fit(List<Publication> publications, long budget) {
        long used = 0;
        for (int i = 0; i < publications.size(); i++) {
            used += estimate(publications.get(i));
            if (used > budget) {
                return Math.max(1, i);
            }
        }
        return publications.size();
    }

    /** The leading members of a presence list that fit in {@code budget}. */
    static int fitClients(List<ClientInfo> clients, long budget) {
        long used = 0;
        for (int i = 0; i < clients.size(); i++) {
            used += estimate(clients.get(i));
            if (used > budget) {
                return i;
            }
        }
        return clients.size();
    }

    static long estimate(ClientInfo info) {
        return 64 + info.client().length() + info.user().length() + (info.info() == null ? 0 : info.info().toString().length());
    }

    /** A publication's size in a message, from its encoded data (the format of the reader may differ a little). */
    static long estimate(Publication p) {
        return FIELDS + p.payload().size() + p.channel().length() + (p.key() == null ? 0 : p.key().length())
                + (p.info() == null ? 0 : estimate(p.info()));
    }
}
