package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

import (
	"errors"
	"fmt"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

type chartFile struct{ title, file string }

// series is one set of bars (one color): a value per x category, nil where
// the figure is missing.
type series struct {
	name   string
	values []*float64
}

// writeCharts draws one PNG per measure, backends (or collectors) side by
// side. A measure nobody has a figure for is skipped, not drawn empty.
func writeCharts(r *Report, dir string) ([]chartFile, error) {
	var files []chartFile
	var errs []error
	for _, s := range append(backendCharts(r), processCharts(r)...) {
		if !anyValue(s.series) {
			continue
		}
		if err := barChart(filepath.Join(dir, s.file), s.title, s.unit, s.x, s.series); err != nil {
			errs = append(errs, fmt.Errorf("chart %s: %w", s.file, err))
			continue
		}
		files = append(files, chartFile{title: s.title, file: s.file})
	}
	return files, errors.Join(errs...)
}

func anyValue(ss []series) bool {
	for _, s := range ss {
		for _, v := range s.values {
			if v != nil {
				return true
			}
		}
	}
	return false
}

// barChart draws one bar per (series, x) pair, grouped by series and
// colored by x (the backend or collector), with each figure written over
// its bar. Missing figures are marked "n/a" under their bar.
func barChart(path, title, unit string, x []string, ss []series) error {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = unit
	p.Add(plotter.NewGrid())
	n := len(ss) * len(x)
	categories := make([]string, n)
	top := 0.0
	var figures plotter.XYLabels
	for bi, name := range x {
		vals := make(plotter.Values, n)
		for si, s := range ss {
			c := si*len(x) + bi
			// The legend names the colors; a bar's own label only needs
			// its series when there are several of each.
			switch {
			case s.name == "":
				categories[c] = name
			case len(x) > 1:
				categories[c] = s.name
			default:
				categories[c] = s.name + "\n" + name
			}
			v := s.values[bi]
			if v == nil {
				categories[c] += "\n(n/a)"
				continue
			}
			vals[c] = *v
			top = max(top, *v)
			figures.XYs = append(figures.XYs, plotter.XY{X: float64(c), Y: *v})
			figures.Labels = append(figures.Labels, formatFigure(*v))
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(36))
		if err != nil {
			return err
		}
		bars.Color = plotutil.Color(bi)
		bars.LineStyle.Width = 0
		p.Add(bars)
		if len(x) > 1 {
			p.Legend.Add(name, bars)
		}
	}
	p.Y.Min = 0
	p.Y.Max = max(top*1.2, 1e-9) // room for the figures and the legend
	if len(figures.XYs) > 0 {
		l, err := plotter.NewLabels(figures)
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = -0.5 // centered over the bar
		}
		p.Add(l)
	}
	p.Legend.Top = true
	p.NominalX(categories...)
	return p.Save(vg.Length(max(4, 0.9*float64(n)))*vg.Inch, 3.5*vg.Inch, path)
}

func formatFigure(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
