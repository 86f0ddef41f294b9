/**
 * Helpers for tests, never for production code: throw-away certificates, real {@code redis-server}
 * processes (standalone and cluster), a fault-injecting TCP proxy, a small JSON reader, and the
 * lookup of the binaries tests need.
 */
package dev.duplex.testkit;
