package imagebuilder

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// infrastructureFields are the settings Create and Update share; Update
// replaces all of them, as AWS's UpdateInfrastructureConfiguration does.
type infrastructureFields struct {
	Description                string                         `json:"description,omitempty"`
	InstanceProfileName        string                         `json:"instanceProfileName"`
	InstanceTypes              []string                       `json:"instanceTypes,omitempty"`
	SubnetID                   string                         `json:"subnetId,omitempty"`
	SecurityGroupIDs           []string                       `json:"securityGroupIds,omitempty"`
	KeyPair                    string                         `json:"keyPair,omitempty"`
	SNSTopicARN                string                         `json:"snsTopicArn,omitempty"`
	TerminateInstanceOnFailure *bool                          `json:"terminateInstanceOnFailure,omitempty"`
	InstanceMetadataOptions    *world.InstanceMetadataOptions `json:"instanceMetadataOptions,omitempty"`
	Logging                    *world.Logging                 `json:"logging,omitempty"`
	Placement                  *world.Placement               `json:"placement,omitempty"`
	ResourceTags               map[string]string              `json:"resourceTags,omitempty"`
	ClientToken                string                         `json:"clientToken"`
}

type createInfrastructureInput struct {
	Name string `json:"name"`
	infrastructureFields
	Tags map[string]string `json:"tags,omitempty"`
}

type updateInfrastructureInput struct {
	InfrastructureConfigurationARN string `json:"infrastructureConfigurationArn"`
	infrastructureFields
}

type infrastructureOutput struct {
	ClientToken                    string `json:"clientToken"`
	InfrastructureConfigurationARN string `json:"infrastructureConfigurationArn"`
}

// check validates the request alone; checkWorld what it refers to.
func (f *infrastructureFields) check() error {
	switch {
	case f.InstanceProfileName == "":
		return missingParam("instanceProfileName")
	case len(f.Description) > 1024:
		return invalidParam("description", "'description' must be at most 1024 characters.")
	case slices.Contains(f.InstanceTypes, ""):
		return invalidParam("instanceTypes", "Instance types must not be empty.")
	}
	if m := f.InstanceMetadataOptions; m != nil {
		if m.HTTPTokens != "" && m.HTTPTokens != "required" && m.HTTPTokens != "optional" {
			return invalidParam("instanceMetadataOptions", "'httpTokens' must be required or optional; got '%s'.", m.HTTPTokens)
		}
		if h := m.HTTPPutResponseHopLimit; h != nil && (*h < 1 || *h > 64) {
			return invalidParam("instanceMetadataOptions", "'httpPutResponseHopLimit' must be between 1 and 64; got %d.", *h)
		}
	}
	if p := f.Placement; p != nil && p.HostID != "" && p.HostResourceGroupARN != "" {
		return paramCombination("You can specify either 'hostId' or 'hostResourceGroupArn' for placement, but not both.")
	}
	return checkTags("resourceTags", f.ResourceTags)
}

// checkWorld checks what the settings name, as AWS does when they are saved
// (and a build does again when it starts): the instance profile, the subnet
// and the security groups of the subnet's VPC.
func (f *infrastructureFields) checkWorld(sc *scope) error {
	if sc.w.IAM.InstanceProfiles[f.InstanceProfileName] == nil {
		return invalidParam("instanceProfileName",
			"The provided instance profile does not exist. Please specify a different instance profile and try again.")
	}
	if problem := networkProblem(sc, f.SubnetID, f.SecurityGroupIDs); problem != "" {
		param := "securityGroupIds"
		if strings.HasPrefix(problem, "The subnet") {
			param = "subnetId"
		}
		return invalidParam(param, "%s", problem)
	}
	return nil
}

// networkProblem says what is wrong with a build's subnet and security
// groups, or "": each must exist, and the groups be in the subnet's VPC.
func networkProblem(sc *scope, subnetID string, groupIDs []string) string {
	var subnet *world.Subnet
	if subnetID != "" {
		if subnet = sc.r.Subnets[subnetID]; subnet == nil {
			return fmt.Sprintf("The subnet '%s' does not exist in %s.", subnetID, sc.r.Name)
		}
	}
	for _, id := range groupIDs {
		sg := sc.r.SecurityGroups[id]
		if sg == nil {
			return fmt.Sprintf("The security group '%s' does not exist in %s.", id, sc.r.Name)
		}
		if subnet != nil && sg.VPCID != subnet.VPCID {
			return fmt.Sprintf("The security group '%s' is not in the VPC '%s' of subnet '%s'.", id, subnet.VPCID, subnetID)
		}
	}
	return ""
}

func (f *infrastructureFields) applyTo(c *world.InfrastructureConfiguration) {
	c.Description = f.Description
	c.InstanceProfileName = f.InstanceProfileName
	c.InstanceTypes = f.InstanceTypes
	c.SubnetID = f.SubnetID
	c.SecurityGroupIDs = f.SecurityGroupIDs
	c.KeyPair = f.KeyPair
	c.SNSTopicARN = f.SNSTopicARN
	c.TerminateInstanceOnFailure = f.TerminateInstanceOnFailure
	c.InstanceMetadataOptions = f.InstanceMetadataOptions
	c.Logging = f.Logging
	c.Placement = f.Placement
	c.ResourceTags = f.ResourceTags
}

