package ec2

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Page limits of DescribeLaunchTemplates and DescribeLaunchTemplateVersions.
const (
	minTemplateResults = 1
	maxTemplateResults = 200
)

var (
	launchTemplateIDPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^lt-([0-9a-f]{8}|[0-9a-f]{17})$`) })
	launchTemplateNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`) })
)

var (
	launchTemplateFilterNames        = []string{"create-time", "launch-template-name", "tag-key"}
	launchTemplateVersionFilterNames = []string{
		"create-time", "ebs-optimized", "http-endpoint", "http-protocol-ipv4", "host-resource-group-arn",
		"http-tokens", "iam-instance-profile", "image-id", "instance-type", "is-default-version", "kernel-id",
		"license-configuration-arn", "network-card-index", "ram-disk-id",
	}
)

type describeLaunchTemplatesResult struct {
	LaunchTemplates launchTemplateSet `xml:"launchTemplates"`
	NextToken       string            `xml:"nextToken,omitempty"`
}

type launchTemplateSet struct {
	Items []launchTemplateItem `xml:"item"`
}

type launchTemplateItem struct {
	LaunchTemplateID     string    `xml:"launchTemplateId"`
	LaunchTemplateName   string    `xml:"launchTemplateName"`
	CreateTime           string    `xml:"createTime"`
	CreatedBy            string    `xml:"createdBy"`
	DefaultVersionNumber int64     `xml:"defaultVersionNumber"`
	LatestVersionNumber  int64     `xml:"latestVersionNumber"`
	TagSet               []tagItem `xml:"tagSet>item,omitempty"`
}

func (s *service) describeLaunchTemplates(ctx context.Context, req *protocol.Request) (any, error) {
	names := protocol.List(req, "LaunchTemplateName")
	return describe(s.store, req, &describeSpec[*world.LaunchTemplate]{
		idParam:   "LaunchTemplateId",
		malformed: checkTemplateID,
		after: func(req *protocol.Request) error {
			for _, n := range names {
				if err := checkTemplateName(n); err != nil {
					return err
				}
			}
			_, err := boolParam(req, "IncludeManagedResources")
			return err
		},
		filterNames: launchTemplateFilterNames,
		tagFilters:  true,
		paging:      &paging{min: minTemplateResults, max: maxTemplateResults},
		exists:      func(sc describeScope, id string) bool { return sc.r.LaunchTemplates[id] != nil },
		notFound:    func(missing []string) error { return templateIDNotFound(missing[0]) },
		list: func(sc describeScope, ids []string) ([]*world.LaunchTemplate, error) {
			for _, n := range names {
				if templateByName(sc.r, n) == nil {
					return nil, protocol.Errorf("InvalidLaunchTemplateName.NotFoundException",
						"At least one of the launch templates specified in the request does not exist.")
				}
			}
			var out []*world.LaunchTemplate
			for _, lt := range sc.r.LaunchTemplates {
				if len(ids) == 0 && len(names) == 0 ||
					slices.Contains(ids, lt.LaunchTemplateID) || slices.Contains(names, lt.LaunchTemplateName) {
					out = append(out, lt)
				}
			}
			return out, nil
		},
		values: func(_ describeScope, lt *world.LaunchTemplate, name string) []string { return templateValues(lt, name) },
		key:    func(lt *world.LaunchTemplate) string { return lt.LaunchTemplateID },
		render: func(_ describeScope, page []*world.LaunchTemplate, next string) any {
			return describeLaunchTemplatesResult{LaunchTemplates: launchTemplateSet{Items: itemsOf(page, toTemplateItem)}, NextToken: next}
		},
	})
}

func toTemplateItem(lt *world.LaunchTemplate) launchTemplateItem {
	return launchTemplateItem{
		LaunchTemplateID:     lt.LaunchTemplateID,
		LaunchTemplateName:   lt.LaunchTemplateName,
		CreateTime:           timestamp(lt.CreateTime),
		CreatedBy:            lt.CreatedBy,
		DefaultVersionNumber: lt.DefaultVersion,
		LatestVersionNumber:  lt.LatestVersion,
		TagSet:               tagSet(lt.Tags),
	}
}

func checkTemplateID(id string) error {
	if !launchTemplateIDPattern().MatchString(id) {
		return protocol.Errorf("InvalidLaunchTemplateId.Malformed",
			"The specified ID for the launch template, %s, is malformed.", id)
	}
	return nil
}

func checkTemplateName(name string) error {
	if !launchTemplateNamePattern().MatchString(name) {
		return protocol.Errorf("InvalidLaunchTemplateName.MalformedException",
			"A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")
	}
	return nil
}

func templateIDNotFound(id string) error {
	return protocol.Errorf("InvalidLaunchTemplateId.NotFound",
		"The specified launch template, with template ID %s, does not exist.", id)
}

func templateByName(r *world.Region, name string) *world.LaunchTemplate {
	for _, lt := range r.LaunchTemplates {
		if lt.LaunchTemplateName == name {
			return lt
		}
	}
	return nil
}

