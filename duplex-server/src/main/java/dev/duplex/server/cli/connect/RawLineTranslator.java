package dev.duplex.server.cli.connect;

import java.nio.charset.StandardCharsets;

/** Sends each line as it is: a text message, or with {@code binary} its UTF-8 bytes as a binary message. */
public final class RawLineTranslator implements LineTranslator {
    private final boolean binary;

    public RawLineTranslator(boolean binary) {
        this.binary = binary;
    }

    @Override
    public OutgoingMessage translate(String line) {
        return binary ? new OutgoingMessage.Binary(line.getBytes(StandardCharsets.UTF_8)) : new OutgoingMessage.Text(line);
    }
}
