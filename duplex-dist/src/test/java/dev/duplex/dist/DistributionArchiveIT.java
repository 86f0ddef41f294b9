package dev.duplex.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as a user meets it: unpacked into a folder that has nothing to do with
 * the repository, run from yet another folder, and through a symbolic link.
 */
class DistributionArchiveIT {
    private static final String VERSION = System.getProperty("duplex.version");

    @TempDir
    Path temp;

    private Path home;

    @BeforeEach
    void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("duplex.archive"));
        assertThat(archive).as("./mvnw package builds the archive").exists();
        assertThat(archive.getFileName().toString()).isEqualTo("duplex-" + VERSION + ".tar.gz");
        Path unpacked = Files.createDirectory(temp.resolve("opt"));
        Processes.run(Processes.clean(unpacked, List.of("tar", "-xzf", archive.toString())), Duration.ofMinutes(1));
        try (var top = Files.list(unpacked)) {
            assertThat(top.map(p -> p.getFileName().toString())).as("one folder at the top of the archive")
                    .containsExactly("duplex-" + VERSION);
        }
        home = unpacked.resolve("duplex-" + VERSION);
    }

    @Test
    void holdsTheLauncherTheJarTheExampleConfigurationTheLicenseAndAReadme() throws Exception {
        assertThat(home.resolve("bin/duplex")).isRegularFile().isExecutable();
        assertThat(home.resolve("lib/duplex.jar")).isRegularFile();
        assertThat(home.resolve("duplex.example.yaml")).isRegularFile();
        assertThat(home.resolve("CHANGELOG.md")).isRegularFile();
        assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License").contains("Version 2.0");
        assertThat(Files.readString(home.resolve("README.md"))).contains("# Duplex " + VERSION).contains("bin/duplex serve");
    }

    @Test
    void theJarCarriesNoBenchmarkPeersAndNoConformanceHarness() throws Exception {
        try (JarFile jar = new JarFile(home.resolve("lib/duplex.jar").toFile())) {
            List<String> unwanted = jar.stream().map(e -> e.getName())
                    // Netty itself is in the jar now (Lettuce, the Redis broker's client, runs on it);
                    // its HTTP and WebSocket codecs are what only the Netty benchmark peer uses.
                    .filter(name -> name.startsWith("io/netty/handler/codec/http/") || name.startsWith("org/eclipse/jetty/")
                            || name.startsWith("io/vertx/") || name.startsWith("org/java_websocket/")
                            || name.startsWith("org/openjdk/jmh/") || name.startsWith("org/junit/")
                            || name.startsWith("dev/duplex/conformance/fuzzing/") || name.startsWith("dev/duplex/conformance/cases/")
                            || name.startsWith("dev/duplex/bench/") || name.startsWith("dev/duplex/testkit/"))
                    .collect(Collectors.toList());
            assertThat(unwanted).as("classes that serve never needs").isEmpty();
            assertThat(jar.getEntry("dev/duplex/server/cli/DuplexCommand.class")).isNotNull();
        }
    }

    @Test
    void runsFromAnyFolderAndThroughASymbolicLink() throws Exception {
        Path elsewhere = Files.createDirectory(temp.resolve("elsewhere"));
        String direct = Processes.run(Processes.clean(elsewhere, List.of(home.resolve("bin/duplex").toString(), "--version")),
                Duration.ofMinutes(1));
        assertThat(direct.strip()).isEqualTo("duplex " + VERSION);

        Path links = Files.createDirectory(temp.resolve("usr-local-bin"));
        Path link = Files.createSymbolicLink(links.resolve("duplex"), home.resolve("bin/duplex"));
        String linked = Processes.run(Processes.clean(elsewhere, List.of(link.toString(), "--version")), Duration.ofMinutes(1));
        assertThat(linked.strip()).isEqualTo("duplex " + VERSION);
    }

    @Test
    void theShippedExampleConfigurationIsValid() throws Exception {
        String printed = Processes.run(Processes.clean(home,
                List.of("bin/duplex", "serve", "--config", "duplex.example.yaml", "--print-config")), Duration.ofMinutes(1));
        assertThat(printed).contains("port:");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void servesTheDashboardAndStopsOnSigterm() throws Exception {
        Path elsewhere = Files.createDirectory(temp.resolve("workdir"));
        ProcessBuilder serve = Processes.clean(elsewhere, List.of(home.resolve("bin/duplex").toString(), "serve"));
        serve.environment().put("DUPLEX_PORT", "0");
        try (ServeProcess server = ServeProcess.start(serve, temp.resolve("serve.log"))) {
            server.awaitHealthy(Duration.ofMinutes(2));
            server.assertDashboardServed();
            int exit = server.stop(Duration.ofSeconds(30));
            assertThat(server.output()).contains("Stopped");
            assertThat(exit).isIn(0, 143);
        }
        try (var left = Files.list(elsewhere)) {
            assertThat(left.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                    .as("files serve left in the folder it ran from").isEmpty();
        }
    }
}
