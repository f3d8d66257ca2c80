package live

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

func sum(sb string, seq uint64, calls uint64) *summary.Summary {
	s := &summary.Summary{Sandbox: sb, Seq: seq, UnixNano: 1, WindowMs: 500}
	c := summary.Container{ID: sb}
	c.Classes[summary.FileIO] = summary.Count{Calls: calls, Bytes: 2 * calls}
	s.Containers = []summary.Container{c}
	return s
}

func TestTotalsRatesAndGaps(t *testing.T) {
	st := New()
	now := time.Unix(100, 0)
	st.Add(sum("a", 1, 100), now)
	st.Add(sum("a", 2, 50), now)
	st.Add(sum("a", 5, 10), now) // 3 and 4 never read
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
	st := New()
	st.max = 8
	for i := 0; i < 100; i++ {
		st.Add(sum(fmt.Sprintf("s%d", i), 1, 1), time.Unix(int64(i), 0))
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
	st := New()
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
