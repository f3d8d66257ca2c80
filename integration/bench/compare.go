package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Change is one series compared between two results.
type Change struct {
	Workload, Scenario, Runtime, Metric string
	Old, New                            float64
	// Pct is the change of the median in percent; Worse accounts for the
	// metric's direction.
	Pct        float64
	Worse      bool
	Regression bool
	// Points: Pct is a difference of fractions in percentage points (the
	// captured fraction against the oracle).
	Points bool
}

// Compare lists what changed from a to b; a change worse than threshold
// percent is a regression.
func Compare(a, b *Results, threshold float64) []Change {
	var out []Change
	for _, s := range b.Series {
		old := a.Find(s.Workload, s.Scenario, s.Runtime)
		if old == nil || old.Median == 0 || len(s.Values) == 0 {
			continue
		}
		c := Change{Workload: s.Workload, Scenario: s.Scenario, Runtime: s.Runtime, Metric: s.Metric, Old: old.Median, New: s.Median}
		c.Pct = (s.Median - old.Median) / old.Median * 100
		c.Worse = (s.Better == "lower" && c.Pct > 0) || (s.Better == "higher" && c.Pct < 0)
		c.Regression = c.Worse && abs(c.Pct) > threshold
		out = append(out, c)
	}
	// A drop in the fraction of the oracle's gain the agent captures is a
	// regression too (threshold read as percentage points).
	for _, nc := range b.Captures {
		for _, oc := range a.Captures {
			if oc.Scenario != nc.Scenario || oc.Workload != nc.Workload || oc.Agent != nc.Agent || oc.Captured == nil || nc.Captured == nil {
				continue
			}
			c := Change{Workload: nc.Workload, Scenario: nc.Scenario, Runtime: nc.Agent, Metric: "captured fraction", Old: *oc.Captured, New: *nc.Captured, Points: true}
			c.Pct = (c.New - c.Old) * 100
			c.Worse = c.Pct < 0
			c.Regression = c.Worse && -c.Pct > threshold
			out = append(out, c)
		}
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// WriteComparison prints the changes as a table; regressions are flagged.
func WriteComparison(w io.Writer, changes []Change, threshold float64) (regressions int) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tRUNTIME\tMETRIC\tOLD\tNEW\tCHANGE\t")
	for _, c := range changes {
		name := c.Workload
		if c.Scenario != "" {
			name = c.Scenario + ":" + c.Workload
		}
		flag := ""
		switch {
		case c.Regression:
			flag = "REGRESSION"
			regressions++
		case !c.Worse && abs(c.Pct) > threshold:
			flag = "better"
		}
		unit := "%"
		if c.Points {
			unit = " pp"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4g\t%.4g\t%+.1f%s\t%s\n", name, c.Runtime, c.Metric, c.Old, c.New, c.Pct, unit, flag)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d series compared, %d regressions (worse by more than %.0f%%; a captured fraction lower by more than %.0f points)\n", len(changes), regressions, threshold, threshold)
	return regressions
}
