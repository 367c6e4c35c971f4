package exporter

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/drift"
)

// brokenListener fails every Accept, as a listener whose socket died.
type brokenListener struct{ net.Listener }

func (brokenListener) Accept() (net.Conn, error) {
	return nil, errors.New("accept: too many open files")
}

// TestRunEndsWhenTheServerFails: a server that cannot serve stops the
// report loop (here blocked in a run that only ends with its context) and
// Run returns the server's error.
func TestRunEndsWhenTheServerFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	runEnded := make(chan struct{})
	e := New(Config{
		Interval: time.Hour,
		Source: func(context.Context) (drift.Sources, drift.Options, error) {
			return drift.Sources{}, drift.Options{}, nil
		},
		Report: func(ctx context.Context, _ drift.Sources, _ drift.Options) (*drift.Report, error) {
			<-ctx.Done()
			close(runEnded)
			return nil, ctx.Err()
		},
	})
	done := make(chan error, 1)
	go func() { done <- e.Run(t.Context(), brokenListener{ln}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "too many open files") {
			t.Errorf("Run = %v, want the server's error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run went on after its server failed")
	}
	select {
	case <-runEnded:
	default:
		t.Error("Run returned with a report still running")
	}
}
