package spec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/winami/winami/pkg/eksami"
)

// Patterns of names and identifiers, compiled on first use (lazyRE) and
// only ever read, so they are constants in all but syntax.
var (
	nameRE    = lazyRE(patName)
	regionRE  = lazyRE(patRegion)
	osBuildRE = lazyRE(patOsBuild)
	// Image Builder's versions of AWS-managed Windows base images encode
	// the release date without zero padding: 2024.6.11.
	windowsBaseRE = lazyRE(patWindowsBase)
	paddedDateRE  = lazyRE(patPaddedDate)
	tagKeyRE      = lazyRE(patTagKey)
)

// The patterns behind them, shared with the JSON Schema generator
// (schemagen_test.go) so that the schema and winami cannot disagree.
const (
	patName        = `^[a-zA-Z][a-zA-Z0-9_-]{0,63}$`
	patRegion      = `^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`
	patOsBuild     = `^10\.0\.([0-9]+)\.([0-9]+)$`
	patWindowsBase = `^([0-9]{4})\.([1-9][0-9]?)\.([1-9][0-9]?)$`
	patPaddedDate  = `^[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}$`
	patTagKey      = `^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`
)

// ReservedTagPrefix starts the tags winami puts on what it creates
// (winami:spec, winami:managed, ...); users' tags cannot use it.
const ReservedTagPrefix = "winami:"

// maxUserTags leaves room for winami's own tags within AWS's 50 a resource.
const maxUserTags = 45

// AWS's limits on tags and AWSTOE's on parameter names.
const (
	maxTagKeyRunes        = 128
	maxTagValueRunes      = 256
	maxParameterNameRunes = 256
)

// checker collects validation problems, each placed at its field.
type checker struct {
	s     *Spec
	skip  map[string]bool // paths the decoder already reported
	probs Problems
	// windowsOK and kubeOK say base.windows and kubernetes.version are
	// valid (and canonical), so that rules relating them to other fields
	// can run without piling a second problem onto a bad value.
	windowsOK, kubeOK bool
}

// add reports a problem about the field at path.
func (c *checker) add(path, format string, args ...any) {
	c.addPos(c.s.Position(path), path, format, args...)
}

// addKey reports a problem about the key of a map entry (a tag key, a
// parameter name), placed at the key rather than its value.
func (c *checker) addKey(path, format string, args ...any) { c.addAt(path, path, format, args...) }

// addAt reports a problem about path, placed at the key of the field at
// where (the field that conflicts with another, say).
func (c *checker) addAt(where, path, format string, args ...any) {
	p, ok := c.s.keys[where]
	if !ok {
		p = c.s.Position(where)
	}
	c.addPos(p, path, format, args...)
}

func (c *checker) addPos(pos Pos, path, format string, args ...any) {
	for p := path; ; p = parentPath(p) {
		if c.skip[p] {
			return
		}
		if p == "" {
			break
		}
	}
	c.probs = append(c.probs, Problem{File: c.s.File, Line: pos.Line, Column: pos.Column, Path: path, Message: fmt.Sprintf(format, shortArgs(args)...)})
}

// Validate checks a spec whose defaults are applied, canonicalizing the
// Windows version, edition and Kubernetes version on the way. It returns
// Problems, or nil when the spec is valid.
func (s *Spec) Validate() error {
	if probs := s.validate(nil); len(probs) > 0 {
		probs.sort()
		return probs
	}
	return nil
}

func (s *Spec) validate(skip map[string]bool) Problems {
	c := &checker{s: s, skip: skip}
	c.header()
	c.name()
	c.region()
	c.tags("tags", s.Tags)
	c.base()
	c.kubernetes()
	c.components()
	c.cache()
	c.build()
	c.distribution()
	c.schedule()
	c.release()
	return c.probs
}

// header checks apiVersion and kind. A spec built in Go (not read from a
// file) may leave both out: they describe the file format, not the AMI.
func (c *checker) header() {
	fromFile := c.s.pos != nil
	switch v := c.s.APIVersion; {
	case v == "" && fromFile:
		c.add("apiVersion", "missing; add the line \"apiVersion: %s\" at the top of the file (the version of the spec format)", APIVersion)
	case v != "" && v != APIVersion:
		c.add("apiVersion", "%q is not a spec format this winami reads; write apiVersion: %s", v, APIVersion)
	}
	switch k := c.s.Kind; {
	case k == "" && fromFile:
		c.add("kind", "missing; add the line \"kind: %s\" at the top of the file, after apiVersion", Kind)
	case k != "" && k != Kind:
		c.add("kind", "%q is not a kind winami reads; write kind: %s", k, Kind)
	}
}

