package imagebuilder

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/winami/winami/sandbox/world"
)

// maxVersionNode is the largest number of a semantic version node: 2^30-1,
// as Image Builder's documentation of semantic versioning says.
const maxVersionNode = 1<<30 - 1

// nameRE is the pattern of every Image Builder resource name.
var nameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$`)
})

func checkName(name string) error {
	if name == "" {
		return missingParam("name")
	}
	if !nameRE().MatchString(name) {
		return invalidParam("name", "'name' must match pattern ^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$.")
	}
	return nil
}

// arnName is a resource name as its ARN carries it: lower case, spaces as
// hyphens (ARNs allow only [a-z0-9-_]).
func arnName(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}

// semver is a semantic version; a node of -1 is the wildcard x.
type semver [3]int

func (v semver) String() string {
	parts := make([]string, 3)
	for i, n := range v {
		parts[i] = "x"
		if n >= 0 {
			parts[i] = strconv.Itoa(n)
		}
	}
	return strings.Join(parts, ".")
}

// wild reports a version with a wildcard.
func (v semver) wild() bool { return v[2] < 0 }

// matches reports whether a concrete version fits a pattern.
func (v semver) matches(concrete semver) bool {
	for i := range v {
		if v[i] >= 0 && v[i] != concrete[i] {
			return false
		}
	}
	return true
}

func compareVersions(a, b semver) int {
	return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
}

// parseVersion reads "major.minor.patch"; with wildcards, nodes may be "x",
// and every node right of an x must be x too ("1.x.x", not "1.x.2").
func parseVersion(s string, wildcards bool) (semver, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var v semver
	for i, p := range parts {
		if p == "x" && wildcards {
			v[i] = -1
			continue
		}
		if i > 0 && v[i-1] < 0 {
			return semver{}, false
		}
		if p == "" || len(p) > 10 || strings.TrimLeft(p, "0123456789") != "" {
			return semver{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > maxVersionNode {
			return semver{}, false
		}
		v[i] = n
	}
	return v, true
}

// mustVersion parses a version the sandbox itself wrote.
func mustVersion(s string) semver {
	v, _ := parseVersion(s, false)
	return v
}

// resourceARN is a parsed Image Builder ARN.
type resourceARN struct {
	Region  string
	Account string // 12 digits, or "aws"
	Kind    string // component, image-recipe, image, ...
	Name    string
	// Version is the zero semver with HasVersion false for versionless ARNs.
	Version    semver
	HasVersion bool
	Build      int // 0: none
}

var arnRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[^:]*:imagebuilder:([^:]+):([0-9]{12}|aws):` +
		`(image-recipe|container-recipe|infrastructure-configuration|distribution-configuration|component|image|image-pipeline|lifecycle-policy)` +
		`/([a-z0-9-_]+)(?:/((?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))(?:/([0-9]+))?)?$`)
})

// parseARN reads an Image Builder ARN of any kind.
func parseARN(s string) (resourceARN, bool) {
	m := arnRE().FindStringSubmatch(s)
	if m == nil {
		return resourceARN{}, false
	}
	a := resourceARN{Region: m[1], Account: m[2], Kind: m[3], Name: m[4]}
	if m[5] != "" {
		v, ok := parseVersion(m[5], true)
		if !ok {
			return resourceARN{}, false
		}
		a.Version, a.HasVersion = v, true
	}
	if m[6] != "" {
		if a.Version.wild() {
			return resourceARN{}, false
		}
		n, err := strconv.Atoi(m[6])
		if err != nil || n < 1 {
			return resourceARN{}, false
		}
		a.Build = n
	}
	return a, true
}

// accountOf is the ARN account of an owner: "aws" for Amazon's resources.
func accountOf(owner string) string {
	if owner == world.ImageBuilderAmazonOwner {
		return "aws"
	}
	return owner
}

// makeARN writes an ARN; version "" leaves the version out, build 0 the build.
func makeARN(region, account, kind, name, version string, build int) string {
	s := fmt.Sprintf("arn:aws:imagebuilder:%s:%s:%s/%s", region, account, kind, arnName(name))
	if version != "" {
		s += "/" + version
	}
	if build > 0 {
		s += "/" + strconv.Itoa(build)
	}
	return s
}

// versionARN is a build version ARN without its build.
func versionARN(buildARN string) string {
	return buildARN[:strings.LastIndex(buildARN, "/")]
}

// buildOf is the build number of a build version ARN.
func buildOf(buildARN string) int {
	n, _ := strconv.Atoi(buildARN[strings.LastIndex(buildARN, "/")+1:])
	return n
}

// latestVersionReferences are the wildcard ARNs of a versioned resource,
// as Image Builder returns them beside a created or fetched resource.
type latestVersionReferences struct {
	LatestVersionARN      string `json:"latestVersionArn"`
	LatestMajorVersionARN string `json:"latestMajorVersionArn"`
	LatestMinorVersionARN string `json:"latestMinorVersionArn"`
	LatestPatchVersionARN string `json:"latestPatchVersionArn"`
}

func references(region, account, kind, name, version string) *latestVersionReferences {
	v := mustVersion(version)
	return &latestVersionReferences{
		LatestVersionARN:      makeARN(region, account, kind, name, "x.x.x", 0),
		LatestMajorVersionARN: makeARN(region, account, kind, name, fmt.Sprintf("%d.x.x", v[0]), 0),
		LatestMinorVersionARN: makeARN(region, account, kind, name, fmt.Sprintf("%d.%d.x", v[0], v[1]), 0),
		LatestPatchVersionARN: makeARN(region, account, kind, name, version, 0),
	}
}
