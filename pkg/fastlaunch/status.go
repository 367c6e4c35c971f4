package fastlaunch

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Status is Fast Launch of one AMI in one region and account, as EC2
// reports it.
type Status struct {
	AMI             string          `json:"amiId"`
	Region          string          `json:"region"`
	Account         string          `json:"account"`
	State           string          `json:"state"`
	TargetSnapshots int32           `json:"targetSnapshots"`
	MaxParallel     int32           `json:"maxParallelLaunches"`
	LaunchTemplate  *LaunchTemplate `json:"launchTemplate,omitempty"`
	Reason          string          `json:"reason,omitempty"`
	Since           time.Time       `json:"since"`
}

// Failed reports a state EC2 reached by failing; Reason says why.
func (s Status) Failed() bool {
	switch types.FastLaunchStateCode(s.State) {
	case types.FastLaunchStateCodeEnablingFailed, types.FastLaunchStateCodeEnabledFailed, types.FastLaunchStateCodeDisablingFailed:
		return true
	}
	return false
}

// Active reports Fast Launch enabled or on its way there.
func (s Status) Active() bool {
	switch types.FastLaunchStateCode(s.State) {
	case types.FastLaunchStateCodeEnabling, types.FastLaunchStateCodeEnabled:
		return true
	}
	return false
}

// Matches reports whether the AMI runs with these settings.
func (s Status) Matches(set Settings) bool {
	set = set.withDefaults()
	if s.TargetSnapshots != set.TargetSnapshots || s.MaxParallel != set.MaxParallel {
		return false
	}
	if (s.LaunchTemplate == nil) != (set.LaunchTemplate == nil) {
		return false
	}
	if s.LaunchTemplate == nil {
		return true
	}
	a, b := *s.LaunchTemplate, *set.LaunchTemplate
	sameTemplate := (b.ID != "" && a.ID == b.ID) || (b.Name != "" && a.Name == b.Name)
	sameVersion := a.Version == b.Version || (b.Version == "" && a.Version == "$Default")
	return sameTemplate && sameVersion
}

// Describe reads Fast Launch of the given AMIs in a region, or of every
// AMI of the caller there when amis is empty, through every page.
func Describe(ctx context.Context, api awsapi.EC2API, region string, amis []string) ([]Status, error) {
	in := &ec2.DescribeFastLaunchImagesInput{ImageIds: amis}
	var out []Status
	for {
		page, err := api.DescribeFastLaunchImages(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("reading Fast Launch in %s: %w", region, err)
		}
		for _, item := range page.FastLaunchImages {
			out = append(out, statusOf(region, item))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

func statusOf(region string, item types.DescribeFastLaunchImagesSuccessItem) Status {
	s := Status{
		AMI: aws.ToString(item.ImageId), Region: region, Account: aws.ToString(item.OwnerId),
		State: string(item.State), MaxParallel: aws.ToInt32(item.MaxParallelLaunches),
		Reason: aws.ToString(item.StateTransitionReason), Since: aws.ToTime(item.StateTransitionTime),
	}
	if c := item.SnapshotConfiguration; c != nil {
		s.TargetSnapshots = aws.ToInt32(c.TargetResourceCount)
	}
	if lt := item.LaunchTemplate; lt != nil && (aws.ToString(lt.LaunchTemplateId) != "" || aws.ToString(lt.LaunchTemplateName) != "") {
		s.LaunchTemplate = &LaunchTemplate{ID: aws.ToString(lt.LaunchTemplateId), Name: aws.ToString(lt.LaunchTemplateName), Version: aws.ToString(lt.Version)}
	}
	return s
}