func (c *checker) name() {
	switch n := c.s.Name; {
	case n == "":
		c.add("name", "missing; give the spec a name, e.g. name: eks-windows (it is used in every resource name)")
	case !nameRE().MatchString(n):
		c.add("name", "%q is not a valid name; use 1-64 letters, digits, - and _, starting with a letter (it is used in every resource name)", n)
	}
}

func (c *checker) region() {
	switch r := c.s.Region; {
	case r == "":
		c.add("region", "missing; give the home region, where the pipeline lives and builds run, e.g. region: us-east-1")
	default:
		if msg := regionProblem(r); msg != "" {
			c.add("region", "%s", msg)
		}
	}
}

func regionProblem(r string) string {
	switch {
	case regionRE().MatchString(r):
		return ""
	case regionRE().MatchString(strings.ToLower(r)):
		return fmt.Sprintf("%q is not a region code; region codes are lower case: %s", r, strings.ToLower(r))
	}
	return fmt.Sprintf("%q is not a region code; want one like us-east-1 or eu-west-1", r)
}

// tags checks user tags (spec tags or AMI tags) against AWS's tag rules
// and winami's reserved prefix.
func (c *checker) tags(path string, tags map[string]string) {
	if len(tags) > maxUserTags {
		c.add(path, "%d tags; AWS allows 50 a resource and winami adds its own, so keep at most %d", len(tags), maxUserTags)
	}
	for _, k := range sortedKeys(tags) {
		kp := keyPath(path, k)
		switch lk := strings.ToLower(k); {
		case k == "":
			c.addKey(kp, "a tag key cannot be empty")
		case utf8.RuneCountInString(k) > maxTagKeyRunes:
			c.addKey(kp, "the tag key is %d characters; AWS allows %d", utf8.RuneCountInString(k), maxTagKeyRunes)
		case strings.HasPrefix(lk, "aws:"):
			c.addKey(kp, "tag keys starting with aws: are reserved by AWS")
		case strings.HasPrefix(lk, ReservedTagPrefix):
			c.addKey(kp, "tag keys starting with %s are winami's own (winami:spec, winami:managed, ...); choose another prefix", ReservedTagPrefix)
		case !tagKeyRE().MatchString(k):
			c.addKey(kp, "%q is not a valid tag key; use letters, digits, spaces and _ . : / = + - @", k)
		}
		if n := utf8.RuneCountInString(tags[k]); n > maxTagValueRunes {
			c.add(kp, "the tag value is %d characters; AWS allows %d", n, maxTagValueRunes)
		}
	}
}

func (c *checker) base() {
	b := &c.s.Base
	switch {
	case b.Windows == "":
		c.add("base.windows", "missing; want 2019, 2022 or 2025")
	default:
		if w, err := eksami.ParseWindows(b.Windows); err != nil {
			c.add("base.windows", "%q is not a Windows Server version EKS supports; want 2019, 2022 or 2025", b.Windows)
		} else {
			b.Windows, c.windowsOK = w, true
		}
	}
	switch {
	case b.Edition == "":
		c.add("base.edition", "missing; want core or full")
	default:
		if e, err := eksami.ParseEdition(b.Edition); err != nil {
			c.add("base.edition", "%q is not a Windows Server edition; want core or full", b.Edition)
		} else {
			b.Edition = e
		}
	}
	if b.EKSOptimized != nil && b.WindowsBase != nil {
		c.addAt("base.windowsBase", "base", "eksOptimized and windowsBase are alternatives; keep one (eksOptimized, the EKS optimized AMI as parent, is what AWS recommends)")
	}
	if e := b.EKSOptimized; e != nil {
		c.eksOptimized(e)
	}
	if w := b.WindowsBase; w != nil && w.Release != DefaultRelease {
		c.windowsBaseRelease(w.Release)
	}
	if b.OSBuild != "" {
		c.osBuild(b.OSBuild, c.windowsOK)
	}
}

