package llmkernel

import (
	"fmt"
	"math"
	"strings"
)

// Kind is a decision kind; each has its own action space.
type Kind uint8

// Decision kinds.
const (
	KindCreate   Kind = iota // create-time sandbox configuration
	KindCPU                  // CPU shares and quota of a running sandbox
	KindMemory               // memory limit and soft limit
	KindIO                   // block I/O weight
	KindSecurity             // anomalies: report only, never loosen
	numKinds
)

// NumKinds is the number of decision kinds: per-kind arrays are sized by it.
const NumKinds = int(numKinds)

var kindNames = [numKinds]string{"create", "cpu", "memory", "io", "security"}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind maps a kind's name to the Kind.
func ParseKind(s string) (Kind, error) {
	i, err := lookup(kindNames[:], s, "decision kind")
	return Kind(i), err
}

// lookup finds name in names; what names the vocabulary in the error.
func lookup(names []string, name, what string) (int, error) {
	for i, n := range names {
		if n == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want one of %v)", what, name, names)
}

// Kinds lists every decision kind.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// Feature indexes the feature vector. Every feature is normalised to [0, 1]
// by whoever fills it, so one learner and one quantisation fit all.
type Feature uint8

// Features of a situation.
const (
	FeatCPUUtil      Feature = iota // CPU usage / CPU allowed
	FeatCPUThrottle                 // fraction of periods throttled
	FeatMemUtil                     // memory usage / limit
	FeatMemPressure                 // memory PSI "some" avg10 / 100
	FeatIOPressure                  // I/O PSI "some" avg10 / 100
	FeatSyscallRate                 // log10(syscalls/s) / 7
	FeatBlockingRate                // share of syscalls that block (futex, poll, sleep)
	FeatLatencyNeed                 // interactive-ness: 1 = latency-critical
	// FeatCPUWait is the time the sandbox's threads waited for a CPU over
	// the CPU time allowed (as FeatCPUUtil's): a sandbox that uses little
	// because its weight starves it on a busy host waits, one that stopped
	// computing does not.
	FeatCPUWait
	NumFeatures
)

var featureNames = [NumFeatures]string{
	"cpu_util", "cpu_throttle", "mem_util", "mem_pressure",
	"io_pressure", "syscall_rate", "blocking_rate", "latency_need",
	"cpu_wait",
}

func (f Feature) String() string {
	if f < NumFeatures {
		return featureNames[f]
	}
	return fmt.Sprintf("feature(%d)", f)
}

// ParseFeature maps a feature's name to the Feature.
func ParseFeature(s string) (Feature, error) {
	i, err := lookup(featureNames[:], s, "feature")
	return Feature(i), err
}

// Features is a fixed-size vector, so situations are values and the hot path
// does not allocate.
type Features [NumFeatures]float64

// Resources are a sandbox's resource settings in the engine's units (zero:
// unset or unlimited). What a value means is the role of the field that holds
// it: Situation.Ceiling (the OCI spec's limits: no decision grants more),
// Situation.Current (in force now), Guardrails.Floors (the policy's minimum),
// control.Target.Baseline (when the agent first saw the sandbox), or the
// settings an actuator is asked to apply. ResourcesOf reads a spec's.
type Resources struct {
	CPUShares   uint64 `json:"cpu_shares,omitempty"`    // cgroup cpu shares (OCI linux.resources.cpu.shares)
	CPUQuotaPct uint64 `json:"cpu_quota_pct,omitempty"` // CFS quota/period as % of one CPU
	MemoryBytes uint64 `json:"memory_bytes,omitempty"`  // memory limit (OCI linux.resources.memory.limit)
	IOWeight    uint64 `json:"io_weight,omitempty"`     // block I/O weight (OCI linux.resources.blockIO.weight)
}

// imageAnnotations name the image in what CRI runtimes pass, best first.
var imageAnnotations = []string{
	"io.kubernetes.cri.image-name",  // containerd CRI
	"io.kubernetes.cri-o.ImageName", // CRI-O
	"org.opencontainers.image.ref.name",
}

// MaxImageKey bounds an image key: it comes from the container's spec.
const MaxImageKey = 256

