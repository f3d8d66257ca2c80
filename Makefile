# runsc-ai build and test entry points. Run as root on Debian/Ubuntu with Go 1.26.
#   make run    build runsc-ai and run a workload in a gVisor sandbox
#   make test   build everything the tests need, then run every test
SHELL      := /bin/bash
GO         ?= go
BIN        := $(CURDIR)/bin
VERSION    := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# gVisor's version is go.mod's (runsc's own builds stamp theirs the same way);
# integration/bazel/status.sh gives the Bazel build the same two values.
GVISOR_VERSION := $(shell $(GO) list -m -f '{{.Version}}' gvisor.dev/gvisor 2>/dev/null)
LDFLAGS    := -X github.com/go-os-agent/runsc-ai/runsc-ai/node.Version=$(VERSION) -X gvisor.dev/gvisor/runsc/version.version=$(GVISOR_VERSION)
# gVisor binaries must be static: the sandbox re-executes them in a chroot
# that has no ELF interpreter.
GOBUILD    := CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)'
APT_DEPS   := busybox-static qemu-user-static file runc etcd-server docker.io containerd iptables
# Packages whose tests need no live sandbox; they also run under qemu-aarch64.
ARM64_TEST_PKGS := ./platform/host ./llmkernel ./llmkernel/history ./llmkernel/sandboxconf ./llmkernel/summary ./llmkernel/control ./policies \
	./llmkernel/gguf ./llmkernel/spm ./llmkernel/quant ./llmkernel/llama

export RUNSC_AI_BIN       := $(BIN)/runsc-ai
export RUNSC_BIN          := $(BIN)/runsc
export RUNSC_AI_ARM64_BIN := $(BIN)/runsc-ai-arm64
export RUNSC_AI_SHIM_BIN  := $(BIN)/containerd-shim-runsc-ai-v1
export RUNSC_AI_ROOTFS    := $(BIN)/rootfs
# A real ollama server for the deep-tier tests, built once from the Go module
# and cached outside the work tree (see integration/ollama/build.sh).
export RUNSC_AI_CACHE     ?= /var/cache/runsc-ai

comma := ,

.PHONY: all deps build runsc arm64 rootfs ollama run test check fuzz test-arm64 bench bench-full bench-live bench-llm e2e-kubernetes e2e-arm64 bazel bazel-gazelle print-test-env clean

all: build

