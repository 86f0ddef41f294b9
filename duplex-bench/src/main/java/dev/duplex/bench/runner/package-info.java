/**
 * The side-by-side runner behind {@code bench/run}: starts Duplex and its peers as processes,
 * drives each with the same load generator in interleaved rounds, and reports throughput per
 * server CPU-second, latency percentiles and allocation.
 */
package dev.duplex.bench.runner;
