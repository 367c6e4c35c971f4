package prometheus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// refs are the metric and label names one PromQL expression names.
type refs struct {
	metrics, labels []string
}

// promqlWords are PromQL's aggregation operators, keywords and operators
// spelled as words: an identifier among them names no metric.
var promqlWords = []string{
	"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
	"bottomk", "topk", "quantile", "by", "without", "on", "ignoring", "group_left",
	"group_right", "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan", "start", "end",
}

// labelListWords take a parenthesised list of label names.
var labelListWords = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}

// references reads the metric and label names an expression names: the
// dashboard's queries are checked against what the exporter serves, so a
// misspelt name fails even where PromQL would only return nothing (a
// matcher on a missing label, a grouping by one). It is a lexer, not a
// parser: Prometheus itself rejects what is not PromQL when the test
// evaluates the expression.
func references(expr string) (refs, error) {
	var r refs
	add := func(list *[]string, name string) {
		if !slices.Contains(*list, name) {
			*list = append(*list, name)
		}
	}
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
	isIdent := func(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }
	skipSpace := func(i int) int {
		for i < len(expr) && strings.IndexByte(" \t\r\n", expr[i]) >= 0 {
			i++
		}
		return i
	}
	// str reads a quoted string starting at i and returns its end.
	str := func(i int) (string, int, error) {
		q := expr[i]
		var b strings.Builder
		for j := i + 1; j < len(expr); j++ {
			switch c := expr[j]; {
			case c == q:
				return b.String(), j + 1, nil
			case c == '\\' && q != '`' && j+1 < len(expr):
				j++
				b.WriteByte(expr[j])
			default:
				b.WriteByte(c)
			}
		}
		return "", 0, fmt.Errorf("unterminated string at %d", i)
	}
	braces, labelList := false, false
	lastLabel := ""
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case strings.IndexByte(" \t\r\n", c) >= 0:
			i++
		case c == '"' || c == '\'' || c == '`':
			s, end, err := str(i)
			if err != nil {
				return r, err
			}
			// {__name__="m"} names the metric m.
			if braces && lastLabel == "__name__" {
				add(&r.metrics, s)
			}
			i = end
		case c == '[':
			// A range or subquery: durations, no names.
			end := strings.IndexByte(expr[i:], ']')
			if end < 0 {
				return r, fmt.Errorf("unterminated [ at %d", i)
			}
			if strings.Contains(expr[i:i+end], "$") {
				return r, fmt.Errorf("a Grafana variable is left at %d: %q", i, expr[i:])
			}
			i += end + 1
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(expr) && expr[i+1] >= '0' && expr[i+1] <= '9'):
			// A number or a duration (1e3, 0x1f, 5m, 1.5).
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdent(expr[j]) {
				j++
			}
			word := expr[i:j]
			next := skipSpace(j)
			switch {
			case braces || labelList:
				add(&r.labels, word)
				lastLabel = word
			case slices.Contains(labelListWords, strings.ToLower(word)):
				if next >= len(expr) || expr[next] != '(' {
					return r, fmt.Errorf("%s without a label list at %d", word, i)
				}
				labelList = true
				i = next + 1
				continue
			case slices.Contains(promqlWords, strings.ToLower(word)):
			case next < len(expr) && expr[next] == '(':
				// A function call.
			default:
				add(&r.metrics, word)
			}
			i = j
		case c == '{':
			braces, lastLabel = true, ""
			i++
		case c == '}':
			braces = false
			i++
		case c == ')' && labelList:
			labelList = false
			i++
		case c == '$':
			return r, fmt.Errorf("a Grafana variable is left at %d: %q", i, expr[i:])
		case strings.IndexByte("()+-*/%^=!~<>,@", c) >= 0:
			i++
		default:
			return r, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	if braces || labelList {
		return r, fmt.Errorf("unclosed { or label list in %q", expr)
	}
	return r, nil
}

func TestReferences(t *testing.T) {
	for _, tc := range []struct {
		expr             string
		metrics, labels  []string
		wantErrSubstring string
	}{
		{expr: `sum by (cluster, ami) (winami_windows_nodes{job=~"a|b"})`, metrics: []string{"winami_windows_nodes"}, labels: []string{"cluster", "ami", "job"}},
		{expr: `(time() - max by (windows) (winami_latest_release_timestamp_seconds)) / 86400`, metrics: []string{"winami_latest_release_timestamp_seconds"}, labels: []string{"windows"}},
		{expr: `sum without(node)(rate(winami_drift_runs_total{result!="ok"}[5m] offset 1m)) * 60`, metrics: []string{"winami_drift_runs_total"}, labels: []string{"node", "result"}},
		{expr: `a / on (x) group_left (y) b > bool 0.5e3`, metrics: []string{"a", "b"}, labels: []string{"x", "y"}},
		{expr: `{__name__="winami_drift_nodes", cluster='de\'mo'}`, labels: []string{"__name__", "cluster"}, metrics: []string{"winami_drift_nodes"}},
		{expr: `max_over_time(up[1h:5m]) and up`, metrics: []string{"up"}},
		{expr: `sum(x) [$__range]`, wantErrSubstring: "Grafana variable"}, {expr: `rate(x[5m]) * $scale`, wantErrSubstring: "Grafana variable"},
		{expr: `sum by x`, wantErrSubstring: "without a label list"},
		{expr: `x{a="b"`, wantErrSubstring: "unclosed"},
	} {
		got, err := references(tc.expr)
		if tc.wantErrSubstring != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSubstring) {
				t.Errorf("references(%q): err %v, want one with %q", tc.expr, err, tc.wantErrSubstring)
			}
			continue
		}
		if err != nil {
			t.Errorf("references(%q): %v", tc.expr, err)
			continue
		}
		if !slices.Equal(got.metrics, tc.metrics) || !slices.Equal(got.labels, tc.labels) {
			t.Errorf("references(%q) = %v %v, want %v %v", tc.expr, got.metrics, got.labels, tc.metrics, tc.labels)
		}
	}
}
