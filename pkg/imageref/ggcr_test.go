package imageref

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

// FuzzParseAgreesWithGGCR: winami's parser keeps its precise errors for
// hostile input, but it must read references as the registry client that
// pulls them does (go-containerregistry): every reference Parse accepts,
// name.ParseReference accepts and reads the same way; and every full
// reference (registry included, its host of host-name characters) that
// ParseReference accepts, Parse accepts.
func FuzzParseAgreesWithGGCR(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.in)
	}
	for _, s := range []string{
		base + ":ltsc2022", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0@" + d256,
		"[::1]:5000/a__b/c-d:t", "localhost/r", "docker.io/library/busybox@" + d512, "docker.io/busybox:1",
		"localhost:5000/x", "Registry.Example.com/x", "a.b/c/d/e:f", "mcr.microsoft.com/windows/servercore",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ours, ourErr := Parse(s)
		theirs, theirErr := name.ParseReference(s) // weak: a reference without a tag means :latest, as for Parse
		if ourErr == nil {
			if theirErr != nil {
				t.Fatalf("Parse accepts %q, go-containerregistry refuses it: %v", s, theirErr)
			}
			if got, want := readAs(theirs), readAs2(ours); got != want {
				t.Fatalf("%q: go-containerregistry reads %s, Parse reads %s", s, got, want)
			}
			return
		}
		if theirErr == nil && isFull(s, theirs) {
			t.Fatalf("go-containerregistry accepts the full reference %q, Parse refuses it: %v", s, ourErr)
		}
	})
}

// isFull reports whether s names its registry itself, as Parse requires
// (go-containerregistry fills in Docker Hub otherwise), with a host made of
// what host names and addresses are made of: go-containerregistry takes
// any characters there (mcr.microsoft.com;calc.exe), Parse refuses them on
// purpose.
func isFull(s string, r name.Reference) bool {
	first, _, ok := strings.Cut(s, "/")
	if !ok || !(strings.ContainsAny(first, ".:") || first == "localhost") || !strings.HasPrefix(s, r.Context().RegistryStr()+"/") {
		return false
	}
	if !validHost(first) || len(first)+1+len(r.Context().RepositoryStr()) > 255 {
		return false // the spec's limit on a name; go-containerregistry has none
	}
	// go-containerregistry takes any of [a-z0-9._-/] in the path (even
	// ".."); the distribution spec's grammar is what Parse holds to.
	for _, c := range strings.Split(r.Context().RepositoryStr(), "/") {
		if !ociPathComponent.MatchString(c) {
			return false
		}
	}
	// go-containerregistry takes tags such as "." (and, with a digest,
	// does not look at the tag at all).
	base, _, _ := strings.Cut(s, "@")
	if i := strings.LastIndexByte(base, ':'); i > strings.LastIndexByte(base, '/') && !ociTag.MatchString(base[i+1:]) {
		return false
	}
	return true
}

// ociTag is the distribution spec's grammar of a tag.
var ociTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

// validHost reports whether h is a host name or address, with an optional
// port: go-containerregistry takes hosts such as "." or "a;b".
func validHost(h string) bool {
	if strings.Contains(h, ":") {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			return false
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return false
		}
		if strings.Contains(host, ":") { // IPv6: only in brackets
			return strings.HasPrefix(h, "[") && net.ParseIP(host) != nil
		}
		h = host
	}
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if !dnsLabel.MatchString(label) {
			return false
		}
	}
	return true
}

var dnsLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// ociPathComponent is the OCI distribution spec's grammar of one path component.
var ociPathComponent = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$`)

// readAs is how go-containerregistry reads a reference: registry,
// repository, and the tag or digest it pulls.
func readAs(r name.Reference) string {
	reg, repo := r.Context().RegistryStr(), r.Context().RepositoryStr()
	switch v := r.(type) {
	case name.Digest:
		return reg + " " + repo + " @" + v.DigestStr()
	case name.Tag:
		return reg + " " + repo + " :" + v.TagStr()
	}
	return reg + " " + repo
}

// readAs2 is the same for Parse's result, with Docker Hub's aliases as
// go-containerregistry writes them.
func readAs2(r Ref) string {
	reg, repo := r.Registry, r.Repository
	if reg == "docker.io" || reg == "index.docker.io" {
		reg = name.DefaultRegistry
		if !strings.Contains(repo, "/") {
			repo = "library/" + repo
		}
	}
	switch {
	case r.Digest != "":
		return reg + " " + repo + " @" + r.Digest
	case r.Tag != "":
		return reg + " " + repo + " :" + r.Tag
	}
	return reg + " " + repo + " :latest"
}
