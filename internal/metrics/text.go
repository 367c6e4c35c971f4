// Package metrics writes Prometheus' text exposition format (version
// 0.0.4). winami exports a handful of gauges and one counter, rebuilt from
// scratch on every scrape; a few dozen lines of encoder serve that without
// client_golang, its global default registry and its dependency tree.
package metrics

import (
	"bufio"
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ContentType is what a /metrics handler answers with.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Metric types.
const (
	Gauge   = "gauge"
	Counter = "counter"
)

// Label is one name="value" pair.
type Label struct {
	Name, Value string
}

// Sample is one series' value.
type Sample struct {
	Labels []Label
	Value  float64
}

// Family is one metric: its help, type and samples.
type Family struct {
	Name    string
	Help    string
	Type    string
	Samples []Sample
}

// L builds labels from name, value pairs: L("ami", id, "kubelet", v).
func L(pairs ...string) []Label {
	out := make([]Label, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Label{Name: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// Write encodes the families in order, each family's samples sorted by
// their labels so that two scrapes of the same state are byte-identical.
func Write(w io.Writer, fams []Family) error {
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		bw.WriteString("# HELP " + f.Name + " " + escapeHelp(f.Help) + "\n")
		bw.WriteString("# TYPE " + f.Name + " " + f.Type + "\n")
		samples := slices.Clone(f.Samples)
		slices.SortFunc(samples, func(a, b Sample) int { return compareLabels(a.Labels, b.Labels) })
		for _, s := range samples {
			bw.WriteString(f.Name)
			if len(s.Labels) > 0 {
				bw.WriteByte('{')
				for i, l := range s.Labels {
					if i > 0 {
						bw.WriteByte(',')
					}
					bw.WriteString(l.Name + `="` + escapeLabel(l.Value) + `"`)
				}
				bw.WriteByte('}')
			}
			bw.WriteString(" " + formatValue(s.Value) + "\n")
		}
	}
	return bw.Flush()
}

// Series counts the samples of all families.
func Series(fams []Family) int {
	n := 0
	for _, f := range fams {
		n += len(f.Samples)
	}
	return n
}

func compareLabels(a, b []Label) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp.Or(strings.Compare(a[i].Name, b[i].Name), strings.Compare(a[i].Value, b[i].Value)); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// The format escapes backslash and newline in help text, and also the
// double quote in label values (which are quoted).
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// formatValue writes whole numbers (counts, Unix seconds) without an
// exponent, so they read as what they are; others as Go's shortest form.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
