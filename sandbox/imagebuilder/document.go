package imagebuilder

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/winami/winami/sandbox/awstoe"
	"github.com/winami/winami/sandbox/world"
)

// document is as much of an AWSTOE document as the service reads: the
// parameters it declares (GetComponent lists them), its phases (they make a
// component BUILD or TEST) and its steps (for OS build assertions and to name
// the step of a validation problem). Validation itself is awstoe.Check's.
type document struct {
	Parameters []map[string]docParameter `yaml:"parameters"`
	Phases     []docPhase                `yaml:"phases"`
}

type docParameter struct {
	Type        string `yaml:"type"`
	Default     any    `yaml:"default"`
	Description string `yaml:"description"`
}

type docPhase struct {
	Name  string    `yaml:"name"`
	Steps []docStep `yaml:"steps"`
}

type docStep struct {
	Name   string         `yaml:"name"`
	Action string         `yaml:"action"`
	Inputs map[string]any `yaml:"inputs"`
}

// parseDocument reads a document leniently; ok is false for a document that
// is not even YAML of the right shape.
func parseDocument(data string) (document, bool) {
	var d document
	if err := yaml.Unmarshal([]byte(data), &d); err != nil {
		return document{}, false
	}
	return d, true
}

// componentType is BUILD for a document with a build or validate phase, and
// TEST for one with only a test phase.
func (d document) componentType() string {
	test := false
	for _, p := range d.Phases {
		switch p.Name {
		case "build", "validate":
			return "BUILD"
		case "test":
			test = true
		}
	}
	if test {
		return "TEST"
	}
	return "BUILD"
}

// parameterDetails are the declared parameters as GetComponent lists them.
func (d document) parameterDetails() []world.ComponentParameterDetail {
	var out []world.ComponentParameterDetail
	for _, entry := range d.Parameters {
		for name, p := range entry {
			detail := world.ComponentParameterDetail{Name: name, Type: p.Type, Description: p.Description}
			if detail.Type == "" {
				detail.Type = "string"
			}
			if p.Default != nil {
				detail.DefaultValue = []string{fmt.Sprint(p.Default)}
			}
			out = append(out, detail)
		}
	}
	return out
}

// declares reports whether the document declares a parameter.
func (d document) declares(name string) bool {
	for _, entry := range d.Parameters {
		if _, ok := entry[name]; ok {
			return true
		}
	}
	return false
}

// AssertOSBuildStep is the name of the step whose $expected build the
// sandbox checks against the parent image (see the package comment).
const AssertOSBuildStep = "AssertOSBuild"

// expectedRE finds the expected build in an AssertOSBuild step's commands.
var expectedRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$expected\s*=\s*['"](10\.0\.[0-9]+\.[0-9]+)['"]`) })

// assertion is an OS build assertion of a document.
type assertion struct {
	Phase, Step, Expected string
}

// assertions are the document's OS build assertions, in document order.
func (d document) assertions() []assertion {
	var out []assertion
	for _, p := range d.Phases {
		for _, s := range p.Steps {
			if s.Name != AssertOSBuildStep || s.Action != "ExecutePowerShell" {
				continue
			}
			cmds, _ := s.Inputs["commands"].([]any)
			for _, c := range cmds {
				if m := expectedRE().FindStringSubmatch(fmt.Sprint(c)); m != nil {
					out = append(out, assertion{Phase: p.Name, Step: s.Name, Expected: m[1]})
					break
				}
			}
		}
	}
	return out
}

var stepPathRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^phases\[(\d+)\]\.steps\[(\d+)\]`) })

// describeProblem is a validation problem as a build failure reason tells
// it: where, in which step when the path names one, and what.
func (d document) describeProblem(p awstoe.Problem) string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
		if m := stepPathRE().FindStringSubmatch(p.Path); m != nil {
			pi, _ := strconv.Atoi(m[1])
			si, _ := strconv.Atoi(m[2])
			if pi < len(d.Phases) && si < len(d.Phases[pi].Steps) && d.Phases[pi].Steps[si].Name != "" {
				fmt.Fprintf(&b, " (step '%s')", d.Phases[pi].Steps[si].Name)
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}