func (c *checker) eksOptimized(e *EKSOptimized) {
	if e.Release != "" && e.Before != "" {
		c.add("base.eksOptimized.before", "give release or before, not both")
	}
	if r := e.Release; r != "" && r != DefaultRelease {
		const want = "want latest or a release date as in AMI names, YYYY.MM.DD (e.g. 2025.01.15)"
		switch {
		case len(r) == 10 && r[4] == '-' && r[7] == '-':
			c.add("base.eksOptimized.release", "%q is not a release; releases are dated as in AMI names, %s (or use before: %s for the newest release on or before that day)", r, strings.ReplaceAll(r, "-", "."), r)
		case len(r) != 10 || r[4] != '.' || r[7] != '.':
			c.add("base.eksOptimized.release", "%q is not a release; %s", r, want)
		default:
			if _, err := eksami.ParseDate(r); err != nil {
				c.add("base.eksOptimized.release", "%s is not a real date; %s", r, want)
			}
		}
	}
	if e.Copy && (e.Release == "" || e.Release == DefaultRelease || e.Before != "") {
		c.add("base.eksOptimized.copy", "a copy is of one release: give release: YYYY.MM.DD (the release winami ami copy copied), not latest or before")
	}
	if d := e.Before; d != "" {
		if len(d) != 10 || d[4] != '-' || d[7] != '-' {
			c.add("base.eksOptimized.before", "%q is not a date; want YYYY-MM-DD, e.g. 2025-01-15", d)
		} else if _, err := eksami.ParseDate(d); err != nil {
			c.add("base.eksOptimized.before", "%s is not a real date; want YYYY-MM-DD, e.g. 2025-01-15", d)
		}
	}
}

func (c *checker) windowsBaseRelease(r string) {
	const path = "base.windowsBase.release"
	if m := windowsBaseRE().FindStringSubmatch(r); m != nil {
		if _, err := eksami.ParseDate(fmt.Sprintf("%s-%02s-%02s", m[1], m[2], m[3])); err != nil {
			c.add(path, "%s is not a real date", r)
		}
		return
	}
	if paddedDateRE().MatchString(r) {
		parts := strings.Split(r, ".")
		c.add(path, "%q is not an Image Builder version; versions have no zero padding: %s.%s.%s", r, parts[0], strings.TrimLeft(parts[1], "0"), strings.TrimLeft(parts[2], "0"))
		return
	}
	c.add(path, "%q is not a release; want latest or a version as Image Builder writes it, YYYY.M.D (e.g. 2024.6.11)", r)
}

func (c *checker) osBuild(b string, windowsOK bool) {
	windows := c.s.Base.Windows
	m := osBuildRE().FindStringSubmatch(b)
	if m == nil {
		c.add("base.osBuild", "%q is not an OS build; want 10.0.<build>.<revision>, e.g. 10.0.20348.2849", b)
		return
	}
	want := eksami.WindowsBuild(windows)
	if !windowsOK || "10.0."+m[1] == want {
		return
	}
	for _, w := range eksami.WindowsVersions() {
		if eksami.WindowsBuild(w) == "10.0."+m[1] {
			c.add("base.osBuild", "%s is a Windows Server %s build; Windows Server %s builds are %s.<revision>", b, w, windows, want)
			return
		}
	}
	c.add("base.osBuild", "%s is not a Windows Server %s build; Windows Server %s builds are %s.<revision>", b, windows, windows, want)
}

