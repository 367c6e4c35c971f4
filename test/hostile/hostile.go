// Package hostile serves misbehaving endpoints on loopback for tests: ones
// that hang, trickle, answer garbage or well-formed but incomplete replies,
// send bodies without end, or repeat a page token. winami must meet each
// with an error that names the cause, never a panic, a hang or a false
// success.
package hostile

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Serve starts handler on loopback for the rest of the test and returns its URL.
func Serve(t testing.TB, handler http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// Hang accepts every request and never answers, until the client goes
// away or the test ends.
func Hang(t testing.TB) string {
	ctx, cancel := context.WithCancel(context.Background())
	url := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client leaving.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-ctx.Done():
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(cancel) // after Serve's: cleanups run last first, and Close waits for handlers
	return url
}

// HeadersThenHang sends 200 and its headers, then nothing more.
func HeadersThenHang(t testing.TB, contentType string) string {
	ctx, cancel := context.WithCancel(context.Background())
	defer t.Cleanup(cancel) // after Serve's: cleanups run last first, and Close waits for handlers
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-ctx.Done():
		case <-r.Context().Done():
		}
	}))
}

// Trickle sends body one byte every interval.
func Trickle(t testing.TB, contentType, body string, interval time.Duration) string {
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		for i := 0; i < len(body); i++ {
			if _, err := w.Write([]byte{body[i]}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(interval):
			}
		}
	}))
}

// Endless answers 200 with a body that never ends (prefix, then filler).
func Endless(t testing.TB, contentType, prefix string) string {
	filler := make([]byte, 64<<10)
	for i := range filler {
		filler[i] = ' '
	}
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write([]byte(prefix)); err != nil {
			return
		}
		for {
			if _, err := w.Write(filler); err != nil {
				return
			}
		}
	}))
}

// Reply answers every request with the same status, content type and body.
func Reply(t testing.TB, status int, contentType, body string) string {
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
}

// HTMLPage is what a captive portal or a wrong port answers.
const HTMLPage = "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>"

// Empty answers every AWS call with a well-formed reply that holds no
// members: {} for JSON protocols and REST, <ActionResponse><ActionResult/>
// </ActionResponse> for the query protocols (IAM, STS), and
// <ActionResponse/> for EC2.
func Empty(t testing.TB) string {
	return Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		action := r.Form.Get("Action")
		switch {
		case action != "" && r.Form.Get("Version") == "2016-11-15": // EC2
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<%[1]sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>x</requestId></%[1]sResponse>`, action)
		case action != "":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<%[1]sResponse><%[1]sResult></%[1]sResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></%[1]sResponse>`, action)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "{}")
		}
	}))
}
