package imagebuilder

import (
	"testing"
	"time"

	"github.com/winami/winami/sandbox/world"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in        string
		wildcards bool
		want      string // "" = invalid
	}{
		{"1.2.3", false, "1.2.3"},
		{"0.0.0", false, "0.0.0"},
		{"1073741823.0.0", false, "1073741823.0.0"},
		{"1073741824.0.0", false, ""},
		{"1.2", false, ""},
		{"1.2.3.4", false, ""},
		{"1.2.x", false, ""},
		{"1.2.x", true, "1.2.x"},
		{"1.x.x", true, "1.x.x"},
		{"x.x.x", true, "x.x.x"},
		{"1.x.2", true, ""},
		{"x.2.x", true, ""},
		{"+1.2.3", false, ""},
		{"1.2.-3", false, ""},
		{"", false, ""},
	} {
		v, ok := parseVersion(tc.in, tc.wildcards)
		if got := v.String(); ok != (tc.want != "") || ok && got != tc.want {
			t.Errorf("parseVersion(%q, %v) = %s, %v; want %q", tc.in, tc.wildcards, got, ok, tc.want)
		}
	}
	if compareVersions(mustVersion("1.10.0"), mustVersion("1.9.0")) <= 0 {
		t.Error("1.10.0 sorts before 1.9.0")
	}
}

func TestParseARN(t *testing.T) {
	a, ok := parseARN("arn:aws:imagebuilder:us-east-1:aws:component/eks-optimized-ami-windows/1.35.x")
	if !ok || a.Account != "aws" || a.Kind != "component" || a.Name != "eks-optimized-ami-windows" || !a.HasVersion ||
		a.Version.String() != "1.35.x" || a.Build != 0 {
		t.Errorf("component wildcard ARN: %+v %v", a, ok)
	}
	a, ok = parseARN("arn:aws:imagebuilder:eu-west-1:111122223333:image/nodes/1.0.0/12")
	if !ok || a.Region != "eu-west-1" || a.Kind != "image" || a.Build != 12 {
		t.Errorf("build ARN: %+v %v", a, ok)
	}
	a, ok = parseARN("arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/nodes")
	if !ok || a.HasVersion || a.Kind != "image-pipeline" {
		t.Errorf("pipeline ARN: %+v %v", a, ok)
	}
	for _, bad := range []string{
		"arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.x.x/1", // a build of a wildcard
		"arn:aws:imagebuilder:us-east-1:111122223333:image/Nodes/1.0.0",   // upper case
		"arn:aws:imagebuilder:us-east-1:1234:image/nodes/1.0.0",           // short account
		"arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.x.0",
		"arn:aws:s3:::bucket",
	} {
		if a, ok := parseARN(bad); ok {
			t.Errorf("parseARN(%q) = %+v", bad, a)
		}
	}
	if got := makeARN("us-east-1", "111122223333", "image-recipe", "Windows Nodes", "1.0.0", 0); got != "arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/windows-nodes/1.0.0" {
		t.Errorf("makeARN = %s", got)
	}
}

func TestAMIName(t *testing.T) {
	img := &world.ImageBuildVersion{ARN: "arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.0.0/3", Name: "nodes",
		DateCreated: time.Date(2026, time.November, 28, 12, 3, 4, 500e6, time.UTC)}
	for tmpl, want := range map[string]string{
		"":                               "nodes 2026-11-28T12-03-04.500Z",
		"n-{{ imagebuilder:buildDate }}": "n-2026-11-28T12-03-04.500Z",
		"n-{{imagebuilder:buildDate}}-{{ imagebuilder:buildVersion }}": "n-2026-11-28T12-03-04.500Z-3",
		"static": "static",
	} {
		if got := amiName(img, &world.AMIDistributionConfiguration{Name: tmpl}); got != want {
			t.Errorf("amiName(%q) = %q, want %q", tmpl, got, want)
		}
	}
}

func TestAssertions(t *testing.T) {
	doc, ok := parseDocument(`name: x
schemaVersion: 1.0
phases:
  - name: validate
    steps:
      - name: AssertOSBuild
        action: ExecutePowerShell
        inputs:
          commands:
            - "Write-Host start"
            - |
              $expected   =  "10.0.26100.5400"
              if ($a -ne $expected) { throw 'no' }
      - name: SomethingElse
        action: ExecutePowerShell
        inputs:
          commands:
            - $expected = '10.0.1.1'
  - name: test
    steps:
      - name: AssertOSBuild
        action: ExecuteBash
        inputs:
          commands:
            - $expected = '10.0.2.2'
`)
	if !ok {
		t.Fatal("document did not parse")
	}
	got := doc.assertions()
	if len(got) != 1 || got[0] != (assertion{Phase: "validate", Step: "AssertOSBuild", Expected: "10.0.26100.5400"}) {
		t.Errorf("assertions %+v", got)
	}
}
