package ssm

import (
	"strings"
	"testing"
)

// The AWS messages these rules answer with were taken from AWS responses
// quoted in public bug reports: AccessDeniedException "No access to reserved
// parameter name: awssec/lab01/vpc_id." for PutParameter of
// /awssec/lab01/vpc_id (leading slash dropped) and of "awslimitschecker";
// DeleteParameter of "aws-cdk-playground" likewise; the "ssm" message for
// /SSM/... and for names with '@', spaces or a missing leading slash; the
// path message from GetParametersByPath with a path lacking its slash.

func TestCheckWriteName(t *testing.T) {
	cases := []struct {
		name, code, msg string
	}{
		{"/winami/pinned", "", ""},
		{"plain-name_1.2", "", ""},
		{"/aws/service/x", "AccessDeniedException", "No access to reserved parameter name: aws/service/x."},
		{"/awssec/lab01/vpc_id", "AccessDeniedException", "No access to reserved parameter name: awssec/lab01/vpc_id."},
		{"/AWS/x", "AccessDeniedException", "No access to reserved parameter name: AWS/x."},
		{"awslimitschecker", "AccessDeniedException", "No access to reserved parameter name: awslimitschecker."},
		{"/ssm/x", "ValidationException", nameRulesMessage},
		{"SSM-test", "ValidationException", nameRulesMessage},
		{"a/b", "ValidationException", nameRulesMessage},
		{"/a/b/", "ValidationException", nameRulesMessage},
		{"/a//b", "ValidationException", nameRulesMessage},
		{"/a/b c", "ValidationException", nameRulesMessage},
		{"/mail/x@y.z", "ValidationException", nameRulesMessage},
		{"/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15", "", ""},
		{"/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", "HierarchyLevelLimitExceededException", ""},
		{"/" + strings.Repeat("x", 1011), "ValidationException", ""},
		{strings.Repeat("x", 1011), "", ""},
		{"", "ValidationException", "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, c := range cases {
		err := checkWriteName(c.name)
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%q: %v", c.name, err)
		case c.code != "" && (err == nil || err.Code != c.code):
			t.Errorf("%q: got %v, want %s", c.name, err, c.code)
		case c.msg != "" && err.Message != c.msg:
			t.Errorf("%q: message %q, want %q", c.name, err.Message, c.msg)
		}
	}
}

func TestCheckReadNameAllowsPublicNames(t *testing.T) {
	for _, ok := range []string{"/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35/image_id", "ssm-free", "x"} {
		if err := checkReadName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"a/b", "/a b", "/a/", ""} {
		if err := checkReadName(bad); err == nil || err.Code != "ValidationException" {
			t.Errorf("%q: got %v, want ValidationException", bad, err)
		}
	}
}

func TestCheckPath(t *testing.T) {
	for _, ok := range []string{"/", "/aws", "/aws/service/ami-windows-latest", "/aws/service/ami-windows-latest/", "/a.b/c-d/e_f"} {
		if err := checkPath(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"aws/service", "/a//b", "/a b", "//"} {
		if err := checkPath(bad); err == nil || err.Message != pathRulesMessage {
			t.Errorf("%q: got %v, want the path rules", bad, err)
		}
	}
	if err := checkPath(""); err == nil || err.Code != "ValidationException" {
		t.Errorf("empty path: %v", err)
	}
}

func TestSplitSelector(t *testing.T) {
	for ref, want := range map[string][2]string{
		"/a/b":       {"/a/b", ""},
		"/a/b:3":     {"/a/b", ":3"},
		"/a/b:label": {"/a/b", ":label"},
	} {
		if n, s := splitSelector(ref); n != want[0] || s != want[1] {
			t.Errorf("splitSelector(%q) = %q, %q", ref, n, s)
		}
	}
}

func TestPageTokenRoundTrip(t *testing.T) {
	tok := pageToken{Path: "/aws/service", Recursive: true, After: "/aws/service/x"}
	got, ok := decodeToken(encodeToken(tok))
	if !ok || got != tok {
		t.Errorf("round trip: %+v, %v", got, ok)
	}
	for _, bad := range []string{"", "!!", encodeToken(pageToken{Path: "/"})} {
		if _, ok := decodeToken(bad); ok {
			t.Errorf("decodeToken(%q) accepted", bad)
		}
	}
}
