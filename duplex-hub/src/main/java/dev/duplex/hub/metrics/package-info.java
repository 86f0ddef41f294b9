/**
 * The hub's Prometheus metrics: counters, gauges and the time-in-queue histogram, registered once
 * per hub.
 */
package dev.duplex.hub.metrics;
