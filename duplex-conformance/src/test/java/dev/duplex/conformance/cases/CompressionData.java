package dev.duplex.conformance.cases;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The payload sources of Autobahn sections 12 and 13, generated here (deterministically, from fixed
 * seeds) rather than copied: Autobahn ships a JSON file, a 512×512 grey-scale bitmap, Goethe's
 * Faust I, an HTML page and a PDF. Ours have the same kinds and roughly the same sizes: two UTF-8
 * texts with non-ASCII characters sent as text, German verse and a bitmap sent as binary, and a
 * "PDF" that is mostly random octets, so incompressible data is covered too.
 *
 * <p>Messages are cut from a source as Autobahn does: message {@code i} of length {@code n} starts
 * where message {@code i - 1} ended and wraps around the end. Text sources are cut by characters
 * (all in the Basic Multilingual Plane), so a message of 1024 characters may be longer in UTF-8.
 */
enum CompressionData {
    JSON("JSON records (synthetic, UTF-8 text)", true),
    BITMAP("512×512 grey-scale bitmap (synthetic, binary)", false),
    VERSE("German verse (synthetic, UTF-8 sent as binary)", false),
    HTML("HTML page (synthetic, UTF-8 text)", true),
    PDF("PDF-like file, mostly incompressible (synthetic, binary)", false);

    private static final int SIZE = 200_000;

    private final String description;
    private final boolean text;
    private volatile Object data; // String for text, byte[] for binary

    CompressionData(String description, boolean text) {
        this.description = description;
        this.text = text;
    }

    String description() {
        return description;
    }

    boolean text() {
        return text;
    }

    /** Message {@code index} of {@code length} characters (text) or octets (binary), as sent on the wire. */
    byte[] message(int length, int index) {
        if (text) {
            String s = (String) source();
            int from = (int) ((long) index * length % s.length());
            StringBuilder b = new StringBuilder(length);
            int left = length;
            while (left > 0) {
                int n = Math.min(left, s.length() - from);
                b.append(s, from, from + n);
                left -= n;
                from = 0;
            }
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] s = (byte[]) source();
        byte[] out = new byte[length];
        int from = (int) ((long) index * length % s.length);
        for (int at = 0; at < length; ) {
            int n = Math.min(length - at, s.length - from);
            System.arraycopy(s, from, out, at, n);
            at += n;
            from = 0;
        }
        return out;
    }

    /** The whole source, generated once. */
    Object source() {
        Object d = data;
        if (d == null) {
            synchronized (this) {
                d = data;
                if (d == null) {
                    d = generate();
                    data = d;
                }
            }
        }
        return d;
    }

    private Object generate() {
        Random r = new Random(ordinal() * 7919L + 12);
        return switch (this) {
            case JSON -> json(r);
            case BITMAP -> bitmap(r);
            case VERSE -> verse(r).getBytes(StandardCharsets.UTF_8);
            case HTML -> html(r);
            case PDF -> pdf(r);
        };
    }

