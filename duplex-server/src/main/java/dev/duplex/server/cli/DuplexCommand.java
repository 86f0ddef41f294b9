package dev.duplex.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code duplex} command line: one executable for the server and its tools. */
@Command(name = "duplex",
        mixinStandardHelpOptions = true,
        versionProvider = DuplexVersion.class,
        description = "Real-time hub, WebSocket server and tools.",
        subcommands = {ServeCommand.class, ConnectCommand.class, PublishCommand.class, AutobahnClientCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class DuplexCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // One line per log record, unless the user configured logging themselves.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run commands through it. */
    public static CommandLine commandLine() {
        return new CommandLine(new DuplexCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
