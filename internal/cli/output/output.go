// Package output renders command results: data as JSON or YAML for
// programs, tables for people, and tab-separated text for shell scripts.
// Data goes to stdout; progress and diagnostics go to stderr.
package output

import (
	"encoding/json"
	"fmt"
	"github.com/winami/winami/internal/textsafe"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/goccy/go-yaml"
)

// Format is an output format chosen with -o/--output.
type Format string

const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
	Text  Format = "text"
	// HTML is a page for a browser; only commands that declare it render it.
	HTML Format = "html"
)

// Formats lists the accepted formats, in the order help shows them.
var Formats = []Format{Table, JSON, YAML, Text}

// ParseFormat checks a -o value.
func ParseFormat(s string) (Format, error) {
	for _, f := range append(slices.Clone(Formats), HTML) {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q: use one of table, json, yaml, text", s)
}

// Rows is the tabular view of a result: a header and rows of cells.
type Rows struct {
	Header []string
	Rows   [][]string
}

// Add appends one row.
func (r *Rows) Add(cells ...string) { r.Rows = append(r.Rows, cells) }

// Print writes data in the format: JSON and YAML encode data itself (its
// JSON field names are the stable contract); table aligns rows under their
// header; text writes the rows tab-separated without header, one per line,
// as `aws --output text` does.
func Print(w io.Writer, f Format, data any, rows Rows) error {
	switch f {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(data)
	case YAML:
		b, err := toYAML(data)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case Text:
		for _, row := range rows.Rows {
			if _, err := fmt.Fprintln(w, strings.Join(escaped(row), "\t")); err != nil {
				return err
			}
		}
		return nil
	default:
		return PrintTable(w, rows)
	}
}

// PrintTable aligns rows under an upper-case header.
func PrintTable(w io.Writer, rows Rows) error {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	if len(rows.Header) > 0 {
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(rows.Header, "\t")))
	}
	for _, row := range rows.Rows {
		fmt.Fprintln(tw, strings.Join(escaped(row), "\t"))
	}
	return tw.Flush()
}

// escaped returns the cells with control characters escaped: values come
// from nodes, endpoints and files, and a newline, tab or ANSI escape in one
// would split a record, shift a column or drive the terminal.
func escaped(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = textsafe.Escape(c)
	}
	return out
}

// toYAML goes through JSON so YAML keys are the JSON field names, in order.
func toYAML(data any) ([]byte, error) {
	j, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	y, err := yaml.JSONToYAML(j)
	if err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	return y, nil
}

// Dash is a table cell for a value that may be empty: "-" for nothing
// (or only spaces), so columns stay aligned and scripts see a token.
func Dash(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "-"
	}
	return s
}