// ImageKey names what a container runs, for Situation.Image and the
// create-time history: "image:<name>" from the annotations CRI runtimes set,
// else "cmd:<args>" (runsc do, plain runsc run), at most MaxImageKey bytes.
// Container-controlled: data only.
func ImageKey(annotations map[string]string, args []string) string {
	key := ""
	for _, a := range imageAnnotations {
		if v := annotations[a]; v != "" {
			key = "image:" + v
			break
		}
	}
	if key == "" && args != nil {
		key = "cmd:" + strings.Join(args, " ")
	}
	if len(key) > MaxImageKey {
		key = key[:MaxImageKey]
	}
	return key
}

// Situation is one decision to make.
type Situation struct {
	Kind     Kind
	Sandbox  string // container ID: container-controlled, treat as data
	Image    string // image or command: container-controlled, treat as data
	Features Features
	// Evidence is how many measurement windows back the features.
	Evidence int
	// Ceiling is the OCI spec's limits; Current the settings in force
	// now (zero: unknown). Bounds are computed from both.
	Ceiling Resources
	Current Resources
	// PeakMemory is the most memory the image's earlier runs used (the
	// create-time history's peak; 0: unknown). It is a floor for memory
	// cuts, with headroom (MemoryCutFloor), and above that floor the
	// image's own runs are the evidence a cut's rate limit waits for.
	PeakMemory uint64
	// Finding is, for a security situation sent to the deep tier for
	// triage, the anomaly it is about; nil otherwise.
	Finding *Finding
}

// Finding is an anomaly reported as a security decision, as the deep tier
// triages it: the model may add a short note, never an action.
type Finding struct {
	DecisionID uint64 // the security decision it was reported under
	// Text is the rule and its evidence (container strings quoted by the
	// watcher), at most MaxFindingLen bytes.
	Text string
}

// MaxFindingLen bounds a finding's text: an anomaly's recorded reason is
// at most maxRecordReason bytes and a cut mark.
const MaxFindingLen = 1024

// Validate rejects situations whose numbers are outside their ranges: they
// come from measurements of container-controlled behaviour.
func (s *Situation) Validate() error {
	if s.Kind >= numKinds {
		return fmt.Errorf("situation: unknown kind %d", s.Kind)
	}
	for i, v := range s.Features {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("situation: feature %s = %v, want a number in [0, 1]", Feature(i), v)
		}
	}
	if s.Evidence < 0 {
		return fmt.Errorf("situation: evidence %d < 0", s.Evidence)
	}
	if len(s.Sandbox) > MaxSandboxLen {
		return fmt.Errorf("situation: sandbox ID of %d bytes, more than %d", len(s.Sandbox), MaxSandboxLen)
	}
	if len(s.Image) > MaxImageLen {
		return fmt.Errorf("situation: image of %d bytes, more than %d", len(s.Image), MaxImageLen)
	}
	if s.Finding != nil && (s.Kind != KindSecurity || len(s.Finding.Text) > MaxFindingLen) {
		return fmt.Errorf("situation: a finding of %d bytes on a %s situation (want security, at most %d bytes)", len(s.Finding.Text), s.Kind, MaxFindingLen)
	}
	return nil
}

// Bounds on a situation's container-controlled strings: they key the
// history (bbolt keys are at most 32 KiB) and the guardrails' state.
const (
	MaxSandboxLen = 256  // OCI runtimes' IDs are far shorter (Docker: 64)
	MaxImageLen   = 1024 // a registry reference with a digest fits
)

// quantLevels is how many buckets each feature is cut into for the cache key.
const quantLevels = 4

// Key is the quantised situation: situations with the same key share cached
// decisions. 2 bits per feature plus the kind fit in 32 bits.
type Key uint32

// Key computes the situation's cache key.
func (s *Situation) Key() Key {
	k := Key(s.Kind)
	for _, v := range s.Features {
		q := int(v * quantLevels)
		if q >= quantLevels {
			q = quantLevels - 1
		} else if q < 0 {
			q = 0
		}
		k = k<<2 | Key(q)
	}
	return k
}

// Kind returns the decision kind a key was made for.
func (k Key) Kind() Kind { return Kind(k >> (2 * NumFeatures)) }

func (k Key) String() string {
	return fmt.Sprintf("%s/%0*x", k.Kind(), (2*NumFeatures+3)/4, uint32(k)&(1<<(2*NumFeatures)-1))
}
