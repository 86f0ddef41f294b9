package dev.duplex.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a newcomer meets it: a clean copy of the repository (the files git
 * would clone, none of the build's output) and a local Maven repository that has never held a
 * {@code dev.duplex} artifact. {@code ./duplex serve} must build on first use, serve the dashboard
 * and stop on SIGTERM.
 *
 * <p>The local repository is a folder of symbolic links to every entry of the build's own local
 * repository except {@code dev/duplex}: third-party artifacts need not be downloaded again, and
 * the project's own are invisible, as on a fresh machine. A launcher whose build needs a project
 * artifact it does not build (a test-jar it skips, say) fails here.
 */
class QuickStartFromCleanCloneIT {
    /** A first build on a loaded 2-core machine, with downloads of anything not yet local. */
    private static final Duration FIRST_BUILD_AND_START = Duration.ofMinutes(12);

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void duplexServeBuildsAndServesTheDashboardFromACleanClone() throws Exception {
        Path checkout = cleanCopyOfTheRepository(temp.resolve("duplex"));
        Path localRepository = localRepositoryWithoutTheProject(temp.resolve("m2"));
        try {
            ProcessBuilder serve = Processes.clean(checkout, List.of("./duplex", "serve"));
            serve.environment().put("MAVEN_OPTS", "-Dmaven.repo.local=" + localRepository);
            serve.environment().put("DUPLEX_PORT", "0"); // any free port; the test reads it from the log
            try (ServeProcess server = ServeProcess.start(serve, temp.resolve("serve.log"))) {
                server.awaitHealthy(FIRST_BUILD_AND_START);
                server.assertDashboardServed();
                int exit = server.stop(Duration.ofSeconds(30));
                String output = server.output();
                assertThat(output).as("the launcher says what it does on first use")
                        .contains("first use: building the executable jar")
                        .contains("building duplex-server")
                        .contains("built duplex.jar");
                assertThat(output).as("serve drained and stopped on SIGTERM").contains("Stopped");
                assertThat(exit).as("exit code after SIGTERM; output:%n%s", output).isIn(0, 143);
            }
            assertThat(localRepository.resolve("dev/duplex")).as("the launcher installs nothing into the local repository")
                    .doesNotExist();
        } finally {
            removeLinks(localRepository);
        }
    }

    /** The files a clone of this checkout would hold (tracked, or new and not ignored), copied. */
    private static Path cleanCopyOfTheRepository(Path target) throws Exception {
        Path root = Path.of(System.getProperty("duplex.repositoryRoot")).toRealPath();
        assertThat(root.resolve(".git")).as("the quick-start test copies what git tracks: run it in a git checkout")
                .exists();
        ProcessBuilder listing = Processes.clean(root,
                List.of("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"));
        String files = Processes.run(listing, Duration.ofMinutes(1));
        int copied = 0;
        for (String name : files.split("\0")) {
            Path source = root.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                continue; // deleted in the work tree but still in the index, or not a plain file
            }
            Path copy = target.resolve(name);
            Files.createDirectories(copy.getParent());
            Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
            copied++;
        }
        assertThat(copied).as("files copied from %s", root).isGreaterThan(100);
        assertThat(target.resolve("duplex")).isExecutable();
        try (Stream<Path> targets = Files.walk(target)) {
            assertThat(targets.filter(p -> p.getFileName().toString().equals("target"))).as("build output in the copy").isEmpty();
        }
        return target;
    }

    /** A local repository holding every third-party artifact of the build's own, and no {@code dev.duplex} one. */
    private static Path localRepositoryWithoutTheProject(Path target) throws IOException {
        Path real = Path.of(System.getProperty("duplex.localRepository")).toRealPath();
        Files.createDirectories(target);
        try (Stream<Path> entries = Files.list(real)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (name.equals("dev") && Files.isDirectory(entry)) {
                    Path dev = Files.createDirectory(target.resolve("dev"));
                    try (Stream<Path> groups = Files.list(entry)) {
                        for (Path group : (Iterable<Path>) groups::iterator) {
                            if (!group.getFileName().toString().equals("duplex")) {
                                Files.createSymbolicLink(dev.resolve(group.getFileName()), group);
                            }
                        }
                    }
                } else {
                    Files.createSymbolicLink(target.resolve(name), entry);
                }
            }
        }
        return target;
    }

    /** Deletes the links (never what they point to) before the temporary folder is cleaned up. */
    private static void removeLinks(Path repository) throws IOException {
        if (!Files.isDirectory(repository, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> links = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(repository)) { // does not follow links
            walk.filter(Files::isSymbolicLink).forEach(links::add);
        }
        for (Path link : links) {
            Files.delete(link);
        }
    }

}
