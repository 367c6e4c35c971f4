package imagebuilder

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The documents below are written for these tests, from the rules
// docs/sandbox.md states ("How the build instance reads component
// documents"), not taken from winami's generator: the sandbox reads any
// author's steps the same way.

// docWith is a document with one phase of steps (YAML, indented as steps).
func docWith(phase, steps string) string {
	return "name: t\nschemaVersion: 1.0\nphases:\n  - name: " + phase + "\n    steps:\n" + steps
}

func TestPullStepsOfDocuments(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	for _, tc := range []struct {
		name, doc string
		want      []pullStep
	}{{
		name: "ctr with the reference inline",
		doc: docWith("build", `      - name: Pull
        action: ExecutePowerShell
        inputs:
          commands:
            - ctr.exe -n k8s.io images pull 'mcr.microsoft.com/windows/nanoserver:ltsc2022'
`),
		want: []pullStep{{Phase: "build", Step: "Pull", Refs: []string{"mcr.microsoft.com/windows/nanoserver:ltsc2022"}}},
	}, {
		name: "docker pull over a list, other literals ignored",
		doc: docWith("build", `      - name: Cache
        action: ExecutePowerShell
        inputs:
          commands:
            - $ErrorActionPreference = 'Stop'
            - |
              # 'docker.example.com/in/a:comment' is not pulled
              $refs = 'public.ecr.aws/eks/pause:3.9', 'registry.example.com:5000/team/app@`+digest+`'
              Write-Output "pulling 'mcr.microsoft.com/double/quoted:1' too?"
              foreach ($r in $refs) { docker pull $r }
              $also = 'ubuntu:22.04'
`),
		want: []pullStep{{Phase: "build", Step: "Cache", Refs: []string{"public.ecr.aws/eks/pause:3.9", "registry.example.com:5000/team/app@" + digest}}},
	}, {
		name: "a step of the test phase pulls in its phase",
		doc: docWith("test", `      - name: Probe
        action: ExecutePowerShell
        inputs:
          commands:
            - "& ctr images pull 'localhost:5000/probe:1'"
`),
		want: []pullStep{{Phase: "test", Step: "Probe", Refs: []string{"localhost:5000/probe:1"}}},
	}, {
		name: "references without a pull command pull nothing",
		doc: docWith("build", `      - name: Note
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Output 'mcr.microsoft.com/windows/servercore:ltsc2022'
`),
	}, {
		name: "ExecuteBash pulls nothing",
		doc: docWith("build", `      - name: Pull
        action: ExecuteBash
        inputs:
          commands:
            - docker pull 'mcr.microsoft.com/windows/servercore:ltsc2022'
`),
	}, {
		name: "a pull command with no full reference pulls nothing",
		doc: docWith("build", `      - name: Pull
        action: ExecutePowerShell
        inputs:
          commands:
            - docker pull 'nginx:1.27'
`),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			doc, ok := parseDocument(tc.doc)
			if !ok {
				t.Fatal("the document does not parse")
			}
			got := doc.pullSteps()
			if !slices.EqualFunc(got, tc.want, func(a, b pullStep) bool {
				return a.Phase == b.Phase && a.Step == b.Step && slices.Equal(a.Refs, b.Refs)
			}) {
				t.Errorf("pull steps %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAssertionsOfDocuments(t *testing.T) {
	step := func(name, action, command string) string {
		return "      - name: " + name + "\n        action: " + action + "\n        inputs:\n          commands:\n            - |\n              " + command + "\n              if ($actual -ne $expected) { exit 1 }\n"
	}
	for _, tc := range []struct {
		name, doc string
		want      []assertion
	}{
		{"single quotes, validate phase", docWith("validate", step("AssertOSBuild", "ExecutePowerShell", "$expected = '10.0.20348.4391'")),
			[]assertion{{Phase: "validate", Step: "AssertOSBuild", Expected: "10.0.20348.4391"}}},
		{"double quotes, no spaces, build phase", docWith("build", step("AssertOSBuild", "ExecutePowerShell", `$expected="10.0.17763.7009"`)),
			[]assertion{{Phase: "build", Step: "AssertOSBuild", Expected: "10.0.17763.7009"}}},
		{"test phase", docWith("test", step("AssertOSBuild", "ExecutePowerShell", "$expected  =  '10.0.26100.3476'")),
			[]assertion{{Phase: "test", Step: "AssertOSBuild", Expected: "10.0.26100.3476"}}},
		{"another step name asserts nothing", docWith("validate", step("CheckBuild", "ExecutePowerShell", "$expected = '10.0.20348.4391'")), nil},
		{"another action asserts nothing", docWith("validate", step("AssertOSBuild", "ExecuteBash", "$expected = '10.0.20348.4391'")), nil},
		{"no build in the assignment asserts nothing", docWith("validate", step("AssertOSBuild", "ExecutePowerShell", "$expected = (Get-Content C:\\build.txt)")), nil},
		{"not a Windows build asserts nothing", docWith("validate", step("AssertOSBuild", "ExecutePowerShell", "$expected = '6.3.9600'")), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, ok := parseDocument(tc.doc)
			if !ok {
				t.Fatal("the document does not parse")
			}
			if got := doc.assertions(); !slices.Equal(got, tc.want) {
				t.Errorf("assertions %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The examples docs/sandbox.md gives read as it says they do, so the
// documentation cannot drift from the sandbox unnoticed.
func TestDocumentedStepExamples(t *testing.T) {
	data, err := os.ReadFile("../../docs/sandbox.md")
	if err != nil {
		t.Fatal(err)
	}
	example := func(marker string) document {
		t.Helper()
		m := regexp.MustCompile("(?s)<!-- sandbox: " + marker + " -->\n```yaml\n(.*?)```").FindSubmatch(data)
		if m == nil {
			t.Fatalf("docs/sandbox.md has no %q example", marker)
		}
		doc, ok := parseDocument(string(m[1]))
		if !ok {
			t.Fatalf("the %q example does not parse", marker)
		}
		return doc
	}
	want := []assertion{{Phase: "validate", Step: "AssertOSBuild", Expected: "10.0.20348.4391"}}
	if got := example("os-build-assertion").assertions(); !slices.Equal(got, want) {
		t.Errorf("the OS build assertion example asserts %+v, want %+v", got, want)
	}
	steps := example("image-pulls").pullSteps()
	if len(steps) != 1 || !slices.Equal(steps[0].Refs, []string{"mcr.microsoft.com/windows/nanoserver:ltsc2022", "public.ecr.aws/eks/pause:3.9"}) {
		t.Errorf("the image pulls example pulls %+v", steps)
	}
}
