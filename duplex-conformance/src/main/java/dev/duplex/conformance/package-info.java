/**
 * What conformance runs need at run time: the echo listener the Autobahn-style cases talk to, the
 * limits they run under, and the driver of an external fuzzing server ({@code duplex autobahn-
 * client}). The cases themselves are test sources.
 */
package dev.duplex.conformance;
