package dev.duplex.server.cli.connect;

/**
 * The mode of {@code duplex connect}: turns a line the user typed (anything but a {@code /}
 * command, which the session handles itself) into the message to send. {@link RawLineTranslator}
 * sends the line as it is; another mode (e.g. an application protocol with short commands such
 * as {@code sub chat:lobby}) plugs in here.
 */
public interface LineTranslator {

    /**
     * The message for {@code line}.
     *
     * @throws IllegalArgumentException with a one-line explanation for the user when the line means
     *     nothing in this mode; nothing is sent
     */
    OutgoingMessage translate(String line);
}
