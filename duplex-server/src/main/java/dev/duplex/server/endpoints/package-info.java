/**
 * The demo endpoints {@code duplex serve} mounts beside the hub, such as {@code /broadcast}.
 */
package dev.duplex.server.endpoints;
