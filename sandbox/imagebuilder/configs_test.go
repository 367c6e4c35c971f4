package imagebuilder_test

import (
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/sandbox/world"
)

// defaultNetwork is a default subnet of us-east-1 and the default security group.
func defaultNetwork(t *testing.T, e *env) (subnet, group string) {
	t.Helper()
	_ = e.store.View(func(w *world.World) error {
		r := w.Region("us-east-1")
		for _, s := range r.Subnets {
			if s.DefaultForAZ && (subnet == "" || s.SubnetID < subnet) {
				subnet = s.SubnetID
			}
		}
		for _, g := range r.SecurityGroups {
			if g.GroupName == world.DefaultSecurityGroupName {
				group = g.GroupID
			}
		}
		return nil
	})
	if subnet == "" || group == "" {
		t.Fatalf("no default subnet (%q) or security group (%q)", subnet, group)
	}
	return subnet, group
}

func TestInfrastructureConfiguration(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	subnet, group := defaultNetwork(t, e)
	in := &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("winami-build"), Description: aws.String("build"), InstanceProfileName: aws.String(world.BuildRoleName),
		InstanceTypes: []string{"m6i.large", "m5.large"}, SubnetId: aws.String(subnet), SecurityGroupIds: []string{group},
		TerminateInstanceOnFailure: aws.Bool(true),
		InstanceMetadataOptions:    &types.InstanceMetadataOptions{HttpTokens: aws.String("required"), HttpPutResponseHopLimit: aws.Int32(2)},
		Logging:                    &types.Logging{S3Logs: &types.S3Logs{S3BucketName: aws.String("logs"), S3KeyPrefix: aws.String("winami/")}},
		ResourceTags:               map[string]string{"cost": "builds"}, Tags: map[string]string{"winami:managed": "true"},
		ClientToken: aws.String("infra-1"),
	}
	arn := aws.ToString(try(e.ib.CreateInfrastructureConfiguration(ctx, in)).must(t).InfrastructureConfigurationArn)
	if arn != "arn:aws:imagebuilder:us-east-1:111122223333:infrastructure-configuration/winami-build" {
		t.Fatalf("ARN %s", arn)
	}
	if again := try(e.ib.CreateInfrastructureConfiguration(ctx, in)).must(t); aws.ToString(again.InfrastructureConfigurationArn) != arn {
		t.Errorf("repeat made %s", aws.ToString(again.InfrastructureConfigurationArn))
	}
	in.ClientToken = aws.String("infra-2")
	_, err := e.ib.CreateInfrastructureConfiguration(ctx, in)
	sandboxtest.WantAPIError(t, err, "ResourceAlreadyExistsException", "The following resource 'InfrastructureConfiguration' already exists: '"+arn+"'.")

	c := try(e.ib.GetInfrastructureConfiguration(ctx, &imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(arn)})).must(t).InfrastructureConfiguration
	if aws.ToString(c.InstanceProfileName) != world.BuildRoleName || len(c.InstanceTypes) != 2 || aws.ToString(c.SubnetId) != subnet ||
		c.SecurityGroupIds[0] != group || !aws.ToBool(c.TerminateInstanceOnFailure) || aws.ToString(c.InstanceMetadataOptions.HttpTokens) != "required" ||
		aws.ToString(c.Logging.S3Logs.S3BucketName) != "logs" || c.ResourceTags["cost"] != "builds" || c.Tags["winami:managed"] != "true" ||
		aws.ToString(c.DateCreated) != "2026-11-28T12:00:00.000Z" || c.DateUpdated != nil {
		t.Errorf("infrastructure %+v", c)
	}

	// Update replaces every setting.
	e.clock.Advance(60e9)
	try(e.ib.UpdateInfrastructureConfiguration(ctx, &imagebuilder.UpdateInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: aws.String(arn), InstanceProfileName: aws.String(world.BuildRoleName),
		InstanceTypes: []string{"c6i.large"}})).must(t)
	c = try(e.ib.GetInfrastructureConfiguration(ctx, &imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(arn)})).must(t).InfrastructureConfiguration
	if c.SubnetId != nil || c.Logging != nil || c.Description != nil || aws.ToBool(c.TerminateInstanceOnFailure) ||
		c.InstanceTypes[0] != "c6i.large" || aws.ToString(c.DateUpdated) != "2026-11-28T12:01:00.000Z" || c.Tags["winami:managed"] != "true" {
		t.Errorf("after update %+v", c)
	}

	list := try(e.ib.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{
		Filters: []types.Filter{{Name: aws.String("name"), Values: []string{"winami-build"}}}})).must(t)
	if len(list.InfrastructureConfigurationSummaryList) != 1 || aws.ToString(list.InfrastructureConfigurationSummaryList[0].InstanceProfileName) != world.BuildRoleName {
		t.Errorf("list %+v", list.InfrastructureConfigurationSummaryList)
	}
	try(e.ib.DeleteInfrastructureConfiguration(ctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(arn)})).must(t)
	_, err = e.ib.GetInfrastructureConfiguration(ctx, &imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(arn)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.UpdateInfrastructureConfiguration(ctx, &imagebuilder.UpdateInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: aws.String(arn), InstanceProfileName: aws.String(world.BuildRoleName)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestInfrastructureConfigurationChecks(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	subnet, group := defaultNetwork(t, e)
	create := func(mod func(*imagebuilder.CreateInfrastructureConfigurationInput)) error {
		in := &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("checked"), InstanceProfileName: aws.String(world.BuildRoleName)}
		mod(in)
		_, err := e.ib.CreateInfrastructureConfiguration(ctx, in)
		return err
	}
	err := create(func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
		in.InstanceProfileName = aws.String("no-such-profile")
	})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException",
		"The value supplied for parameter 'instanceProfileName' is not valid. The provided instance profile does not exist. Please specify a different instance profile and try again.")
	for name, mod := range map[string]func(*imagebuilder.CreateInfrastructureConfigurationInput){
		"missing subnet": func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
			in.SubnetId = aws.String("subnet-0000000000000000f")
		},
		"missing group": func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
			in.SecurityGroupIds = []string{"sg-0000000000000000f"}
		},
		"other VPC's group": func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
			in.SubnetId = aws.String(subnet)
			in.SecurityGroupIds = []string{otherGroup(t, e)}
		},
		"hop limit": func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
			in.InstanceMetadataOptions = &types.InstanceMetadataOptions{HttpPutResponseHopLimit: aws.Int32(65)}
		},
		"http tokens": func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
			in.InstanceMetadataOptions = &types.InstanceMetadataOptions{HttpTokens: aws.String("maybe")}
		},
	} {
		t.Run(name, func(t *testing.T) { sandboxtest.WantAPIError(t, create(mod), "InvalidParameterValueException", "") })
	}
	if err := create(func(in *imagebuilder.CreateInfrastructureConfigurationInput) {
		in.SubnetId, in.SecurityGroupIds = aws.String(subnet), []string{group}
	}); err != nil {
		t.Errorf("default subnet and group: %v", err)
	}
}

