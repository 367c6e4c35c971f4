package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/images"
)

// Action is what a plan does to one resource.
type Action string

const (
	ActionCreate     Action = "create"
	ActionUpdate     Action = "update"
	ActionNewVersion Action = "new-version"
	ActionDelete     Action = "delete"
	ActionNoOp       Action = "no-op"
)

// Change is the plan for one resource.
type Change struct {
	Kind   Kind   `json:"type"`
	Name   string `json:"name"`
	Action Action `json:"action"`
	// ARN is the existing resource's, when there is one (for an AMI, its ID).
	ARN string `json:"arn,omitempty"`
	// Region is set for AMIs, which live in every distribution region.
	Region string `json:"region,omitempty"`
	// Version is the semantic version a create or new-version makes.
	Version string     `json:"version,omitempty"`
	Diff    []AttrDiff `json:"diff,omitempty"`
}

// Summary counts a plan's changes as Terraform does: new versions of
// immutable resources are additions.
type Summary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

// Plan is what apply would do, as data: rendered for people by the CLI, or
// printed as JSON.
type Plan struct {
	Spec    string   `json:"spec"`
	Region  string   `json:"region"`
	Parent  Parent   `json:"parent"`
	Changes []Change `json:"changes"`
	Summary Summary  `json:"summary"`
	// Cache is what the AMIs will record of the images they cache, each
	// pinned to the digest the image check found (nil: no cache).
	Cache *amimeta.CacheRecord `json:"cache,omitempty"`
	// ImageCheck is the verdict on each cache image for the AMI's Windows
	// build (nil: no cache, or no check was made).
	ImageCheck *images.Report `json:"imageCheck,omitempty"`

	// ParentWarnings say when the parent AMI is deprecated or leaves
	// Amazon's public retention (set by the runner, which knows the time).
	ParentWarnings []ParentWarning `json:"parentWarnings,omitempty"`

	desired  *Desired
	observed *Observed
}

// HasChanges reports whether apply would change anything.
func (p *Plan) HasChanges() bool { return p.Summary != Summary{} }

// NewPlan compares desired with observed.
func NewPlan(d *Desired, o *Observed) *Plan {
	p := &Plan{Spec: d.Spec.Name, Region: d.Spec.Region, Parent: d.Parent, desired: d, observed: o}
	if len(d.CacheRecord.Images) > 0 {
		p.Cache = &d.CacheRecord
	}
	if d.ImageCheck != nil && len(d.ImageCheck.Report.Images) > 0 {
		p.ImageCheck = &d.ImageCheck.Report
	}
	versions := p.planComponents()
	p.planRecipe(versions)
	p.planInfrastructure()
	p.planDistribution()
	p.planPipeline()
	p.planTags(versions)
	for _, c := range p.Changes {
		switch c.Action {
		case ActionCreate, ActionNewVersion:
			p.Summary.Add++
		case ActionUpdate:
			p.Summary.Change++
		case ActionDelete:
			p.Summary.Destroy++
		}
	}
	return p
}

