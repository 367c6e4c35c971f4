package cmdutil

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/winami/winami/pkg/awsapi"
)

// Only a loopback AWS endpoint is asked whether it is a winami sandbox:
// against AWS itself the image checker is configured as before and sends
// no extra request.
func TestImageCheckerOptionsAsksOnlyLoopback(t *testing.T) {
	for endpoint, asks := range map[string]bool{
		"":                                    false,
		"https://ecr.us-east-1.amazonaws.com": false,
		"http://10.1.2.3:4566":                false,
		"http://127.0.0.1:4566":               true,
		"http://localhost:4566":               true,
	} {
		cfg := aws.Config{Region: "us-east-1"}
		if endpoint != "" {
			cfg.BaseEndpoint = aws.String(endpoint)
		}
		app := NewApp(IOStreams{})
		opts, err := app.ImageCheckerOptions(awsapi.NewClients(cfg))
		if err != nil {
			t.Fatalf("%q: %v", endpoint, err)
		}
		if got := opts.Registries != nil; got != asks {
			t.Errorf("endpoint %q: asks the sandbox %v, want %v", endpoint, got, asks)
		}
		if opts.Transport != nil || opts.SizeAnnotation != "" {
			t.Errorf("endpoint %q: transport or size annotation set before any registry request", endpoint)
		}
	}
}
