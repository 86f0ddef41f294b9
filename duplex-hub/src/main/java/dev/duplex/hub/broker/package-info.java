/**
 * What carries publications between the sessions of a node and between nodes: the {@link
 * dev.duplex.hub.broker.Broker} contract (numbering, history, de-duplication, presence, delivery
 * in offset order), the in-memory broker of a single node, and what a clustered broker needs from
 * the hub.
 */
package dev.duplex.hub.broker;
