// Package control is the live loop's decision step: every window it turns a
// sandbox's measured usage (from the host) and activity (from its tap) into
// situations, asks the engine per decision kind, turns each accepted
// decision into new settings within the OCI limits and the policy floors,
// has the host apply them, records what changed and why, and reports the
// measured outcome a few windows later so the engine learns.
//
// It knows nothing of cgroups or gVisor: the agent supplies a Host.
package control
