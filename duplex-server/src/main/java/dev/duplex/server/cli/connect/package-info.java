/**
 * {@code duplex connect}: an interactive or scripted line client for any WebSocket endpoint, with
 * a translation of lines to and from hub commands.
 */
package dev.duplex.server.cli.connect;
