package dev.duplex.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the Markdown pages (README.md and the other pages at the root, docs/*.md) honest.
 *
 * <p>Every {@code ```java} block must appear in a test source file of the repository
 * ({@code *}{@code /src/test/java/**}{@code /*.java}), line by line and in order, with any lines of
 * the test in between (setup, assertions). Lines are compared without comments and without the
 * whitespace outside string literals; blank lines, comment-only lines and {@code ...} lines of a
 * block are skipped. The ports 8080 and 8443 in a block stand for any expression in the test, which
 * listens on a free port. So an example edited on a page without its test fails here.
 *
 * <p>Every relative link (Markdown links and images, HTML {@code src}/{@code href}) must name a file
 * or folder that exists, and a {@code #fragment} into a Markdown page must name one of its headings.
 */
class DocsExamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Standing for any expression in the test: the examples listen on 8080 (8443 for TLS), tests on a free port. */
    private static final Pattern PORT = Pattern.compile("(?<![0-9])(?:8080|8443)(?![0-9])");

    private static List<Path> pages;
    private static Map<Path, List<String>> testSources;

    @BeforeAll
    static void read() throws IOException {
        try (Stream<Path> top = Files.list(ROOT); Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            pages = Stream.concat(top, docs).filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        testSources = new HashMap<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path tests : modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(tests)) {
                    files.filter(p -> p.toString().endsWith(".java")).forEach(p -> testSources.put(p, normalized(readLines(p))));
                }
            }
        }
        assertThat(pages).as("Markdown pages").contains(ROOT.resolve("README.md"), ROOT.resolve("docs/README.md"));
        assertThat(testSources).as("test sources").hasSizeGreaterThan(50);
    }

    @Test
    void everyJavaBlockOfThePagesIsInATest() {
        List<String> failures = new ArrayList<>();
        int blocks = 0;
        for (Path page : pages) {
            for (Block block : javaBlocks(page)) {
                blocks++;
                String failure = findInTests(block);
                if (failure != null) {
                    failures.add(failure);
                }
            }
        }
        assertThat(blocks).as("java blocks on the pages").isGreaterThanOrEqualTo(8);
        assertThat(failures).as("java blocks with no test holding them").isEmpty();
    }

    @Test
    void theComparisonNoticesAnEditedLineAndIgnoresFormatting() {
        List<String> test = normalized(List.of(
                "WebSocketServer server = WebSocketServer.builder()   // a comment",
                "        .route(\"/echo\", listener)",
                "        assertThat(server).isNotNull();",
                "        .start(0);"));
        assertThat(matches(List.of("WebSocketServer server =", "  WebSocketServer.builder()"), test))
                .as("one line split in two is another example").isFalse();
        assertThat(matches(List.of("WebSocketServer  server = WebSocketServer.builder()", "// ...",
                "    .route(\"/echo\", listener)   // echoes", ".start(8080);"), test)).isTrue();
        assertThat(matches(List.of("WebSocketServer server = WebSocketServer.builder()", ".route(\"/chat\", listener)"), test))
                .as("an edited string").isFalse();
        assertThat(matches(List.of(".route(\"/echo\", listener)", "WebSocketServer server = WebSocketServer.builder()"), test))
                .as("lines out of order").isFalse();
        assertThat(matches(List.of(".start(9090);"), test)).as("other numbers are compared").isFalse();
    }

    @Test
    void everyRelativeLinkOfThePagesResolves() {
        Pattern markdownLink = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
        Pattern htmlLink = Pattern.compile("(?:src|href)=\"([^\"]+)\"");
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            List<String> lines = readLines(page);
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                String text = line.replaceAll("`[^`]*`", "");
                for (Pattern p : List.of(markdownLink, htmlLink)) {
                    Matcher m = p.matcher(text);
                    while (m.find()) {
                        String target = m.group(1);
                        if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                            continue; // https:, mailto: …
                        }
                        checked++;
                        String problem = problemWith(page, target);
                        if (problem != null) {
                            broken.add(ROOT.relativize(page) + ":" + (i + 1) + ": " + target + ": " + problem);
                        }
                    }
                }
            }
        }
        assertThat(checked).as("relative links on the pages").isGreaterThan(30);
        assertThat(broken).as("broken links").isEmpty();
    }

    // ---- links

    private static String problemWith(Path page, String target) {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (!resolved.startsWith(ROOT)) {
            return "outside the repository";
        }
        if (fragment != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(fragment)) {
            return "no heading with the anchor #" + fragment + " in " + ROOT.relativize(resolved);
        }
        return null;
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    private static Set<String> anchors(Path page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : readLines(page)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            }
            if (fenced || !line.matches("#{1,6} .*")) {
                continue;
            }
            String slug = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return anchors;
    }

    // ---- java blocks

    private record Block(Path page, int line, List<String> code) {
    }

    private static List<Block> javaBlocks(Path page) {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = readLines(page);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("```java")) {
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !lines.get(end).strip().startsWith("```")) {
                    end++;
                }
                blocks.add(new Block(page, start, lines.subList(start, end)));
                i = end;
            }
        }
        return blocks;
    }

    /** Null when some test holds the block; otherwise what to fix, with the test that came closest. */
    private static String findInTests(Block block) {
        List<String> wanted = normalized(block.code()).stream()
                .filter(line -> !line.equals("...") && !line.equals("…"))
                .toList();
        if (wanted.isEmpty()) {
            return null;
        }
        Path closest = null;
        int best = -1;
        for (Map.Entry<Path, List<String>> source : testSources.entrySet()) {
            int found = matchedPrefix(wanted, source.getValue());
            if (found == wanted.size()) {
                return null;
            }
            if (found > best) {
                best = found;
                closest = source.getKey();
            }
        }
        return ROOT.relativize(block.page()) + ", the java block at line " + block.line() + ": no test holds its line \""
                + wanted.get(best) + "\" after the lines before it (closest: " + ROOT.relativize(closest) + ", "
                + best + " of " + wanted.size() + " lines). Change the test with the page.";
    }

    private static boolean matches(List<String> block, List<String> test) {
        List<String> wanted = normalized(block).stream().filter(l -> !l.equals("...")).toList();
        return matchedPrefix(wanted, test) == wanted.size();
    }

    /** How many of {@code wanted} appear in {@code test} in order (each line of the test used once). */
    private static int matchedPrefix(List<String> wanted, List<String> test) {
        int j = 0;
        for (int i = 0; i < wanted.size(); i++) {
            Pattern pattern = linePattern(wanted.get(i));
            while (j < test.size() && !pattern.matcher(test.get(j)).matches()) {
                j++;
            }
            if (j == test.size()) {
                return i;
            }
            j++;
        }
        return wanted.size();
    }

    private static final Map<String, Pattern> PATTERNS = new HashMap<>();

    private static Pattern linePattern(String line) {
        return PATTERNS.computeIfAbsent(line, l -> {
            StringBuilder regex = new StringBuilder();
            Matcher port = PORT.matcher(l);
            int from = 0;
            while (port.find()) {
                regex.append(Pattern.quote(l.substring(from, port.start()))).append(".+?");
                from = port.end();
            }
            return Pattern.compile(regex.append(Pattern.quote(l.substring(from))).toString());
        });
    }

    /**
     * The lines without comments and without whitespace outside string and character literals;
     * lines left empty are dropped. Block comments and text blocks may span lines.
     */
    static List<String> normalized(List<String> lines) {
        List<String> out = new ArrayList<>();
        boolean inBlockComment = false;
        boolean inTextBlock = false;
        for (String line : lines) {
            StringBuilder b = new StringBuilder();
            int i = 0;
            while (i < line.length()) {
                char c = line.charAt(i);
                if (inBlockComment) {
                    int end = line.indexOf("*/", i);
                    if (end < 0) {
                        i = line.length();
                    } else {
                        inBlockComment = false;
                        i = end + 2;
                    }
                } else if (inTextBlock) {
                    int end = line.indexOf("\"\"\"", i);
                    if (end < 0) {
                        b.append(line, i, line.length());
                        i = line.length();
                    } else {
                        b.append(line, i, end + 3);
                        inTextBlock = false;
                        i = end + 3;
                    }
                } else if (line.startsWith("//", i)) {
                    i = line.length();
                } else if (line.startsWith("/*", i)) {
                    inBlockComment = true;
                    i += 2;
                } else if (line.startsWith("\"\"\"", i)) {
                    b.append("\"\"\"");
                    inTextBlock = true;
                    i += 3;
                } else if (c == '"' || c == '\'') {
                    int end = i + 1;
                    while (end < line.length() && line.charAt(end) != c) {
                        end += line.charAt(end) == '\\' ? 2 : 1;
                    }
                    end = Math.min(end + 1, line.length());
                    b.append(line, i, end);
                    i = end;
                } else {
                    if (!Character.isWhitespace(c)) {
                        b.append(c);
                    }
                    i++;
                }
            }
            if (b.length() > 0) {
                out.add(b.toString());
            }
        }
        return out;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
