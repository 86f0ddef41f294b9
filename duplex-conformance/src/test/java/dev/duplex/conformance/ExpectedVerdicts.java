package dev.duplex.conformance;

import dev.duplex.conformance.cases.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The expected-results file {@code expected-verdicts.txt}: one "id verdict" line per case,
 * optionally prefixed with "server" or "client" to override one side, comments after "#". A
 * verdict may list alternatives ("OK|INFORMATIONAL") for an outcome that depends on timing.
 */
final class ExpectedVerdicts {
    static final String RESOURCE = "/expected-verdicts.txt";

    /** The verdicts accepted ("OK|INFORMATIONAL" for a case whose outcome depends on timing) and the reason written next to them. */
    record Expectation(java.util.Set<Verdict> verdicts, String reason) {
        boolean accepts(Verdict v) {
            return verdicts.contains(v);
        }
    }

    private final Map<String, Expectation> both = new LinkedHashMap<>();
    private final Map<String, Expectation> server = new LinkedHashMap<>();
    private final Map<String, Expectation> client = new LinkedHashMap<>();

    private ExpectedVerdicts() {
    }

    static ExpectedVerdicts load() {
        ExpectedVerdicts e = new ExpectedVerdicts();
        try (InputStream in = ExpectedVerdicts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the test resources");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                int hash = line.indexOf('#');
                String reason = hash < 0 ? "" : line.substring(hash + 1).trim();
                String body = (hash < 0 ? line : line.substring(0, hash)).trim();
                if (body.isEmpty()) {
                    continue;
                }
                String[] f = body.split("\\s+");
                Map<String, Expectation> target = e.both;
                int at = 0;
                if (f[0].equals("server") || f[0].equals("client")) {
                    target = f[0].equals("server") ? e.server : e.client;
                    at = 1;
                }
                if (f.length != at + 2) {
                    throw new IllegalStateException(RESOURCE + ":" + n + ": expected \"[server|client] <id> <verdict>\": " + line);
                }
                java.util.Set<Verdict> v = java.util.EnumSet.noneOf(Verdict.class);
                for (String one : f[at + 1].split("\\|")) {
                    v.add(Verdict.parse(one));
                }
                if (!v.equals(java.util.Set.of(Verdict.OK)) && reason.isEmpty()) {
                    throw new IllegalStateException(RESOURCE + ":" + n + ": a verdict other than OK needs its reason after #");
                }
                target.put(f[at], new Expectation(v, reason));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return e;
    }

    /** Case ids listed for both sides, in file order. */
    java.util.Set<String> ids() {
        return both.keySet();
    }

    Expectation forServer(String id) {
        return server.getOrDefault(id, both.get(id));
    }

    Expectation forClient(String id) {
        return client.getOrDefault(id, both.get(id));
    }
}
