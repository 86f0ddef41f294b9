package dev.duplex.bench.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code duplex bench …} as its own process and returns its one-line JSON summary. */
final class LoadGenerator {
    private final Path root;
    private final List<String> jvmOptions;
    private final List<String> launch;

    /** @param launch words before the command, e.g. {@code taskset -c 0}, or none */
    LoadGenerator(Path root, List<String> jvmOptions, List<String> launch) {
        this.root = root;
        this.jvmOptions = jvmOptions;
        this.launch = launch;
    }

    Map<String, String> run(List<String> benchArgs, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launch);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", "duplex-server/target/duplex.jar", "bench"));
        command.addAll(benchArgs);
        Process process = new ProcessBuilder(command).directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("duplex bench did not finish within " + timeoutSeconds + " s: " + String.join(" ", benchArgs));
        }
        String json = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                json = line;
            }
        }
        if (json == null) {
            throw new IOException("duplex bench printed no JSON summary (exit " + process.exitValue() + "):\n" + out);
        }
        return FlatJson.parse(json);
    }
}
