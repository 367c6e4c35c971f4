package boundary

import (
	"strings"
	"testing"
)

// offline are packages that read local files only (the spec, AMI names,
// partitions): they must not pull in the AWS SDK or winami's SDK layer, so
// that they stay cheap to load and to test, and cannot call AWS by accident.
var offline = []string{"pkg/spec", "pkg/eksami", "pkg/partition"}

// forbiddenDep reports why dep may not be among an offline package's
// dependencies, or "".
func forbiddenDep(dep string) string {
	switch {
	case strings.HasPrefix(dep, "github.com/aws/"):
		return "the AWS SDK"
	case under(dep, module+"/pkg/awsapi"):
		return "winami's SDK layer"
	case dep == module+"/pkg/catalog":
		return "pkg/catalog (it calls AWS; use pkg/eksami)"
	}
	return ""
}

func TestOfflinePackagesDoNotImportTheSDK(t *testing.T) {
	statSources(t)
	for _, p := range offline {
		deps := listDeps(t, p)
		if len(deps) == 0 {
			t.Fatalf("go list -deps %s listed %d packages", p, len(deps))
		}
		for _, d := range deps {
			if why := forbiddenDep(d); why != "" {
				t.Errorf("%s depends on %s (%s)", p, d, why)
			}
		}
	}
}

func TestForbiddenDep(t *testing.T) {
	for dep, bad := range map[string]bool{
		"github.com/aws/aws-sdk-go-v2/service/ssm": true,
		"github.com/aws/smithy-go":                 true,
		module + "/pkg/awsapi":                     true,
		module + "/pkg/catalog":                    true,
		module + "/pkg/eksami":                     false,
		"github.com/goccy/go-yaml":                 false,
	} {
		if got := forbiddenDep(dep) != ""; got != bad {
			t.Errorf("forbiddenDep(%s) = %v, want %v", dep, got, bad)
		}
	}
}
