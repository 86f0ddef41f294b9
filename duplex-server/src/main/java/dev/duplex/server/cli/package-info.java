/**
 * The {@code duplex} command and its subcommands: serve, connect, publish, bench and autobahn-
 * client.
 */
package dev.duplex.server.cli;