    private static final String[] FIRST = {"Anna", "Jürgen", "Zoë", "Åsa", "Łukasz", "Søren", "José", "Mei", "Olivier", "Nadia",
        "Ørjan", "Françoise", "Dmitri", "Ayşe", "Björn", "Renée", "Tomás", "Hana", "Kwame", "Ines"};
    private static final String[] LAST = {"Müller", "García", "Nørgaard", "Öztürk", "Dvořák", "Smith", "Lefèvre", "Kowalski",
        "Tanaka", "Ibáñez", "Schröder", "Björk", "Żak", "Ferreira", "O'Brien", "Weiß"};
    private static final String[] WORDS = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
        "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim", "ad", "minim",
        "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo", "café",
        "naïve", "façade", "smörgåsbord", "—", "€", "½"};
    private static final String[] GERMAN = {"Habe", "nun", "ach", "Philosophie", "Juristerei", "und", "Medizin", "leider",
        "auch", "Theologie", "durchaus", "studiert", "mit", "heißem", "Bemühn", "Da", "steh", "ich", "armer", "Tor", "bin",
        "so", "klug", "als", "wie", "zuvor", "heiße", "Magister", "Doktor", "gar", "zieh", "schon", "an", "die", "zehen",
        "Jahr", "Herauf", "herab", "quer", "krumm", "meine", "Schüler", "der", "Nase", "herum", "sehe", "daß", "wir",
        "nichts", "wissen", "können", "Das", "will", "mir", "schier", "Herz", "verbrennen", "Zwar", "gescheiter", "Laffen",
        "Schreiber", "Pfaffen", "Mich", "plagen", "keine", "Skrupel", "Zweifel", "fürchte", "weder", "Hölle", "noch",
        "Teufel", "Dafür", "ist", "alle", "Freud", "entrissen", "Grün", "Gretchen", "Wälder", "Flüsse", "Mädchen", "Schönheit"};
    private static final String[] SPEAKERS = {"FAUST", "MEPHISTOPHELES", "MARGARETE", "WAGNER", "MARTHE", "CHOR DER ENGEL"};

    private static String json(Random r) {
        StringBuilder s = new StringBuilder(SIZE + 2048).append("[\n");
        for (int id = 0; s.length() < SIZE; id++) {
            if (id > 0) {
                s.append(",\n");
            }
            String first = pick(r, FIRST);
            String last = pick(r, LAST);
            s.append("  {\n    \"id\": ").append(id)
                    .append(",\n    \"guid\": \"").append(Long.toHexString(r.nextLong())).append('-').append(Integer.toHexString(r.nextInt()))
                    .append("\",\n    \"isActive\": ").append(r.nextBoolean())
                    .append(",\n    \"balance\": \"$").append(1000 + r.nextInt(3000)).append('.').append(10 + r.nextInt(90))
                    .append("\",\n    \"age\": ").append(20 + r.nextInt(45))
                    .append(",\n    \"name\": \"").append(first).append(' ').append(last)
                    .append("\",\n    \"email\": \"").append(ascii(first)).append('.').append(ascii(last)).append("@example.com")
                    .append("\",\n    \"about\": \"").append(sentence(r, WORDS, 12 + r.nextInt(20)))
                    .append("\",\n    \"latitude\": ").append(r.nextDouble() * 180 - 90)
                    .append(",\n    \"longitude\": ").append(r.nextDouble() * 360 - 180)
                    .append(",\n    \"tags\": [");
            for (int t = 0, n = 2 + r.nextInt(5); t < n; t++) {
                s.append(t == 0 ? "" : ", ").append('"').append(pick(r, WORDS)).append('"');
            }
            s.append("],\n    \"friends\": [");
            for (int f = 0, n = 1 + r.nextInt(3); f < n; f++) {
                s.append(f == 0 ? "" : ", ").append("{\"id\": ").append(r.nextInt(1000)).append(", \"name\": \"")
                        .append(pick(r, FIRST)).append(' ').append(pick(r, LAST)).append("\"}");
            }
            s.append("]\n  }");
        }
        return s.append("\n]\n").toString();
    }

    private static byte[] bitmap(Random r) {
        int w = 512;
        int h = 512;
        int header = 14 + 40 + 256 * 4;
        int size = header + w * h;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write('B');
        out.write('M');
        le32(out, size);
        le32(out, 0);
        le32(out, header);
        le32(out, 40);
        le32(out, w);
        le32(out, h);
        le16(out, 1);
        le16(out, 8);
        le32(out, 0);
        le32(out, w * h);
        le32(out, 2835);
        le32(out, 2835);
        le32(out, 256);
        le32(out, 0);
        for (int i = 0; i < 256; i++) {
            out.write(i);
            out.write(i);
            out.write(i);
            out.write(0);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 128 + 60 * Math.sin(x / 23.0) * Math.cos(y / 31.0) + 40 * Math.sin((x + 2 * y) / 57.0)
                        + (x * y % 97 < 3 ? 30 : 0) + r.nextGaussian() * 5;
                out.write((int) Math.max(0, Math.min(255, Math.round(v))));
            }
        }
        return out.toByteArray();
    }

    private static String verse(Random r) {
        StringBuilder s = new StringBuilder(SIZE + 256);
        while (s.length() < SIZE * 0.97) {
            s.append("\n").append(pick(r, SPEAKERS)).append(":\n");
            for (int line = 0, n = 2 + r.nextInt(10); line < n; line++) {
                String l = sentence(r, GERMAN, 4 + r.nextInt(6));
                s.append(Character.toUpperCase(l.charAt(0))).append(l, 1, l.length()).append(r.nextInt(4) == 0 ? "!" : ",").append('\n');
            }
        }
        return s.toString();
    }

    private static String html(Random r) {
        StringBuilder s = new StringBuilder(SIZE + 2048)
                .append("<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n<title>Übersicht — Beispiel</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/static/css/styles.css\">\n</head>\n<body>\n<div id=\"content\">\n");
        for (int section = 0; s.length() < SIZE; section++) {
            s.append("<div class=\"section\" id=\"s").append(section).append("\">\n<h2>").append(sentence(r, WORDS, 3 + r.nextInt(4)))
                    .append("</h2>\n");
            for (int p = 0, n = 1 + r.nextInt(3); p < n; p++) {
                s.append("<p class=\"text\">").append(sentence(r, WORDS, 20 + r.nextInt(40)))
                        .append(" <a href=\"https://example.com/").append(pick(r, WORDS)).append('/').append(r.nextInt(10000))
                        .append("\">“").append(pick(r, FIRST)).append("”</a>.</p>\n");
            }
            s.append("<table class=\"data\">\n");
            for (int row = 0, n = r.nextInt(5); row < n; row++) {
                s.append("<tr><td>").append(pick(r, LAST)).append("</td><td>").append(r.nextInt(100000)).append("</td><td>")
                        .append(pick(r, WORDS)).append("</td></tr>\n");
            }
            s.append("</table>\n</div>\n");
        }
        return s.append("</div>\n</body>\n</html>\n").toString();
    }

    private static byte[] pdf(Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + 4096);
        out.writeBytes("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n".getBytes(StandardCharsets.ISO_8859_1));
        for (int obj = 1; out.size() < SIZE; obj++) {
            if (obj % 4 == 0) {
                String text = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + (obj + 1) + " 0 R /Resources << /Font << /F1 "
                        + r.nextInt(40) + " 0 R >> >> >>";
                out.writeBytes((obj + " 0 obj\n" + text + "\nendobj\n").getBytes(StandardCharsets.ISO_8859_1));
            } else {
                byte[] stream = new byte[2000 + r.nextInt(12000)];
                r.nextBytes(stream); // what a FlateDecode stream looks like to a second compressor
                out.writeBytes((obj + " 0 obj\n<< /Length " + stream.length + " /Filter /FlateDecode >>\nstream\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.writeBytes(stream);
                out.writeBytes("\nendstream\nendobj\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        out.writeBytes("trailer\n<< /Size 1 /Root 1 0 R >>\n%%EOF\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static String sentence(Random r, String[] words, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(pick(r, words));
        }
        return s.toString();
    }

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 128 && Character.isLetter(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString();
    }

    private static void le16(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        le16(out, v);
        le16(out, v >>> 16);
    }
}
