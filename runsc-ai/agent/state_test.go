package agent

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

func summaryOf(sb string, seq uint64, calls uint64) *summary.Summary {
	s := &summary.Summary{Sandbox: sb, Seq: seq, UnixNano: 1, WindowMs: 500}
	c := summary.Container{ID: sb}
	c.Classes[summary.FileIO] = summary.Count{Calls: calls, Bytes: 2 * calls}
	s.Containers = []summary.Container{c}
	return s
}

func TestTotalsRatesAndGaps(t *testing.T) {
	st := newSandboxes()
	now := time.Unix(100, 0)
	st.Add(summaryOf("a", 1, 100), now)
	st.Add(summaryOf("a", 2, 50), now)
	st.Add(summaryOf("a", 5, 10), now) // 3 and 4 never read
	sbs, stats := st.Snapshot()
	if len(sbs) != 1 || stats.Summaries != 3 || stats.Lost != 2 || sbs[0].Lost != 2 || sbs[0].LastSeq != 5 {
		t.Fatalf("%+v %+v", sbs, stats)
	}
	c := sbs[0].Containers[0]
	if c.Totals[summary.FileIO] != (summary.Count{Calls: 160, Bytes: 320}) || c.RatePerSec != 20 {
		t.Errorf("totals %+v rate %v", c.Totals[summary.FileIO], c.RatePerSec)
	}
}

func TestBoundedSandboxes(t *testing.T) {
	st := newSandboxes()
	st.max = 8
	for i := 0; i < 100; i++ {
		st.Add(summaryOf(fmt.Sprintf("s%d", i), 1, 1), time.Unix(int64(i), 0))
	}
	sbs, stats := st.Snapshot()
	if len(sbs) != 8 || stats.Forgotten != 92 {
		t.Fatalf("%d sandboxes, %d forgotten", len(sbs), stats.Forgotten)
	}
	for _, sb := range sbs {
		if sb.ID < "s92" && len(sb.ID) == 3 {
			t.Errorf("kept an old sandbox %s over newer ones", sb.ID)
		}
	}
	st.Forget(time.Unix(1000, 0))
	if sbs, _ := st.Snapshot(); len(sbs) != 0 {
		t.Errorf("Forget left %d", len(sbs))
	}
}

func TestBoundedContainers(t *testing.T) {
	st := newSandboxes()
	s := &summary.Summary{Sandbox: "p", Seq: 1, UnixNano: 1, WindowMs: 1000}
	for i := 0; i < summary.MaxContainers; i++ {
		s.Containers = append(s.Containers, summary.Container{ID: fmt.Sprintf("c%d", i)})
	}
	st.Add(s, time.Now())
	s2 := &summary.Summary{Sandbox: "p", Seq: 2, UnixNano: 1, WindowMs: 1000, Containers: []summary.Container{{ID: "one-too-many"}}}
	st.Add(s2, time.Now())
	if sbs, _ := st.Snapshot(); len(sbs[0].Containers) != summary.MaxContainers {
		t.Errorf("%d containers", len(sbs[0].Containers))
	}
}

// A container that stops appearing in its sandbox's summaries has no
// activity from its first absent window and is forgotten after MaxMissed:
// its last values do not pin the sandbox's features.
func TestStaleContainersExpire(t *testing.T) {
	st := newSandboxes()
	now := time.Unix(100, 0)
	two := summaryOf("p", 1, 1000)
	quiet := summary.Container{ID: "busy"}
	quiet.Classes[summary.Blocking] = summary.Count{Calls: 5000}
	two.Containers = append(two.Containers, quiet)
	st.Add(two, now)
	if rate, blocking, ok := st.Activity("p", now); !ok || rate != 12000 || blocking < 0.8 {
		t.Fatalf("rate %v blocking %v %v", rate, blocking, ok)
	}
	for seq := uint64(2); seq < 2+MaxMissed; seq++ {
		st.Add(summaryOf("p", seq, 10), now)
		if rate, blocking, _ := st.Activity("p", now); rate != 20 || blocking != 0 {
			t.Fatalf("window %d: rate %v blocking %v: the absent container still counts", seq, rate, blocking)
		}
	}
	sbs, _ := st.Snapshot()
	if len(sbs[0].Containers) != 2 {
		t.Fatalf("forgotten too soon: %+v", sbs[0].Containers)
	}
	st.Add(summaryOf("p", 2+MaxMissed, 10), now)
	sbs, _ = st.Snapshot()
	if len(sbs[0].Containers) != 1 || sbs[0].Containers[0].ID != "p" {
		t.Errorf("stale container kept: %+v", sbs[0].Containers)
	}
}
