package control

import "time"

// Buckets are the latency histograms' upper bounds.
var Buckets = []time.Duration{time.Microsecond, 10 * time.Microsecond, 100 * time.Microsecond,
	time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, time.Second}

// Histogram is a fixed-bucket latency histogram (Prometheus semantics:
// Counts[i] counts observations ≤ Buckets[i]; Count counts all).
type Histogram struct {
	Counts []uint64      `json:"counts"`
	Count  uint64        `json:"count"`
	Sum    time.Duration `json:"sum_ns"`
}

func (h *Histogram) observe(d time.Duration) {
	if h.Counts == nil {
		h.Counts = make([]uint64, len(Buckets))
	}
	for i, b := range Buckets {
		if d <= b {
			h.Counts[i]++
		}
	}
	h.Count++
	h.Sum += d
}

// Mean is the average observation (0 when there is none).
func (h *Histogram) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / time.Duration(h.Count)
}
