// Package sandboxconf makes create-time configuration decisions: from the
// host's facts, the container's OCI spec and the history of earlier runs of
// the same image, it chooses the gVisor settings the user left unset — the
// platform from the host probe and the policy's preference, the rest from the
// decision engine's profile — and says where every setting came from.
//
// It imports no gVisor package: the runsc-ai binary applies a Plan to
// gVisor's config.Config. Only an allowlist of settings can be chosen, none of
// which loosens isolation beyond runsc's defaults; explicit flags and
// annotations always win. Outcomes of runs (start-up time, boot failures,
// memory) are kept per image in small files and teach the fast tier.
package sandboxconf
