package awsapi

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestUnknownProfile(t *testing.T) {
	cfgFile := isolate(t)
	if err := os.WriteFile(cfgFile, []byte("[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n[sso-session corp]\nsso_region = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     string // AWS_PROFILE
		profile string // --profile
		want    []string
	}{
		{name: "flag", profile: "nope", want: []string{`AWS profile "nope" is not configured in ` + cfgFile, "aws configure --profile nope", "default, prod"}},
		{name: "env", env: "nope", want: []string{`AWS profile "nope" (from AWS_PROFILE)`, "aws configure --profile nope"}},
		{name: "typo", profile: "prdo", want: []string{`did you mean "prod"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("AWS_PROFILE", tt.env)
			}
			_, err := LoadConfig(t.Context(), Options{Profile: tt.profile})
			var ex *ExplainedError
			if !errors.As(err, &ex) {
				t.Fatalf("got %v, want an explained error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "corp") {
				t.Errorf("%q lists an sso-session as a profile", err)
			}
		})
	}
}