// otherGroup is a security group of a VPC other than the default one.
func otherGroup(t *testing.T, e *env) string {
	t.Helper()
	id := "sg-0aaaaaaaaaaaaaaaa"
	if err := e.store.Update(func(w *world.World) error {
		w.Region("us-east-1").SecurityGroups[id] = &world.SecurityGroup{GroupID: id, GroupName: "elsewhere", VPCID: "vpc-0aaaaaaaaaaaaaaaa"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDistributionConfiguration(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	dists := []types.Distribution{
		{Region: aws.String("us-east-1"),
			AmiDistributionConfiguration: &types.AmiDistributionConfiguration{
				Name:             aws.String("winami-{{ imagebuilder:buildDate }}"),
				AmiTags:          map[string]string{"team": "platform"},
				TargetAccountIds: []string{"444455556666"},
				LaunchPermission: &types.LaunchPermissionConfiguration{UserIds: []string{"777788889999"}},
			},
			SsmParameterConfigurations: []types.SsmParameterConfiguration{{ParameterName: aws.String("/winami/prod/ami"), DataType: types.SsmParameterDataTypeAwsEc2Image}},
			FastLaunchConfigurations: []types.FastLaunchConfiguration{{Enabled: true, MaxParallelLaunches: aws.Int32(6),
				SnapshotConfiguration: &types.FastLaunchSnapshotConfiguration{TargetResourceCount: aws.Int32(10)},
				LaunchTemplate:        &types.FastLaunchLaunchTemplateSpecification{LaunchTemplateName: aws.String(world.WindowsNodesLaunchTemplate), LaunchTemplateVersion: aws.String("1")}}},
		},
		{Region: aws.String("us-west-2")},
	}
	arn := aws.ToString(try(e.ib.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{
		Name: aws.String("winami-dist"), Description: aws.String("two regions"), Distributions: dists, Tags: map[string]string{"k": "v"},
	})).must(t).DistributionConfigurationArn)
	if arn != "arn:aws:imagebuilder:us-east-1:111122223333:distribution-configuration/winami-dist" {
		t.Fatalf("ARN %s", arn)
	}
	c := try(e.ib.GetDistributionConfiguration(ctx, &imagebuilder.GetDistributionConfigurationInput{DistributionConfigurationArn: aws.String(arn)})).must(t).DistributionConfiguration
	d := c.Distributions[0]
	if len(c.Distributions) != 2 || aws.ToInt32(c.TimeoutMinutes) != 720 || aws.ToString(d.AmiDistributionConfiguration.Name) != "winami-{{ imagebuilder:buildDate }}" ||
		d.AmiDistributionConfiguration.TargetAccountIds[0] != "444455556666" || d.AmiDistributionConfiguration.LaunchPermission.UserIds[0] != "777788889999" ||
		aws.ToString(d.SsmParameterConfigurations[0].ParameterName) != "/winami/prod/ami" || d.SsmParameterConfigurations[0].DataType != types.SsmParameterDataTypeAwsEc2Image ||
		!d.FastLaunchConfigurations[0].Enabled || aws.ToInt32(d.FastLaunchConfigurations[0].SnapshotConfiguration.TargetResourceCount) != 10 ||
		aws.ToString(d.FastLaunchConfigurations[0].LaunchTemplate.LaunchTemplateName) != world.WindowsNodesLaunchTemplate || c.Tags["k"] != "v" {
		t.Errorf("distribution %+v", c)
	}
	try(e.ib.UpdateDistributionConfiguration(ctx, &imagebuilder.UpdateDistributionConfigurationInput{
		DistributionConfigurationArn: aws.String(arn), Distributions: dists[1:]})).must(t)
	list := try(e.ib.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{})).must(t).DistributionConfigurationSummaryList
	if len(list) != 1 || len(list[0].Regions) != 1 || list[0].Regions[0] != "us-west-2" || list[0].Description != nil || aws.ToString(list[0].DateUpdated) == "" {
		t.Errorf("after update %+v", list)
	}
	try(e.ib.DeleteDistributionConfiguration(ctx, &imagebuilder.DeleteDistributionConfigurationInput{DistributionConfigurationArn: aws.String(arn)})).must(t)
	_, err := e.ib.DeleteDistributionConfiguration(ctx, &imagebuilder.DeleteDistributionConfigurationInput{DistributionConfigurationArn: aws.String(arn)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestDistributionConfigurationChecks(t *testing.T) {
	e := start(t)
	for name, tc := range map[string]struct {
		d    types.Distribution
		code string
	}{
		"unknown region":   {types.Distribution{Region: aws.String("mars-north-1")}, "InvalidParameterValueException"},
		"bad AMI name":     {types.Distribution{Region: aws.String("us-east-1"), AmiDistributionConfiguration: &types.AmiDistributionConfiguration{Name: aws.String("no/slash")}}, "InvalidParameterValueException"},
		"bad account":      {types.Distribution{Region: aws.String("us-east-1"), AmiDistributionConfiguration: &types.AmiDistributionConfiguration{TargetAccountIds: []string{"123"}}}, "InvalidParameterValueException"},
		"user group":       {types.Distribution{Region: aws.String("us-east-1"), AmiDistributionConfiguration: &types.AmiDistributionConfiguration{LaunchPermission: &types.LaunchPermissionConfiguration{UserGroups: []string{"friends"}}}}, "InvalidParameterValueException"},
		"aws parameter":    {types.Distribution{Region: aws.String("us-east-1"), SsmParameterConfigurations: []types.SsmParameterConfiguration{{ParameterName: aws.String("/aws/mine")}}}, "InvalidParameterValueException"},
		"untargeted owner": {types.Distribution{Region: aws.String("us-east-1"), SsmParameterConfigurations: []types.SsmParameterConfiguration{{ParameterName: aws.String("/x"), AmiAccountId: aws.String("444455556666")}}}, "InvalidParameterValueException"},
		"template id+name": {types.Distribution{Region: aws.String("us-east-1"), FastLaunchConfigurations: []types.FastLaunchConfiguration{{Enabled: true, LaunchTemplate: &types.FastLaunchLaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-1"), LaunchTemplateName: aws.String("n")}}}}, "InvalidParameterCombinationException"},
		"zero launches":    {types.Distribution{Region: aws.String("us-east-1"), FastLaunchConfigurations: []types.FastLaunchConfiguration{{Enabled: true, MaxParallelLaunches: aws.Int32(0)}}}, "InvalidParameterValueException"},
		"zero snapshots":   {types.Distribution{Region: aws.String("us-east-1"), FastLaunchConfigurations: []types.FastLaunchConfiguration{{Enabled: true, SnapshotConfiguration: &types.FastLaunchSnapshotConfiguration{TargetResourceCount: aws.Int32(0)}}}}, "InvalidParameterValueException"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.ib.CreateDistributionConfiguration(t.Context(), &imagebuilder.CreateDistributionConfigurationInput{
				Name: aws.String("checked"), Distributions: []types.Distribution{tc.d}})
			sandboxtest.WantAPIError(t, err, tc.code, "")
		})
	}
	_, err := e.ib.CreateDistributionConfiguration(t.Context(), &imagebuilder.CreateDistributionConfigurationInput{
		Name: aws.String("twice"), Distributions: []types.Distribution{{Region: aws.String("us-east-1")}, {Region: aws.String("us-east-1")}}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
}
