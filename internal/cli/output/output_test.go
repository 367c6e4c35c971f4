package output

import (
	"bytes"
	"strings"
	"testing"
)

type sample struct {
	Region     string `json:"region"`
	Kubernetes string `json:"kubernetes"`
	Latest     bool   `json:"latest"`
}

func TestPrintFormats(t *testing.T) {
	data := []sample{{"us-east-1", "1.35", true}, {"eu-west-1", "1.30", false}}
	rows := Rows{Header: []string{"region", "kubernetes"}}
	rows.Add("us-east-1", "1.35")
	rows.Add("eu-west-1", "1.30")

	cases := map[Format]string{
		JSON:  "[\n  {\n    \"region\": \"us-east-1\",\n    \"kubernetes\": \"1.35\",\n    \"latest\": true\n  },\n  {\n    \"region\": \"eu-west-1\",\n    \"kubernetes\": \"1.30\",\n    \"latest\": false\n  }\n]\n",
		Text:  "us-east-1\t1.35\neu-west-1\t1.30\n",
		Table: "REGION      KUBERNETES\nus-east-1   1.35\neu-west-1   1.30\n",
	}
	for f, want := range cases {
		var b bytes.Buffer
		if err := Print(&b, f, data, rows); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b.String() != want {
			t.Errorf("%s:\n got %q\nwant %q", f, b.String(), want)
		}
	}
}

func TestYAMLKeepsStringsAndOrder(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, YAML, sample{"us-east-1", "1.30", true}, Rows{}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	// 1.30 must stay a string, or a YAML reader gets the float 1.3.
	if !strings.Contains(got, `kubernetes: "1.30"`) {
		t.Errorf("kubernetes version lost its quotes:\n%s", got)
	}
	if strings.Index(got, "region") > strings.Index(got, "kubernetes") {
		t.Errorf("keys out of order:\n%s", got)
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("JSON"); err != nil || f != JSON {
		t.Fatalf("ParseFormat(JSON) = %v, %v", f, err)
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, json, yaml, text") {
		t.Fatalf("ParseFormat(xml) error = %v", err)
	}
}

// TestUntrustedCellsStayInTheirRecord: node-reported fields with newlines,
// carriage returns, tabs, NUL or ANSI escapes do not split a record, shift
// a column or reach the terminal raw, in tables and in -o text.
func TestUntrustedCellsStayInTheirRecord(t *testing.T) {
	rows := Rows{Header: []string{"node", "kubelet"}}
	rows.Add("ip-1", "v1.35.2\nip-2\tv9.9.9\r\x00\x1b[2J")
	for _, f := range []Format{Table, Text} {
		var b strings.Builder
		if err := Print(&b, f, nil, rows); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if want := map[Format]int{Table: 2, Text: 1}[f]; len(lines) != want {
			t.Errorf("%s: %d lines, want %d:\n%s", f, len(lines), want, out)
		}
		if strings.ContainsAny(out, "\r\x00\x1b") || !strings.Contains(out, `v1.35.2\nip-2\tv9.9.9\r\x00\x1b[2J`) {
			t.Errorf("%s: control characters not escaped: %q", f, out)
		}
		if f == Text && strings.Count(out, "\t") != 1 {
			t.Errorf("text: a tab inside a cell split the record: %q", out)
		}
	}
}
