/**
 * TLS for {@code duplex serve}: PEM and PKCS#12 key material, a check that key and certificate
 * match, and a self-signed certificate for local use.
 */
package dev.duplex.server.tls;
