package bench

import (
	"fmt"
	"image/color"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// WritePlots writes one PNG per workload (bars: median per runtime, whiskers
// min–max) and one latency CDF per latency workload; it returns the file
// names, relative to dir.
func WritePlots(dir string, r *Results) ([]string, error) {
	var files []string
	for _, scen := range []bool{false, true} {
		for _, row := range r.rows(scen) {
			name, err := barPlot(dir, r, row)
			if err != nil {
				return files, err
			}
			if name != "" {
				files = append(files, name)
			}
			name, err = cdfPlot(dir, r, row)
			if err != nil {
				return files, err
			}
			if name != "" {
				files = append(files, name)
			}
		}
	}
	return files, nil
}

func fileName(row row, suffix string) string {
	n := row.workload
	if row.scenario != "" {
		n = row.scenario + "-" + row.workload
	}
	return strings.NewReplacer("/", "-", " ", "-").Replace(n) + suffix + ".png"
}

// errPoints are the bar tops with their min–max whiskers.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func barPlot(dir string, r *Results, row row) (string, error) {
	var names []string
	var vals plotter.Values
	var pts errPoints
	for _, rt := range r.Runtimes {
		s := r.Find(row.workload, row.scenario, rt.Name)
		if s == nil || len(s.Values) == 0 {
			continue
		}
		x := float64(len(names))
		names = append(names, rt.Name)
		vals = append(vals, s.Median)
		pts.XYs = append(pts.XYs, plotter.XY{X: x, Y: s.Median})
		pts.YErrors = append(pts.YErrors, struct{ Low, High float64 }{s.Median - s.Min, s.Max - s.Median})
	}
	if len(names) == 0 {
		return "", nil
	}
	p := plot.New()
	p.Title.Text = title(row)
	p.Y.Label.Text = fmt.Sprintf("%s (%s is better)", row.metric, row.better)
	p.Y.Min = 0
	bars, err := plotter.NewBarChart(vals, vg.Points(28))
	if err != nil {
		return "", err
	}
	bars.Color = color.RGBA{R: 70, G: 110, B: 170, A: 255}
	whiskers, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return "", err
	}
	p.Add(bars, whiskers)
	p.NominalX(names...)
	name := fileName(row, "")
	return name, p.Save(5*vg.Inch, 3.5*vg.Inch, filepath.Join(dir, name))
}

func cdfPlot(dir string, r *Results, row row) (string, error) {
	p := plot.New()
	p.Title.Text = title(row) + ": latency CDF"
	p.X.Label.Text = "latency (ms)"
	p.Y.Label.Text = "fraction of requests"
	n := 0
	for i, rt := range r.Runtimes {
		s := r.Find(row.workload, row.scenario, rt.Name)
		if s == nil || len(s.Samples) == 0 {
			continue
		}
		xs := append([]float64(nil), s.Samples...)
		sort.Float64s(xs)
		pts := make(plotter.XYs, len(xs))
		for j, x := range xs {
			pts[j] = plotter.XY{X: x, Y: float64(j+1) / float64(len(xs))}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return "", err
		}
		l.Color = plotutil.Color(i)
		p.Add(l)
		p.Legend.Add(rt.Name, l)
		n++
	}
	if n == 0 {
		return "", nil
	}
	p.Legend.Top = false
	p.Legend.Left = false
	name := fileName(row, "-cdf")
	return name, p.Save(5*vg.Inch, 3.5*vg.Inch, filepath.Join(dir, name))
}

func title(row row) string {
	if row.scenario != "" {
		return row.scenario + ": " + row.workload
	}
	return row.workload
}
