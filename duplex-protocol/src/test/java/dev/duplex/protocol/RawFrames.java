package dev.duplex.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds frames byte by byte, independently of {@code FrameWriter}, including frames no correct
 * writer would produce: any RSV bits and opcode, a length field in any encoding or declaring a
 * length other than the payload's, masked or not. Also decodes written frames for assertions.
 */
public final class RawFrames {

    /** How the payload length is encoded on the wire. */
    public enum LengthForm { MINIMAL, BITS_7, BITS_16, BITS_64 }

    private boolean fin = true;
    private int rsv;
    private int opcode;
    private byte[] payload = new byte[0];
    private Integer maskKey;
    private LengthForm lengthForm = LengthForm.MINIMAL;
    private Long declaredLength;

    private RawFrames(int opcode) {
        this.opcode = opcode;
    }

    public static RawFrames frame(int opcode) {
        return new RawFrames(opcode);
    }

    public static RawFrames text(String text) {
        return frame(0x1).payload(text.getBytes(StandardCharsets.UTF_8));
    }

    public static RawFrames binary(byte[] bytes) {
        return frame(0x2).payload(bytes);
    }

    public static RawFrames continuation(byte[] bytes) {
        return frame(0x0).payload(bytes);
    }

    public static RawFrames ping(byte[] bytes) {
        return frame(0x9).payload(bytes);
    }

    public static RawFrames pong(byte[] bytes) {
        return frame(0xA).payload(bytes);
    }

    /** A Close frame with no payload. */
    public static RawFrames close() {
        return frame(0x8);
    }

    /** A Close frame with a code and a UTF-8 reason. */
    public static RawFrames close(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return frame(0x8).payload(p);
    }

    public RawFrames fin(boolean value) {
        fin = value;
        return this;
    }

    /** RSV bits as they sit in the first byte: 0x40, 0x20, 0x10. */
    public RawFrames rsv(int bits) {
        rsv = bits;
        return this;
    }

    public RawFrames opcode(int value) {
        opcode = value;
        return this;
    }

    public RawFrames payload(byte[] bytes) {
        payload = bytes.clone();
        return this;
    }

    public RawFrames payload(String utf8) {
        return payload(utf8.getBytes(StandardCharsets.UTF_8));
    }

    public RawFrames mask(int key) {
        maskKey = key;
        return this;
    }

    public RawFrames unmasked() {
        maskKey = null;
        return this;
    }

    /** Masked as a client must; the mask key is arbitrary but fixed. */
    public RawFrames masked() {
        return mask(0x37fa213d);
    }

    public RawFrames lengthForm(LengthForm form) {
        lengthForm = form;
        return this;
    }

    /** Writes this length in the header instead of the payload's. */
    public RawFrames declaredLength(long length) {
        declaredLength = length;
        return this;
    }

    /** The frame's bytes. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv & 0x70) | (opcode & 0x0F));
        long length = declaredLength != null ? declaredLength : payload.length;
        int maskBit = maskKey != null ? 0x80 : 0;
        LengthForm form = lengthForm;
        if (form == LengthForm.MINIMAL) {
            form = length <= 125 ? LengthForm.BITS_7 : length <= 0xFFFF ? LengthForm.BITS_16 : LengthForm.BITS_64;
        }
        switch (form) {
            case BITS_7 -> out.write(maskBit | (int) length);
            case BITS_16 -> {
                out.write(maskBit | 126);
                out.write((int) (length >>> 8) & 0xFF);
                out.write((int) length & 0xFF);
            }
            case BITS_64 -> {
                out.write(maskBit | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (length >>> shift) & 0xFF);
                }
            }
            default -> throw new AssertionError(form);
        }
        byte[] body = payload.clone();
        if (maskKey != null) {
            byte[] key = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) (int) maskKey};
            out.writeBytes(key);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= key[i & 3];
            }
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Concatenates byte arrays, e.g. several frames into one read. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ decoding

    /** A frame as decoded by {@link #decode}; the payload is already unmasked. */
    public record Frame(boolean fin, int rsv, int opcode, boolean masked, int maskKey, byte[] payload) {
        public int closeCode() {
            if (opcode != 0x8 || payload.length < 2) {
                throw new AssertionError("Not a Close frame with a code: " + this);
            }
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        public String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && fin == f.fin && rsv == f.rsv && opcode == f.opcode && masked == f.masked
                    && maskKey == f.maskKey && Arrays.equals(payload, f.payload);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(payload) + 31 * opcode;
        }

        @Override
        public String toString() {
            return "Frame[fin=" + fin + ", rsv=" + rsv + ", opcode=" + opcode + ", masked=" + masked
                    + ", payload=" + (payload.length <= 32 ? Hex.of(payload) : payload.length + " bytes") + "]";
        }
    }

    /** Decodes a sequence of complete frames; fails if the bytes end inside one. */
    public static List<Frame> decode(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            if (bytes.length - i < 2) {
                throw new AssertionError("Truncated frame header at " + i);
            }
            int b0 = bytes[i] & 0xFF;
            int b1 = bytes[i + 1] & 0xFF;
            i += 2;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = ((bytes[i] & 0xFFL) << 8) | (bytes[i + 1] & 0xFFL);
                i += 2;
            } else if (length == 127) {
                length = 0;
                for (int k = 0; k < 8; k++) {
                    length = (length << 8) | (bytes[i + k] & 0xFFL);
                }
                i += 8;
            }
            boolean masked = (b1 & 0x80) != 0;
            int key = 0;
            byte[] keyBytes = new byte[4];
            if (masked) {
                System.arraycopy(bytes, i, keyBytes, 0, 4);
                key = ((keyBytes[0] & 0xFF) << 24) | ((keyBytes[1] & 0xFF) << 16) | ((keyBytes[2] & 0xFF) << 8) | (keyBytes[3] & 0xFF);
                i += 4;
            }
            if (length > bytes.length - i) {
                throw new AssertionError("Truncated frame payload: " + length + " declared, " + (bytes.length - i) + " left");
            }
            byte[] payload = Arrays.copyOfRange(bytes, i, i + (int) length);
            if (masked) {
                for (int k = 0; k < payload.length; k++) {
                    payload[k] ^= keyBytes[k & 3];
                }
            }
            i += (int) length;
            frames.add(new Frame((b0 & 0x80) != 0, b0 & 0x70, b0 & 0x0F, masked, key, payload));
        }
        return frames;
    }
}
