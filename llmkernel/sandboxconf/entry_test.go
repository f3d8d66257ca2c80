package sandboxconf

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// appendEntry must write the bytes encoding/json writes (the oracle), for
// hostile strings and every float range, so the journal and pending files
// read back exactly.
func TestEntryEncodingMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "a", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"é", "日本", "\u2028", "\u2029", "\xff", "\xc3", "\xed\xa0\x80", "😀", "</s>", "{\"x\":1}", "'", " "}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	float := func() float64 {
		switch rng.IntN(8) {
		case 0:
			return 0
		case 1:
			return math.Copysign(0, -1)
		case 2:
			return rng.Float64() * 1e-8
		case 3:
			return -rng.Float64() * 1e25
		case 4:
			return float64(rng.IntN(1000))
		case 5:
			return 1e21
		case 6:
			return 1e-6
		}
		return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(40)-20))
	}
	for i := range 5000 {
		r := Run{ContainerID: str(), At: time.Unix(rng.Int64N(1<<34), rng.Int64N(1e9)).UTC(), Profile: str(), Tier: str(), Reason: str(),
			Evidence: rng.IntN(1000) - 10, StartupMs: float(), Measure: str(), PeakMemory: rng.Uint64() >> rng.IntN(64), Failed: str()}
		if i%3 != 0 {
			r.At = r.At.In(time.FixedZone("x", rng.IntN(20000)-10000))
		}
		if n := rng.IntN(4); n > 0 {
			r.Choices = make([]Choice, n-1)
			for j := range r.Choices {
				r.Choices[j] = Choice{Name: str(), Value: str(), Source: Source(str()), Reason: str()}
			}
		}
		for j := range r.Features {
			r.Features[j] = float()
		}
		if rng.IntN(2) == 0 {
			w := float()
			r.Reward = &w
		}
		image := str()
		want, err := json.Marshal(journalEntry{Image: image, Run: r})
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendEntry(nil, image, &r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("run %d:\n got %s\nwant %s", i, got, want)
		}
	}
	// What encoding/json refuses, so does appendEntry.
	for _, r := range []Run{{StartupMs: math.NaN()}, {StartupMs: math.Inf(1)}, {At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		if _, err := appendEntry(nil, "img", &r); err == nil {
			t.Errorf("%+v encoded", r)
		}
	}
}
