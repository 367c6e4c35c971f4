package imagebuilder

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/world"
)

// ImageResolver resolves container image references for the simulated
// pulls of builds: *registry.Registry is one.
type ImageResolver interface {
	Platforms(ref string) (registry.Resolved, error)
}

// What a build instance's role needs to pull from ECR: one of the managed
// policies, or an inline policy naming the key action (or ecr:*).
const (
	ecrReadOnlyPolicy = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
	ecrPullOnlyPolicy = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
	ecrPullAction     = "ecr:BatchGetImage"
)

// pullStep is a step that pulls container images.
type pullStep struct {
	Phase, Step string
	Refs        []string
}

// pullSteps are the document's steps that pull images, in document order:
// ExecutePowerShell steps whose commands run "images pull" (ctr) or "docker
// pull", each with the single-quoted literals of its commands that are
// fully qualified image references.
func (d document) pullSteps() []pullStep {
	var out []pullStep
	for _, p := range d.Phases {
		for _, s := range p.Steps {
			if s.Action != "ExecutePowerShell" {
				continue
			}
			cmds, _ := s.Inputs["commands"].([]any)
			var script strings.Builder
			for _, c := range cmds {
				script.WriteString(fmt.Sprint(c))
				script.WriteString("\n")
			}
			text := script.String()
			if !strings.Contains(text, "images pull") && !strings.Contains(text, "docker pull") {
				continue
			}
			var refs []string
			for _, lit := range singleQuoted(text) {
				if imageReference(lit) && !slices.Contains(refs, lit) {
					refs = append(refs, lit)
				}
			}
			if len(refs) > 0 {
				out = append(out, pullStep{Phase: p.Name, Step: s.Name, Refs: refs})
			}
		}
	}
	return out
}

// singleQuoted lists the values of a PowerShell script's single-quoted
// string literals (a doubled quote inside one is a quote). It skips comments,
// double-quoted strings and here-strings, so an apostrophe in those does not
// start a literal.
func singleQuoted(script string) []string {
	var out []string
	for i := 0; i < len(script); i++ {
		switch {
		case strings.HasPrefix(script[i:], "@'\n") || strings.HasPrefix(script[i:], "@'\r\n"):
			i = skipPast(script, i+2, "\n'@")
		case strings.HasPrefix(script[i:], "@\"\n") || strings.HasPrefix(script[i:], "@\"\r\n"):
			i = skipPast(script, i+2, "\n\"@")
		case strings.HasPrefix(script[i:], "<#"):
			i = skipPast(script, i+2, "#>")
		case script[i] == '#':
			i = skipPast(script, i, "\n")
		case script[i] == '"':
			for i++; i < len(script); i++ {
				if script[i] == '`' {
					i++
				} else if script[i] == '"' {
					if i+1 < len(script) && script[i+1] == '"' {
						i++
						continue
					}
					break
				}
			}
		case script[i] == '\'':
			var lit strings.Builder
			for i++; i < len(script); i++ {
				if script[i] == '\'' {
					if i+1 < len(script) && script[i+1] == '\'' {
						lit.WriteByte('\'')
						i++
						continue
					}
					break
				}
				lit.WriteByte(script[i])
			}
			out = append(out, lit.String())
		}
	}
	return out
}

// skipPast is the index of the last byte of the first end after from, or
// the end of the script.
func skipPast(script string, from int, end string) int {
	if j := strings.Index(script[from:], end); j >= 0 {
		return from + j + len(end) - 1
	}
	return len(script)
}

// imageReference reports a fully qualified image reference: a registry host
// (with a '.' or ':', or localhost), a repository and a tag or digest.
func imageReference(s string) bool {
	host, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" || (!strings.ContainsAny(host, ".:") && host != "localhost") {
		return false
	}
	_, err := name.ParseReference(s, name.StrictValidation)
	return err == nil
}

// hostBuild is the Windows build of an OS build "10.0.BUILD.REV".
func hostBuild(osBuild string) (int, bool) {
	parts := strings.Split(osBuild, ".")
	if len(parts) != 4 {
		return 0, false
	}
	n, err := strconv.Atoi(parts[2])
	return n, err == nil
}

