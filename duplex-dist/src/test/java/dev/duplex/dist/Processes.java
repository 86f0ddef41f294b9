package dev.duplex.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs short commands for the distribution tests, with an environment free of the build's own settings. */
final class Processes {
    private Processes() {}

    /**
     * A process builder whose environment holds none of the Maven, Java-options or Duplex variables of
     * the build that runs the tests, so the command sees what a newcomer's shell would give it.
     */
    static ProcessBuilder clean(Path directory, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("MAVEN_") || name.startsWith("DUPLEX_") || name.equals("JAVA_OPTS")
                || name.equals("JAVA_TOOL_OPTIONS") || name.equals("MAVEN_CONFIG"));
        return builder;
    }

    /** Runs {@code builder} to its end (at most {@code limit}) and returns its output; fails on a non-zero exit. */
    static String run(ProcessBuilder builder, Duration limit) throws IOException, InterruptedException {
        Process process = builder.redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // ends when the process closes its output
        assertThat(process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)).as("%s ended within %s", builder.command(), limit).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit code of %s; its output:%n%s", builder.command(), text).isZero();
        return text;
    }
}
