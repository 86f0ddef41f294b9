/**
 * The browser side: the static files of duplex.js and the dashboard, served from the classpath
 * with ETags and a strict Content-Security-Policy.
 */
package dev.duplex.web;
