package spec

import (
	"reflect"
	"strings"
	"testing"
)

// checkTable runs fn over inputs: "" wanted for the valid ones, a message
// containing the given text for the others.
func checkTable(t *testing.T, name string, fn func(string) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		got := fn(in)
		switch {
		case want == "" && got != "":
			t.Errorf("%s(%q) = %q, want no problem", name, in, got)
		case want != "" && !strings.Contains(got, want):
			t.Errorf("%s(%q) = %q, want it to contain %q", name, in, got, want)
		}
	}
}

func TestComponentARN(t *testing.T) {
	checkTable(t, "componentARNProblem", func(a string) string { return componentARNProblem(a, "us-east-1") }, map[string]string{
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.x.x":     "",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.x.x":     "",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.2.x":     "",
		"arn:aws:imagebuilder:us-east-1:123456789012:component/my_comp-1/1.0.0": "",
		"arn:aws:imagebuilder:us-east-1:123456789012:component/my-comp/1.0.0/4": "",
		"arn:aws:imagebuilder:us-east-1:aws-marketplace:component/vendor/2.0.0": "",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows":           "has no version",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/":          "has no version",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.0":       "is not major.minor.patch",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.1.x":     "may be followed only by wildcards",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.x.0":     "may be followed only by wildcards",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.x.x/1":   "a build number follows an exact version",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.0.0/b":   "a build number follows an exact version",
		"arn:aws:imagebuilder:eu-west-1:aws:component/update-windows/1.0.0":     "components are regional",
		"arn:aws-cn:imagebuilder:us-east-1:aws:component/update-windows/1.0.0":  "components are regional",
		"arn:aws:imagebuilder:us-east-1:12345:component/x/1.0.0":                "is not an Image Builder component ARN",
		"arn:aws:imagebuilder:us-east-1:aws:image-recipe/x/1.0.0":               "is not an Image Builder component ARN",
		"arn:aws:imagebuilder:us-east-1:aws:component/Update-Windows/1.0.0":     "is not an Image Builder component ARN",
		"update-windows/1.0.0": "is not an Image Builder component ARN",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.0.0/1/2":     "is not an Image Builder component ARN",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.0.0.1":       "is not major.minor.patch",
		"arn:aws:imagebuilder:us-east-1:aws:component/update-windows/01.0.0/1extra": "a build number follows",
	})
}

func TestInstanceType(t *testing.T) {
	checkTable(t, "instanceTypeProblem", instanceTypeProblem, map[string]string{
		"m6i.xlarge": "", "m5.large": "", "c7i-flex.2xlarge": "", "g4dn.xlarge": "", "u-6tb1.metal": "",
		"r6a.4xlarge": "", "t3.medium": "", "z1d.large": "", "g5.xlarge": "", "p5en.48xlarge": "",
		"m7g.xlarge": "Arm (Graviton)", "c7gn.large": "Arm (Graviton)", "t4g.small": "Arm (Graviton)",
		"a1.large": "Arm (Graviton)", "im4gn.large": "Arm (Graviton)", "g5g.xlarge": "Arm (Graviton)",
		"M6I.XLARGE": "is not an instance type", "m6i": "is not an instance type", "xlarge": "is not an instance type",
		"m6i.xlarge ": "is not an instance type",
	})
}

func TestBucketName(t *testing.T) {
	checkTable(t, "bucketProblem", bucketProblem, map[string]string{
		"my-logs": "", "logs.example.com": "", "a1b": "",
		"ab":                    "want 3-63",
		"My-Logs":               "want 3-63",
		"logs_2025":             "want 3-63",
		"-logs":                 "want 3-63",
		"logs..2025":            "two dots",
		"xn--logs":              "prefix is reserved",
		"logs-s3alias":          "suffix is reserved",
		"192.168.1.10":          "form of an IP address",
		strings.Repeat("a", 64): "want 3-63",
	})
}

func TestSSMParameter(t *testing.T) {
	checkTable(t, "ssmParameterProblem", ssmParameterProblem, map[string]string{
		"/winami/prod/ami": "", "/a": "", "/team_a/win.ami-id": "",
		"winami/prod":                   "start it with /",
		"/winami/prod ami":              "use letters, digits",
		"/aws/winami":                   "reserved",
		"/SSM/winami":                   "reserved",
		"/awsome/x":                     "reserved", // SSM refuses any name starting with aws, case-insensitively
		"/winami//ami":                  "empty level",
		"/winami/":                      "empty level",
		"/" + strings.Repeat("a", 1011): "SSM allows 1011",
		strings.Repeat("/a", 16):        "SSM allows 15",
	})
}

