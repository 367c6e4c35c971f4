package spec

import (
	"fmt"
	"strings"
)

// AMI name templates hold two kinds of placeholders. winami's own,
// expanded before the name is sent to Image Builder:
//
//	{{name}}        the spec's name
//	{{windows}}     2019, 2022 or 2025
//	{{edition}}     core or full
//	{{kubernetes}}  the Kubernetes minor version, e.g. 1.35
//	{{osBuild}}     base.osBuild, e.g. 10.0.20348.2849 (only when it is set)
//
// and Image Builder's, passed through for it to expand at build time:
//
//	{{ imagebuilder:buildDate }}     the build's date and time
//	{{ imagebuilder:buildVersion }}  the image's build number
//
// Spaces inside the braces are optional in both kinds.

// maxAMINameLen is Image Builder's limit on amiDistributionConfiguration.name.
const maxAMINameLen = 127

// placeholder is one {{...}} of a template.
type placeholder struct {
	start, end int    // byte offsets of "{{" and after "}}"
	name       string // trimmed content: "name", "imagebuilder:buildDate"
}

// placeholders finds the {{...}} of a template; an unclosed "{{" is an error.
func placeholders(tmpl string) ([]placeholder, error) {
	var out []placeholder
	for i := 0; ; {
		j := strings.Index(tmpl[i:], "{{")
		if j < 0 {
			return out, nil
		}
		start := i + j
		k := strings.Index(tmpl[start:], "}}")
		if k < 0 {
			return nil, fmt.Errorf("%q opens {{ at character %d without closing it", tmpl, start+1)
		}
		end := start + k + 2
		out = append(out, placeholder{start: start, end: end, name: strings.TrimSpace(tmpl[start+2 : end-2])})
		i = end
	}
}

// winamiValue returns the value of one of winami's placeholders.
func (s *Spec) winamiValue(name string) (string, bool) {
	switch name {
	case "name":
		return s.Name, true
	case "windows":
		return s.Base.Windows, true
	case "edition":
		return strings.ToLower(s.Base.Edition), true
	case "kubernetes":
		return s.Kubernetes.Version, true
	case "osBuild":
		return s.Base.OSBuild, true
	}
	return "", false
}

func isImageBuilderPlaceholder(name string) bool {
	return name == "imagebuilder:buildDate" || name == "imagebuilder:buildVersion"
}

// ExpandedAMIName is distribution.amiName with winami's placeholders
// expanded and Image Builder's kept: the name sent to Image Builder.
func (s *Spec) ExpandedAMIName() string {
	tmpl := s.Distribution.AMIName
	ps, err := placeholders(tmpl)
	if err != nil {
		return tmpl
	}
	var b strings.Builder
	last := 0
	for _, p := range ps {
		b.WriteString(tmpl[last:p.start])
		if v, ok := s.winamiValue(p.name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[p.start:p.end])
		}
		last = p.end
	}
	b.WriteString(tmpl[last:])
	return b.String()
}

// amiNameProblem checks the template: known placeholders, the characters
// both Image Builder and EC2 accept, Image Builder's length limit, and a
// build date, without which the second build's AMI name collides with the
// first's (AMI names are unique per account and region).
func (s *Spec) amiNameProblem() string {
	tmpl := s.Distribution.AMIName
	ps, err := placeholders(tmpl)
	if err != nil {
		return err.Error()
	}
	hasDate := false
	last := 0
	for _, p := range ps {
		if msg := literalProblem(tmpl[last:p.start]); msg != "" {
			return msg
		}
		last = p.end
		switch _, ok := s.winamiValue(p.name); {
		case p.name == "imagebuilder:buildDate":
			hasDate = true
		case isImageBuilderPlaceholder(p.name):
		case p.name == "osBuild" && s.Base.OSBuild == "":
			return "{{osBuild}} needs base.osBuild to be set"
		case !ok:
			return fmt.Sprintf("unknown placeholder {{%s}}; winami's are {{name}}, {{windows}}, {{edition}}, {{kubernetes}}, {{osBuild}}, Image Builder's {{ imagebuilder:buildDate }} and {{ imagebuilder:buildVersion }}", p.name)
		}
	}
	if msg := literalProblem(tmpl[last:]); msg != "" {
		return msg
	}
	if !hasDate {
		return fmt.Sprintf("%q has no {{ imagebuilder:buildDate }}: AMI names are unique in a region, so every build after the first would fail to register its AMI; add it, e.g. %s", tmpl, DefaultAMIName)
	}
	name := s.ExpandedAMIName()
	if len(name) > maxAMINameLen {
		return fmt.Sprintf("expands to %d characters (%s); Image Builder allows %d", len(name), name, maxAMINameLen)
	}
	if first, lastc := name[0], name[len(name)-1]; first == ' ' || first == '.' || lastc == ' ' || lastc == '.' {
		return fmt.Sprintf("%q must start and end with a letter, digit, - or _ (or a placeholder)", name)
	}
	return ""
}

// literalProblem checks template text outside placeholders against the
// characters that both Image Builder's name pattern and EC2's AMI names
// allow: letters, digits, spaces, '.', '-' and '_'.
func literalProblem(lit string) string {
	for _, c := range lit {
		if !(c == ' ' || c == '.' || c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fmt.Sprintf("%q is not allowed in an AMI name; outside placeholders use letters, digits, spaces, '.', '-' and '_'", c)
		}
	}
	return ""
}