// simulatePulls pulls the images of the document's steps in the given
// phases, as the build instance would, and records those the AMI keeps. It
// answers the failure of the first pull that fails, in the form the caller
// appends to the document's failure. Without a resolver, or when the
// instance's build is unknown, it pulls nothing.
func simulatePulls(sc *scope, img *world.ImageBuildVersion, doc document, phases []string) string {
	build, ok := hostBuild(img.OSBuild)
	if sc.images == nil || !ok {
		return ""
	}
	for _, ps := range doc.pullSteps() {
		if !slices.Contains(phases, ps.Phase) {
			continue
		}
		for _, ref := range ps.Refs {
			digest, problem := pullImage(sc, img, build, ref)
			if problem != "" {
				return fmt.Sprintf("Step '%s' of phase '%s' failed: %s", ps.Step, ps.Phase, problem)
			}
			cached := world.CachedImage{Ref: ref, Digest: digest}
			if ps.Phase != "test" && !slices.Contains(img.CachedImages, cached) {
				img.CachedImages = append(img.CachedImages, cached)
			}
		}
	}
	return ""
}

// pullImage pulls one reference on an instance of a Windows build: it
// answers the digest pulled, or what the pull would print on failure.
func pullImage(sc *scope, img *world.ImageBuildVersion, build int, ref string) (digest, problem string) {
	res, err := sc.images.Platforms(ref)
	parsed, _ := name.ParseReference(ref)
	host := res.Host
	if host == name.DefaultRegistry {
		host = "registry-1.docker.io" // where Docker Hub's API is
	}
	head := fmt.Sprintf("https://%s/v2/%s/manifests/%s", host, res.Repository, parsed.Identifier())
	resolve := fmt.Sprintf("pulling %s: failed to resolve reference %q: ", ref, ref)
	if errors.Is(err, registry.ErrUnknownHost) {
		return "", resolve + fmt.Sprintf("failed to do request: Head %q: dial tcp: lookup %s: no such host", head, host)
	}
	if res.ECR() {
		profile := img.InfrastructureConfiguration.InstanceProfileName
		roles := instanceRoles(sc, img)
		if !grants(roles, ecrPullOnlyPolicy, ecrPullAction) && !grants(roles, ecrReadOnlyPolicy, ecrPullAction) {
			return "", resolve + fmt.Sprintf("unexpected status from HEAD request to %s: 401 Unauthorized "+
				"(the role of instance profile '%s' is not authorized to perform ecr:GetAuthorizationToken and %s: "+
				"attach AmazonEC2ContainerRegistryPullOnly)", head, profile, ecrPullAction)
		}
		repoExists := err == nil || errors.Is(err, registry.ErrManifestNotFound)
		if repoExists && !res.PullableBy(sc.account()) {
			return "", resolve + fmt.Sprintf("unexpected status from HEAD request to %s: 403 Forbidden "+
				"(the policy of repository '%s' of account %s does not let account %s perform %s)",
				head, res.Repository, res.Account, sc.account(), ecrPullAction)
		}
	}
	if errors.Is(err, registry.ErrRepositoryNotFound) || errors.Is(err, registry.ErrManifestNotFound) {
		return "", resolve + ref + ": not found"
	}
	if err != nil {
		return "", fmt.Sprintf("pulling %s: %v", ref, err)
	}
	var offers []string
	for _, p := range res.Platforms {
		if p.OS == "windows" && p.Architecture == "amd64" && runsOn(p.OSVersion, build) {
			return res.Digest, ""
		}
		offers = append(offers, p.String())
	}
	if len(offers) == 0 {
		offers = []string{"no platform"}
	}
	return "", fmt.Sprintf("pulling %s: no match for platform in manifest: not found "+
		"(the instance is windows/amd64 build %d (%s); the image offers %s)", ref, build, img.OSBuild, strings.Join(offers, ", "))
}

// runsOn reports whether a Windows image of os.version runs, process
// isolated, on a host of a build, by containerd's rule: a host older than
// 20348 needs its own build; a newer one runs any build from 20348 to its
// own. An image without os.version matches any host, as in containerd.
func runsOn(osVersion string, build int) bool {
	if osVersion == "" {
		return true
	}
	b, ok := hostBuild(osVersion)
	if !ok {
		return false
	}
	if build < 20348 {
		return b == build
	}
	return b >= 20348 && b <= build
}