func (s *service) createInfrastructureConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *createInfrastructureInput) (any, error) {
		if err := checkName(in.Name); err != nil {
			return nil, err
		}
		if err := in.check(); err != nil {
			return nil, err
		}
		if err := checkTags("tags", in.Tags); err != nil {
			return nil, err
		}
		var out map[string]any
		err := s.update(req, func(sc *scope) error {
			now := s.now().UTC()
			var err error
			out, err = idempotent(sc.ib, req.Operation, in.ClientToken, in, now, func() (any, error) {
				arn := makeARN(sc.r.Name, sc.account(), "infrastructure-configuration", in.Name, "", 0)
				if sc.ib.InfrastructureConfigurations[arn] != nil {
					return nil, alreadyExists("InfrastructureConfiguration", arn)
				}
				if err := in.checkWorld(sc); err != nil {
					return nil, err
				}
				c := &world.InfrastructureConfiguration{ARN: arn, Name: in.Name, DateCreated: now, Tags: in.Tags}
				in.applyTo(c)
				sc.ib.InfrastructureConfigurations[arn] = c
				return infrastructureOutput{ClientToken: in.ClientToken, InfrastructureConfigurationARN: arn}, nil
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		return withRequestID(out, req.RequestID), nil
	})
}

func (s *service) updateInfrastructureConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *updateInfrastructureInput) (any, error) {
		arn := in.InfrastructureConfigurationARN
		if err := checkKindARN("infrastructureConfigurationArn", arn, "infrastructure-configuration"); err != nil {
			return nil, err
		}
		if err := in.check(); err != nil {
			return nil, err
		}
		var out map[string]any
		err := s.update(req, func(sc *scope) error {
			now := s.now().UTC()
			var err error
			out, err = idempotent(sc.ib, req.Operation, in.ClientToken, in, now, func() (any, error) {
				c := sc.ib.InfrastructureConfigurations[arn]
				if c == nil {
					return nil, notFound(arn)
				}
				if err := in.checkWorld(sc); err != nil {
					return nil, err
				}
				in.applyTo(c)
				c.DateUpdated = &now
				return infrastructureOutput{ClientToken: in.ClientToken, InfrastructureConfigurationARN: arn}, nil
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		return withRequestID(out, req.RequestID), nil
	})
}

// checkKindARN checks a required versionless ARN of a kind.
func checkKindARN(param, arn, kind string) error {
	if arn == "" {
		return missingParam(param)
	}
	if a, ok := parseARN(arn); !ok || a.Kind != kind || a.HasVersion {
		return invalidParam(param, "'%s' must be the ARN of a %s.", param, strings.ReplaceAll(kind, "-", " "))
	}
	return nil
}

type getInfrastructureOutput struct {
	RequestID                   string              `json:"requestId"`
	InfrastructureConfiguration *wireInfrastructure `json:"infrastructureConfiguration"`
}

func (s *service) getInfrastructureConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("infrastructureConfigurationArn")
	if err := checkKindARN("infrastructureConfigurationArn", arn, "infrastructure-configuration"); err != nil {
		return nil, err
	}
	var out getInfrastructureOutput
	err := s.view(req, func(sc *scope) error {
		c := sc.ib.InfrastructureConfigurations[arn]
		if c == nil {
			return notFound(arn)
		}
		out = getInfrastructureOutput{RequestID: req.RequestID, InfrastructureConfiguration: toInfrastructure(c)}
		return nil
	})
	return out, err
}

type listInfrastructureOutput struct {
	RequestID                              string                  `json:"requestId"`
	InfrastructureConfigurationSummaryList []infrastructureSummary `json:"infrastructureConfigurationSummaryList"`
	NextToken                              string                  `json:"nextToken,omitempty"`
}

func (s *service) listInfrastructureConfigurations(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listInput) (any, error) {
		if err := checkFilters(in.Filters, "name"); err != nil {
			return nil, err
		}
		var out listInfrastructureOutput
		err := s.view(req, func(sc *scope) error {
			var all []*world.InfrastructureConfiguration
			for _, c := range sc.ib.InfrastructureConfigurations {
				if matchFilters(in.Filters, func(string) []string { return one(c.Name) }) {
					all = append(all, c)
				}
			}
			slices.SortFunc(all, func(a, b *world.InfrastructureConfiguration) int { return strings.Compare(a.ARN, b.ARN) })
			page, next, err := paginate(all, *in)
			if err != nil {
				return err
			}
			out = listInfrastructureOutput{RequestID: req.RequestID, NextToken: next,
				InfrastructureConfigurationSummaryList: []infrastructureSummary{}}
			for _, c := range page {
				out.InfrastructureConfigurationSummaryList = append(out.InfrastructureConfigurationSummaryList, infrastructureSummary{
					ARN: c.ARN, Name: c.Name, Description: c.Description, InstanceProfileName: c.InstanceProfileName,
					InstanceTypes: slices.Clone(c.InstanceTypes), Placement: clone(c.Placement),
					ResourceTags: maps.Clone(c.ResourceTags), DateCreated: date(c.DateCreated),
					DateUpdated: dateP(c.DateUpdated), Tags: maps.Clone(c.Tags)})
			}
			return nil
		})
		return out, err
	})
}

type deleteInfrastructureOutput struct {
	RequestID                      string `json:"requestId"`
	InfrastructureConfigurationARN string `json:"infrastructureConfigurationArn"`
}

func (s *service) deleteInfrastructureConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("infrastructureConfigurationArn")
	if err := checkKindARN("infrastructureConfigurationArn", arn, "infrastructure-configuration"); err != nil {
		return nil, err
	}
	err := s.update(req, func(sc *scope) error {
		if sc.ib.InfrastructureConfigurations[arn] == nil {
			return notFound(arn)
		}
		for _, p := range sc.ib.ImagePipelines {
			if p.InfrastructureConfigurationARN == arn {
				return dependency(arn)
			}
		}
		delete(sc.ib.InfrastructureConfigurations, arn)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return deleteInfrastructureOutput{RequestID: req.RequestID, InfrastructureConfigurationARN: arn}, nil
}
