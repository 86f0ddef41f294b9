package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VersionTest {
    @Test
    void versionPrintsThePomsVersion() {
        String pomVersion = System.getProperty("duplex.version");
        assertThat(pomVersion).as("the build passes duplex.version").isNotBlank();

        StringWriter out = new StringWriter();
        CommandLine cli = DuplexCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute("--version");

        assertThat(exit).isZero();
        assertThat(out.toString().strip()).isEqualTo("duplex " + pomVersion);
        assertThat(DuplexVersion.get()).isEqualTo(pomVersion);
    }
}