# Installs the Debian packages the build and tests use; does nothing when
# they are all present.
deps:
	@missing=""; for p in $(APT_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build:
	$(GOBUILD) -o $(RUNSC_AI_BIN) ./runsc-ai
	$(GOBUILD) -o $(RUNSC_AI_SHIM_BIN) ./integration/containerd/cmd/containerd-shim-runsc-ai-v1

# Plain runsc from the same gVisor module: the baseline every comparison uses.
runsc:
	$(GOBUILD) -o $(RUNSC_BIN) gvisor.dev/gvisor/runsc

arm64:
	GOARCH=arm64 $(GOBUILD) -o $(RUNSC_AI_ARM64_BIN) ./runsc-ai
	GOARCH=arm64 $(GOBUILD) -o $(BIN)/containerd-shim-runsc-ai-v1-arm64 ./integration/containerd/cmd/containerd-shim-runsc-ai-v1

rootfs: deps
	sh integration/mkrootfs.sh $(RUNSC_AI_ROOTFS)

ollama:
	sh integration/ollama/build.sh

run: deps build rootfs
	sh integration/demo.sh $(RUNSC_AI_BIN) $(RUNSC_AI_ROOTFS)

test: deps build runsc arm64 rootfs check fuzz
	OLLAMA_BIN=$$(sh integration/ollama/build.sh) LLAMAREF_BIN=$$(sh integration/ollama/build-llamaref.sh) \
		VOCAB_32K=$$(sh integration/ollama/fetch-vocab.sh) KUBE_APISERVER_BIN=$$(sh integration/kubernetes/build-apiserver.sh) \
		CONTAINERD2_DIR=$$(sh integration/containerd/build-containerd.sh) \
		$(GO) test -count=1 -timeout 60m ./...
	$(MAKE) --no-print-directory test-arm64
	@# The Bazel build and its unit tests (~4 min warm, ~10 cold: docs/building.md).
	sh integration/bazel/build.sh
	@# The Raspberry-Pi-like boot of the emulated Cortex-A72 (~4 min warm;
	@# the kernel is built once, ~8 min): make e2e-arm64 runs every boot.
	sh integration/arm64/e2e.sh va39

check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed: $$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e_kubernetes ./integration/kubernetes/
	@# BUILD.bazel files and deps.bzl must match the Go tree (make bazel-gazelle).
	sh integration/bazel/sync.sh --check

# The Bazel build (Debian's Bazel 4.2.3, rules_go and Gazelle from the Go
# module proxy, patched): bazel build //..., bazel test //..., the arm64 build.
# See docs/building.md.
bazel: deps build
	sh integration/bazel/build.sh

# The environment the tests read, as export lines (for bazel test --config=host).
print-test-env:
	@echo "export RUNSC_AI_BIN=$(RUNSC_AI_BIN) RUNSC_BIN=$(RUNSC_BIN) RUNSC_AI_ROOTFS=$(RUNSC_AI_ROOTFS) RUNSC_AI_SHIM_BIN=$(RUNSC_AI_SHIM_BIN) RUNSC_AI_ARM64_BIN=$(RUNSC_AI_ARM64_BIN) RUNSC_AI_CACHE=$(RUNSC_AI_CACHE)"

# Regenerates deps.bzl from go.mod and every BUILD.bazel from the Go sources.
bazel-gazelle:
	sh integration/bazel/sync.sh

# The decoders of hostile input, fuzzed briefly on every test run (longer:
# FUZZTIME=5000000x make fuzz). Each target keeps its corpus under testdata/fuzz.
# The budgets are counts, not durations: Go 1.26's fuzz coordinator can fail a
# duration-bounded run with a bare "context deadline exceeded" when a starved
# worker misses the deadline (go.dev/issue/75804, fixed in Go 1.27; CI hit it),
# and the default 60 s minimisation of each new interesting input stalled a 5 s
# run for most of its time (a few hundred inputs instead of 50,000).
FUZZTIME ?= 50000x
FUZZMINIMIZETIME ?= 1000x
FUZZFLAGS = -run '^$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME)
fuzz:
	$(GO) test $(FUZZFLAGS) -fuzz '^FuzzDecodeFrom$$' ./llmkernel/summary/
	$(GO) test $(FUZZFLAGS) -fuzz '^FuzzDecodeSituation$$' ./llmkernel/
	$(GO) test $(FUZZFLAGS) -fuzz '^FuzzParse$$' ./policies/
	$(GO) test $(FUZZFLAGS) -fuzz '^FuzzParse$$' ./llmkernel/gguf/

# Opt-in: a real single Kubernetes node (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet on containerd 2.x with
# runsc-ai's shim) runs a pod with runtimeClassName: runsc-ai. Builds the
# Kubernetes components from the module once (~10 min cold, cached); the
# test itself takes ~15 s. Host settings kubelet changes are put back.
e2e-kubernetes: deps build runsc arm64 rootfs
	KUBE_APISERVER_BIN=$$(sh integration/kubernetes/build-apiserver.sh) \
		CONTAINERD2_DIR=$$(sh integration/containerd/build-containerd.sh) \
		$(GO) test -tags e2e_kubernetes -count=1 -v -timeout 40m -run TestSingleNodePod ./integration/kubernetes/

# The end-to-end suite on an emulated Cortex-A72 (qemu-system-aarch64, TCG)
# with cgroup v2: one boot per kernel configuration (integration/arm64/e2e.sh,
# docs/arm64.md). Kernel and packages are cached under RUNSC_AI_CACHE.
e2e-arm64: deps
	sh integration/arm64/e2e.sh $(E2E_ARM64_BOOTS)

# Cross-compiled package tests run under user-mode qemu, from the package
# directory as go test would (fixtures are found relative to it).
test-arm64: deps
	@mkdir -p $(BIN)/arm64
	@set -e; for p in $(ARM64_TEST_PKGS); do \
		t=$(BIN)/arm64/$$(echo $$p | tr / _).test; \
		GOARCH=arm64 CGO_ENABLED=0 $(GO) test -c -o $$t $$p; \
		echo "qemu-aarch64: $$p"; \
		(cd $$p && qemu-aarch64-static $$t -test.count=1); \
	done
	@# The same in-process decisions on both architectures: answers written by
	@# the native run, compared byte for byte under qemu-aarch64.
	@rm -f $(BIN)/arm64/answers.txt
	INPROC_ANSWERS=$(BIN)/arm64/answers.txt $(GO) test -count=1 -run '^TestDecisionsAcrossArchitectures$$' ./llmkernel/inproc/
	GOARCH=arm64 CGO_ENABLED=0 $(GO) test -c -o $(BIN)/arm64/inproc.test ./llmkernel/inproc
	cd llmkernel/inproc && INPROC_ANSWERS=$(BIN)/arm64/answers.txt qemu-aarch64-static $(BIN)/arm64/inproc.test -test.count=1 -test.run '^TestDecisionsAcrossArchitectures$$' -test.v

# Start-up cost of runsc-ai vs plain runsc: whole commands timed from outside
# (do, run, create+start+delete; fresh and lived-in state; randomised order),
# then the in-process pairs of integration/oci.
bench: build runsc rootfs
	$(RUNSC_AI_BIN) bench startup --runsc $(RUNSC_BIN) --repeat 25 --out $(BIN)/bench-startup
	$(GO) test -run '^$$' -bench . -benchtime 10x -count 10 ./integration/oci/ | tee $(BIN)/bench.txt
	@awk -f integration/benchratio.awk $(BIN)/bench.txt

# The full benchmark harness run (all workloads and scenarios, every runtime
# present); docs/benchmarks.md has its results for the development VM.
SCENARIOS ?= noisy-neighbour,memory,io,phases,leak,burst
bench-full: deps build runsc
	$(RUNSC_AI_BIN) bench run --runsc $(RUNSC_BIN) --repeat 3 --scenario $(SCENARIOS) --out $(BIN)/bench-full

# The live loop's scenarios: plain runsc vs runsc-ai with its agent, and the
# oracles (floor, static grid), same run: each scenario 30-40 s per variant,
# 4-5 variants, 6 repetitions (about 15 minutes a scenario on 2 cores). One
# scenario: SCENARIOS=noisy-neighbour.
# AGENT_MODEL=tinyllama (a GGUF path or a name in ollama's store) adds the
# deep-tier agent (runsc-ai+deep) side by side.
bench-live: deps build runsc
	$(RUNSC_AI_BIN) bench run --runsc $(RUNSC_BIN) --workload none --scenario $(SCENARIOS) \
		--runtimes runsc,runsc-ai+agent$(if $(AGENT_MODEL),$(comma)runsc-ai+deep --agent-model $(AGENT_MODEL)) --repeat 5 --out $(BIN)/bench-live
	@# The crowd on its own: its measures are the agent's cost over the run.
	$(RUNSC_AI_BIN) bench run --runsc $(RUNSC_BIN) --workload none --scenario crowd --runtimes runsc,runsc-ai+agent --repeat 5 --out $(BIN)/bench-crowd

# Decision-engine speed: cache hit, fast tier, whole Decide; and the LLM
# path's overhead beyond the model's own time on a real ollama.
bench-llm:
	$(GO) test -run '^$$' -bench . -benchmem -count 3 ./llmkernel/
	OLLAMA_BIN=$$(sh integration/ollama/build.sh) $(GO) test -run '^$$' -bench 'Benchmark[^E]' -benchtime 30x ./integration/ollama/
	LLAMAREF_BIN=$$(sh integration/ollama/build-llamaref.sh) VOCAB_32K=$$(sh integration/ollama/fetch-vocab.sh) \
		$(GO) test -run '^$$' -bench BenchmarkEngineVsLlamaCpp -benchtime 3x -timeout 60m ./integration/ollama/
	LLAMA_BENCH_MODEL=$(RUNSC_AI_CACHE)/bench-models/small-2-seed1.gguf $(GO) test -run '^$$' -bench 'BenchmarkGenerate|BenchmarkPrompt|BenchmarkSmallBatch|BenchmarkDecision' -benchtime 5x ./llmkernel/llama/ ./llmkernel/inproc/
	@# The decision's target is for the TinyLlama-shaped Q4_0 file (written above with BENCH_TINYLLAMA=1).
	@if [ "$$BENCH_TINYLLAMA" = 1 ]; then set -x; LLAMA_BENCH_MODEL=$(RUNSC_AI_CACHE)/bench-models/tinyllama-2-seed1.gguf \
		$(GO) test -run '^$$' -bench 'BenchmarkSmallBatch|BenchmarkDecision' -benchtime 3x ./llmkernel/llama/ ./llmkernel/inproc/; fi

clean:
	rm -rf $(BIN)
