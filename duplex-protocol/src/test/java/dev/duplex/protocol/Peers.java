package dev.duplex.protocol;

import java.nio.ByteBuffer;

/**
 * A client and a server {@link Connection} wired back to back in memory: what one writes, the
 * other receives when the test moves it across. Moving bytes is explicit, so a test decides the
 * interleaving (e.g. both sides sending Close before either receives).
 */
public final class Peers {
    public final Endpoint client;
    public final Endpoint server;

    public Peers() {
        this(Limits.defaults());
    }

    public Peers(Limits limits) {
        this(Endpoint.client(limits), Endpoint.server(limits));
    }

    /** Wires two endpoints built by the caller, e.g. with permessage-deflate. */
    public Peers(Endpoint client, Endpoint server) {
        if (client.connection.role() != Role.CLIENT || server.connection.role() != Role.SERVER) {
            throw new IllegalArgumentException("Peers need a client and a server endpoint");
        }
        this.client = client;
        this.server = server;
    }

    /** Moves what the client wrote to the server; returns the bytes moved. */
    public byte[] clientToServer() {
        byte[] bytes = client.written();
        server.connection.receive(ByteBuffer.wrap(bytes.clone()), server.out, server.events);
        return bytes;
    }

    /** Moves what the server wrote to the client; returns the bytes moved. */
    public byte[] serverToClient() {
        byte[] bytes = server.written();
        client.connection.receive(ByteBuffer.wrap(bytes.clone()), client.out, client.events);
        return bytes;
    }

    /** Moves bytes both ways until neither side has anything left to send. */
    public void exchange() {
        for (int round = 0; round < 100; round++) {
            if (client.out.isEmpty() && server.out.isEmpty()) {
                return;
            }
            clientToServer();
            serverToClient();
        }
        throw new AssertionError("The peers kept writing to each other for 100 rounds");
    }
}
