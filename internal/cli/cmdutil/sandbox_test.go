package cmdutil

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
)

// fakeSandbox records how the App starts and stops the injected sandbox.
type fakeSandbox struct {
	started []SandboxOptions
	stopped int
}

func (f *fakeSandbox) Start(_ context.Context, o SandboxOptions) (*LocalSandbox, error) {
	f.started = append(f.started, o)
	return &LocalSandbox{
		URL:         "http://127.0.0.1:45999",
		Region:      "eu-west-3",
		Credentials: aws.Credentials{AccessKeyID: "fake", SecretAccessKey: "fake"},
		Stop:        func() error { f.stopped++; return nil },
	}, nil
}

func (f *fakeSandbox) NewCmd(*App) *cobra.Command { return &cobra.Command{Use: "sandbox"} }

func TestClientsUseTheInjectedSandbox(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	fake := &fakeSandbox{}
	app := NewApp(IOStreams{ErrOut: &bytes.Buffer{}})
	app.Sandbox = fake
	app.Globals.Sandbox, app.Globals.SandboxSeed, app.Globals.SandboxFaults = true, 7, "throttle=0.1"
	if got := app.SandboxAddr(); got != "" {
		t.Errorf("SandboxAddr before Clients = %q, want empty", got)
	}
	clients, err := app.Clients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.started) != 1 || fake.started[0].Seed != 7 || fake.started[0].Faults != "throttle=0.1" {
		t.Errorf("started with %+v, want one start with seed 7 and the faults", fake.started)
	}
	cfg := clients.Config()
	if aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:45999" || cfg.Region != "eu-west-3" {
		t.Errorf("clients reach %q in %q, want the sandbox's URL and region", aws.ToString(cfg.BaseEndpoint), cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "fake" {
		t.Errorf("credentials %q (%v), want the sandbox's", creds.AccessKeyID, err)
	}
	if got := app.SandboxAddr(); got != "127.0.0.1:45999" {
		t.Errorf("SandboxAddr = %q, want 127.0.0.1:45999", got)
	}
	app.Close()
	if fake.stopped != 1 {
		t.Errorf("stopped %d times, want once", fake.stopped)
	}
}

func TestClientsWithoutAnInjectedSandbox(t *testing.T) {
	app := NewApp(IOStreams{ErrOut: &bytes.Buffer{}})
	app.Globals.Sandbox = true
	_, err := app.Clients(t.Context())
	if err == nil || !strings.Contains(err.Error(), "built without the embedded sandbox") {
		t.Fatalf("err = %v, want it to say the build has no sandbox", err)
	}
}