func (c *checker) kubernetes() {
	k := &c.s.Kubernetes
	if k.Version == "" {
		c.add("kubernetes.version", "missing; want a Kubernetes minor version like 1.35")
	} else if v, err := eksami.ParseKubernetes(k.Version); err != nil {
		c.add("kubernetes.version", "%q is not a Kubernetes minor version; want 1.NN, e.g. 1.35", k.Version)
	} else {
		k.Version, c.kubeOK = v, true
		// The rule lives in catalog; the edition does not matter to it.
		if _, err := eksami.ParseKey(c.s.Base.Windows, "core", v); c.s.Base.Windows == "2025" && err != nil {
			c.add("kubernetes.version", "%s cannot run Windows Server 2025: EKS publishes Windows Server 2025 AMIs and components only from Kubernetes 1.35; use 1.35 or later, or Windows Server 2022", v)
		}
	}
	cv := k.ComponentVersion
	if cv == "" {
		return
	}
	if c.s.Base.WindowsBase == nil {
		c.add("kubernetes.componentVersion", "only with base.windowsBase: it pins the eks-optimized-ami-windows component winami adds to a plain Windows base image, while the EKS optimized AMI already carries its kubelet")
		return
	}
	parts := strings.Split(cv, ".")
	if len(parts) != 3 || parts[0] != "1" || !isDigits(parts[2]) {
		c.add("kubernetes.componentVersion", "%q is not a component version; want 1.NN.P matching kubernetes.version, e.g. 1.35.0", cv)
		return
	}
	if minor, err := eksami.ParseKubernetes(parts[0] + "." + parts[1]); err != nil {
		c.add("kubernetes.componentVersion", "%q is not a component version; want 1.NN.P matching kubernetes.version, e.g. 1.35.0", cv)
	} else if c.kubeOK && minor != k.Version {
		c.add("kubernetes.componentVersion", "%s is for Kubernetes %s, but kubernetes.version is %s", cv, minor, k.Version)
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (c *checker) components() {
	seen := map[string]string{} // ARN or resolved file -> path of first use
	for i, comp := range c.s.Components {
		p := fmt.Sprintf("components[%d]", i)
		switch {
		case comp.ARN == "" && comp.File == "":
			c.add(p, "give arn (an existing Image Builder component) or file (a local AWSTOE document)")
		case comp.ARN != "" && comp.File != "":
			c.addAt(p+".file", p, "arn and file are alternatives; keep one")
		case comp.ARN != "":
			if msg := componentARNProblem(comp.ARN, c.s.Region); msg != "" {
				c.add(p+".arn", "%s", msg)
			} else if first, dup := seen[comp.ARN]; dup {
				c.add(p+".arn", "the same component as %s", first)
			} else {
				seen[comp.ARN] = p
			}
		default:
			c.componentFile(p+".file", comp.File, seen)
		}
		for _, name := range sortedKeys(comp.Parameters) {
			pp := keyPath(p+".parameters", name)
			if name == "" || utf8.RuneCountInString(name) > maxParameterNameRunes || strings.ContainsRune(name, 0) {
				c.addKey(pp, "a parameter name is 1-%d characters, without NUL", maxParameterNameRunes)
			}
			if bad, ok := unsafeParameterRune(comp.Parameters[name]); ok {
				c.add(pp, "%s is not allowed in a parameter value: AWSTOE pastes values into the document's commands as they are, "+
					"so quotes, $, `, ;, brackets, newlines and the like could change what PowerShell runs; "+
					"values may hold letters, digits, spaces and %s", describeRune(bad), parameterPunctuation)
			}
		}
	}
}

// ComponentPath resolves a component's file against the spec's directory.
func (s *Spec) ComponentPath(c Component) string {
	if c.File == "" || filepath.IsAbs(c.File) {
		return c.File
	}
	return filepath.Join(filepath.Dir(s.File), c.File)
}

// parameterPunctuation is what a component parameter value may hold besides
// letters, digits and spaces: enough for versions, paths (C:\dir, s3://b/k),
// URLs without queries, lists and key=value pairs, and nothing that ends a
// PowerShell string or starts an expression, a command or a comment.
const parameterPunctuation = `. _ - : / \ , = @ + % ~`

// unsafeParameterRune returns the first rune of v that a parameter value may
// not hold.
func unsafeParameterRune(v string) (rune, bool) {
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ':
		case strings.ContainsRune(`._-:/\,=@+%~`, r):
		default:
			return r, true
		}
	}
	return 0, false
}

// describeRune names a rune for a message: printable ones quoted, others by code.
func describeRune(r rune) string {
	if unicode.IsPrint(r) && r != ' ' {
		return fmt.Sprintf("%q", string(r))
	}
	return fmt.Sprintf("%U", r)
}

// lazyRE compiles a pattern on first use, so that a command that never
// validates a spec (winami ami latest) does not pay for compiling every
// pattern at start-up.
func lazyRE(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
