package dev.duplex.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code duplex} command line: one executable for the server and its tools. */
@Command(name = "duplex",
        mixinStandardHelpOptions = true,
        version = "duplex 0.1.0",
        description = "WebSocket server and tools.",
        subcommands = {ServeCommand.class, AutobahnClientCommand.class, CommandLine.HelpCommand.class})
public final class DuplexCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run commands through it. */
    public static CommandLine commandLine() {
        return new CommandLine(new DuplexCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
