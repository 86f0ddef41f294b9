/**
 * JWT verification for connections and subscriptions (HS256, RS256, ES256): what a token must hold
 * and what a bad one is told.
 */
package dev.duplex.hub.auth;
