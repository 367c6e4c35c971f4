package spec_test

import (
	"os"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/component"
	"github.com/winami/winami/pkg/spec"
)

// TestExample: examples/winami.yaml is what the issue asks for, decodes and
// validates cleanly, and its local component is a valid AWSTOE document.
func TestExample(t *testing.T) {
	const path = "../../examples/winami.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(data), "\n"); first != "# yaml-language-server: $schema=../schema/winami.schema.json" {
		t.Errorf("first line %q, want the yaml-language-server schema comment", first)
	}
	s, err := spec.Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if s.Base.Windows != "2022" || s.Base.Edition != "Core" || s.Kubernetes.Version != "1.35" || s.Base.OSBuild == "" {
		t.Errorf("base %+v kubernetes %+v; want Windows Server 2022 Core, Kubernetes 1.35, an osBuild", s.Base, s.Kubernetes)
	}
	if s.Build.InstanceProfile != "winami-build" || s.Build.SubnetID != "" || len(s.Build.SecurityGroupIDs) != 0 {
		t.Errorf("build %+v; want instance profile winami-build and the default VPC", s.Build)
	}
	d := s.Distribution
	if strings.Join(d.Regions, ",") != "us-east-1,eu-west-1" || d.FastLaunch == nil || !d.FastLaunch.Enabled {
		t.Errorf("distribution %+v; want us-east-1 and eu-west-1, Fast Launch on", d)
	}
	if r := s.Release; r == nil || len(r.Channels) != 2 || s.PublishParameter() != "/winami/eks-windows-prod/candidate" ||
		s.ChannelParameter(r.Channels[1]) != "/winami/prod/ami" {
		t.Errorf("release %+v; want candidate (published to) and stable on /winami/prod/ami", r)
	}
	if s.Schedule == nil || s.Schedule.Cron != "cron(0 9 ? * WED#2 *)" {
		t.Errorf("schedule %+v", s.Schedule)
	}
	if len(s.Components) != 1 || s.Components[0].File != "components/hardening.yaml" {
		t.Fatalf("components %+v; want components/hardening.yaml", s.Components)
	}
	if err := component.ValidateFile(s.ComponentPath(s.Components[0])); err != nil {
		t.Errorf("the example's component is not valid AWSTOE:\n%v", err)
	}
}

// TestExampleCache: the example caches the two images the sandbox serves
// for Windows Server 2022, with the defaults written out.
func TestExampleCache(t *testing.T) {
	s, err := spec.Load("../../examples/winami.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Cache
	if c == nil || strings.Join(c.Images, " ") != "mcr.microsoft.com/windows/servercore:ltsc2022 111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2" ||
		!*c.Pin || !*c.Verify || c.ParallelPulls != 3 {
		t.Errorf("cache %+v; want servercore:ltsc2022 and payments/api:1.4.2, pin, verify, 3 parallel pulls", c)
	}
}

// TestDefaultParallelPulls: the spec's default is the component's.
func TestDefaultParallelPulls(t *testing.T) {
	if spec.DefaultParallelPulls != component.DefaultParallelPulls {
		t.Errorf("spec.DefaultParallelPulls %d, component.DefaultParallelPulls %d", spec.DefaultParallelPulls, component.DefaultParallelPulls)
	}
}
