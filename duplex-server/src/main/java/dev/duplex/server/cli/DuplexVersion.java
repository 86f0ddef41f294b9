package dev.duplex.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The version of this build, as the pom states it: the build writes it into
 * {@code version.properties}, so the pom stays the only place it is set.
 */
public final class DuplexVersion implements CommandLine.IVersionProvider {
    private static final String VERSION = load();

    /** The pom's version, for example {@code 0.1.0} or {@code 0.2.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"duplex " + VERSION};
    }

    private static String load() {
        try (InputStream in = DuplexVersion.class.getResourceAsStream("/dev/duplex/server/version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the jar: the build did not run resource filtering");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
