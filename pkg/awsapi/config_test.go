package awsapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// isolate clears every AWS variable the tests care about and points the
// shared config files at temp files, so the user's ~/.aws never leaks in.
// It returns the config file path for tests that want a profile.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	credFile := filepath.Join(dir, "credentials")
	for _, f := range []string{cfgFile, credFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
	} {
		t.Setenv(k, "") // registers restoration at cleanup
		os.Unsetenv(k)  // the SDK treats a set-but-empty AWS_ENDPOINT_URL as set
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credFile)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return cfgFile
}

func dummyCreds() *aws.Credentials {
	return &aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}
}

func TestLoadConfigRegion(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		profile string // region of profile "p", selected with Options.Profile when set
		opts    Options
		want    string
		wantErr error
	}{
		{name: "AWS_REGION", env: map[string]string{"AWS_REGION": "eu-west-1"}, want: "eu-west-1"},
		{name: "AWS_DEFAULT_REGION fallback", env: map[string]string{"AWS_DEFAULT_REGION": "eu-west-2"}, want: "eu-west-2"},
		{name: "AWS_REGION beats AWS_DEFAULT_REGION", env: map[string]string{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, want: "eu-west-1"},
		{name: "flag beats env", env: map[string]string{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, opts: Options{Region: "ap-south-1"}, want: "ap-south-1"},
		{name: "profile region", profile: "ca-central-1", opts: Options{Profile: "p"}, want: "ca-central-1"},
		{name: "env beats profile", env: map[string]string{"AWS_DEFAULT_REGION": "eu-west-2"}, profile: "ca-central-1", opts: Options{Profile: "p"}, want: "eu-west-2"},
		{name: "default only when nothing else", opts: Options{DefaultRegion: "us-east-1"}, want: "us-east-1"},
		{name: "default loses to env", env: map[string]string{"AWS_REGION": "eu-west-1"}, opts: Options{DefaultRegion: "us-east-1"}, want: "eu-west-1"},
		{name: "default loses to profile", profile: "ca-central-1", opts: Options{Profile: "p", DefaultRegion: "us-east-1"}, want: "ca-central-1"},
		{name: "no region", wantErr: ErrNoRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgFile := isolate(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.profile != "" {
				if err := os.WriteFile(cfgFile, []byte("[profile p]\nregion = "+tt.profile+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			tt.opts.StaticCredentials = dummyCreds()
			cfg, err := LoadConfig(t.Context(), tt.opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.want {
				t.Errorf("region = %q, want %q", cfg.Region, tt.want)
			}
		})
	}
}

func TestErrNoRegionNamesTheFix(t *testing.T) {
	for _, want := range []string{"--region", "AWS_REGION", "~/.aws/config"} {
		if !strings.Contains(ErrNoRegion.Error(), want) {
			t.Errorf("ErrNoRegion %q does not mention %q", ErrNoRegion, want)
		}
	}
}

func TestLoadConfigUnknownProfile(t *testing.T) {
	isolate(t)
	_, err := LoadConfig(t.Context(), Options{Profile: "nope", DefaultRegion: "us-east-1"})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("err = %v, want an error naming the profile", err)
	}
}

// recorder is a loopback SSM endpoint that answers GetParameter and counts hits.
type recorder struct {
	srv  *httptest.Server
	hits atomic.Int32
}

func newRecorder(t *testing.T, status int) *recorder {
	t.Helper()
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "req-1") // as every AWS reply
		if status != http.StatusOK {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"__type":"InternalServerError","message":"boom"}`))
			return
		}
		_, _ = w.Write([]byte(`{"Parameter":{"Name":"/x","Value":"y","Type":"String"}}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func getParameter(ctx context.Context, c SSMAPI) error {
	_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/x")})
	return err
}

func TestEndpointPrecedence(t *testing.T) {
	tests := []struct {
		name      string
		global    bool // AWS_ENDPOINT_URL set
		service   bool // AWS_ENDPOINT_URL_SSM set
		flag      bool // Options.EndpointURL set
		wantWhich string
	}{
		{name: "global env", global: true, wantWhich: "global"},
		{name: "service env beats global env", global: true, service: true, wantWhich: "service"},
		{name: "flag beats global env", global: true, flag: true, wantWhich: "flag"},
		{name: "flag beats service env", global: true, service: true, flag: true, wantWhich: "flag"},
		{name: "flag beats service env alone", service: true, flag: true, wantWhich: "flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			servers := map[string]*recorder{
				"global":  newRecorder(t, http.StatusOK),
				"service": newRecorder(t, http.StatusOK),
				"flag":    newRecorder(t, http.StatusOK),
			}
			opts := Options{Region: "us-east-1", StaticCredentials: dummyCreds()}
			if tt.global {
				t.Setenv("AWS_ENDPOINT_URL", servers["global"].srv.URL)
			}
			if tt.service {
				t.Setenv("AWS_ENDPOINT_URL_SSM", servers["service"].srv.URL)
			}
			if tt.flag {
				opts.EndpointURL = servers["flag"].srv.URL
			}
			cfg, err := LoadConfig(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := getParameter(t.Context(), NewClients(cfg).SSM("eu-west-1")); err != nil {
				t.Fatal(err)
			}
			for name, r := range servers {
				want := int32(0)
				if name == tt.wantWhich {
					want = 1
				}
				if got := r.hits.Load(); got != want {
					t.Errorf("%s endpoint got %d requests, want %d", name, got, want)
				}
			}
		})
	}
}

func TestMaxAttemptsHonoured(t *testing.T) {
	// 0 leaves AWS_MAX_ATTEMPTS unset: winami's default applies.
	for _, attempts := range []int{1, 5, 0} {
		t.Run("", func(t *testing.T) {
			isolate(t)
			if attempts == 0 {
				attempts = DefaultMaxAttempts
			} else {
				t.Setenv("AWS_MAX_ATTEMPTS", strconv.Itoa(attempts))
			}
			r := newRecorder(t, http.StatusInternalServerError)
			counter := NewCallCounter()
			cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: r.srv.URL, StaticCredentials: dummyCreds(), Counter: counter})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.RetryMaxAttempts != attempts {
				t.Errorf("cfg.RetryMaxAttempts = %d, want %d", cfg.RetryMaxAttempts, attempts)
			}
			// Same construction as Clients, with the backoff capped so the
			// test does not sleep for seconds; max attempts still come from cfg.
			client := ssm.NewFromConfig(cfg, func(o *ssm.Options) {
				o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, time.Millisecond)
			})
			if err := getParameter(t.Context(), client); err == nil {
				t.Fatal("want an error from a server answering 500")
			}
			if got := int(r.hits.Load()); got != attempts {
				t.Errorf("server saw %d attempts, want %d", got, attempts)
			}
			if got := counter.Count("SSM", "GetParameter"); got != 1 {
				t.Errorf("counter calls = %d, want 1 (retries are not calls)", got)
			}
			if got := counter.Attempts("SSM", "GetParameter"); got != attempts {
				t.Errorf("counter attempts = %d, want %d", got, attempts)
			}
		})
	}
}

