/**
 * The hub's {@link dev.duplex.hub.broker.Broker} on Redis, for a cluster of nodes: publications
 * numbered and stored by one Lua script per channel, delivered over (sharded) pub/sub with exact
 * gap detection, presence with expiry, and a registry and control channel of the nodes. {@link
 * dev.duplex.hub.broker.redis.RedisBroker} is the entry point; everything else is package-private.
 */
package dev.duplex.hub.broker.redis;
