package world

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// AMISelectorTerm is one term of an EC2NodeClass's spec.amiSelectorTerms:
// the fields set within a term are ANDed, the terms ORed.
type AMISelectorTerm struct {
	Alias        string            `json:"alias,omitempty"`
	ID           string            `json:"id,omitempty"`
	Name         string            `json:"name,omitempty"`
	Owner        string            `json:"owner,omitempty"`
	SSMParameter string            `json:"ssmParameter,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// ResolvedAMI is one entry of an EC2NodeClass's status.amis.
type ResolvedAMI struct {
	ID           string           `json:"id"`
	Name         string           `json:"name,omitempty"`
	Deprecated   bool             `json:"deprecated,omitempty"`
	Requirements []AMIRequirement `json:"requirements"`
}

// AMIRequirement is a node selector requirement an AMI satisfies.
type AMIRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// windowsAliasBuilds are the Windows alias families Karpenter v1 knows and
// the Windows Server version in their SSM parameter names.
var windowsAliasFamilies = map[string]string{"windows2019": "2019", "windows2022": "2022", "windows2025": "2025"}

// ResolveAMISelectorTerms is what Karpenter's EC2NodeClass controller puts
// in status.amis for terms, on a cluster of Kubernetes minor k8sVersion in
// region r: the available images the terms select, newest first, one per
// set of requirements (the newest), deprecated ones after the others. An
// alias reads EKS's public SSM parameter (Windows families take only
// "latest"); name and tags terms look at the account's own and Amazon's
// images unless the term names an owner.
func ResolveAMISelectorTerms(w *World, r *Region, k8sVersion string, terms []AMISelectorTerm, now time.Time) ([]ResolvedAMI, error) {
	var found []*Image
	for _, t := range terms {
		imgs, err := selectImages(w, r, k8sVersion, t)
		if err != nil {
			return nil, err
		}
		found = append(found, imgs...)
	}
	deprecated := func(img *Image) bool { return img.DeprecationTime != nil && !now.Before(*img.DeprecationTime) }
	found = slices.DeleteFunc(found, func(img *Image) bool { return img.StateAt(now) != "available" })
	slices.SortFunc(found, func(a, b *Image) int {
		if da, db := deprecated(a), deprecated(b); da != db {
			if da {
				return 1
			}
			return -1
		}
		return cmp.Or(b.CreationDate.Compare(a.CreationDate), strings.Compare(a.ImageID, b.ImageID))
	})
	seen := map[string]bool{}
	var out []ResolvedAMI
	for _, img := range found {
		reqs := amiRequirements(img)
		key := fmt.Sprint(reqs)
		if seen[img.ImageID] || seen[key] {
			continue
		}
		seen[img.ImageID], seen[key] = true, true
		out = append(out, ResolvedAMI{ID: img.ImageID, Name: img.Name, Deprecated: deprecated(img), Requirements: reqs})
	}
	return out, nil
}

func selectImages(w *World, r *Region, k8sVersion string, t AMISelectorTerm) ([]*Image, error) {
	switch {
	case t.Alias != "":
		family, version, _ := strings.Cut(t.Alias, "@")
		winVersion, ok := windowsAliasFamilies[family]
		if !ok {
			return nil, fmt.Errorf("alias %q: the sandbox resolves only the Windows families (windows2019, windows2022, windows2025)", t.Alias)
		}
		if version != "latest" {
			return nil, fmt.Errorf("alias %q: windows families may only specify version 'latest'", t.Alias)
		}
		key := EKSWindowsKey{Windows: winVersion, Edition: "Core", Kubernetes: k8sVersion}
		name := WindowsLatestPath + "/" + key.ParameterName() + "/image_id"
		return imagesByID(r, parameterValue(r, name)), nil
	case t.ID != "":
		return imagesByID(r, t.ID), nil
	case t.SSMParameter != "":
		return imagesByID(r, parameterValue(r, t.SSMParameter)), nil
	}
	owners := []string{"self", "amazon"}
	if t.Owner != "" {
		owners = []string{t.Owner}
	}
	var out []*Image
	for _, img := range r.Images {
		if !ownedBy(w, img, owners) {
			continue
		}
		if t.Name != "" {
			if ok, _ := path.Match(t.Name, img.Name); !ok {
				continue
			}
		}
		if !tagsMatch(img.Tags, t.Tags) {
			continue
		}
		out = append(out, img)
	}
	return out, nil
}

func parameterValue(r *Region, name string) string {
	if p := r.Parameters[name]; p != nil {
		return p.Value
	}
	return ""
}

func imagesByID(r *Region, id string) []*Image {
	if img := r.Images[id]; img != nil {
		return []*Image{img}
	}
	return nil
}

// ownedBy: owners are account IDs, "self" (the caller's account) or
// "amazon" (Amazon's public images).
func ownedBy(w *World, img *Image, owners []string) bool {
	for _, o := range owners {
		switch {
		case o == "self" && img.OwnerID == w.AccountID,
			o == "amazon" && img.OwnerAlias == "amazon",
			o == img.OwnerID:
			return true
		}
	}
	return false
}

// tagsMatch: every selector tag is on the image; the value "*" matches any.
func tagsMatch(tags, selector map[string]string) bool {
	for k, v := range selector {
		got, ok := tags[k]
		if !ok || (v != "*" && v != got) {
			return false
		}
	}
	return true
}

// amiRequirements are the node requirements an AMI satisfies: its
// architecture and, for Windows, the OS and its build.
func amiRequirements(img *Image) []AMIRequirement {
	arch := "amd64"
	if img.Architecture == "arm64" {
		arch = "arm64"
	}
	reqs := []AMIRequirement{{Key: "kubernetes.io/arch", Operator: "In", Values: []string{arch}}}
	if img.Platform == "windows" {
		reqs = append(reqs,
			AMIRequirement{Key: "kubernetes.io/os", Operator: "In", Values: []string{"windows"}},
			AMIRequirement{Key: "node.kubernetes.io/windows-build", Operator: "In", Values: []string{windowsBuildLabel(img.OSBuild)}})
	}
	return reqs
}