func templateValues(lt *world.LaunchTemplate, name string) []string {
	if vals, ok := tagValues(lt.Tags, name); ok {
		return vals
	}
	switch name {
	case "create-time":
		return one(timestamp(lt.CreateTime))
	case "launch-template-name":
		return one(lt.LaunchTemplateName)
	}
	return nil
}

type describeLaunchTemplateVersionsResult struct {
	Versions  launchTemplateVersionSet `xml:"launchTemplateVersionSet"`
	NextToken string                   `xml:"nextToken,omitempty"`
}

type launchTemplateVersionSet struct {
	Items []launchTemplateVersionItem `xml:"item"`
}

type launchTemplateVersionItem struct {
	LaunchTemplateID   string             `xml:"launchTemplateId"`
	LaunchTemplateName string             `xml:"launchTemplateName"`
	VersionNumber      int64              `xml:"versionNumber"`
	VersionDescription string             `xml:"versionDescription,omitempty"`
	CreateTime         string             `xml:"createTime"`
	CreatedBy          string             `xml:"createdBy"`
	DefaultVersion     bool               `xml:"defaultVersion"`
	Data               launchTemplateData `xml:"launchTemplateData"`
}

type launchTemplateData struct {
	ImageID            string              `xml:"imageId,omitempty"`
	InstanceType       string              `xml:"instanceType,omitempty"`
	IAMInstanceProfile *iamProfileSpec     `xml:"iamInstanceProfile,omitempty"`
	BlockDevices       []templateBDMapping `xml:"blockDeviceMappingSet>item,omitempty"`
}

type iamProfileSpec struct {
	Name string `xml:"name"`
}

type templateBDMapping struct {
	DeviceName string      `xml:"deviceName"`
	EBS        templateEBS `xml:"ebs"`
}

// templateEBS leaves out what the version does not set, as EC2 does: a
// launch template records only the fields it was given.
type templateEBS struct {
	Encrypted           *bool  `xml:"encrypted,omitempty"`
	DeleteOnTermination *bool  `xml:"deleteOnTermination,omitempty"`
	SnapshotID          string `xml:"snapshotId,omitempty"`
	VolumeSize          int32  `xml:"volumeSize,omitempty"`
	VolumeType          string `xml:"volumeType,omitempty"`
}

// versionRef is one LaunchTemplateVersion value: a number or an alias.
type versionRef struct {
	number int64
	alias  string // "$Latest" or "$Default"
}

func (v versionRef) resolve(lt *world.LaunchTemplate) int64 {
	switch v.alias {
	case "$Latest":
		return lt.LatestVersion
	case "$Default":
		return lt.DefaultVersion
	}
	return v.number
}

func parseVersionRefs(req *protocol.Request) ([]versionRef, error) {
	var refs []versionRef
	for _, v := range protocol.List(req, "LaunchTemplateVersion") {
		if v == "$Latest" || v == "$Default" {
			refs = append(refs, versionRef{alias: v})
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return nil, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter version is invalid.", v)
		}
		refs = append(refs, versionRef{number: n})
	}
	return refs, nil
}

func optionalVersion(req *protocol.Request, name string) (int64, error) {
	v := req.Params.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid.", v, lowerFirst(name))
	}
	return n, nil
}

func (s *service) describeLaunchTemplateVersions(ctx context.Context, req *protocol.Request) (any, error) {
	id, name := req.Params.Get("LaunchTemplateId"), req.Params.Get("LaunchTemplateName")
	var refs []versionRef
	var minV, maxV int64
	return describe(s.store, req, &describeSpec[templateVersion]{
		before: func(req *protocol.Request) (err error) {
			if refs, err = parseVersionRefs(req); err != nil {
				return err
			}
			if err := checkTemplateOf(id, name, refs); err != nil {
				return err
			}
			if minV, err = optionalVersion(req, "MinVersion"); err != nil {
				return err
			}
			if maxV, err = optionalVersion(req, "MaxVersion"); err != nil {
				return err
			}
			for _, flag := range []string{"IncludeManagedResources", "ResolveAlias"} {
				if _, err := boolParam(req, flag); err != nil {
					return err
				}
			}
			return nil
		},
		filterNames: launchTemplateVersionFilterNames,
		paging:      &paging{min: minTemplateResults, max: maxTemplateResults},
		list: func(sc describeScope, _ []string) ([]templateVersion, error) {
			templates, err := versionTemplates(sc.r, id, name)
			if err != nil {
				return nil, err
			}
			return selectVersions(templates, refs, minV, maxV)
		},
		values: func(_ describeScope, v templateVersion, filter string) []string {
			return versionValues(v.lt, v.version, filter)
		},
		key: versionKey,
		render: func(_ describeScope, page []templateVersion, next string) any {
			return describeLaunchTemplateVersionsResult{Versions: launchTemplateVersionSet{Items: itemsOf(page, toVersionItem)}, NextToken: next}
		},
	})
}

