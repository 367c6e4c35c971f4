// Package pipeline turns a winami.yaml spec into EC2 Image Builder
// resources: the desired state, a plan (the difference from what exists, as
// data), and apply, build, status and destroy.
package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/winami/winami/pkg/amimeta"
)

// Kind is an Image Builder resource type, as plan output names it.
type Kind string

const (
	KindComponent      Kind = "component"
	KindRecipe         Kind = "image-recipe"
	KindInfrastructure Kind = "infrastructure-configuration"
	KindDistribution   Kind = "distribution-configuration"
	KindPipeline       Kind = "image-pipeline"
	// KindImage is an Image Builder image (one build) and KindAMI an AMI
	// it distributed: only destroy --delete-images removes them.
	KindImage Kind = "image"
	KindAMI   Kind = "ami"
)

// applyOrder is the order resources are created in; destroy reverses it.
var applyOrder = []Kind{KindComponent, KindRecipe, KindInfrastructure, KindDistribution, KindPipeline}

// ResourceName is the Image Builder name of a spec's recipe, configurations
// and pipeline (components add a suffix).
func ResourceName(spec string) string { return "winami-" + spec }

var nonName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9-]+`) })

// componentName names a component made from a local document: the spec's
// prefix and the file's stem, lowercased to what Image Builder accepts.
func componentName(spec, file string) string {
	stem := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	stem = strings.Trim(nonName().ReplaceAllString(strings.ToLower(stem), "-"), "-")
	if stem == "" {
		stem = "component"
	}
	return ResourceName(spec) + "-" + stem
}

// contentHash is a short, stable hash of a value's JSON form.
func contentHash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("pipeline: hashing %T: %v", v, err)) // only plain data is hashed
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// managedTags are the tags of every resource of spec: the user's, then winami's.
func managedTags(spec string, user map[string]string) map[string]string {
	tags := make(map[string]string, len(user)+2)
	for k, v := range user {
		tags[k] = v
	}
	tags[amimeta.TagSpec] = spec
	tags[amimeta.TagManaged] = "true"
	return tags
}

// isManagedBy reports whether tags mark a resource as spec's.
func isManagedBy(tags map[string]string, spec string) bool {
	return tags[amimeta.TagSpec] == spec && tags[amimeta.TagManaged] == "true"
}

// nextVersion is the semantic version after the highest of versions
// ("1.0.0" when there is none): immutable resources get a new patch version
// for every change of content.
func nextVersion(versions []string) string {
	newest, ok := parseVersion(newestVersion(versions))
	if !ok {
		return "1.0.0"
	}
	return fmt.Sprintf("%d.%d.%d", newest[0], newest[1], newest[2]+1)
}

// newestVersion is the highest semantic version of vs ("" for none).
func newestVersion(vs []string) string {
	best, bestParts := "", [3]int{-1, -1, -1}
	for _, v := range vs {
		if p, ok := parseVersion(v); ok && compareVersion(p, bestParts) > 0 {
			best, bestParts = v, p
		}
	}
	return best
}

func parseVersion(v string) ([3]int, bool) {
	var p [3]int
	if _, err := fmt.Sscanf(v, "%d.%d.%d", &p[0], &p[1], &p[2]); err != nil {
		return p, false
	}
	return p, true
}

func compareVersion(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return 0
}
