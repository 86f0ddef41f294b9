/**
 * {@code duplex serve}'s configuration: built-in defaults, then the YAML file, then {@code
 * DUPLEX_*} environment variables, then flags (each later source wins), all checked before
 * anything starts, with messages that name the key, where it was set and what is wrong; then built
 * into the options of the server and the hub.
 */
package dev.duplex.server.config;
