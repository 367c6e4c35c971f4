package pipeline_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/pipeline"
)

func reportCalls(b *testing.B, e *env) {
	snap := e.counter.Snapshot()
	reads, writes := 0, 0
	for op, n := range snap {
		name := op[strings.LastIndex(op, ".")+1:]
		if strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "Describe") {
			reads += n
		} else {
			writes += n
		}
	}
	b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
	b.ReportMetric(float64(e.counter.Total())/float64(b.N), "aws-calls/op")
}

// BenchmarkPlanNoOp plans an applied spec: one list per resource type, one
// read per managed resource, and one SSM call for the parent.
func BenchmarkPlanNoOp(b *testing.B) {
	e := newEnv(b)
	s := e.load(b)
	api := e.clients.ImageBuilder(s.Region)
	if _, err := pipeline.Apply(b.Context(), api, e.planSpec(b, api, s), pipeline.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	e.counter.Reset()
	b.ResetTimer()
	for range b.N {
		if p := e.planSpec(b, api, s); p.HasChanges() {
			b.Fatalf("plan of an applied spec has changes: %+v", p.Changes)
		}
	}
	b.StopTimer()
	reportCalls(b, e)
	b.Logf("calls per no-op plan: %v (N=%d)", e.counter.Snapshot(), b.N)
}

// BenchmarkApplyFresh applies a spec nobody applied before.
func BenchmarkApplyFresh(b *testing.B) {
	e := newEnv(b)
	base := e.load(b)
	api := e.clients.ImageBuilder(base.Region)
	e.counter.Reset()
	b.ResetTimer()
	for i := range b.N {
		s := *base
		s.Name = fmt.Sprintf("bench%d", i)
		if _, err := pipeline.Apply(b.Context(), api, e.planSpec(b, api, &s), pipeline.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportCalls(b, e)
	b.Logf("calls per fresh plan+apply: %v (N=%d)", e.counter.Snapshot(), b.N)
}
