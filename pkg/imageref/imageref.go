// Package imageref parses and validates OCI image references with the
// grammar of distribution/reference (which containerd follows), restricted
// to full references: the registry must be named, nothing is normalized.
//
// The references end up in PowerShell scripts baked into AMIs, so the
// parser is deliberately strict and its errors say which part is wrong.
package imageref

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/winami/winami/pkg/partition"
)

// Limits from distribution/reference: the name (registry and repository)
// may be 255 characters long, a tag 128. A whole reference is at most the
// name, a tag and the longest digest, plus separators.
const (
	maxNameLen = 255
	maxTagLen  = 128
	maxRefLen  = maxNameLen + 1 + maxTagLen + 1 + len("sha512:") + 128
)

// Read-only grammar tables.
var (
	pathComponent = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`) })
	tagPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w][\w.-]{0,127}$`) })
	hostLabel     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$`) })
	// ECR private registries, including FIPS endpoints and the China partition.
	ecrHost = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.amazonaws\.com(\.cn)?$`)
	})
)

// digestLengths is the hex length of each digest algorithm accepted.
var digestLengths = map[string]int{"sha256": 64, "sha512": 128}

// Ref is a validated, fully qualified image reference. Tag, Digest or both
// may be set; Digest is "algorithm:hex".
type Ref struct {
	Registry   string
	Repository string
	Tag        string
	Digest     string
}

// String is the reference as parsed: Parse(r.String()) == r.
func (r Ref) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// Name is registry/repository, without tag or digest.
func (r Ref) Name() string { return r.Registry + "/" + r.Repository }

// IsECR reports whether the registry is a private Amazon ECR registry, and
// its account and region.
func (r Ref) IsECR() (account, region string, ok bool) {
	m := ecrHost().FindStringSubmatch(r.Registry)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// ECRRepositoryARN is the repository's ARN for IAM policies
// (arn:<partition>:ecr:<region>:<account>:repository/<repo>); ok is false
// for registries that are not ECR.
func (r Ref) ECRRepositoryARN() (arn string, ok bool) {
	account, region, ok := r.IsECR()
	if !ok {
		return "", false
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition.Of(region), region, account, r.Repository), true
}

// Error is a reference that failed validation: Input is what was given,
// Reason what is wrong with which part.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", shorten(e.Input), e.Reason) }

// shorten quotes s for an error message, cutting very long input so that
// one hostile reference cannot flood a terminal.
func shorten(s string) string {
	const max = 120
	if len(s) > max {
		return strconv.Quote(s[:max]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// Parse validates s as a full image reference:
// registry/repository[:tag][@algorithm:hex].
func Parse(s string) (Ref, error) {
	fail := func(format string, args ...any) (Ref, error) {
		return Ref{}, &Error{Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case s == "":
		return fail("an image reference may not be empty")
	case len(s) > maxRefLen:
		return fail("the reference is %d bytes long; at most %d are possible", len(s), maxRefLen)
	case strings.TrimSpace(s) != s:
		lead := s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace))]
		trail := s[len(strings.TrimRightFunc(s, unicode.IsSpace)):]
		return fail("the reference has white space around it (%s before, %s after)", shorten(lead), shorten(trail))
	case strings.HasPrefix(s, "-"):
		return fail("the reference starts with '-' (%s), which a command would read as an option", shorten(strings.SplitN(s, "/", 2)[0]))
	}
	var r Ref
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest, r.Digest = rest[:i], rest[i+1:]
		if err := checkDigest(r.Digest); err != "" {
			return fail("%s", err)
		}
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return fail("the reference %s names no registry; write it in full, e.g. mcr.microsoft.com/windows/servercore:ltsc2022 or docker.io/library/%s", shorten(rest), "busybox:latest")
	}
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		rest, r.Tag = rest[:i], rest[i+1:]
		switch {
		case r.Tag == "":
			return fail("the tag after ':' is empty")
		case r.Tag[0] == '.' || r.Tag[0] == '-':
			return fail("the tag %s must start with a letter, digit or '_'", shorten(r.Tag))
		case !tagPattern().MatchString(r.Tag):
			return fail("the tag %s may contain only letters, digits, '_', '.' and '-' (at most %d)", shorten(r.Tag), maxTagLen)
		}
	}
	r.Registry, r.Repository = rest[:slash], rest[slash+1:]
	if err := checkRegistry(r.Registry); err != "" {
		return fail("%s", err)
	}
	if err := checkRepository(r.Repository); err != "" {
		return fail("%s", err)
	}
	if n := len(r.Name()); n > maxNameLen {
		return fail("the name %s is %d characters long; at most %d are allowed", shorten(r.Name()), n, maxNameLen)
	}
	return r, nil
}

