package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// figure is one cell: its text, and the number behind it when it has one
// (for the ratio columns).
type figure struct {
	text  string
	value *float64
}

func missing() figure { return figure{text: "–"} }

func number(v *float64, format string) figure {
	if v == nil {
		return missing()
	}
	return figure{text: fmt.Sprintf(format, *v), value: v}
}

func text(s string) figure { return figure{text: s} }

func mib(v *float64) figure {
	if v == nil {
		return missing()
	}
	return figure{text: fmt.Sprintf("%.1f MiB", *v/(1<<20)), value: v}
}

// resultRow is one line of the side-by-side table: a label and a figure
// per backend.
type resultRow struct {
	label string
	cell  func(b *BackendReport) figure
}

func intText(v *int64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%d", *v)
}

// ratio is b ÷ base, for a cell with numbers on both sides.
func ratio(b, base figure) string {
	if b.value == nil || base.value == nil || *base.value == 0 {
		return ""
	}
	return fmt.Sprintf("×%.2f", *b.value / *base.value)
}

// writeMarkdown renders the report: the backends side by side, each one
// after the first also as a ratio to the first.
func writeMarkdown(w io.Writer, r *Report, charts []chartFile) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	status := "complete"
	if !r.Complete {
		status = "**INCOMPLETE** — some figures are missing or wrong; see Problems"
	}
	p("# Backend comparison %s\n\n", r.RunID)
	p("Status: %s. Started %s, took %s.\n\n", status, r.StartedAt.Format(time.RFC3339), r.FinishedAt.Sub(r.StartedAt).Round(time.Second))
	writeList(w, "## Problems\n\n", r.Problems)
	writeWorkload(w, r)

	p("## Results\n\n")
	header := r.BackendNames()
	for _, b := range r.Backends[min(1, len(r.Backends)):] {
		header = append(header, b.Name+" ÷ "+r.Backends[0].Name)
	}
	p("| | %s |\n|---|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, row := range resultRows(r) {
		cells := make([]figure, len(r.Backends))
		texts := make([]string, 0, len(header))
		for i, b := range r.Backends {
			cells[i] = row.cell(b)
			texts = append(texts, cells[i].text)
		}
		for _, c := range cells[min(1, len(cells)):] {
			texts = append(texts, ratio(c, cells[0]))
		}
		p("| %s | %s |\n", row.label, strings.Join(texts, " | "))
	}
	p("\n")
	for _, b := range r.Backends {
		if len(b.Problems) == 0 && len(b.Notes) == 0 {
			continue
		}
		p("**%s**:\n", b.Name)
		for _, pr := range b.Problems {
			p("- problem: %s\n", pr)
		}
		for _, n := range b.Notes {
			p("- note: %s\n", n)
		}
		p("\n")
	}
	writeCosts(w, r)
	if len(charts) > 0 {
		p("## Charts\n\n")
		for _, c := range charts {
			p("![%s](charts/%s)\n\n", c.title, c.file)
		}
	}
	p("## How these figures are measured\n\n%s", methodNotes)
}

func writeList(w io.Writer, heading string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprint(w, heading)
	for _, it := range items {
		fmt.Fprintf(w, "- %s\n", it)
	}
	fmt.Fprintln(w)
}

func writeWorkload(w io.Writer, r *Report) {
	wc := r.Workload.Config
	fmt.Fprintf(w, "## Workload\n\nSeed %d: %d traces, %d spans (%d with error status), %d OTLP requests; %d services, depth ≤ %d, fan-out ≤ %d, %d extra attributes per span, %d client addresses; %d client events.\n",
		wc.Seed, r.Workload.Traces, r.Workload.Spans, r.Workload.ErrorSpans, r.Workload.Requests, wc.Services, wc.Depth, wc.FanOut, wc.Attributes, wc.ClientAddresses, r.Workload.Events)
	rate := "as fast as the collector accepts"
	if wc.Rate > 0 {
		rate = fmt.Sprintf("target %.0f spans/s", wc.Rate)
	}
	fmt.Fprintf(w, "Sent in %.2f s (%s): %.0f spans/s; the collector accepted %d spans, rejected %d",
		r.Send.Seconds, rate, r.Send.SpansPerSecond, r.Send.SpansAccepted, r.Send.SpansRejected)
	if r.Workload.Events > 0 {
		fmt.Fprintf(w, "; events accepted %d, rejected %d", r.Send.EventsAccepted, r.Send.EventsRejected)
	}
	fmt.Fprint(w, ".\n\n")
}

func writeCosts(w io.Writer, r *Report) {
	fmt.Fprint(w, "## Collectors and processes\n\n| measured | CPU seconds | peak RSS | spans accepted by receivers | problems |\n|---|---|---|---|---|\n")
	for _, c := range r.Collectors {
		var acc []string
		for _, name := range slices.Sorted(maps.Keys(c.ReceiverAcceptedSpans)) {
			acc = append(acc, fmt.Sprintf("%s %.0f", name, c.ReceiverAcceptedSpans[name]))
		}
		fmt.Fprintf(w, "| collector %s | %s | %s | %s | %s |\n", c.Name, number(c.CPUSeconds, "%.2f").text, mib(c.PeakRSSBytes).text,
			strings.Join(acc, ", "), strings.Join(c.Problems, "; "))
	}
	for _, pr := range r.Processes {
		fmt.Fprintf(w, "| process %s | %s | %s | | %s |\n", pr.Name, number(pr.CPUSeconds, "%.2f").text, mib(pr.PeakRSSBytes).text, strings.Join(pr.Problems, "; "))
	}
	fmt.Fprint(w, "\nCPU seconds and receiver counts are deltas over sending, the wait for every backend and the queries; peak RSS is the highest value seen while polling.\n\n")
}
