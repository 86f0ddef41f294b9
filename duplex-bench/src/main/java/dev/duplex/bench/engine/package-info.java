/**
 * JMH benchmarks of the engine's hot paths: frame parsing and writing, masking, UTF-8 validation,
 * handshake parsing and permessage-deflate.
 */
package dev.duplex.bench.engine;
