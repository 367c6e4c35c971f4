// Package htmlreport renders drift reports of one or many clusters as one
// self-contained HTML page: inline CSS, a little inline JS and SVG charts
// drawn here, on the server side, so every number a chart shows is also
// plain text or a data attribute in the markup (readable without JS, by a
// printer, and by a test), and nothing is fetched when the page opens.
package htmlreport

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/release"
)

// Cluster is one cluster of the fleet: its drift report, or why it could
// not be read (Error, with Report nil).
type Cluster struct {
	Name, Region, Account string
	Error                 string
	Report                *drift.Report
}

// Options are what the page shows beside the clusters.
type Options struct {
	// Title heads the page; "Windows nodes" when empty.
	Title string
	// Now is when the report was made: AMI ages count to it. The caller
	// passes its clock's time so a test's page does not change each day.
	Now time.Time
	// Channels are a spec's release channels (release status), if any.
	Channels []release.ChannelStatus
}

//go:embed assets/report.html.tmpl assets/report.css assets/report.js
var assets embed.FS

// Render writes the page for the clusters.
func Render(w io.Writer, clusters []Cluster, opts Options) error {
	css, err := assets.ReadFile("assets/report.css")
	if err != nil {
		return err
	}
	js, err := assets.ReadFile("assets/report.js")
	if err != nil {
		return err
	}
	// Parsed per call: no package state, and a report is made once.
	tmpl, err := template.New("report.html.tmpl").Funcs(template.FuncMap{
		"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"add": func(a, b float64) float64 { return a + b },
		"lw":  func() float64 { return labelWidth },
	}).ParseFS(assets, "assets/report.html.tmpl")
	if err != nil {
		return fmt.Errorf("the report's template: %w", err)
	}
	p := build(clusters, opts)
	// Both are this package's own embedded files, never report data.
	p.CSS, p.JS = template.CSS(css), template.JS(js)
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}
