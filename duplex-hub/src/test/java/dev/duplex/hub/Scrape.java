package dev.duplex.hub;

/** Reads one series from the hub's Prometheus text exposition. */
final class Scrape {
    private Scrape() {
    }

    /**
     * The value of {@code series} (the name with its labels exactly as exposed, e.g.
     * {@code duplex_errors_total{code="107"}}); 0 when absent, as for a counter never incremented.
     */
    static double value(Hub hub, String series) {
        return value(hub.metrics().scrape(), series);
    }

    static double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (line.substring(0, space).equals(series)) {
                return Double.parseDouble(line.substring(space + 1));
            }
        }
        return 0;
    }
}
