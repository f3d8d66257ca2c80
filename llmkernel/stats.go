package llmkernel

// EngineStats are the engine's counters, for `agent status`, metrics and tests.
type EngineStats struct {
	Backend       string                       `json:"backend"`
	Decisions     map[string]map[string]uint64 `json:"decisions"` // kind -> tier -> count
	Rejected      map[string]uint64            `json:"rejected"`  // kind -> guardrail rejections
	CacheEntries  int                          `json:"cache_entries"`
	CacheEvicted  uint64                       `json:"cache_evicted"`
	Outcomes      uint64                       `json:"outcomes"`
	OutcomesLost  uint64                       `json:"outcomes_lost"`
	RecordsLost   uint64                       `json:"records_lost"`
	PersistErrors uint64                       `json:"persist_errors"`
	// LearnWithheld is outcome weight not taught to the shared fast tier
	// because its sandbox had spent its hourly budget.
	LearnWithheld float64   `json:"learn_withheld"`
	Deep          DeepStats `json:"deep"`
}

// DeepStats count the deep tier's work.
type DeepStats struct {
	Submitted uint64 `json:"submitted"`
	Deduped   uint64 `json:"deduped"`
	Dropped   uint64 `json:"dropped"`
	Completed uint64 `json:"completed"`
	Timeouts  uint64 `json:"timeouts"`
	Invalid   uint64 `json:"invalid_answers"`
	Errors    uint64 `json:"backend_errors"`
	// Declined: the backend would not run now (budget, guards); the
	// fast tier's decision stood. LastDeclined says why, last time.
	Declined     uint64 `json:"declined"`
	LastDeclined string `json:"last_declined,omitempty"`
}

// Stats snapshots the counters.
func (e *Engine) Stats() EngineStats {
	st := EngineStats{
		Backend: e.Backend(), Decisions: map[string]map[string]uint64{}, Rejected: map[string]uint64{},
		CacheEntries: e.cache.Len(), CacheEvicted: e.cacheEvicted.Load(), Outcomes: e.outcomesSeen.Load(),
		OutcomesLost: e.outcomesLost.Load(), RecordsLost: e.recordsLost.Load(), PersistErrors: e.persistErrors.Load(),
		LearnWithheld: e.budget.withheldTotal(),
	}
	for _, k := range Kinds() {
		m := map[string]uint64{}
		for t := range e.decisions[k] {
			if n := e.decisions[k][t].Load(); n > 0 {
				m[Tier(t).String()] = n
			}
		}
		if len(m) > 0 {
			st.Decisions[k.String()] = m
		}
		if n := e.guard.rejected[k].Load(); n > 0 {
			st.Rejected[k.String()] = n
		}
	}
	if d := e.deep; d != nil {
		st.Deep = DeepStats{
			Submitted: d.submitted.Load(), Deduped: d.deduped.Load(), Dropped: d.dropped.Load(),
			Completed: d.completed.Load(), Timeouts: d.errTimeout.Load(), Invalid: d.errSchema.Load(), Errors: d.errBackend.Load(),
			Declined: d.declined.Load(),
		}
		if why := d.declinedHow.Load(); why != nil {
			st.Deep.LastDeclined = *why
		}
	}
	return st
}
