package metrics

import (
	"bytes"
	"math"
	"testing"
)

func TestWrite(t *testing.T) {
	fams := []Family{
		{Name: "a_total", Help: "Runs by result.", Type: Counter, Samples: []Sample{
			{Labels: L("result", "ok"), Value: 3},
			{Labels: L("result", "error"), Value: 0},
		}},
		{Name: "b", Help: "Help with \\ and\nnewline \"kept\".", Type: Gauge, Samples: []Sample{
			{Labels: L("node", `we"ird\name`+"\n", "reason", "x"), Value: 1},
		}},
		{Name: "c_seconds", Help: "No labels.", Type: Gauge, Samples: []Sample{{Value: 0.25}}},
		{Name: "d", Help: "Specials.", Type: Gauge, Samples: []Sample{
			{Labels: L("v", "1"), Value: 1764345600},
			{Labels: L("v", "2"), Value: math.Inf(1)},
			{Labels: L("v", "3"), Value: math.NaN()},
			{Labels: L("v", "4"), Value: 1e20},
			{Labels: L("v", "5"), Value: -2},
		}},
		{Name: "e", Help: "Empty.", Type: Gauge},
	}
	var buf bytes.Buffer
	if err := Write(&buf, fams); err != nil {
		t.Fatal(err)
	}
	want := `# HELP a_total Runs by result.
# TYPE a_total counter
a_total{result="error"} 0
a_total{result="ok"} 3
# HELP b Help with \\ and\nnewline "kept".
# TYPE b gauge
b{node="we\"ird\\name\n",reason="x"} 1
# HELP c_seconds No labels.
# TYPE c_seconds gauge
c_seconds 0.25
# HELP d Specials.
# TYPE d gauge
d{v="1"} 1764345600
d{v="2"} +Inf
d{v="3"} NaN
d{v="4"} 1e+20
d{v="5"} -2
# HELP e Empty.
# TYPE e gauge
`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if n := Series(fams); n != 9 {
		t.Errorf("Series = %d, want 9", n)
	}
	// Write sorts a copy: the caller's order stays.
	if fams[0].Samples[0].Labels[0].Value != "ok" {
		t.Error("Write reordered the caller's samples")
	}
}