func TestRetryModeFromEnv(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_RETRY_MODE", "adaptive")
	cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", StaticCredentials: dummyCreds()})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RetryMode != aws.RetryModeAdaptive {
		t.Errorf("RetryMode = %q, want adaptive", cfg.RetryMode)
	}
}

// TestImageBuilderRateLimitIsRetried: Image Builder's 429
// CallRateLimitExceededException is retried, under both retry modes,
// although the SDK does not know the code.
func TestImageBuilderRateLimitIsRetried(t *testing.T) {
	for _, mode := range []string{"standard", "adaptive"} {
		t.Run(mode, func(t *testing.T) {
			isolate(t)
			t.Setenv("AWS_RETRY_MODE", mode)
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Header().Set("X-Amzn-Requestid", "req-1")
				if hits.Add(1) < 3 {
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = w.Write([]byte(`{"__type":"CallRateLimitExceededException","message":"Rate exceeded"}`))
					return
				}
				_, _ = w.Write([]byte(`{"Parameter":{"Name":"/x","Value":"y","Type":"String"}}`))
			}))
			t.Cleanup(srv.Close)
			cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: srv.URL, StaticCredentials: dummyCreds()})
			if err != nil {
				t.Fatal(err)
			}
			client := ssm.NewFromConfig(cfg, func(o *ssm.Options) {
				o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, time.Millisecond)
			})
			if err := getParameter(t.Context(), client); err != nil {
				t.Fatalf("after two 429s: %v", err)
			}
			if n := hits.Load(); n != 3 {
				t.Errorf("%d attempts, want 3", n)
			}
		})
	}
}
