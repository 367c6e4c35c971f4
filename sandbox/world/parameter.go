package world

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SSM Parameter Store's limits on versions and labels.
const (
	// MaxParameterVersions is how many versions a parameter keeps; the
	// oldest is dropped when one more is written, unless it has a label.
	MaxParameterVersions = 100
	// MaxLabelsPerVersion is how many labels one version can carry.
	MaxLabelsPerVersion = 10
	// MaxLabelLength is the longest label.
	MaxLabelLength = 100
)

// ParameterError is a refusal of a parameter operation, with the error code
// SSM answers with; the service layer turns it into its wire error.
type ParameterError struct {
	Code    string
	Message string
}

func (e *ParameterError) Error() string { return e.Code + ": " + e.Message }

// Write makes v the parameter's new current version, numbered after the
// current one. At MaxParameterVersions the oldest version is dropped, unless
// a label points at it: then nothing changes and the error is
// ParameterMaxVersionLimitExceeded.
func (p *Parameter) Write(v ParameterVersion) error {
	if p.Version == 0 { // a new parameter
		v.Version, v.Labels = 1, nil
		p.ParameterVersion = v
		return nil
	}
	if err := p.CheckWrite(); err != nil {
		return err
	}
	if len(p.Older)+1 >= MaxParameterVersions {
		p.Older = slices.Delete(p.Older, 0, 1)
	}
	p.Older = append(p.Older, p.ParameterVersion)
	v.Version, v.Labels = p.Version+1, nil // PutParameter never labels
	p.ParameterVersion = v
	return nil
}

// CheckWrite says whether one more version can be written: not when the
// parameter keeps MaxParameterVersions and a label is on the oldest.
func (p *Parameter) CheckWrite() error {
	if p.Version == 0 || len(p.Older)+1 < MaxParameterVersions {
		return nil
	}
	if oldest := p.Older[0]; len(oldest.Labels) > 0 {
		return &ParameterError{Code: "ParameterMaxVersionLimitExceeded", Message: fmt.Sprintf(
			"You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. "+
				"Version %d, the oldest version, can't be deleted because it has a label associated with it. "+
				"Move the label to another version of the parameter, and try again.", p.Name, oldest.Version)}
	}
	return nil
}

// History is every version the parameter keeps, oldest first.
func (p *Parameter) History() []ParameterVersion {
	return append(slices.Clone(p.Older), p.ParameterVersion)
}

// versions are pointers to the kept versions, oldest first.
func (p *Parameter) versions() []*ParameterVersion {
	out := make([]*ParameterVersion, 0, len(p.Older)+1)
	for i := range p.Older {
		out = append(out, &p.Older[i])
	}
	return append(out, &p.ParameterVersion)
}

// version finds a kept version; 0 is the current one.
func (p *Parameter) version(n int64) (*ParameterVersion, error) {
	if n == 0 {
		return &p.ParameterVersion, nil
	}
	for _, v := range p.versions() {
		if v.Version == n {
			return v, nil
		}
	}
	return nil, &ParameterError{Code: "ParameterVersionNotFound", Message: fmt.Sprintf(
		"Systems Manager could not find version %d of %s. Verify the version and try again.", n, p.Name)}
}

// Select is the version a GetParameter selector picks: ":N" a version,
// ":label" the version the label is on. ok is false when no version carries
// the label.
func (p *Parameter) Select(selector string) (v ParameterVersion, ok bool, err error) {
	sel := strings.TrimPrefix(selector, ":")
	if sel == "" {
		return p.ParameterVersion, true, nil
	}
	if n, perr := strconv.ParseInt(sel, 10, 64); perr == nil {
		got, err := p.version(n)
		if err != nil || n == 0 {
			return ParameterVersion{}, false, err
		}
		return *got, true, nil
	}
	for _, v := range p.versions() {
		if slices.Contains(v.Labels, sel) {
			return *v, true, nil
		}
	}
	return ParameterVersion{}, false, nil
}

// ValidLabel applies SSM's rules for a label: letters, digits, '.', '-' and
// '_'; not beginning with a digit, "aws" or "ssm" in any case. (Length is
// checked by the request's validation.)
func ValidLabel(l string) bool {
	if l == "" || l[0] >= '0' && l[0] <= '9' {
		return false
	}
	for _, c := range l {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	lower := strings.ToLower(l)
	return !strings.HasPrefix(lower, "aws") && !strings.HasPrefix(lower, "ssm")
}

// Label attaches labels to version n (0: the current one), moving each from
// whichever version had it. Invalid labels are not an error: they are
// returned and left out. More than MaxLabelsPerVersion on the version fails
// with ParameterVersionLabelLimitExceeded and changes nothing.
func (p *Parameter) Label(n int64, labels []string) (version int64, invalid []string, err error) {
	target, err := p.version(n)
	if err != nil {
		return 0, nil, err
	}
	var valid []string
	for _, l := range labels {
		if !ValidLabel(l) {
			invalid = append(invalid, l)
		} else if !slices.Contains(valid, l) {
			valid = append(valid, l)
		}
	}
	added := 0
	for _, l := range valid {
		if !slices.Contains(target.Labels, l) {
			added++
		}
	}
	if len(target.Labels)+added > MaxLabelsPerVersion {
		return 0, nil, &ParameterError{Code: "ParameterVersionLabelLimitExceeded", Message: fmt.Sprintf(
			"A parameter version can have maximum %d labels. Move one or more labels to another version and try again.", MaxLabelsPerVersion)}
	}
	for _, v := range p.versions() {
		if v != target {
			v.Labels = slices.DeleteFunc(v.Labels, func(l string) bool { return slices.Contains(valid, l) })
			if len(v.Labels) == 0 {
				v.Labels = nil
			}
		}
	}
	for _, l := range valid {
		if !slices.Contains(target.Labels, l) {
			target.Labels = append(target.Labels, l)
		}
	}
	return target.Version, invalid, nil
}

// Unlabel removes labels from version n. Labels that version does not carry
// are returned as invalid, as SSM does.
func (p *Parameter) Unlabel(n int64, labels []string) (removed, invalid []string, err error) {
	target, err := p.version(n)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range labels {
		if i := slices.Index(target.Labels, l); i >= 0 {
			target.Labels = slices.Delete(target.Labels, i, i+1)
			removed = append(removed, l)
		} else if !slices.Contains(removed, l) {
			invalid = append(invalid, l)
		}
	}
	if len(target.Labels) == 0 {
		target.Labels = nil
	}
	return removed, invalid, nil
}
