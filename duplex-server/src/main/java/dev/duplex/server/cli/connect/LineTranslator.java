package dev.duplex.server.cli.connect;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The mode of {@code duplex connect}: turns a line the user typed (anything but a {@code /}
 * command, which the session handles itself) into the message to send, and a received text message
 * into what is printed. {@link RawLineTranslator} sends lines and prints messages as they are;
 * {@link HubLineTranslator} speaks the hub protocol with short commands such as {@code sub chat:lobby}.
 *
 * <p>{@link #translate} runs on the input thread, {@link #describe} on the connection's event loop.
 */
public interface LineTranslator {

    /**
     * The message for {@code line}, or null to send nothing (a blank line, say).
     *
     * @throws IllegalArgumentException with a one-line explanation for the user when the line means
     *     nothing in this mode; nothing is sent
     */
    OutgoingMessage translate(String line);

    /**
     * The connection is open: {@code sender} sends a message on it, from any thread, for what the mode
     * sends on its own (a protocol's keep-alive). Called before {@link #onOpen}.
     */
    default void attach(Consumer<OutgoingMessage> sender) {
    }

    /** The connection closed: stop whatever {@link #attach} started. */
    default void detach() {
    }

    /** Messages to send as soon as the connection is open, before any line (a protocol's hello). */
    default List<OutgoingMessage> onOpen() {
        return List.of();
    }

    /** What to print for a received text message (several lines allowed), or null for nothing. */
    default String describe(String text) {
        return text;
    }

    /** How typed lines work in this mode, for the "Connected" line; null for "Type lines to send". */
    default String help() {
        return null;
    }

    /**
     * Completes when every message sent so far that expects a reply has had it. The end of input
     * waits for it (briefly) before closing, so that the last replies are printed.
     */
    default CompletableFuture<Void> settled() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Whether the server said it is about to close the connection (a protocol's own "goodbye"): the
     * end of input then waits for the server's Close instead of sending one.
     */
    default boolean serverClosing() {
        return false;
    }
}
