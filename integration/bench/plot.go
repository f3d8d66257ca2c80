package bench

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Plots are drawn with the standard library and a bitmap font: a plotting
// library's package initialisation would run on every runsc-ai start,
// sandbox and gofer included.

// WritePlots writes one PNG per workload (bars: median per runtime, whiskers
// min–max) and one latency CDF per latency workload; it returns the file
// names, relative to dir.
func WritePlots(dir string, r *Results) ([]string, error) {
	var files []string
	for _, scen := range []bool{false, true} {
		for _, rw := range r.rows(scen) {
			for _, plot := range []func(string, *Results, row) (string, error){barPlot, cdfPlot} {
				name, err := plot(dir, r, rw)
				if err != nil {
					return files, err
				}
				if name != "" {
					files = append(files, name)
				}
			}
		}
	}
	for _, sc := range r.Config.Scenarios {
		name, err := learnPlot(dir, r, sc)
		if err != nil {
			return files, err
		}
		if name != "" {
			files = append(files, name)
		}
	}
	return files, nil
}

// learnPlot draws a scenario's captured fraction per repetition, one curve
// per measure with at least two repetitions that have one: whether the
// agent gets closer to the oracle as the run goes on.
func learnPlot(dir string, r *Results, scenario string) (string, error) {
	var curves []Capture
	for _, c := range r.Captures {
		n := 0
		for _, f := range c.PerRep {
			if f != nil {
				n++
			}
		}
		if c.Scenario == scenario && n >= 2 {
			curves = append(curves, c)
		}
	}
	if len(curves) == 0 {
		return "", nil
	}
	c := newCanvas(scenario+": captured fraction per repetition", "captured fraction (1: the oracle, 0: runsc); x: repetition")
	c.ymin, c.ymax = -0.5, 1.5
	c.xmin = -0.5
	for _, cv := range curves {
		c.xmax = math.Max(c.xmax, float64(len(cv.PerRep))-0.5)
		for _, f := range cv.PerRep {
			if f != nil {
				c.ymin, c.ymax = math.Min(c.ymin, math.Floor(*f)), math.Max(c.ymax, math.Ceil(*f))
			}
		}
	}
	c.axes()
	for _, y := range []float64{0, 1} {
		x0, py := c.px(c.xmin, y)
		x1, _ := c.px(c.xmax, y)
		c.line(x0, py, x1, py, black)
	}
	for i := 0; float64(i) < c.xmax; i++ {
		x, y := c.px(float64(i), c.ymin)
		label := fmt.Sprint(i + 1)
		c.text(x-len(label)*7/2, y+16, label, black)
	}
	for i, cv := range curves {
		col := palette[i%len(palette)]
		prev := false
		var px, py int
		for j, f := range cv.PerRep {
			if f == nil {
				prev = false
				continue
			}
			x, y := c.px(float64(j), *f)
			if prev {
				c.line(px, py, x, y, col)
			}
			c.line(x-3, y, x+3, y, col)
			c.line(x, y-3, x, y+3, col)
			px, py, prev = x, y, true
		}
		c.text(plotW-right-200, top+16+16*i, "-- "+cv.Workload, col)
	}
	name := strings.NewReplacer("/", "-", " ", "-").Replace(scenario) + "-learning.png"
	return name, c.save(filepath.Join(dir, name))
}

func fileName(row row, suffix string) string {
	n := row.workload
	if row.scenario != "" {
		n = row.scenario + "-" + row.workload
	}
	return strings.NewReplacer("/", "-", " ", "-").Replace(n) + suffix + ".png"
}

func title(row row) string {
	if row.scenario != "" {
		return row.scenario + ": " + row.workload
	}
	return row.workload
}

var (
	black   = color.RGBA{0, 0, 0, 255}
	grey    = color.RGBA{200, 200, 200, 255}
	palette = []color.RGBA{{70, 110, 170, 255}, {210, 110, 50, 255}, {80, 160, 80, 255}, {170, 60, 140, 255}, {120, 120, 120, 255}}
)

const (
	plotW, plotH         = 640, 400
	left, right, top, bo = 80, 20, 40, 50 // margins
)

// canvas is a white image with the plot area's coordinate mapping.
type canvas struct {
	img        *image.RGBA
	ymin, ymax float64
	xmin, xmax float64
}

func newCanvas(heading, ylabel string) *canvas {
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, plotW, plotH))}
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)
	c.text(plotW/2-len(heading)*7/2, 20, heading, black)
	c.text(4, top-8, ylabel, black)
	return c
}

func (c *canvas) px(x, y float64) (int, int) {
	fx := left + (x-c.xmin)/(c.xmax-c.xmin)*float64(plotW-left-right)
	fy := float64(plotH-bo) - (y-c.ymin)/(c.ymax-c.ymin)*float64(plotH-bo-top)
	return int(math.Round(fx)), int(math.Round(fy))
}

