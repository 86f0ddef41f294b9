package dev.duplex.protocol;

import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import dev.duplex.protocol.frame.Utf8Validator;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The data message one {@link Connection} is receiving: the message rules that span frames
 * (sequence, sizes, fragment count, UTF-8), inflation when the message is compressed, and
 * delivery, whole or in parts. Split from {@code Connection}, which keeps the frame and close
 * handshake rules; errors are thrown as {@link ProtocolException}s for it to fail the connection.
 *
 * <p>This class is not thread safe: it belongs to its connection.
 */
final class InboundMessage {
    private static final int NO_MESSAGE = -1;

    private final Limits limits;
    /** permessage-deflate as agreed, or null. */
    private final PerMessageDeflate deflate;
    private MemoryBudget memoryBudget = MemoryBudget.unlimited();

    private int messageOpcode = NO_MESSAGE;
    private long messageBytes;
    private int fragments;
    private boolean streaming;
    private boolean compressed;
    private ByteBuffer assembly;
    private final Utf8Validator utf8 = new Utf8Validator();
    /** Payload bytes of the current frame not received yet, as its header announced. */
    private long frameRest;

    InboundMessage(Limits limits, PerMessageDeflate deflate) {
        this.limits = limits;
        this.deflate = deflate;
    }

    void memoryBudget(MemoryBudget budget) {
        this.memoryBudget = budget;
    }

    /** The connection failed: the message in progress is dropped. */
    void abort() {
        release();
        if (deflate != null && compressed) {
            deflate.messageAborted();
        }
        messageOpcode = NO_MESSAGE;
    }

