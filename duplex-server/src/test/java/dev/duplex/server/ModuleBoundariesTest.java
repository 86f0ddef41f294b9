package dev.duplex.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of the whole repository, for the modules that have no module-info.java
 * (duplex-protocol, duplex-transport and duplex-websocket have one, so the compiler checks
 * them): every Duplex module a source file imports from is declared in its pom (test scope will
 * do for test sources), and nothing outside duplex-websocket reaches into its internal package
 * except through the one hook Duplex's own tools use ({@code FrameTracing}).
 */
class ModuleBoundariesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.duplex\\.[\\w.]+);", Pattern.MULTILINE);
    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>dev\\.duplex</groupId>\\s*<artifactId>([\\w-]+)</artifactId>(.*?)</dependency>",
            Pattern.DOTALL);
    private static final Set<String> INTERNAL_HOOKS = Set.of("dev.duplex.websocket.internal.FrameTracing");

    @Test
    void everyImportedModuleIsDeclaredAndInternalsStayInside() throws IOException {
        Map<String, String> moduleOfPackage = new HashMap<>();
        List<Path> modules = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("duplex-") && Files.exists(d.resolve("pom.xml")))
                    .sorted().forEach(modules::add);
        }
        for (Path module : modules) {
            for (Path file : sources(module.resolve("src/main/java"))) {
                Matcher m = PACKAGE.matcher(Files.readString(file));
                if (m.find()) {
                    moduleOfPackage.putIfAbsent(m.group(1), module.getFileName().toString());
                }
            }
        }
        Set<String> problems = new TreeSet<>();
        for (Path module : modules) {
            String name = module.getFileName().toString();
            Map<String, String> declared = new HashMap<>(); // artifact -> scope
            Matcher d = DEPENDENCY.matcher(Files.readString(module.resolve("pom.xml")));
            while (d.find()) {
                declared.put(d.group(1), d.group(2).contains("<scope>test</scope>") ? "test" : "compile");
            }
            for (String scope : List.of("main", "test")) {
                for (Path file : sources(module.resolve("src/" + scope + "/java"))) {
                    Matcher imp = IMPORT.matcher(Files.readString(file));
                    while (imp.find()) {
                        String type = imp.group(1);
                        String owner = ownerOf(type, moduleOfPackage);
                        if (owner == null || owner.equals(name)) {
                            continue;
                        }
                        String where = ROOT.relativize(file) + " imports " + type;
                        String scopeDeclared = declared.get(owner);
                        if (scopeDeclared == null || (scope.equals("main") && scopeDeclared.equals("test"))) {
                            problems.add(where + " but " + name + "'s pom does not declare " + owner
                                    + (scope.equals("main") ? " (compile scope)" : ""));
                        }
                        if (type.startsWith("dev.duplex.websocket.internal.") && !INTERNAL_HOOKS.contains(type)) {
                            problems.add(where + ": duplex-websocket's internal package is not API");
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    private static String ownerOf(String type, Map<String, String> moduleOfPackage) {
        for (String p = type; p.contains("."); p = p.substring(0, p.lastIndexOf('.'))) {
            String owner = moduleOfPackage.get(p);
            if (owner != null) {
                return owner;
            }
        }
        return null;
    }

    private static List<Path> sources(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
