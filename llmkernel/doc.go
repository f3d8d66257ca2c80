// Package llmkernel is runsc-ai's decision engine. A Situation (what kind of
// decision, for which sandbox, with which measured features) goes in; a
// Decision (an action from the kind's finite action space, with bounded
// parameters, a reason, a confidence and the tier that made it) comes out.
//
// Decide never waits on a model. It answers from the immediate cache, else
// from the fast tier (a contextual bandit over the features), and on a cache
// miss starts an asynchronous deep-tier inference (an LLM backend) whose
// validated answer is cached and distilled into the fast tier. Every decision
// from every tier passes the guardrails before it is returned. Outcomes
// measured after a decision's window train the fast tier and evict cache
// entries whose outcomes regress.
//
// The package imports no gVisor code: it builds, tests and cross-compiles
// on its own.
package llmkernel