// checkTemplateOf checks the template a DescribeLaunchTemplateVersions
// call names: by ID or by name, not both, or none when it asks only for
// aliases, which then range over all templates.
func checkTemplateOf(id, name string, refs []versionRef) error {
	switch {
	case id != "" && name != "":
		return protocol.Errorf("InvalidParameterCombination",
			"The parameters launchTemplateId and launchTemplateName cannot be used together.")
	case id != "":
		return checkTemplateID(id)
	case name != "":
		return checkTemplateName(name)
	case len(refs) == 0 || slices.ContainsFunc(refs, func(v versionRef) bool { return v.alias == "" }):
		return protocol.Errorf("MissingParameter", "The request must contain the parameter launchTemplateName or launchTemplateId")
	}
	return nil
}

// versionTemplates are the templates whose versions a call lists: the one
// it names, or all of them.
func versionTemplates(r *world.Region, id, name string) ([]*world.LaunchTemplate, error) {
	switch {
	case id != "":
		if r.LaunchTemplates[id] == nil {
			return nil, templateIDNotFound(id)
		}
		return []*world.LaunchTemplate{r.LaunchTemplates[id]}, nil
	case name != "":
		lt := templateByName(r, name)
		if lt == nil {
			return nil, protocol.Errorf("InvalidLaunchTemplateName.NotFoundException",
				"The specified launch template, with template name %s, does not exist.", name)
		}
		return []*world.LaunchTemplate{lt}, nil
	}
	var all []*world.LaunchTemplate
	for _, lt := range r.LaunchTemplates {
		all = append(all, lt)
	}
	return all, nil
}

type templateVersion struct {
	lt      *world.LaunchTemplate
	version *world.LaunchTemplateVersion
}

// versionKey orders versions by template, newest version first, as EC2
// lists them.
func versionKey(v templateVersion) string {
	return fmt.Sprintf("%s/%020d", v.lt.LaunchTemplateID, math.MaxInt64-v.version.Version)
}

// selectVersions are the templates' versions that the version numbers,
// aliases and bounds select; an asked-for version a template lacks fails.
func selectVersions(templates []*world.LaunchTemplate, refs []versionRef, minV, maxV int64) ([]templateVersion, error) {
	var out []templateVersion
	for _, lt := range templates {
		wanted := map[int64]bool{}
		for _, ref := range refs {
			n := ref.resolve(lt)
			if !slices.ContainsFunc(lt.Versions, func(v world.LaunchTemplateVersion) bool { return v.Version == n }) {
				return nil, protocol.Errorf("InvalidLaunchTemplateId.VersionNotFound",
					"Could not find launch template version %d for launch template %s.", n, lt.LaunchTemplateID)
			}
			wanted[n] = true
		}
		for i := range lt.Versions {
			v := &lt.Versions[i]
			switch {
			case len(refs) > 0 && !wanted[v.Version],
				minV > 0 && v.Version < minV,
				maxV > 0 && v.Version > maxV:
				continue
			}
			out = append(out, templateVersion{lt: lt, version: v})
		}
	}
	return out, nil
}

func versionValues(lt *world.LaunchTemplate, v *world.LaunchTemplateVersion, name string) []string {
	switch name {
	case "create-time":
		return one(timestamp(v.CreateTime))
	case "iam-instance-profile":
		return one(v.IAMInstanceProfile)
	case "image-id":
		return one(v.ImageID)
	case "instance-type":
		return one(v.InstanceType)
	case "is-default-version":
		return boolValue(v.Version == lt.DefaultVersion)
	}
	return nil
}

func toVersionItem(tv templateVersion) launchTemplateVersionItem {
	lt, v := tv.lt, tv.version
	it := launchTemplateVersionItem{
		LaunchTemplateID:   lt.LaunchTemplateID,
		LaunchTemplateName: lt.LaunchTemplateName,
		VersionNumber:      v.Version,
		VersionDescription: v.Description,
		CreateTime:         timestamp(v.CreateTime),
		CreatedBy:          lt.CreatedBy,
		DefaultVersion:     v.Version == lt.DefaultVersion,
		Data:               launchTemplateData{ImageID: v.ImageID, InstanceType: v.InstanceType},
	}
	if v.IAMInstanceProfile != "" {
		it.Data.IAMInstanceProfile = &iamProfileSpec{Name: v.IAMInstanceProfile}
	}
	for _, bd := range v.BlockDevices {
		m := templateBDMapping{DeviceName: bd.DeviceName, EBS: templateEBS{
			SnapshotID: bd.SnapshotID,
			VolumeSize: bd.VolumeSize,
			VolumeType: bd.VolumeType,
		}}
		if bd.Encrypted {
			m.EBS.Encrypted = &bd.Encrypted
		}
		if bd.DeleteOnTermination {
			m.EBS.DeleteOnTermination = &bd.DeleteOnTermination
		}
		it.Data.BlockDevices = append(it.Data.BlockDevices, m)
	}
	return it
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
