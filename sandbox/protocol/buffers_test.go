package protocol

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestPooledXMLReplies: a reply built in a pooled buffer is the reply of
// the same bytes as RawXML, and replies served at once, each from a
// buffer the last one gave back, never carry one another's bytes (run
// with -race: the buffers change hands between goroutines).
func TestPooledXMLReplies(t *testing.T) {
	var pool BufferPool
	svc := testEC2Service()
	svc.Operations = map[string]Handler{
		"Raw": func(_ context.Context, req *Request) (any, error) {
			return RawXML("<name>" + req.Params.Get("Name") + "</name>"), nil
		},
		"Pooled": func(_ context.Context, req *Request) (any, error) {
			buf := pool.Get()
			*buf = append(*buf, "<name>"+req.Params.Get("Name")+"</name>"...)
			return PooledXML{Buf: buf, Pool: &pool}, nil
		},
	}
	mux := NewMux(MuxOptions{}, svc)
	send := func(op, name string) string {
		form := url.Values{"Action": {op}, "Version": {svc.APIVersion}, "Name": {name}}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		return rec.Body.String()
	}
	raw, pooled := send("Raw", "x"), send("Pooled", "x")
	if want := strings.Replace(raw, "RawResponse", "PooledResponse", 2); strings.Replace(pooled, "-000000000002", "-000000000001", 1) != want {
		t.Fatalf("pooled reply:\n%s\nwant\n%s", pooled, want)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				name := fmt.Sprintf("g%d-%d", g, i)
				if body := send("Pooled", name); !strings.Contains(body, "<name>"+name+"</name>") || strings.Count(body, "<name>") != 1 {
					t.Errorf("reply for %s: %s", name, body)
				}
			}
		})
	}
	wg.Wait()
}
