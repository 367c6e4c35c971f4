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
	ids := protocol.List(req, "LaunchTemplateId")
	names := protocol.List(req, "LaunchTemplateName")
	for _, id := range ids {
		if err := checkTemplateID(id); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		if err := checkTemplateName(n); err != nil {
			return nil, err
		}
	}
	if _, err := boolParam(req, "IncludeManagedResources"); err != nil {
		return nil, err
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validName(launchTemplateFilterNames)); err != nil {
		return nil, err
	}
	pr, err := parsePageRequest(req, minTemplateResults, maxTemplateResults)
	if err != nil {
		return nil, err
	}
	out := describeLaunchTemplatesResult{LaunchTemplates: launchTemplateSet{Items: []launchTemplateItem{}}}
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if r.LaunchTemplates[id] == nil {
				return templateIDNotFound(id)
			}
		}
		for _, n := range names {
			if templateByName(r, n) == nil {
				return protocol.Errorf("InvalidLaunchTemplateName.NotFoundException",
					"At least one of the launch templates specified in the request does not exist.")
			}
		}
		var matched []*world.LaunchTemplate
		for _, lt := range r.LaunchTemplates {
			selected := len(ids) == 0 && len(names) == 0 ||
				slices.Contains(ids, lt.LaunchTemplateID) || slices.Contains(names, lt.LaunchTemplateName)
			if selected && matchAll(filters, func(name string) []string { return templateValues(lt, name) }) {
				matched = append(matched, lt)
			}
		}
		slices.SortFunc(matched, func(a, b *world.LaunchTemplate) int {
			return strings.Compare(a.LaunchTemplateID, b.LaunchTemplateID)
		})
		items, next := pageOf(matched, func(lt *world.LaunchTemplate) string { return lt.LaunchTemplateID }, pr)
		for _, lt := range items {
			out.LaunchTemplates.Items = append(out.LaunchTemplates.Items, launchTemplateItem{
				LaunchTemplateID:     lt.LaunchTemplateID,
				LaunchTemplateName:   lt.LaunchTemplateName,
				CreateTime:           timestamp(lt.CreateTime),
				CreatedBy:            lt.CreatedBy,
				DefaultVersionNumber: lt.DefaultVersion,
				LatestVersionNumber:  lt.LatestVersion,
				TagSet:               tagSet(lt.Tags),
			})
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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
	refs, err := parseVersionRefs(req)
	if err != nil {
		return nil, err
	}
	switch {
	case id != "" && name != "":
		return nil, protocol.Errorf("InvalidParameterCombination",
			"The parameters launchTemplateId and launchTemplateName cannot be used together.")
	case id != "":
		err = checkTemplateID(id)
	case name != "":
		err = checkTemplateName(name)
	case len(refs) == 0 || slices.ContainsFunc(refs, func(v versionRef) bool { return v.alias == "" }):
		// Without a template only $Latest and $Default, across all
		// templates, can be described.
		err = protocol.Errorf("MissingParameter", "The request must contain the parameter launchTemplateName or launchTemplateId")
	}
	if err != nil {
		return nil, err
	}
	minV, err := optionalVersion(req, "MinVersion")
	if err != nil {
		return nil, err
	}
	maxV, err := optionalVersion(req, "MaxVersion")
	if err != nil {
		return nil, err
	}
	for _, flag := range []string{"IncludeManagedResources", "ResolveAlias"} {
		if _, err := boolParam(req, flag); err != nil {
			return nil, err
		}
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validName(launchTemplateVersionFilterNames)); err != nil {
		return nil, err
	}
	pr, err := parsePageRequest(req, minTemplateResults, maxTemplateResults)
	if err != nil {
		return nil, err
	}
	out := describeLaunchTemplateVersionsResult{Versions: launchTemplateVersionSet{Items: []launchTemplateVersionItem{}}}
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		var templates []*world.LaunchTemplate
		switch {
		case id != "":
			if r.LaunchTemplates[id] == nil {
				return templateIDNotFound(id)
			}
			templates = append(templates, r.LaunchTemplates[id])
		case name != "":
			lt := templateByName(r, name)
			if lt == nil {
				return protocol.Errorf("InvalidLaunchTemplateName.NotFoundException",
					"The specified launch template, with template name %s, does not exist.", name)
			}
			templates = append(templates, lt)
		default:
			for _, lt := range r.LaunchTemplates {
				templates = append(templates, lt)
			}
		}
		matched, err := selectVersions(templates, refs, minV, maxV, filters)
		if err != nil {
			return err
		}
		items, next := pageOf(matched, versionKey, pr)
		for _, v := range items {
			out.Versions.Items = append(out.Versions.Items, toVersionItem(v.lt, v.version))
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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

func selectVersions(templates []*world.LaunchTemplate, refs []versionRef, minV, maxV int64, filters []protocol.Filter) ([]templateVersion, error) {
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
				maxV > 0 && v.Version > maxV,
				!matchAll(filters, func(name string) []string { return versionValues(lt, v, name) }):
				continue
			}
			out = append(out, templateVersion{lt: lt, version: v})
		}
	}
	slices.SortFunc(out, func(a, b templateVersion) int { return strings.Compare(versionKey(a), versionKey(b)) })
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

func toVersionItem(lt *world.LaunchTemplate, v *world.LaunchTemplateVersion) launchTemplateVersionItem {
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