func (c *canvas) text(x, y int, s string, col color.Color) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func (c *canvas) line(x0, y0, x1, y1 int, col color.Color) {
	dx, dy := abs(float64(x1-x0)), -abs(float64(y1-y0))
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		c.img.Set(x0, y0, col)
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			x0 += sx
		} else {
			e += dx
			y0 += sy
		}
	}
}

// axes draws the y axis with ticks and the x axis.
func (c *canvas) axes() {
	x0, y0 := c.px(c.xmin, c.ymin)
	_, y1 := c.px(c.xmin, c.ymax)
	x1, _ := c.px(c.xmax, c.ymin)
	for i := 0; i <= 5; i++ {
		v := c.ymin + (c.ymax-c.ymin)*float64(i)/5
		_, y := c.px(c.xmin, v)
		c.line(x0+1, y, x1, y, grey)
		label := fmt.Sprintf("%.4g", v)
		c.text(x0-6-7*len(label), y+4, label, black)
	}
	c.line(x0, y0, x0, y1, black)
	c.line(x0, y0, x1, y0, black)
}

func (c *canvas) save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, c.img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func barPlot(dir string, r *Results, row row) (string, error) {
	var series []*Series
	for _, name := range r.variantNames(row.scenario) {
		if s := r.Find(row.workload, row.scenario, name); s != nil && len(s.Values) > 0 {
			series = append(series, s)
		}
	}
	if len(series) == 0 {
		return "", nil
	}
	c := newCanvas(title(row), fmt.Sprintf("%s (%s is better); bars: median, whiskers: min-max", row.metric, row.better))
	c.xmin, c.xmax = 0, float64(len(series))
	for _, s := range series {
		c.ymax = math.Max(c.ymax, s.Max)
	}
	c.ymax = niceCeil(c.ymax)
	c.axes()
	for i, s := range series {
		col := palette[i%len(palette)]
		xa, y0 := c.px(float64(i)+0.2, 0)
		xb, ym := c.px(float64(i)+0.8, s.Median)
		draw.Draw(c.img, image.Rect(xa, ym, xb, y0), image.NewUniform(col), image.Point{}, draw.Src)
		xm, ylo := c.px(float64(i)+0.5, s.Min)
		_, yhi := c.px(float64(i)+0.5, s.Max)
		c.line(xm, ylo, xm, yhi, black)
		c.line(xm-6, ylo, xm+6, ylo, black)
		c.line(xm-6, yhi, xm+6, yhi, black)
		// Many bars (a scenario's oracles): names on two staggered lines.
		label, y := strings.TrimPrefix(s.Runtime, StaticPrefix), plotH-bo+14
		if len(series) > 4 && i%2 == 1 {
			y += 13
		}
		c.text(xm-len(label)*7/2, y, label, black)
		v := fmt.Sprintf("%.4g", s.Median)
		c.text(xm-len(v)*7/2, plotH-bo+42, v, black)
	}
	name := fileName(row, "")
	return name, c.save(filepath.Join(dir, name))
}

// variantNames are the runtimes and, for a scenario, its oracles: the
// names a row's series can carry, in the order they are plotted.
func (r *Results) variantNames(scenario string) []string {
	var names []string
	for _, rt := range r.Runtimes {
		names = append(names, rt.Name)
	}
	if scenario != "" {
		names = append(names, Floor)
		for _, set := range r.Static[scenario] {
			names = append(names, StaticPrefix+set.Name)
		}
	}
	return names
}

func cdfPlot(dir string, r *Results, row row) (string, error) {
	type curve struct {
		name string
		xs   []float64
	}
	var curves []curve
	for _, rt := range r.Runtimes {
		if s := r.Find(row.workload, row.scenario, rt.Name); s != nil && len(s.Samples) > 0 {
			xs := append([]float64(nil), s.Samples...)
			sort.Float64s(xs)
			curves = append(curves, curve{rt.Name, xs})
		}
	}
	if len(curves) == 0 {
		return "", nil
	}
	c := newCanvas(title(row)+": latency CDF", "fraction of requests (x: latency, ms)")
	c.ymin, c.ymax = 0, 1
	for _, cv := range curves {
		c.xmax = math.Max(c.xmax, cv.xs[len(cv.xs)-1])
	}
	c.xmax = niceCeil(c.xmax)
	c.axes()
	for i := 0; i <= 4; i++ {
		v := c.xmax * float64(i) / 4
		x, y := c.px(v, 0)
		label := fmt.Sprintf("%.3g", v)
		c.text(x-len(label)*7/2, y+16, label, black)
	}
	for i, cv := range curves {
		col := palette[i%len(palette)]
		px, py := c.px(0, 0)
		for j, x := range cv.xs {
			nx, ny := c.px(x, float64(j+1)/float64(len(cv.xs)))
			c.line(px, py, nx, py, col) // a step function
			c.line(nx, py, nx, ny, col)
			px, py = nx, ny
		}
		c.text(plotW-right-150, top+16+16*i, "-- "+cv.name, col)
	}
	name := fileName(row, "-cdf")
	return name, c.save(filepath.Join(dir, name))
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
