package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.hex;

import java.util.ArrayList;
import java.util.List;

/**
 * The UTF-8 samples of Autobahn 6.5–6.23, grouped as in Markus Kuhn's UTF-8 decoder stress test
 * (the source Autobahn draws them from). Each group becomes one subsection; each sample one case.
 */
final class Utf8Sequences {

    /** One sample: its octets and whether they are valid UTF-8. */
    record Sample(boolean valid, byte[] bytes) {
    }

    /** One subsection: a title and its samples. */
    record Group(String title, List<Sample> samples) {
    }

    /** κόσμε, "world" in Greek: 2- and 3-octet code points. */
    static final byte[] KOSME = hex("ceba e1bdb9 cf83 cebc ceb5");

    private Utf8Sequences() {
    }

    static List<Group> groups() {
        List<Group> g = new ArrayList<>();
        g.add(group("Some valid UTF-8 sequences", valid("68656c6c6f24776f726c64"), valid("68656c6c6fc2a2776f726c64"),
                valid("68656c6c6fe282ac776f726c64"), valid("68656c6c6ff0a4ada2776f726c64"), new Sample(true, KOSME)));
        g.add(prefixesOfKosme());
        g.add(group("First possible sequence of a certain length", valid("00"), valid("c280"), valid("e0a080"), valid("f0908080")));
        g.add(group("First possible sequence length 5/6 (invalid code points)", invalid("f888808080"), invalid("fc8480808080")));
        g.add(group("Last possible sequence of a certain length", valid("7f"), valid("dfbf"), valid("efbfbf"), valid("f48fbfbf")));
        g.add(group("Last possible sequence length 4/5/6 (invalid code points)", invalid("f7bfbfbf"), invalid("fbbfbfbfbf"),
                invalid("fdbfbfbfbfbf")));
        g.add(group("Other boundary conditions", valid("ed9fbf"), valid("ee8080"), valid("efbfbd"), valid("f48fbfbf"),
                invalid("f4908080")));
        g.add(unexpectedContinuations());
        g.add(lonelyStarts());
        String[] truncated = {"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"};
        List<Sample> missing = new ArrayList<>();
        for (String t : truncated) {
            missing.add(invalid(t));
        }
        g.add(new Group("Sequences with last continuation byte missing", missing));
        g.add(group("Concatenation of incomplete sequences", invalid(String.join("", truncated))));
        g.add(group("Impossible bytes", invalid("fe"), invalid("ff"), invalid("fefeffff")));
        g.add(group("Examples of an overlong ASCII character", invalid("c0af"), invalid("e080af"), invalid("f08080af"),
                invalid("f8808080af"), invalid("fc80808080af")));
        g.add(group("Maximum overlong sequences", invalid("c1bf"), invalid("e09fbf"), invalid("f08fbfbf"), invalid("f887bfbfbf"),
                invalid("fc83bfbfbfbf")));
        g.add(group("Overlong representation of the NUL character", invalid("c080"), invalid("e08080"), invalid("f0808080"),
                invalid("f880808080"), invalid("fc8080808080")));
        g.add(group("Single UTF-16 surrogates", invalid("eda080"), invalid("edadbf"), invalid("edae80"), invalid("edafbf"),
                invalid("edb080"), invalid("edbe80"), invalid("edbfbf")));
        g.add(group("Paired UTF-16 surrogates", invalid("eda080edb080"), invalid("eda080edbfbf"), invalid("edadbfedb080"),
                invalid("edadbfedbfbf"), invalid("edae80edb080"), invalid("edae80edbfbf"), invalid("edafbfedb080"),
                invalid("edafbfedbfbf")));
        g.add(nonCharacters());
        g.add(group("Unicode specials (i.e. replacement char)", valid("efbfb9"), valid("efbfba"), valid("efbfbb"), valid("efbfbc"),
                valid("efbfbd"), valid("efbfbe"), valid("efbfbf")));
        return g;
    }

    /** Every prefix of κόσμε; valid exactly when it ends on a code point boundary. */
    private static Group prefixesOfKosme() {
        List<Sample> s = new ArrayList<>();
        for (int n = 1; n <= KOSME.length; n++) {
            byte[] prefix = java.util.Arrays.copyOf(KOSME, n);
            boolean boundary = n == KOSME.length || (KOSME[n] & 0xC0) != 0x80;
            s.add(new Sample(boundary, prefix));
        }
        return new Group("All prefixes of a valid UTF-8 string that contains multi-byte code points", s);
    }

    /** 0x80, 0xbf, then runs of continuation octets, then 0x80…0xbe in one sample. */
    private static Group unexpectedContinuations() {
        List<Sample> s = new ArrayList<>(List.of(invalid("80"), invalid("bf"), invalid("80bf"), invalid("80bf80"), invalid("80bf80bf"),
                invalid("80bf80bf80"), invalid("80bf80bf80bf")));
        byte[] run = new byte[0xbf - 0x80];
        for (int i = 0; i < run.length; i++) {
            run[i] = (byte) (0x80 + i);
        }
        s.add(new Sample(false, run));
        return new Group("Unexpected continuation bytes", s);
    }

    /** Each start octet of a range followed by a space, the range's last octet excluded (as Autobahn builds them). */
    private static Group lonelyStarts() {
        int[][] ranges = {{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
        List<Sample> s = new ArrayList<>();
        for (int[] r : ranges) {
            byte[] b = new byte[(r[1] - r[0]) * 2];
            for (int i = r[0], at = 0; i < r[1]; i++) {
                b[at++] = (byte) i;
                b[at++] = 0x20;
            }
            s.add(new Sample(false, b));
        }
        return new Group("Lonely start characters", s);
    }

    /** Non-characters U+FFFE, U+FFFF and U+nFFFE/U+nFFFF of planes 1–16: valid UTF-8. */
    private static Group nonCharacters() {
        List<Sample> s = new ArrayList<>(List.of(valid("efbfbe"), valid("efbfbf")));
        int[] firsts = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4};
        int[] seconds = {0x8f, 0x9f, 0xaf, 0xbf};
        for (int a : firsts) {
            for (int b : seconds) {
                if (a == 0xf4 && b != 0x8f) {
                    continue; // beyond U+10FFFF
                }
                for (int d : new int[] {0xbe, 0xbf}) {
                    if (a == 0xf0 && b == 0x8f) {
                        continue; // overlong
                    }
                    s.add(new Sample(true, new byte[] {(byte) a, (byte) b, (byte) 0xbf, (byte) d}));
                }
            }
        }
        return new Group("Non-character code points (valid UTF-8)", s);
    }

    private static Group group(String title, Sample... samples) {
        return new Group(title, List.of(samples));
    }

    private static Sample valid(String hex) {
        return new Sample(true, hex(hex));
    }

    private static Sample invalid(String hex) {
        return new Sample(false, hex(hex));
    }
}