func TestLaunchTemplate(t *testing.T) {
	checkTable(t, "launchTemplateProblem", launchTemplateProblem, map[string]string{
		"lt-0123456789abcdef0": "", "lt-0123456789abcdef0:3": "", "fast-launch": "", "fast-launch:$Latest": "",
		"win(fast)/launch_1.0:$Default": "",
		"lt-123":                        "not a launch template ID",
		"ab":                            "not a launch template name",
		"fast launch":                   "not a launch template name",
		"fast-launch:0":                 "version \"0\" is not valid",
		"fast-launch:latest":            "is not valid",
		"fast-launch:":                  "is not valid",
	})
}

func TestAMINameTemplate(t *testing.T) {
	base := Spec{Name: "prod", Base: Base{Windows: "2025", Edition: "Full", OSBuild: "10.0.26100.1"}, Kubernetes: Kubernetes{Version: "1.35"}}
	expand := func(tmpl string) string {
		s := base
		s.Distribution.AMIName = tmpl
		return s.ExpandedAMIName()
	}
	for tmpl, want := range map[string]string{
		DefaultAMIName: "prod-2025-full-k8s-1.35-{{ imagebuilder:buildDate }}",
		"{{ name }} {{osBuild}} {{imagebuilder:buildVersion}} {{imagebuilder:buildDate}}": "prod 10.0.26100.1 {{imagebuilder:buildVersion}} {{imagebuilder:buildDate}}",
		"{{unknown}}-x": "{{unknown}}-x",
		"{{name":        "{{name",
	} {
		if got := expand(tmpl); got != want {
			t.Errorf("expand(%q) = %q, want %q", tmpl, got, want)
		}
	}
	check := func(tmpl string) string {
		s := base
		s.Distribution.AMIName = tmpl
		return s.amiNameProblem()
	}
	checkTable(t, "amiNameProblem", check, map[string]string{
		DefaultAMIName:                                            "",
		"{{name}}_{{ imagebuilder:buildDate }}":                   "",
		"{{name}}-{{ imagebuilder:buildVersion }}":                "has no {{ imagebuilder:buildDate }}",
		"{{name}}-{{ imagebuilder:buildDate }":                    "without closing it",
		"{{name}}-{{ imagebuilder:foo }}":                         "unknown placeholder {{imagebuilder:foo}}",
		"{{name}}/{{ imagebuilder:buildDate }}":                   "'/' is not allowed",
		"{{name}}(x){{ imagebuilder:buildDate }}":                 "'(' is not allowed",
		".{{ imagebuilder:buildDate }}":                           "must start and end with",
		strings.Repeat("a", 100) + "{{ imagebuilder:buildDate }}": "Image Builder allows 127",
	})
}

func TestSuggestions(t *testing.T) {
	fs := yamlFields(reflectTypeOfDistribution())
	for key, want := range map[string]string{
		"fastlaunch":   "did you mean fastLaunch?",
		"regoins":      "did you mean regions?",
		"ami_name":     "did you mean amiName?",
		"zzzzzzz":      "allowed keys are regions, amiName, amiTags, targetAccounts, launchPermissions, ssmParameter, fastLaunch",
		"SSMPARAMETER": "did you mean ssmParameter?",
	} {
		if got := unknownKey(key, fs); !strings.Contains(got, want) {
			t.Errorf("unknownKey(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestPaths(t *testing.T) {
	for path, parent := range map[string]string{
		"a.b[2]": "a.b", "a.b": "a", "a": "", `tags["a.b[c"]`: "tags", `c[0].parameters["x\"]"]`: "c[0].parameters",
	} {
		if got := parentPath(path); got != parent {
			t.Errorf("parentPath(%q) = %q, want %q", path, got, parent)
		}
	}
	for key, want := range map[string]string{"team": "tags.team", "aws:x/y": "tags.aws:x/y", "a b": `tags["a b"]`, "": `tags[""]`, "x.y": `tags["x.y"]`} {
		if got := keyPath("tags", key); got != want {
			t.Errorf("keyPath(tags, %q) = %q, want %q", key, got, want)
		}
	}
}

func reflectTypeOfDistribution() reflect.Type { return reflect.TypeFor[Distribution]() }
