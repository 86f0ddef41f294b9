package dev.duplex.bench.peers;

import java.util.Locale;

/** Where the bundled native epoll library (classifier linux-x86_64) must load. */
final class NativeTransport {
    private NativeTransport() {
    }

    static boolean expected() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }
}
