package preflight_test

import (
	"os"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/preflight"
)

// TestDocsNameEveryCheck: docs/preflight.md lists every check ID, so a new
// check cannot go undocumented.
func TestDocsNameEveryCheck(t *testing.T) {
	doc, err := os.ReadFile("../../docs/preflight.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{
		preflight.IDIdentity, preflight.IDRegionPrefix, preflight.IDInstanceProfile, preflight.IDRoleTrust,
		preflight.IDRoleImageBuilder, preflight.IDRoleSSM, preflight.IDRoleECRPull, preflight.IDECRCrossAccount,
		preflight.IDSLRImageBuilder, preflight.IDSLRFastLaunch, preflight.IDSubnet, preflight.IDSecurityGroups,
		preflight.IDInstanceTypes, preflight.IDParentImage, preflight.IDParentLifecycle, preflight.IDLaunchTemplate, preflight.IDCallerPermissions,
		preflight.IDCallerEC2, preflight.IDFastLaunchVPC, preflight.IDFastLaunchQuota, preflight.IDFastLaunchParallel,
		preflight.IDFastLaunchAccount, preflight.IDClusterWorkloads,
	} {
		if !strings.Contains(string(doc), "`"+id) {
			t.Errorf("docs/preflight.md does not name check %s", id)
		}
	}
	for _, m := range []preflight.Method{preflight.MethodSimulate, preflight.MethodAttachedPolicies, preflight.MethodDryRun, preflight.MethodUnknown} {
		if !strings.Contains(string(doc), "`"+string(m)+"`") {
			t.Errorf("docs/preflight.md does not explain method %s", m)
		}
	}
}
