package httpbound_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/test/hostile"
)

func client(l httpbound.Limits) *http.Client {
	return &http.Client{Transport: httpbound.Transport(nil, l)}
}

func get(t *testing.T, c *http.Client, url string) ([]byte, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func TestTimeoutCoversHeadersAndBody(t *testing.T) {
	c := client(httpbound.Limits{Timeout: 300 * time.Millisecond})
	for name, url := range map[string]string{
		"no answer":           hostile.Hang(t),
		"headers, then none":  hostile.HeadersThenHang(t, "application/json"),
		"a byte every 100 ms": hostile.Trickle(t, "application/json", strings.Repeat("x", 100), 100*time.Millisecond),
	} {
		start := time.Now()
		_, err := get(t, c, url)
		var te *httpbound.TimeoutError
		if !errors.As(err, &te) {
			t.Errorf("%s: %v; want a TimeoutError", name, err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: took %s", name, took)
		}
	}
	// A prompt answer is untouched.
	if b, err := get(t, c, hostile.Reply(t, 200, "text/plain", "ok")); err != nil || string(b) != "ok" {
		t.Errorf("prompt answer: %q, %v", b, err)
	}
}

func TestBodyBounded(t *testing.T) {
	c := client(httpbound.Limits{MaxBody: 1 << 20})
	_, err := get(t, c, hostile.Endless(t, "application/json", "{"))
	var tl *httpbound.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("endless body: %v; want TooLargeError", err)
	}
	exact := strings.Repeat("x", 1<<20)
	if b, err := get(t, c, hostile.Reply(t, 200, "text/plain", exact)); err != nil || len(b) != 1<<20 {
		t.Errorf("a body of exactly the limit: %d bytes, %v", len(b), err)
	}
}
