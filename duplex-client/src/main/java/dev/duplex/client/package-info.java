/**
 * The Java client of the Duplex hub: {@link dev.duplex.client.DuplexClient} connects, reconnects
 * with back-off, resumes every subscription with recovery, and re-sends unacknowledged
 * publications from a bounded outbox. One loop thread owns the client's state; callbacks run on a
 * thread of their own.
 */
package dev.duplex.client;