    /** A data frame's header was read: checks it against the message rules and the limits. */
    void startFrame(Opcode opcode, int rsv, long length) throws ProtocolException {
        if (opcode == Opcode.CONTINUATION) {
            if (messageOpcode == NO_MESSAGE) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "Continuation frame without a message to continue (RFC 6455 §5.4)");
            }
            if (rsv != 0) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                        "RSV1 may be set only on the first frame of a message (RFC 7692 §6.1)");
            }
        } else if (messageOpcode != NO_MESSAGE) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR,
                    "New data frame before the fragmented message ended (RFC 6455 §5.4)");
        }
        if (limits.frameTooBig(length)) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG,
                    "Frame of " + length + " bytes exceeds the limit of " + limits.maxFrameBytes() + " bytes");
        }
        frameRest = length;
        boolean firstFrameCompressed = opcode != Opcode.CONTINUATION && rsv != 0;
        // A compressed message is limited by its inflated size, checked as it inflates.
        if (!(firstFrameCompressed || (opcode == Opcode.CONTINUATION && compressed))
                && limits.messageTooBig(messageBytes + length)) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG,
                    "Message of at least " + (messageBytes + length) + " bytes exceeds the limit of "
                            + limits.maxMessageBytes() + " bytes");
        }
        if (limits.tooManyFragments(fragments + 1)) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG,
                    "Message spans more than " + limits.maxFragments() + " frames");
        }
        if (opcode != Opcode.CONTINUATION) {
            messageOpcode = opcode.code();
            utf8.reset();
            streaming = false;
            compressed = firstFrameCompressed;
        }
        fragments++;
    }

    /** Payload bytes of the current frame; {@code last}: they end the frame, and it ends the message. */
    void onPayload(ByteBuffer chunk, boolean last, ConnectionListener events) throws ProtocolException {
        frameRest -= chunk.remaining();
        if (compressed) {
            inflate(chunk, last, events);
        } else {
            onMessageBytes(chunk, last, events);
        }
    }

    /**
     * Inflates a compressed payload chunk into the loop's piece buffer, passing each full piece on
     * as message bytes: the message size limit applies to inflated bytes and is checked piece by
     * piece, so a decompression bomb stops one piece past the limit. A message that inflates into
     * one piece within one read is delivered from the piece buffer without a copy. The piece
     * buffer is shared by the loop's connections, so it is always left empty on return.
     */
    private void inflate(ByteBuffer chunk, boolean last, ConnectionListener events) throws ProtocolException {
        Inflater inflater = deflate.inflater();
        ByteBuffer piece = deflate.inflatedScratch().clear();
        inflater.setInput(chunk);
        drainInflater(inflater, piece, events);
        chunk.position(chunk.limit());
        if (last) {
            deflate.finishInput(); // the 00 00 ff ff the sender removed (RFC 7692 §7.2.2)
            drainInflater(inflater, piece, events);
            deflate.messageInflated();
            passPiece(piece, true, events);
        } else if (piece.position() > 0) {
            passPiece(piece, false, events);
        }
    }

    private void drainInflater(Inflater inflater, ByteBuffer piece, ConnectionListener events) throws ProtocolException {
        while (true) {
            if (!piece.hasRemaining()) {
                passPiece(piece, false, events);
            }
            int n;
            try {
                n = inflater.inflate(piece);
            } catch (DataFormatException e) {
                throw new ProtocolException(CloseCodes.INVALID_PAYLOAD,
                        "Compressed message is not valid DEFLATE data: " + e.getMessage());
            }
            if (n == 0) {
                return; // needs input, or finished (BFINAL); the piece had room, so nothing is pending
            }
        }
    }

    private void passPiece(ByteBuffer piece, boolean last, ConnectionListener events) throws ProtocolException {
        piece.flip();
        try {
            onMessageBytes(piece, last, events);
        } finally {
            piece.clear();
        }
    }

    private void onMessageBytes(ByteBuffer chunk, boolean last, ConnectionListener events) throws ProtocolException {
        boolean text = messageOpcode == Opcode.TEXT.code();
        int n = chunk.remaining();
        if (compressed && limits.messageTooBig(messageBytes + n)) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG,
                    "Compressed message inflates to more than the limit of " + limits.maxMessageBytes() + " bytes");
        }
        if (text) {
            int bad = utf8.validate(chunk, chunk.position(), chunk.limit());
            if (bad >= 0) {
                throw new ProtocolException(CloseCodes.INVALID_PAYLOAD,
                        "Text message holds invalid UTF-8 at byte " + (messageBytes + bad - chunk.position())
                                + " (RFC 6455 §8.1)");
            }
            if (last && !utf8.isComplete()) {
                throw new ProtocolException(CloseCodes.INVALID_PAYLOAD,
                        "Text message ends inside a UTF-8 sequence (RFC 6455 §8.1)");
            }
        }
        messageBytes += n;
        if (streaming) {
            events.onMessagePart(text, chunk, last);
        } else if (last && assembly == null && !limits.shouldStream(messageBytes)) {
            deliverWhole(text, chunk, events); // the whole message arrived in one read: no copy
        } else if (limits.shouldStream(messageBytes)) {
            streaming = true;
            if (assembly != null) {
                events.onMessagePart(text, assembly.flip(), false);
                release();
            }
            events.onMessagePart(text, chunk, last);
        } else {
            append(chunk);
            if (last) {
                deliverWhole(text, assembly.flip(), events);
                release();
            }
        }
        if (last) {
            messageOpcode = NO_MESSAGE;
            messageBytes = 0;
            fragments = 0;
            compressed = false;
        }
    }

    private static void deliverWhole(boolean text, ByteBuffer message, ConnectionListener events) {
        if (text) {
            events.onText(message);
        } else {
            events.onBinary(message);
        }
    }

    /**
     * Copies a chunk of a message that spans reads into the assembly buffer. The buffer is sized
     * for the rest of the current frame as its header announced it, but never to more than twice
     * the bytes that have arrived: a message whose first read brings at least half of it is copied
     * into one buffer of its exact size, and an announced length alone never makes us reserve
     * memory the peer has not paid for in bytes (a slow-loris header costs it as much as us).
     */
    private void append(ByteBuffer chunk) throws ProtocolException {
        int n = chunk.remaining();
        long needed = (assembly == null ? 0L : assembly.position()) + n;
        long announced = compressed ? 0 : Math.max(0, frameRest); // inflated sizes are not announced
        long ahead = Math.min(announced, needed);
        if (assembly != null && assembly.remaining() >= n) {
            assembly.put(chunk);
            return;
        }
        long wanted = needed + ahead;
        if (assembly != null && (ahead < announced || announced == 0)) {
            // More may come than we know of or trust (a later frame, inflated bytes): amortise.
            wanted = Math.max(wanted, assembly.capacity() * 2L);
        }
        if (limits.maxMessageBytes() != Limits.NO_LIMIT) {
            wanted = Math.min(wanted, Math.max(limits.maxMessageBytes(), needed));
        }
        int capacity = (int) Math.min(Math.max(wanted, assembly == null ? 256 : 0), Integer.MAX_VALUE - 8);
        reserve(capacity - (assembly == null ? 0 : assembly.capacity())); // the budget counts the buffer's size
        ByteBuffer grown = ByteBuffer.allocate(capacity);
        if (assembly != null) {
            grown.put(assembly.flip());
        }
        assembly = grown;
        assembly.put(chunk);
    }

    private void reserve(long bytes) throws ProtocolException {
        if (!memoryBudget.tryReserve(bytes)) {
            throw new ProtocolException(CloseCodes.TRY_AGAIN_LATER,
                    "The server holds too many incomplete messages right now; try again later");
        }
    }

    /** Gives back the assembly buffer (the connection closed, or the message was delivered). */
    void release() {
        if (assembly != null) {
            memoryBudget.release(assembly.capacity());
            assembly = null; // idle connections hold no message buffer
        }
    }
}
