package dev.duplex.hub.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the hub's JSON and MessagePack codecs with command validation: any bytes a client may send.
 * A decoded command must pass validation again and have every field within its bound, and must
 * survive being encoded and decoded again unchanged; anything else must be a
 * {@link ProtocolException} with code 107 (or 104 for a type the reader does not know) and a
 * one-line message. No other exception may come out
 * (a codec's RuntimeException, a stack overflow on deep nesting, an allocation the input does not
 * pay for). The same bytes are read as a server message (the Java client's side) with the same rule.
 *
 * <p>Input layout: the first byte chooses the codec (even: JSON, odd: MessagePack); the rest is the
 * message.
 */
class HubCodecFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void commands(byte[] input) throws ProtocolException {
        if (input.length == 0) {
            return;
        }
        HubCodec codec = (input[0] & 1) == 0 ? HubCodec.JSON : HubCodec.MSGPACK;
        byte[] message = Arrays.copyOfRange(input, 1, input.length);
        Command command;
        try {
            command = codec.decodeCommand(message);
        } catch (ProtocolException e) {
            checkRefusal(e);
            command = null;
        }
        if (command != null) {
            Commands.validate(command); // must not throw: decodeCommand validated it
            checkBounds(command);
            byte[] again = codec.encode(command);
            Command reread = codec.decodeCommand(again);
            check(reread.equals(command), "a command changed through encode and decode: " + command + " then " + reread);
            if (command instanceof Command.Publish p) {
                try {
                    Payload payload = Payload.encode(p.data(), codec);
                    check(payload.size() >= 0, "a payload with a negative size");
                } catch (ProtocolException e) {
                    checkRefusal(e);
                }
            }
        }
        try {
            codec.decodeServerMessage(message);
        } catch (ProtocolException e) {
            checkRefusal(e);
        }
    }

    private static void checkRefusal(ProtocolException e) {
        check(e.code() == ErrorCode.BAD_REQUEST || e.code() == ErrorCode.UNKNOWN_COMMAND,
                "a refusal with code " + e.code() + ": " + e.getMessage());
        String text = e.getMessage();
        check(text != null && !text.isBlank(), "a refusal without a message");
        check(text.indexOf('\n') < 0, "a refusal message of several lines: " + text);
    }

    private static void checkBounds(Command command) {
        if (command instanceof Command.Connect c) {
            check(c.subs() == null || c.subs().size() <= Commands.MAX_SUBS, "too many subs");
            check(c.token() == null || c.token().length() <= Commands.MAX_TOKEN_LENGTH, "token too long");
        } else if (command instanceof Command.Publish p) {
            checkChannel(p.channel());
            check(p.msgId() == null || p.msgId().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Commands.MAX_ID_BYTES,
                    "msgId too long");
            check(p.key() == null || p.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Commands.MAX_ID_BYTES,
                    "key too long");
        } else if (command instanceof Command.Subscribe s) {
            checkChannel(s.channel());
        } else if (command instanceof Command.History h) {
            checkChannel(h.channel());
            check(h.limit() == null || (h.limit() >= 0 && h.limit() <= Commands.MAX_HISTORY_LIMIT), "limit out of bounds");
        }
    }

    private static void checkChannel(String channel) {
        check(channel != null && !channel.isEmpty() && channel.length() <= Commands.MAX_CHANNEL_LENGTH,
                "a channel name out of bounds: " + channel);
        for (int i = 0; i < channel.length(); i++) {
            check(channel.charAt(i) > ' ' && channel.charAt(i) != 0x7f, "a channel name with a space or control character");
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
