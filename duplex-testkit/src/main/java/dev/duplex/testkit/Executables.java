package dev.duplex.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the programs tests start (redis-server, nats-server, mosquitto…) on the PATH, or says how to get them. */
public final class Executables {
    private Executables() {
    }

    /**
     * The program {@code name} from the PATH; fails with a message naming the Debian package that
     * holds it ({@code ./test-all} installs it) when it is missing. Never a silent skip.
     */
    public static Path require(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("'" + name + "' is needed by this test and is not on the PATH (" + path
                + "): install the Debian package " + debianPackage + " (./test-all does)");
    }
}
