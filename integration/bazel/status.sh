#!/bin/sh
# Bazel's workspace status (.bazelrc): the versions `make build` stamps into
# runsc-ai — ours from git, gVisor's from go.mod.
echo "STABLE_RUNSC_AI_VERSION $(git describe --tags --always --dirty 2>/dev/null || echo dev)"
echo "STABLE_GVISOR_VERSION $(go list -m -f '{{.Version}}' gvisor.dev/gvisor 2>/dev/null || echo unknown)"
