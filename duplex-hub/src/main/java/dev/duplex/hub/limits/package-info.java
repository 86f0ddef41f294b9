/**
 * Rate limits: the token bucket behind command and connection rates.
 */
package dev.duplex.hub.limits;
