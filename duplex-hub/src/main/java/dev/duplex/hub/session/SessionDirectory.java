package dev.duplex.hub.session;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions of this node by client id, and where new ids come from. Thread-safe. */
public final class SessionDirectory {
    private final Map<String, HubSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** A fresh random id (about 128 bits, base 36): client ids, trace keys. */
    public String newId() {
        return Long.toString(random.nextLong() >>> 1, 36) + Long.toString(random.nextLong() >>> 1, 36);
    }

    public void add(HubSession session) {
        sessions.put(session.clientId(), session);
    }

    public void remove(HubSession session) {
        sessions.remove(session.clientId(), session);
    }

    /** The session of a connection on this node, or null. */
    public HubSession get(String clientId) {
        return sessions.get(clientId);
    }

    /** A live view: iterate it, do not expect a snapshot. */
    public Collection<HubSession> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }
}
