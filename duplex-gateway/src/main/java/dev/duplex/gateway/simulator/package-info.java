/**
 * A simulated fleet of devices on the hub (sensors that publish readings, a thermostat that obeys
 * commands), used by {@code duplex serve}'s demo and the dashboard.
 */
package dev.duplex.gateway.simulator;
