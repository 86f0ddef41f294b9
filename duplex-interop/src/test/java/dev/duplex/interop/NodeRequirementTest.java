package dev.duplex.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The Node interop tests fail, never skip, when Node.js or the ws package is missing, and the
 * failure says how to get them.
 */
class NodeRequirementTest {

    @Test
    void missingNodeFailsWithWhatToRun() {
        Throwable thrown = catchThrowable(() -> NodePeers.check("duplex-interop-no-such-node", NodePeers.nodeDir()));
        assertThat(thrown).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("Node.js and the npm package ws are needed: run ./test-all (it installs them)")
                .hasMessageContaining("cannot run 'duplex-interop-no-such-node'");
    }

    @Test
    void missingWsPackageFailsWithWhatToRun(@TempDir Path dir) throws IOException {
        Files.copy(NodePeers.nodeDir().resolve("client.mjs"), dir.resolve("client.mjs"));
        Files.copy(NodePeers.nodeDir().resolve("server.mjs"), dir.resolve("server.mjs"));
        Throwable thrown = catchThrowable(() -> NodePeers.check(System.getProperty(NodePeers.NODE_PROPERTY, "node"), dir));
        assertThat(thrown).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith(NodePeers.MISSING)
                .hasMessageContaining("the ws package is not installed");
    }

    @Test
    void theInstalledPeersAreThePinnedOnes() {
        NodePeers.Setup setup = NodePeers.require();
        assertThat(setup.nodeVersion()).startsWith("v");
        assertThat(setup.wsVersion()).as("ws version, pinned in node/package.json").isEqualTo("8.18.3");
    }
}
