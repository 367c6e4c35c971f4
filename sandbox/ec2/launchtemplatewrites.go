package ec2

import (
	"context"
	"strconv"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// CreateLaunchTemplateVersion and ModifyLaunchTemplate: how a rollout
// points a launch template at a new AMI. A new version copies its source
// version (SourceVersion) and takes what LaunchTemplateData sets; an AMI
// that is well formed but unknown is accepted with a warning, as EC2 only
// validates a template's contents when it launches from it.

// maxVersionDescription is EC2's limit on VersionDescription.
const maxVersionDescription = 255

type createLaunchTemplateVersionResult struct {
	Version launchTemplateVersionItem `xml:"launchTemplateVersion"`
	Warning *validationWarning        `xml:"warning,omitempty"`
}

type validationWarning struct {
	Errors []validationError `xml:"errorSet>item"`
}

type validationError struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type modifyLaunchTemplateResult struct {
	LaunchTemplate launchTemplateItem `xml:"launchTemplate"`
}

// templateOf is the template a write names by LaunchTemplateId or
// LaunchTemplateName (one of them, not both).
func templateOf(r *world.Region, req *protocol.Request) (*world.LaunchTemplate, error) {
	id, name := req.Params.Get("LaunchTemplateId"), req.Params.Get("LaunchTemplateName")
	switch {
	case id != "" && name != "":
		return nil, protocol.Errorf("InvalidParameterCombination",
			"The parameters launchTemplateId and launchTemplateName cannot be used together.")
	case id == "" && name == "":
		return nil, protocol.Errorf("MissingParameter", "The request must contain the parameter launchTemplateName or launchTemplateId")
	case id != "":
		if err := checkTemplateID(id); err != nil {
			return nil, err
		}
		if lt := r.LaunchTemplates[id]; lt != nil {
			return lt, nil
		}
		return nil, templateIDNotFound(id)
	}
	if err := checkTemplateName(name); err != nil {
		return nil, err
	}
	if lt := templateByName(r, name); lt != nil {
		return lt, nil
	}
	return nil, protocol.Errorf("InvalidLaunchTemplateName.NotFoundException",
		"The specified launch template, with template name %s, does not exist.", name)
}

// findVersion finds version v ("3", "$Latest", "$Default") of lt.
func findVersion(lt *world.LaunchTemplate, param, v string) (*world.LaunchTemplateVersion, error) {
	n := lt.DefaultVersion
	switch v {
	case "$Latest":
		n = lt.LatestVersion
	case "$Default", "":
	default:
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil || n < 1 {
			return nil, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid.", v, param)
		}
	}
	for i := range lt.Versions {
		if lt.Versions[i].Version == n {
			return &lt.Versions[i], nil
		}
	}
	return nil, protocol.Errorf("InvalidLaunchTemplateId.VersionNotFound",
		"Could not find launch template version %d for launch template %s.", n, lt.LaunchTemplateID)
}

func (s *service) createLaunchTemplateVersion(ctx context.Context, req *protocol.Request) (any, error) {
	desc := req.Params.Get("VersionDescription")
	if len(desc) > maxVersionDescription {
		return nil, protocol.Errorf("InvalidParameterValue",
			"Value for parameter versionDescription is invalid: it must be at most %d characters.", maxVersionDescription)
	}
	imageID := req.Params.Get("LaunchTemplateData.ImageId")
	if imageID != "" && !strings.HasPrefix(imageID, "resolve:ssm:") && !amiIDPattern().MatchString(imageID) {
		return nil, protocol.Errorf("InvalidAMIID.Malformed", `Invalid id: "%s" (expecting "ami-...")`, imageID)
	}
	token := req.Params.Get("ClientToken")
	params := versionParams(req)
	var out createLaunchTemplateVersionResult
	err := s.update(ctx, func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		lt, err := templateOf(r, req)
		if err != nil {
			return err
		}
		if token != "" {
			for i := range lt.Versions {
				v := &lt.Versions[i]
				if v.ClientToken != token {
					continue
				}
				if v.ClientParams != params {
					return protocol.Errorf("IdempotentParameterMismatch",
						"Client token %s was already used with different parameters.", token)
				}
				out.Version = toVersionItem(templateVersion{lt: lt, version: v})
				return nil
			}
		}
		next := world.LaunchTemplateVersion{}
		if src := req.Params.Get("SourceVersion"); src != "" {
			base, err := findVersion(lt, "sourceVersion", src)
			if err != nil {
				return err
			}
			next = *base
			next.BlockDevices = append([]world.BlockDevice(nil), base.BlockDevices...)
		}
		next.Version, next.Description, next.CreateTime = lt.LatestVersion+1, desc, s.now()
		next.ClientToken, next.ClientParams = token, params
		if imageID != "" {
			next.ImageID = imageID
		}
		if it := req.Params.Get("LaunchTemplateData.InstanceType"); it != "" {
			next.InstanceType = it
		}
		if p := req.Params.Get("LaunchTemplateData.IamInstanceProfile.Name"); p != "" {
			next.IAMInstanceProfile = p
		}
		lt.Versions = append(lt.Versions, next)
		lt.LatestVersion = next.Version
		out.Version = toVersionItem(templateVersion{lt: lt, version: &lt.Versions[len(lt.Versions)-1]})
		if imageID != "" && !strings.HasPrefix(imageID, "resolve:ssm:") && r.Images[imageID] == nil {
			out.Warning = &validationWarning{Errors: []validationError{{Code: "InvalidAMIID.NotFound",
				Message: "The image id '[" + imageID + "]' does not exist"}}}
		}
		return nil
	})
	return out, err
}

// versionParams is a CreateLaunchTemplateVersion request's parameters but
// its token, as one string a retry is compared with.
func versionParams(req *protocol.Request) string {
	var b strings.Builder
	for _, k := range []string{"LaunchTemplateId", "LaunchTemplateName", "SourceVersion", "VersionDescription",
		"LaunchTemplateData.ImageId", "LaunchTemplateData.InstanceType", "LaunchTemplateData.IamInstanceProfile.Name"} {
		b.WriteString(k + "=" + req.Params.Get(k) + "\n")
	}
	return b.String()
}

func (s *service) modifyLaunchTemplate(ctx context.Context, req *protocol.Request) (any, error) {
	var out modifyLaunchTemplateResult
	err := s.update(ctx, func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		lt, err := templateOf(r, req)
		if err != nil {
			return err
		}
		if v := req.Params.Get("SetDefaultVersion"); v != "" {
			if v == "$Default" {
				return protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter defaultVersion is invalid.", v)
			}
			ver, err := findVersion(lt, "defaultVersion", v)
			if err != nil {
				return err
			}
			lt.DefaultVersion = ver.Version
		}
		out.LaunchTemplate = toTemplateItem(lt)
		return nil
	})
	return out, err
}
