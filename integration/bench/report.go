package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteReport writes report.md: machine, runtimes, one table row per
// workload with each runtime's median (min–max) and the ratio vs runsc.
func WriteReport(w io.Writer, r *Results, plots []string) error {
	m := r.Machine
	fmt.Fprintf(w, "# runsc-ai benchmark report\n\n")
	virt := ""
	if m.Virtualized {
		virt = ", virtualized"
	}
	fmt.Fprintf(w, "Measured %s on `%s`: %s, %d cores, %.1f GiB, Linux %s, %s%s.\n\n", r.Started.Format("2006-01-02 15:04 MST"),
		m.Hostname, m.CPUModel, m.Cores, float64(m.MemoryBytes)/(1<<30), m.Kernel, m.Arch, virt)
	fmt.Fprintf(w, "Command: `%s`. Repetitions: %d (after %d warm-up), interleaved, the runtime order rotating each repetition; quick: %v.\n\n",
		strings.Join(r.Command, " "), r.Config.Repeat, r.Config.Warmup, r.Config.Quick)
	fmt.Fprintf(w, "| runtime | binary | flags | status |\n| --- | --- | --- | --- |\n")
	for _, rt := range r.Runtimes {
		status := "compared"
		if !rt.Available {
			status = "skipped: " + rt.Reason
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", rt.Name, code(rt.Binary), code(strings.Join(rt.Flags, " ")), status)
	}
	var names []string
	for _, rt := range r.Runtimes {
		if rt.Available {
			names = append(names, rt.Name)
		}
	}
	for _, section := range []struct {
		title    string
		scenario bool
	}{{"Workloads", false}, {"Scenarios", true}} {
		rows := r.rows(section.scenario)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s\n\nEach cell: median (min–max) over the repetitions", section.title)
		if section.scenario {
			fmt.Fprintf(w, "; latency workloads add p50/p99 over all their samples")
		}
		fmt.Fprintf(w, ". Ratio: the median of per-repetition ratios to runsc (> 1: larger value).\n\n")
		fmt.Fprintf(w, "| workload | metric | better |")
		for _, n := range names {
			fmt.Fprintf(w, " %s |", n)
		}
		for _, n := range names {
			if n != Runsc {
				fmt.Fprintf(w, " %s / runsc |", n)
			}
		}
		fmt.Fprintf(w, "\n|%s\n", strings.Repeat(" --- |", 3+len(names)+len(names)-1))
		for _, row := range rows {
			label := row.workload
			if row.scenario != "" {
				label = row.scenario + ": " + row.workload
			}
			fmt.Fprintf(w, "| %s | %s | %s |", label, row.metric, row.better)
			for _, n := range names {
				s := r.Find(row.workload, row.scenario, n)
				fmt.Fprintf(w, " %s |", cell(s))
			}
			for _, c := range r.ratioCells(row, names) {
				fmt.Fprintf(w, " %s |", c)
			}
			fmt.Fprintln(w)
		}
	}
	writeCaptures(w, r)
	if an := r.Anomalies; an != nil {
		fmt.Fprintf(w, "\nSecurity: the agent reported %d anomalies on the benchmark's own workloads (%s); each workload's image learns over its first three runs, so later ones are false positives.\n", an.Total, kv(an.ByRule))
		for _, line := range an.Recent {
			fmt.Fprintf(w, "- %s\n", strings.ReplaceAll(line, "|", "/"))
		}
	}
	if a := r.Agent; a != nil {
		fmt.Fprintf(w, "\nThe runsc-ai+agent runtime's agent applied %d changes (%s), had %d proposals rejected by guardrails (%s), measured %d outcomes, %d apply errors.\n",
			a.Applied, kv(a.AppliedByAction), a.Rejected, kv(a.RejectedByKind), a.Outcomes, a.ApplyErrors)
	}
	if len(r.AgentLogs) > 0 {
		var links []string
		for _, l := range r.AgentLogs {
			links = append(links, fmt.Sprintf("[%s](%s)", l, l))
		}
		fmt.Fprintf(w, "\nThe agents' logs: %s (each change is an `applied` line with its rule).\n", strings.Join(links, ", "))
	}
	if len(plots) > 0 {
		fmt.Fprintf(w, "\n## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(w, "![%s](%s)\n", strings.TrimSuffix(p, ".png"), p)
		}
	}
	return nil
}

// ratioCells are a row's ratios to runsc, one per runtime but runsc.
func (r *Results) ratioCells(row row, names []string) []string {
	var out []string
	for _, n := range names {
		if n == Runsc {
			continue
		}
		if ra, ok := r.RatioOf(row.workload, row.scenario, n); ok {
			out = append(out, fmt.Sprintf("%.3f (n=%d)", ra.Median, len(ra.Pairs)))
		} else {
			out = append(out, "–")
		}
	}
	return out
}

// kv prints a count map as "a 1, b 2", sorted.
func kv(m map[string]uint64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

type row struct{ workload, scenario, metric, better string }

// rows lists the workloads in first-seen order.
func (r *Results) rows(scenarios bool) []row {
	var out []row
	seen := map[string]bool{}
	for _, s := range r.Series {
		if (s.Scenario != "") != scenarios || seen[s.Scenario+"/"+s.Workload] {
			continue
		}
		seen[s.Scenario+"/"+s.Workload] = true
		out = append(out, row{s.Workload, s.Scenario, s.Metric, s.Better})
	}
	return out
}

func cell(s *Series) string {
	if s == nil || len(s.Values) == 0 {
		if s != nil && len(s.Errors) > 0 {
			return "failed: " + strings.ReplaceAll(s.Errors[0], "|", "/")
		}
		return "–"
	}
	c := fmt.Sprintf("%.4g (%.4g–%.4g)", s.Median, s.Min, s.Max)
	if len(s.Samples) > 0 {
		c += fmt.Sprintf(" p50 %.3g p99 %.3g", s.P50, s.P99)
	}
	if len(s.Errors) > 0 {
		c += fmt.Sprintf(" [%d failed]", len(s.Errors))
	}
	return c
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

// WriteSummary prints the results as a plain table for a terminal: each
// row's median per runtime and the ratios to runsc, then what the agent did.
func WriteSummary(w io.Writer, r *Results) error {
	var names []string
	for _, rt := range r.Runtimes {
		if rt.Available {
			names = append(names, rt.Name)
		}
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "WORKLOAD\tMETRIC")
	for _, n := range names {
		fmt.Fprintf(tw, "\t%s", strings.ToUpper(n))
	}
	for _, n := range names {
		if n != Runsc {
			fmt.Fprintf(tw, "\t%s / RUNSC", strings.ToUpper(n))
		}
	}
	fmt.Fprintln(tw)
	for _, scen := range []bool{false, true} {
		for _, row := range r.rows(scen) {
			label := row.workload
			if row.scenario != "" {
				label = row.scenario + ": " + row.workload
			}
			fmt.Fprintf(tw, "%s\t%s (%s better)", label, row.metric, row.better)
			for _, n := range names {
				if s := r.Find(row.workload, row.scenario, n); s != nil && len(s.Values) > 0 {
					fmt.Fprintf(tw, "\t%.4g", s.Median)
				} else {
					fmt.Fprintf(tw, "\t–")
				}
			}
			for _, c := range r.ratioCells(row, names) {
				fmt.Fprintf(tw, "\t%s", c)
			}
			fmt.Fprintln(tw)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Captures) > 0 {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "\nSCENARIO MEASURE\tRUNTIME\tRUNSC\tVALUE\tORACLE\tCAPTURED\tREGRET\n")
		for _, c := range r.Captures {
			fmt.Fprintf(tw, "%s: %s\t%s\t%.4g\t%.4g\t%.4g (%s)\t%s\t%+.1f%%\n", c.Scenario, c.Workload, c.Agent, c.Runsc, c.Value, c.Best, c.BestName, c.fraction(), 100*c.Regret)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if a := r.Agent; a != nil {
		fmt.Fprintf(w, "agent: %d changes applied (%s), %d rejected by guardrails, %d outcomes, %d apply errors\n",
			a.Applied, kv(a.AppliedByAction), a.Rejected, a.Outcomes, a.ApplyErrors)
	}
	if an := r.Anomalies; an != nil {
		fmt.Fprintf(w, "security: %d anomalies on the benchmark's own workloads (%s)\n", an.Total, kv(an.ByRule))
	}
	if c := r.AgentCost; c != nil {
		fmt.Fprintf(w, "agent cost: %.2f CPU-s in %.0f s (%.1f%% of a core), peak RSS %.1f MiB, %d decisions (%.1f/s)",
			c.CPUSeconds, c.Seconds, 100*c.CPUShare, float64(c.PeakRSSBytes)/(1<<20), c.Decisions, c.DecisionsPerSec)
		if c.WindowMean > 0 {
			fmt.Fprintf(w, ", %v each, a window %v, %.1f%% of sandbox-windows decided", c.DecisionMean.Round(time.Microsecond), c.WindowMean.Round(time.Microsecond), 100*c.Coverage)
		}
		fmt.Fprintln(w)
	}
	for _, name := range slices.Sorted(maps.Keys(r.OtherAgents)) {
		fmt.Fprintf(w, "%s's agent: %s\n", name, r.OtherAgents[name].Summary())
	}
	return nil
}

// Summary is one line on what another agent runtime's agent did and cost.
func (o *OtherAgent) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "backend %s", o.Backend)
	if o.Model != "" {
		fmt.Fprintf(&b, " (%s)", o.Model)
	}
	if o.ModelNote != "" {
		fmt.Fprintf(&b, " — %s", o.ModelNote)
	}
	if c := o.Cost; c != nil {
		fmt.Fprintf(&b, "; %.2f CPU-s in %.0f s (%.1f%% of a core), peak RSS %.1f MiB, %d decisions, %d changes applied",
			c.CPUSeconds, c.Seconds, 100*c.CPUShare, float64(c.PeakRSSBytes)/(1<<20), c.Decisions, c.Applied)
	}
	if e := o.Engine; e != nil && e.Deep.Submitted > 0 {
		d := e.Deep
		fmt.Fprintf(&b, "; deep tier: %d asked, %d answered, %d declined (budget, guards), %d dropped (queue), %d timed out, %d invalid, %d backend errors; decisions by tier %s",
			d.Submitted, d.Completed, d.Declined, d.Dropped, d.Timeouts, d.Invalid, d.Errors, kvTiers(e.Decisions))
	}
	if in := o.Inference; in != nil {
		fmt.Fprintf(&b, "; inference %d runs, %.1f CPU-s on %d thread(s) at %s, %d budget pauses, %d thermal pauses, %d contention pauses",
			in.Inferences, in.CPU.Seconds(), in.Threads, in.Priority, in.BudgetPauses, in.GatePauses, in.ContentionPauses)
	}
	return b.String()
}

// kvTiers sums decisions per tier over the kinds.
func kvTiers(byKind map[string]map[string]uint64) string {
	sum := map[string]uint64{}
	for _, m := range byKind {
		for t, n := range m {
			sum[t] += n
		}
	}
	return kv(sum)
}

// writeCaptures writes report.md's oracle section: each scenario measure's
// runsc, agent, floor and best static medians and the captured fraction.
func writeCaptures(w io.Writer, r *Results) {
	if len(r.Captures) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Against the oracle\n\n")
	fmt.Fprintf(w, "The oracles ran on plain runsc in the same invocation, interleaved: the *floor* (a scenario's sensitive roles alone) and each *static* setting of the scenario's grid, runsc's default included. "+
		"Best: the better of the floor and the best static setting, per measure. Captured: (runsc − agent) / (runsc − best) in the measure's better direction (1: the agent reaches the oracle; 0: no better than runsc; none where runsc is within %.0f%% of the best). "+
		"To capture: how far runsc is from the best, in the metric's unit, and p: the one-sided Mann–Whitney p-value that the best's repetitions beat runsc's (above %.2f the gap is the machine's noise and no fraction is given). "+
		"Regret: how much worse than the best the agent is, relative to the best. Medians over the repetitions.\n\n", MinGap*100, MaxGapP)
	fmt.Fprintf(w, "| scenario: measure | runtime | metric | better | runsc | runtime's | floor | best static | best | to capture | captured | regret | note |\n")
	fmt.Fprintf(w, "|%s\n", strings.Repeat(" --- |", 13))
	for _, c := range r.Captures {
		floor := "–"
		if c.Floor != nil {
			floor = fmt.Sprintf("%.4g", *c.Floor)
		}
		fmt.Fprintf(w, "| %s: %s | %s | %s | %s | %.4g | %.4g | %s | %.4g (%s) | %s | %s | %s | %+.1f%% | %s |\n", c.Scenario, c.Workload, c.Agent, c.Metric, c.Better,
			c.Runsc, c.Value, floor, c.Static, c.StaticName, c.BestName, c.gapCell(), c.fraction(), 100*c.Regret, c.Note)
	}
	if len(r.Static) > 0 {
		var sets []string
		for _, s := range slices.Sorted(maps.Keys(r.Static)) {
			for _, set := range r.Static[s] {
				var parts []string
				for _, wl := range slices.Sorted(maps.Keys(set.Limits)) {
					parts = append(parts, wl+" "+set.Limits[wl].String())
				}
				sets = append(sets, fmt.Sprintf("%s `%s`: %s", s, set.Name, strings.Join(parts, ", ")))
			}
		}
		fmt.Fprintf(w, "\nStatic settings: %s.\n", strings.Join(sets, "; "))
	}
	if c := r.AgentCost; c != nil {
		fmt.Fprintf(w, "\nWhat the agent cost: %.2f CPU-seconds over its %.0f s (%.2f%% of one core), peak RSS %.1f MiB, %d decisions (%.1f per second), %d changes applied.",
			c.CPUSeconds, c.Seconds, 100*c.CPUShare, float64(c.PeakRSSBytes)/(1<<20), c.Decisions, c.DecisionsPerSec, c.Applied)
		if c.WindowMean > 0 {
			fmt.Fprintf(w, " A decision took %v on average, a window over every sandbox %v, and %.1f%% of the sandbox-windows (after each sandbox's first) were decided.",
				c.DecisionMean.Round(time.Microsecond), c.WindowMean.Round(time.Microsecond), 100*c.Coverage)
		}
		fmt.Fprintln(w)
	}
	for _, name := range slices.Sorted(maps.Keys(r.OtherAgents)) {
		fmt.Fprintf(w, "\n%s's agent: %s.\n", name, r.OtherAgents[name].Summary())
	}
}