// planComponents returns the version each desired component will have.
func (p *Plan) planComponents() map[string]string {
	versions := map[string]string{}
	for _, dc := range p.desired.Components {
		oc := p.observed.Components[dc.Name]
		c := Change{Kind: KindComponent, Name: dc.Name}
		switch {
		case oc == nil || oc.Latest == nil:
			c.Action, c.Version = ActionCreate, nextVersion(nil)
		case oc.Latest.Tags[amimeta.TagHash] == dc.Hash:
			c.Action, c.ARN, c.Version = ActionNoOp, aws.ToString(oc.Latest.Arn), aws.ToString(oc.Latest.Version)
		default:
			c.Action, c.ARN, c.Version = ActionNewVersion, aws.ToString(oc.Latest.Arn), nextVersion(oc.Versions)
			c.Diff = []AttrDiff{{Path: "data", Old: "sha256:" + oc.Latest.Tags[amimeta.TagHash], New: "sha256:" + dc.Hash}}
		}
		versions[dc.Name] = c.Version
		p.Changes = append(p.Changes, c)
	}
	var gone []string
	for name := range p.observed.Components {
		if !slices.ContainsFunc(p.desired.Components, func(dc DesiredComponent) bool { return dc.Name == name }) {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	for _, name := range gone {
		oc := p.observed.Components[name]
		p.Changes = append(p.Changes, Change{Kind: KindComponent, Name: name, Action: ActionDelete, ARN: aws.ToString(oc.Latest.Arn)})
	}
	return versions
}

// recipeView is the part of a recipe a plan compares, in a form both the
// desired recipe and an existing one can be put in.
type recipeView struct {
	ParentImage   string   `json:"parentImage"`
	Components    []string `json:"components"`
	RootVolumeGiB int      `json:"rootVolumeGiB"`
	Description   string   `json:"description"`
}

func (p *Plan) planRecipe(componentVersions map[string]string) {
	dr := p.desired.Recipe
	want := recipeView{ParentImage: dr.ParentImage, RootVolumeGiB: dr.RootVolumeGiB, Description: dr.Description}
	for _, rc := range dr.Components {
		ref := rc.ARN
		if rc.Name != "" {
			ref = rc.Name + "/" + componentVersions[rc.Name]
		}
		want.Components = append(want.Components, componentRef(ref, rc.Parameters))
	}
	c := Change{Kind: KindRecipe, Name: dr.Name}
	or := p.observed.Recipe
	switch {
	case or == nil || or.Current == nil:
		c.Action, c.Version = ActionCreate, nextVersion(nil)
	case or.CurrentHash == p.recipeHash(componentVersions):
		c.Action, c.ARN, c.Version = ActionNoOp, aws.ToString(or.Current.Arn), aws.ToString(or.Current.Version)
	default:
		var versions []string
		for v := range or.Versions {
			versions = append(versions, v)
		}
		c.Action, c.ARN, c.Version = ActionNewVersion, aws.ToString(or.Current.Arn), nextVersion(versions)
		c.Diff = diffValues("", plain(existingRecipeView(or.Current)), plain(want))
		for i := range c.Diff {
			c.Diff[i].Path = strings.TrimPrefix(c.Diff[i].Path, ".")
		}
	}
	p.Changes = append(p.Changes, c)
}

// recipeHash identifies the recipe's content, including the versions of the
// components it uses: a new component version makes a new recipe version.
func (p *Plan) recipeHash(componentVersions map[string]string) string {
	return contentHash(struct {
		Recipe   DesiredRecipe
		Versions map[string]string
	}{p.desired.Recipe, componentVersions})
}

func existingRecipeView(r *types.ImageRecipe) recipeView {
	v := recipeView{ParentImage: aws.ToString(r.ParentImage), Description: aws.ToString(r.Description)}
	for _, c := range r.Components {
		params := map[string]string{}
		for _, p := range c.Parameters {
			params[aws.ToString(p.Name)] = strings.Join(p.Value, ",")
		}
		v.Components = append(v.Components, componentRef(ownComponentRef(aws.ToString(c.ComponentArn)), params))
	}
	for _, bd := range r.BlockDeviceMappings {
		if bd.Ebs != nil && bd.Ebs.VolumeSize != nil {
			v.RootVolumeGiB = int(*bd.Ebs.VolumeSize)
		}
	}
	return v
}

// ownComponentRef shortens the ARN of a component of the account
// (".../component/<name>/<version>/<build>") to "<name>/<version>", the
// form the plan knows its own components by; other ARNs stay as they are.
func ownComponentRef(arn string) string {
	_, rest, ok := strings.Cut(arn, ":component/")
	if !ok || strings.Contains(arn, ":aws:component/") {
		return arn
	}
	parts := strings.Split(rest, "/")
	if len(parts) >= 2 {
		return parts[0] + "/" + parts[1]
	}
	return arn
}

func componentRef(ref string, params map[string]string) string {
	if len(params) == 0 {
		return ref
	}
	var kv []string
	for _, p := range sortedParams(params) {
		kv = append(kv, aws.ToString(p.Name)+"="+strings.Join(p.Value, ","))
	}
	return ref + " (" + strings.Join(kv, ", ") + ")"
}

func (p *Plan) planInfrastructure() {
	var arn *string
	if cur := p.observed.Infrastructure; cur != nil {
		arn = cur.Arn
	}
	p.planMutable(KindInfrastructure, p.desired.Infrastructure.Name, arn, p.observed.Infrastructure, p.desired.Infrastructure, infrastructureFields)
}

func (p *Plan) planDistribution() {
	var arn *string
	if cur := p.observed.Distribution; cur != nil {
		arn = cur.Arn
	}
	p.planMutable(KindDistribution, p.desired.Distribution.Name, arn, p.observed.Distribution, p.desired.Distribution, distributionFields)
}

// planMutable plans a resource that is updated in place: create when there
// is none (arn nil), else update when the fields differ.
func (p *Plan) planMutable(kind Kind, name, arn *string, current, want any, fields []string) {
	c := Change{Kind: kind, Name: aws.ToString(name), Action: ActionCreate}
	if arn != nil {
		c.ARN = aws.ToString(arn)
		c.Diff = diffFields(current, want, fields...)
		c.Action = actionFor(c.Diff)
	}
	p.Changes = append(p.Changes, c)
}

func (p *Plan) planPipeline() {
	want := p.desired.Pipeline
	cur := p.observed.Pipeline
	c := Change{Kind: KindPipeline, Name: aws.ToString(want.Name)}
	if cur == nil {
		c.Action = ActionCreate
		p.Changes = append(p.Changes, c)
		return
	}
	c.ARN = aws.ToString(cur.Arn)
	c.Diff = diffFields(cur, want, "Description", "Schedule", "Status", "EnhancedImageMetadataEnabled")
	// The pipeline follows its recipe, infrastructure and distribution: a
	// new recipe version, or one of them being made anew, changes its ARNs.
	for _, dep := range p.Changes {
		var field, current string
		switch dep.Kind {
		case KindRecipe:
			field, current = "imageRecipeArn", aws.ToString(cur.ImageRecipeArn)
		case KindInfrastructure:
			field, current = "infrastructureConfigurationArn", aws.ToString(cur.InfrastructureConfigurationArn)
		case KindDistribution:
			field, current = "distributionConfigurationArn", aws.ToString(cur.DistributionConfigurationArn)
		default:
			continue
		}
		switch {
		case dep.Action == ActionCreate:
			c.Diff = append(c.Diff, AttrDiff{Path: field, Old: current, New: fmt.Sprintf("(the new %s)", dep.Kind)})
		case dep.Kind == KindRecipe && dep.Action == ActionNewVersion:
			c.Diff = append(c.Diff, AttrDiff{Path: field, Old: current, New: withVersion(dep.ARN, dep.Version)})
		case dep.ARN != current && dep.ARN != "":
			c.Diff = append(c.Diff, AttrDiff{Path: field, Old: current, New: dep.ARN})
		}
	}
	c.Action = actionFor(c.Diff)
	p.Changes = append(p.Changes, c)
}

// withVersion replaces the semantic version at the end of a recipe ARN.
func withVersion(arn, version string) string {
	i := strings.LastIndex(arn, "/")
	if i < 0 {
		return arn
	}
	return arn[:i+1] + version
}

func actionFor(diff []AttrDiff) Action {
	if len(diff) == 0 {
		return ActionNoOp
	}
	return ActionUpdate
}

// planTags compares the tags of every resource that stays with what the
// spec asks (its tags plus winami's); a resource whose only difference is
// its tags is updated in place, immutable ones included.
func (p *Plan) planTags(componentVersions map[string]string) {
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action != ActionNoOp && c.Action != ActionUpdate {
			continue
		}
		current, want := p.tagsOf(*c, componentVersions)
		diff := diffValues("tags", stringMap(current), stringMap(want))
		if len(diff) == 0 {
			continue
		}
		c.Diff = append(c.Diff, diff...)
		c.Action = ActionUpdate
	}
}

// tagsOf returns a resource's current tags and the tags the spec asks for.
func (p *Plan) tagsOf(c Change, componentVersions map[string]string) (current, want map[string]string) {
	want = managedTags(p.Spec, p.desired.Spec.Tags)
	o := p.observed
	switch c.Kind {
	case KindComponent:
		for _, dc := range p.desired.Components {
			if dc.Name == c.Name {
				want[amimeta.TagHash] = dc.Hash
			}
		}
		if oc := o.Components[c.Name]; oc != nil && oc.Latest != nil {
			current = oc.Latest.Tags
		}
	case KindRecipe:
		want[amimeta.TagHash] = p.recipeHash(componentVersions)
		if o.Recipe != nil {
			current = o.Recipe.CurrentTags
		}
	case KindInfrastructure:
		if o.Infrastructure != nil {
			current = o.Infrastructure.Tags
		}
	case KindDistribution:
		if o.Distribution != nil {
			current = o.Distribution.Tags
		}
	case KindPipeline:
		if o.Pipeline != nil {
			current = o.Pipeline.Tags
		}
	}
	return current, want
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// tagChanges splits a change's tag differences into tags to set and keys to remove.
func tagChanges(c Change) (set map[string]string, remove []string) {
	set = map[string]string{}
	for _, d := range c.Diff {
		key, ok := strings.CutPrefix(d.Path, "tags.")
		if !ok {
			continue
		}
		if v, isString := d.New.(string); isString {
			set[key] = v
		} else {
			remove = append(remove, key)
		}
	}
	return set, remove
}

// hasNonTagDiff reports whether a change alters more than tags.
func hasNonTagDiff(c Change) bool {
	for _, d := range c.Diff {
		if !strings.HasPrefix(d.Path, "tags.") {
			return true
		}
	}
	return false
}
