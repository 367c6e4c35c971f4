// Package sandbox is winami's local AWS-compatible endpoint: one HTTP server
// that answers every service and region the product uses, over a seeded world.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/ec2"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/ssm"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/sts"
	"github.com/winami/winami/sandbox/world"
)

// DefaultRegion is the region of unsigned requests and of clients that name none.
const DefaultRegion = "us-east-1"

// Options configure a sandbox.
type Options struct {
	// Seed selects the generated world; the same seed gives the same world.
	Seed int64
	// StatePath, when set, is loaded at start and saved after every change.
	StatePath string
	// Logger receives request logs; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is a sandbox: its state and its HTTP handler.
type Server struct {
	store   *state.Store
	handler http.Handler
	httpSrv *http.Server
	url     string
}

// New builds a sandbox. It does not listen; use Start, or mount Handler.
func New(opts Options) (*Server, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	store, err := state.Open(opts.StatePath, func() *world.World { return world.Seed(opts.Seed) })
	if err != nil {
		return nil, err
	}
	mux := protocol.NewMux(protocol.MuxOptions{DefaultRegion: DefaultRegion, Logger: opts.Logger},
		sts.New(store, now),
		ssm.New(store, now),
		ec2.New(store, now),
	)
	return &Server{store: store, handler: mux}, nil
}

// Handler is the sandbox's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the sandbox's state.
func (s *Server) Store() *state.Store { return s.store }

// Start listens on addr (e.g. "127.0.0.1:0" for a free port) and serves in
// the background until Close. It returns the endpoint URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: listening on %s: %w", addr, err)
	}
	s.httpSrv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("sandbox server stopped", "error", err)
		}
	}()
	return s.url, nil
}

// URL is the endpoint after Start.
func (s *Server) URL() string { return s.url }

// Close stops serving, letting requests in flight finish within ctx.
func (s *Server) Close(ctx context.Context) error {
	if s.httpSrv == nil {
		return nil
	}
	return s.httpSrv.Shutdown(ctx)
}
