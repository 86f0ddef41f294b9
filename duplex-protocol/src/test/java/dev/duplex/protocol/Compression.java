package dev.duplex.protocol;

import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.CompressionPool;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** permessage-deflate (RFC 7692) helpers for tests: real negotiation, compressed peers, reference zlib. */
public final class Compression {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private Compression() {
    }

    /** What both sides agreed, with the header values that were exchanged. */
    public record Negotiated(DeflateAgreement client, DeflateAgreement server, String offer, String response) {
    }

    /** Runs the real negotiation, through formatted and re-parsed header values. */
    public static Negotiated negotiate(DeflateOptions client, DeflateOptions server) {
        String offer = ExtensionHeader.format(List.of(DeflateNegotiation.offer(client)));
        DeflateNegotiation.Accepted accepted = DeflateNegotiation.accept(ExtensionHeader.parse(List.of(offer)), server);
        if (accepted == null) {
            throw new AssertionError("The server declined the offer " + offer);
        }
        String response = ExtensionHeader.format(List.of(accepted.response()));
        List<ExtensionOffer> parsed = ExtensionHeader.parse(List.of(response));
        DeflateAgreement clientAgreement = DeflateNegotiation.validateResponse(parsed.get(0), client);
        return new Negotiated(clientAgreement, accepted.agreement(), offer, response);
    }

    /** A client and a server that negotiated permessage-deflate, each with its own pool (its own event loop). */
    public static Peers peers(Limits limits, DeflateOptions client, DeflateOptions server) {
        return peers(limits, client, server, new CompressionPool(), new CompressionPool());
    }

    public static Peers peers(Limits limits, DeflateOptions client, DeflateOptions server,
            CompressionPool clientPool, CompressionPool serverPool) {
        Negotiated n = negotiate(client, server);
        return new Peers(
                new Endpoint(Role.CLIENT, limits, new Random(42), new PerMessageDeflate(n.client(), clientPool)),
                new Endpoint(Role.SERVER, limits, null, new PerMessageDeflate(n.server(), serverPool)));
    }

    /** An endpoint whose peer compresses as {@code agreement} says, with a fresh pool. */
    public static Endpoint endpoint(Role role, Limits limits, DeflateAgreement agreement) {
        return new Endpoint(role, limits, role == Role.CLIENT ? new Random(42) : null,
                new PerMessageDeflate(agreement, new CompressionPool()));
    }

    /** An agreement seen from one side, with level 6 and the given threshold. */
    public static DeflateAgreement agreement(boolean localNoContextTakeover, boolean peerNoContextTakeover, int thresholdBytes) {
        return new DeflateAgreement(localNoContextTakeover, peerNoContextTakeover, 15, 15, 6, thresholdBytes);
    }

    /** Raw DEFLATE of {@code data} by the JDK's zlib, sync-flushed, with the 00 00 ff ff tail removed (RFC 7692 §7.2.1). */
    public static byte[] deflate(byte[] data, int level) {
        Deflater deflater = new Deflater(level, true);
        try {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
                if (n < buffer.length && deflater.needsInput()) {
                    break;
                }
            }
            byte[] all = out.toByteArray();
            if (!Arrays.equals(Arrays.copyOfRange(all, all.length - 4, all.length), TAIL)) {
                throw new AssertionError("Sync flush did not end with 00 00 ff ff");
            }
            return Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }

    /** Inflates one message's payload (tail removed) with a fresh raw inflater. */
    public static byte[] inflate(byte[] payload) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(concat(payload, TAIL));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int n = inflater.inflate(buffer);
                if (n == 0) {
                    break;
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inflater.end();
        }
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
