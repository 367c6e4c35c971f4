package imagebuilder

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// maxComponentData is the largest inline component document Image Builder takes.
const maxComponentData = 16000

type createComponentInput struct {
	Name                string            `json:"name"`
	SemanticVersion     string            `json:"semanticVersion"`
	Description         string            `json:"description,omitempty"`
	ChangeDescription   string            `json:"changeDescription,omitempty"`
	Platform            string            `json:"platform"`
	SupportedOSVersions []string          `json:"supportedOsVersions,omitempty"`
	Data                string            `json:"data,omitempty"`
	URI                 string            `json:"uri,omitempty"`
	KMSKeyID            string            `json:"kmsKeyId,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	DryRun              bool              `json:"dryRun,omitempty"`
	ClientToken         string            `json:"clientToken"`
}

type createComponentOutput struct {
	ClientToken              string                   `json:"clientToken"`
	ComponentBuildVersionARN string                   `json:"componentBuildVersionArn"`
	LatestVersionReferences  *latestVersionReferences `json:"latestVersionReferences"`
}

func (in *createComponentInput) check() error {
	if err := checkName(in.Name); err != nil {
		return err
	}
	if _, ok := parseVersion(in.SemanticVersion, false); !ok {
		return invalidVersion("semanticVersion", in.SemanticVersion)
	}
	switch in.Platform {
	case "Windows", "Linux", "macOS":
	case "":
		return missingParam("platform")
	default:
		return invalidParam("platform", "'platform' must be one of Windows, Linux, macOS; got '%s'.", in.Platform)
	}
	switch {
	case in.Data != "" && in.URI != "":
		return paramCombination("You can specify either 'data' or 'uri', but not both.")
	case in.URI != "":
		// The sandbox has no S3 to read the document from.
		return invalidParam("uri", "The sandbox has no Amazon S3 to read '%s' from: pass the document inline in 'data'.", in.URI)
	case in.Data == "":
		return invalidParam("data", "A component needs its document: set 'data' (or 'uri').")
	case len(in.Data) > maxComponentData:
		return invalidParam("data", "'data' must be at most %d characters; got %d.", maxComponentData, len(in.Data))
	case len(in.Description) > 1024 || len(in.ChangeDescription) > 1024:
		return invalidParam("description", "Descriptions must be at most 1024 characters.")
	case len(in.SupportedOSVersions) > 25:
		return invalidParam("supportedOsVersions", "At most 25 OS versions are allowed.")
	}
	return checkTags("tags", in.Tags)
}

func (s *service) createComponent(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *createComponentInput) (any, error) {
		if err := in.check(); err != nil {
			return nil, err
		}
		if in.DryRun {
			return nil, protocol.StatusError(http.StatusPreconditionFailed, "DryRunOperationException",
				"The dry run operation of the resource was successful, and no resources or mutations were actually performed due to the dry run flag in the request.")
		}
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, now time.Time) (any, error) {
			// Since November 2025 Image Builder gives a repeated name and
			// version the next build number instead of refusing it.
			build := 1
			for _, c := range sc.ib.Components {
				if c.Owner == sc.account() && arnName(c.Name) == arnName(in.Name) && c.Version == in.SemanticVersion {
					build = max(build, buildOf(c.ARN)+1)
				}
			}
			doc, _ := parseDocument(in.Data)
			c := &world.Component{
				ARN:                 makeARN(sc.r.Name, sc.account(), "component", in.Name, in.SemanticVersion, build),
				Name:                in.Name,
				Version:             in.SemanticVersion,
				Description:         in.Description,
				ChangeDescription:   in.ChangeDescription,
				Platform:            in.Platform,
				Type:                doc.componentType(),
				Owner:               sc.account(),
				Data:                in.Data,
				SupportedOSVersions: in.SupportedOSVersions,
				Parameters:          doc.parameterDetails(),
				KMSKeyID:            in.KMSKeyID,
				DateCreated:         now,
				Tags:                in.Tags,
			}
			sc.ib.Components[c.ARN] = c
			return createComponentOutput{
				ClientToken:              in.ClientToken,
				ComponentBuildVersionARN: c.ARN,
				LatestVersionReferences:  references(sc.r.Name, sc.account(), "component", c.Name, c.Version),
			}, nil
		})
	})
}

// visible reports a resource the caller may read: its own or Amazon's.
func visible(sc *scope, owner string) bool {
	return owner == sc.account() || owner == world.ImageBuilderAmazonOwner
}

// findComponent resolves a component ARN: a build version ARN names one
// build; a version ARN, with or without wildcards, the newest build of the
// newest matching version.
func findComponent(sc *scope, arn string) *world.Component {
	a, ok := parseARN(arn)
	if !ok || a.Kind != "component" || !a.HasVersion || a.Region != sc.r.Name {
		return nil
	}
	var best *world.Component
	for _, c := range sc.ib.Components {
		if !visible(sc, c.Owner) || accountOf(c.Owner) != a.Account || arnName(c.Name) != a.Name {
			continue
		}
		v := mustVersion(c.Version)
		if !a.Version.matches(v) || (a.Build > 0 && buildOf(c.ARN) != a.Build) {
			continue
		}
		if best == nil || compareComponents(c, best) > 0 {
			best = c
		}
	}
	return best
}

// compareComponents orders build versions by name, version, then build.
func compareComponents(a, b *world.Component) int {
	return cmp.Or(strings.Compare(arnName(a.Name), arnName(b.Name)),
		compareVersions(mustVersion(a.Version), mustVersion(b.Version)),
		cmp.Compare(buildOf(a.ARN), buildOf(b.ARN)))
}

type getComponentOutput struct {
	RequestID               string                   `json:"requestId"`
	Component               wireComponent            `json:"component"`
	LatestVersionReferences *latestVersionReferences `json:"latestVersionReferences"`
}

func (s *service) getComponent(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("componentBuildVersionArn")
	err := checkARN("componentBuildVersionArn", arn, "a component version or build version", func(a resourceARN) bool {
		return a.Kind == "component" && a.HasVersion
	})
	if err != nil {
		return nil, err
	}
	var out getComponentOutput
	err = s.view(req, func(sc *scope) error {
		c := findComponent(sc, arn)
		if c == nil {
			return notFound(arn)
		}
		out = getComponentOutput{RequestID: req.RequestID, Component: toComponent(c),
			LatestVersionReferences: references(sc.r.Name, accountOf(c.Owner), "component", c.Name, c.Version)}
		return nil
	})
	return out, err
}

// ownerFilter selects resources by the list operations' owner parameter:
// Self (the default) or Amazon; Shared, ThirdParty and AWSMarketplace
// resources do not exist in the sandbox.
func ownerFilter(sc *scope, owner string) (func(string) bool, error) {
	switch owner {
	case "", "Self":
		return func(o string) bool { return o == sc.account() }, nil
	case "Amazon":
		return func(o string) bool { return o == world.ImageBuilderAmazonOwner }, nil
	case "Shared", "ThirdParty", "AWSMarketplace":
		return func(string) bool { return false }, nil
	}
	return nil, invalidParam("owner", "'owner' must be one of Self, Shared, Amazon, ThirdParty, AWSMarketplace; got '%s'.", owner)
}

type listComponentsInput struct {
	listInput
	Owner  string `json:"owner"`
	ByName bool   `json:"byName"`
}

type listComponentsOutput struct {
	RequestID            string             `json:"requestId"`
	ComponentVersionList []componentVersion `json:"componentVersionList"`
	NextToken            string             `json:"nextToken,omitempty"`
}

// componentFilters are ListComponents' filters.
var componentFilters = fields[world.Component]{
	"description":        func(c *world.Component) []string { return one(c.Description) },
	"name":               func(c *world.Component) []string { return one(c.Name) },
	"platform":           func(c *world.Component) []string { return one(c.Platform) },
	"supportedOsVersion": func(c *world.Component) []string { return c.SupportedOSVersions },
	"type":               func(c *world.Component) []string { return one(c.Type) },
	"version":            func(c *world.Component) []string { return one(c.Version) },
}

// listComponents lists one entry per semantic version (the newest build's),
// or with byName one per component, its newest version.
func (s *service) listComponents(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listComponentsInput) (any, error) {
		if err := componentFilters.check(in.Filters); err != nil {
			return nil, err
		}
		var out listComponentsOutput
		err := s.view(req, func(sc *scope) error {
			owned, err := ownerFilter(sc, in.Owner)
			if err != nil {
				return err
			}
			versions := newest(sc.ib.Components, func(c *world.Component) bool { return owned(c.Owner) }, func(c *world.Component) string {
				if in.ByName {
					return arnName(c.Name)
				}
				return arnName(c.Name) + "/" + c.Version
			}, compareComponents)
			all := collect(versions, func(c *world.Component) bool { return componentFilters.match(in.Filters, c) }, compareComponents)
			list, next, err := answerPage(all, in.listInput, toComponentVersion)
			out = listComponentsOutput{RequestID: req.RequestID, NextToken: next, ComponentVersionList: list}
			return err
		})
		return out, err
	})
}

type listComponentBuildVersionsInput struct {
	listInput
	ComponentVersionARN string `json:"componentVersionArn"`
}

type listComponentBuildVersionsOutput struct {
	RequestID            string             `json:"requestId"`
	ComponentSummaryList []componentSummary `json:"componentSummaryList"`
	NextToken            string             `json:"nextToken,omitempty"`
}

// listComponentBuildVersions lists the builds of a version, or without a
// version ARN every build the account owns, as AWS does since September 2025.
func (s *service) listComponentBuildVersions(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listComponentBuildVersionsInput) (any, error) {
		var want resourceARN
		if in.ComponentVersionARN != "" {
			a, ok := parseARN(in.ComponentVersionARN)
			if !ok || a.Kind != "component" || !a.HasVersion || a.Build > 0 {
				return nil, invalidParam("componentVersionArn", "'componentVersionArn' must be the ARN of a component version.")
			}
			want = a
		}
		var out listComponentBuildVersionsOutput
		err := s.view(req, func(sc *scope) error {
			all := collect(sc.ib.Components, func(c *world.Component) bool {
				return ofVersion(sc, want, c.Owner, c.Name, c.Version)
			}, compareComponents)
			list, next, err := answerPage(all, in.listInput, toComponentSummary)
			out = listComponentBuildVersionsOutput{RequestID: req.RequestID, NextToken: next, ComponentSummaryList: list}
			return err
		})
		return out, err
	})
}

type deleteComponentOutput struct {
	RequestID                string `json:"requestId"`
	ComponentBuildVersionARN string `json:"componentBuildVersionArn"`
}

func (s *service) deleteComponent(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("componentBuildVersionArn")
	err := checkARN("componentBuildVersionArn", arn, "a component build version", func(a resourceARN) bool {
		return a.Kind == "component" && a.Build > 0
	})
	if err != nil {
		return nil, err
	}
	err = remove(s, req, arn, func(ib *world.ImageBuilder) map[string]*world.Component { return ib.Components },
		func(c *world.Component) string { return c.Owner },
		func(sc *scope, c *world.Component) bool {
			return anyOf(sc.ib.ImageRecipes, func(r *world.ImageRecipe) bool {
				return slices.ContainsFunc(r.Components, func(cc world.ComponentConfiguration) bool { return refersTo(cc.ComponentARN, c) })
			})
		})
	if err != nil {
		return nil, err
	}
	return deleteComponentOutput{RequestID: req.RequestID, ComponentBuildVersionARN: arn}, nil
}

// refersTo reports whether a recipe's component ARN (build, version or
// wildcard) takes in a build.
func refersTo(ref string, c *world.Component) bool {
	a, ok := parseARN(ref)
	if !ok || a.Kind != "component" || a.Account != accountOf(c.Owner) || a.Name != arnName(c.Name) {
		return false
	}
	return a.Version.matches(mustVersion(c.Version)) && (a.Build == 0 || a.Build == buildOf(c.ARN))
}