func checkDigest(d string) string {
	alg, hex, found := strings.Cut(d, ":")
	want, known := digestLengths[alg]
	switch {
	case d == "":
		return "the digest after '@' is empty"
	case !found || !known:
		return fmt.Sprintf("the digest %s must be sha256:<64 hex digits> or sha512:<128 hex digits>", shorten(d))
	case len(hex) != want || strings.Trim(hex, "0123456789abcdef") != "":
		return fmt.Sprintf("the %s digest %s must be %d lowercase hex digits", alg, shorten(hex), want)
	}
	return ""
}

// checkRegistry validates host[:port], where host is a domain name, an
// IPv4 address or a bracketed IPv6 address.
func checkRegistry(reg string) string {
	if reg == "" {
		return "the registry host before the first '/' is empty"
	}
	host, port := reg, ""
	if strings.HasPrefix(reg, "[") {
		end := strings.IndexByte(reg, ']')
		if end < 0 {
			return fmt.Sprintf("the registry %s opens '[' for an IPv6 address but does not close it", shorten(reg))
		}
		host, port = reg[1:end], reg[end+1:]
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return fmt.Sprintf("the registry %s holds %s, which is not an IPv6 address", shorten(reg), shorten(host))
		}
		if port != "" && port[0] != ':' {
			return fmt.Sprintf("the registry %s has %s after the IPv6 address; only ':<port>' may follow", shorten(reg), shorten(port))
		}
		port = strings.TrimPrefix(port, ":")
		if port == "" && strings.HasSuffix(reg, ":") {
			return fmt.Sprintf("the registry %s has an empty port", shorten(reg))
		}
	} else if h, p, found := strings.Cut(reg, ":"); found {
		host, port = h, p
		if port == "" {
			return fmt.Sprintf("the registry %s has an empty port", shorten(reg))
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.Trim(port, "0123456789") != "" {
			return fmt.Sprintf("the registry port %s must be a number from 1 to 65535", shorten(port))
		}
	}
	if strings.HasPrefix(reg, "[") {
		return ""
	}
	if host != "localhost" && !strings.Contains(host, ".") && port == "" {
		return fmt.Sprintf("%s is not a registry host (it has no '.' or port); write the registry in full, e.g. docker.io/library/... or mcr.microsoft.com/...", shorten(host))
	}
	if len(host) > 253 {
		return fmt.Sprintf("the registry host %s is longer than 253 characters", shorten(host))
	}
	for _, label := range strings.Split(host, ".") {
		if len(label) > 63 || !hostLabel().MatchString(label) {
			return fmt.Sprintf("the registry host %s has the label %s; a label is 1-63 letters, digits and inner '-'", shorten(host), shorten(label))
		}
	}
	return ""
}

func checkRepository(repo string) string {
	if repo == "" {
		return "the repository after the registry is empty"
	}
	for _, c := range strings.Split(repo, "/") {
		switch {
		case c == "":
			return fmt.Sprintf("the repository %s has an empty path component (\"//\" or a trailing '/')", shorten(repo))
		case !pathComponent().MatchString(c):
			return fmt.Sprintf("the repository path component %s must be lowercase letters and digits, separated by one '.', one or two '_', or dashes", shorten(c))
		}
	}
	return ""
}
