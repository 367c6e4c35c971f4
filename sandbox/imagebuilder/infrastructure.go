package imagebuilder

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, now time.Time) (any, error) {
			arn, err := createNamed(sc, sc.ib.InfrastructureConfigurations, "infrastructure-configuration", "InfrastructureConfiguration", in.Name,
				func(arn string) (*world.InfrastructureConfiguration, error) {
					if err := in.checkWorld(sc); err != nil {
						return nil, err
					}
					c := &world.InfrastructureConfiguration{ARN: arn, Name: in.Name, DateCreated: now, Tags: in.Tags}
					in.applyTo(c)
					return c, nil
				})
			return infrastructureOutput{ClientToken: in.ClientToken, InfrastructureConfigurationARN: arn}, err
		})
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
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, now time.Time) (any, error) {
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
	})
}

func infrastructureConfigurations(ib *world.ImageBuilder) map[string]*world.InfrastructureConfiguration {
	return ib.InfrastructureConfigurations
}

type getInfrastructureOutput struct {
	RequestID                   string              `json:"requestId"`
	InfrastructureConfiguration *wireInfrastructure `json:"infrastructureConfiguration"`
}

func (s *service) getInfrastructureConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	return getByARN(s, req, "infrastructureConfigurationArn", "infrastructure-configuration", false, infrastructureConfigurations,
		func(sc *scope, c *world.InfrastructureConfiguration) getInfrastructureOutput {
			return getInfrastructureOutput{RequestID: req.RequestID, InfrastructureConfiguration: toInfrastructure(c)}
		})
}

type listInfrastructureOutput struct {
	RequestID                              string                  `json:"requestId"`
	InfrastructureConfigurationSummaryList []infrastructureSummary `json:"infrastructureConfigurationSummaryList"`
	NextToken                              string                  `json:"nextToken,omitempty"`
}

func (s *service) listInfrastructureConfigurations(ctx context.Context, req *protocol.Request) (any, error) {
	filters := nameFilter(func(c *world.InfrastructureConfiguration) string { return c.Name })
	return handle(req, func(in *listInput) (any, error) {
		if err := filters.check(in.Filters); err != nil {
			return nil, err
		}
		var out listInfrastructureOutput
		err := s.view(req, func(sc *scope) error {
			all := collect(sc.ib.InfrastructureConfigurations,
				func(c *world.InfrastructureConfiguration) bool { return filters.match(in.Filters, c) },
				byARN(func(c *world.InfrastructureConfiguration) string { return c.ARN }))
			list, next, err := answerPage(all, *in, toInfrastructureSummary)
			out = listInfrastructureOutput{RequestID: req.RequestID, NextToken: next, InfrastructureConfigurationSummaryList: list}
			return err
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
	err := remove(s, req, arn, infrastructureConfigurations, nil, func(sc *scope, _ *world.InfrastructureConfiguration) bool {
		return anyOf(sc.ib.ImagePipelines, func(p *world.ImagePipeline) bool { return p.InfrastructureConfigurationARN == arn })
	})
	if err != nil {
		return nil, err
	}
	return deleteInfrastructureOutput{RequestID: req.RequestID, InfrastructureConfigurationARN: arn}, nil
}
