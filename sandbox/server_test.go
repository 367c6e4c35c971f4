package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestStartServesAndCloses(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if url != srv.URL() || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("Start returned %q, URL() %q", url, srv.URL())
	}
	if _, err := srv.Start("127.0.0.1:0"); err == nil {
		t.Errorf("a second Start succeeded")
	}
	cfg := sandboxtest.Config(url, 1)
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity: %v", err)
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Errorf("the sandbox still answers after Close")
	}
}

func TestClientHintsAndBanner(t *testing.T) {
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, Faults: "throttle=0.1,seed=3"})
	hints := srv.ClientHints()
	joined := strings.Join(hints, "\n")
	for _, want := range []string{
		"export AWS_ENDPOINT_URL=" + srv.URL(),
		"export AWS_ACCESS_KEY_ID=test",
		"export AWS_SECRET_ACCESS_KEY=test",
		"export AWS_REGION=us-east-1",
		"export AWS_DEFAULT_REGION=us-east-1",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("hints lack %q:\n%s", want, joined)
		}
	}
	banner := srv.Banner()
	if !containsAll(banner, append(hints, "aws --endpoint-url "+srv.URL()+" sts get-caller-identity", "throttle=0.1,seed=3")...) {
		t.Errorf("banner:\n%s", banner)
	}
}

// TestHintsWorkWithTheAWSCLI runs the banner's example where the aws CLI is
// installed; the SDK tests cover the same wire otherwise.
func TestHintsWorkWithTheAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cmd := exec.CommandContext(t.Context(), aws, "sts", "get-caller-identity", "--output", "json")
	cmd.Env = []string{"HOME=" + t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	for _, h := range srv.ClientHints() {
		cmd.Env = append(cmd.Env, strings.TrimPrefix(h, "export "))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	var id struct{ Account string }
	if err := json.Unmarshal(out, &id); err != nil || id.Account == "" {
		t.Errorf("aws CLI printed %s (%v)", out, err)
	}
}

func TestMaxBodyBytes(t *testing.T) {
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, MaxBodyBytes: 512})
	post := func(body string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL(), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusRequestEntityTooLarge && !bytes.Contains(b, []byte("<Code>RequestEntityTooLarge</Code>")) {
			t.Errorf("413 body is not an STS error: %s", b)
		}
		return resp.StatusCode
	}
	if got := post("Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("x", 1024)); got != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", got)
	}
	if got := post("Action=GetCallerIdentity&Version=2011-06-15"); got != http.StatusOK {
		t.Errorf("small body: status %d, want 200", got)
	}
}

func TestStartFailsOnABusyPort(t *testing.T) {
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	other, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(srv.URL(), "http://")
	if _, err := other.Start(addr); err == nil {
		_ = other.Close(context.WithoutCancel(t.Context()))
		t.Errorf("second sandbox started on the busy %s", addr)
	}
}

// TestCloseDoesNotWaitForIdleConnections: a connection dialled but never
// used must not hold Close up (http.Server.Shutdown alone waits 5 s for it),
// while a request in flight still gets its answer.
func TestCloseDoesNotWaitForIdleConnections(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1, Faults: "latency=200ms"})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idle, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	answered := make(chan error, 1)
	go func() {
		resp, err := http.Post(url, "application/x-www-form-urlencoded",
			strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		answered <- err
	}()
	time.Sleep(50 * time.Millisecond) // the request is now waiting out its latency

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-answered; err != nil {
		t.Errorf("request in flight during Close: %v", err)
	}
}

// TestServerServesRegistriesAndECR: the sandbox's one endpoint answers ECR
// API calls and, by Host, registry requests for public and ECR hosts.
func TestServerServesRegistriesAndECR(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	tok, err := ecr.NewFromConfig(cfg).GetAuthorizationToken(t.Context(), &ecr.GetAuthorizationTokenInput{})
	if err != nil || len(tok.AuthorizationData) != 1 {
		t.Fatalf("GetAuthorizationToken: %+v, %v", tok, err)
	}
	get := func(host, path, auth string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
		if auth != "" {
			req.Header.Set("Authorization", "Basic "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ecrHost := "111122223333.dkr.ecr.us-east-1.amazonaws.com"
	if code := get("mcr.microsoft.com", "/v2/windows/servercore/manifests/ltsc2022", ""); code != http.StatusOK {
		t.Errorf("public image: %d", code)
	}
	if code := get(ecrHost, "/v2/payments/api/manifests/1.4.2", ""); code != http.StatusUnauthorized {
		t.Errorf("ECR image without a token: %d, want 401", code)
	}
	if code := get(ecrHost, "/v2/payments/api/manifests/1.4.2", *tok.AuthorizationData[0].AuthorizationToken); code != http.StatusOK {
		t.Errorf("ECR image with the token: %d", code)
	}
}
