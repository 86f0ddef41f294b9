/**
 * The hub protocol as data: client commands, server messages, error and disconnect codes, and
 * their JSON and MessagePack codecs ({@link dev.duplex.hub.protocol.HubCodec}). Shared by the hub
 * and the Java client; no I/O, every input bounded.
 */
package dev.duplex.hub.protocol;
