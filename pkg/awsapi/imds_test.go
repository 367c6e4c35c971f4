package awsapi

import (
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// silentIMDS listens on loopback and accepts connections but never answers,
// as an address that drops packets would; it returns its URL.
func silentIMDS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// refusedIMDS is a loopback URL nobody listens on.
func refusedIMDS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// TestNoCredentialsFailFast: with no credentials anywhere and an instance
// metadata service that does not answer, the first AWS call fails with "no
// AWS credentials found" in about a second, not after the call's 10 attempts
// each waiting for IMDS.
func TestNoCredentialsFailFast(t *testing.T) {
	for name, imds := range map[string]func(*testing.T) string{"silent": silentIMDS, "refused": refusedIMDS} {
		t.Run(name, func(t *testing.T) {
			isolate(t)
			os.Unsetenv("AWS_EC2_METADATA_DISABLED")
			t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds(t))
			r := newRecorder(t, http.StatusOK)
			cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: r.srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.RetryMaxAttempts != DefaultMaxAttempts {
				t.Fatalf("RetryMaxAttempts = %d, want AWS calls to keep %d", cfg.RetryMaxAttempts, DefaultMaxAttempts)
			}
			start := time.Now()
			err = Explain(getParameter(t.Context(), NewClients(cfg).SSM("")))
			elapsed := time.Since(start)
			if err == nil || !strings.HasPrefix(err.Error(), "no AWS credentials found") {
				t.Fatalf("got %v, want no AWS credentials found", err)
			}
			// About a second; the bound leaves room for a loaded CI machine.
			if elapsed > 4*time.Second {
				t.Errorf("took %v to report missing credentials, want about a second", elapsed)
			}
			if r.hits.Load() != 0 {
				t.Error("an unsigned request reached the server")
			}
		})
	}
}
