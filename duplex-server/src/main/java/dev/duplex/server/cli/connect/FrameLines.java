package dev.duplex.server.cli.connect;

import dev.duplex.protocol.FrameTrace;

/**
 * One line per frame for {@code duplex connect --frames}: {@code >} written, {@code <} read, then
 * the set header bits, the opcode, the mask bit, the payload length and a Close frame's code and
 * reason, e.g. {@code > FIN text masked len=5}, {@code < FIN RSV1 binary len=120},
 * {@code < FIN close len=5 1000 "bye"}.
 */
public final class FrameLines {
    private FrameLines() {
    }

    public static String format(FrameTrace frame) {
        StringBuilder line = new StringBuilder(48);
        line.append(frame.direction() == FrameTrace.Direction.OUT ? '>' : '<');
        if (frame.fin()) {
            line.append(" FIN");
        }
        if (frame.rsv1()) {
            line.append(" RSV1");
        }
        if (frame.rsv2()) {
            line.append(" RSV2");
        }
        if (frame.rsv3()) {
            line.append(" RSV3");
        }
        line.append(' ').append(frame.opcodeName());
        if (frame.masked()) {
            line.append(" masked");
        }
        line.append(" len=").append(frame.payloadLength());
        if (frame.closeCode() != FrameTrace.NO_CLOSE_CODE) {
            line.append(' ').append(frame.closeCode());
            if (frame.closeReason() != null && !frame.closeReason().isEmpty()) {
                line.append(' ').append(quote(frame.closeReason()));
            }
        }
        return line.toString();
    }

    /** Double quotes, with quotes, backslashes and control characters escaped so one frame stays one line. */
    /**
     * {@code s} safe to print on a terminal: control characters other than tab and newline (escape
     * sequences could clear the screen or rewrite what was printed) are shown as {@code \\uXXXX}.
     */
    public static String printable(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f);
            if (control && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
