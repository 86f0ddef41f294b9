package dev.duplex.server.cli;

import dev.duplex.conformance.AutobahnClient;
import dev.duplex.websocket.WebSocketOptions;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex autobahn-client URL}: runs Autobahn|Testsuite's fuzzing server cases against our client. */
@Command(name = "autobahn-client", mixinStandardHelpOptions = true,
        description = "Run every case of an Autobahn|Testsuite fuzzing server (wstest -m fuzzingserver) against the Duplex client.")
final class AutobahnClientCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The fuzzing server, e.g. ws://127.0.0.1:9001")
    URI url;

    @Option(names = "--agent", defaultValue = "duplex", description = "Agent name in the reports (default: ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = "--compression", description = "Offer permessage-deflate (for Autobahn sections 12 and 13).")
    boolean compression;

    @Override
    public Integer call() throws Exception {
        WebSocketOptions options = compression
                ? AutobahnClient.OPTIONS.withCompression(true).withCompressionThresholdBytes(0).withContextTakeover(false, false)
                : AutobahnClient.OPTIONS;
        new AutobahnClient(url, agent, System.out, options).runAll();
        return 0;
    }
}
