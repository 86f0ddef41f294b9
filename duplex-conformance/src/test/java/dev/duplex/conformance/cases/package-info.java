/**
 * Autobahn|Testsuite's cases as data: what the fuzzing peer sends ({@link dev.duplex.conformance.cases.Step}),
 * what it expects back ({@link dev.duplex.conformance.cases.Script}), and how a run is judged
 * ({@link dev.duplex.conformance.cases.Judge}). The cases are our own description of Autobahn's;
 * ids and expectations follow Autobahn so its reports and ours can be compared line by line.
 */
package dev.duplex.conformance.cases;
