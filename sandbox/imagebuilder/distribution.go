package imagebuilder

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// defaultDistributionTimeout is the distribution timeout Image Builder
// reports when none is set, in minutes.
const defaultDistributionTimeout = 720

var (
	amiNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}.]+[-_A-Za-z0-9}]$`) })
	accountRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
)

type createDistributionInput struct {
	Name          string               `json:"name"`
	Description   string               `json:"description,omitempty"`
	Distributions []world.Distribution `json:"distributions"`
	Tags          map[string]string    `json:"tags,omitempty"`
	ClientToken   string               `json:"clientToken"`
}

type updateDistributionInput struct {
	DistributionConfigurationARN string               `json:"distributionConfigurationArn"`
	Description                  string               `json:"description,omitempty"`
	Distributions                []world.Distribution `json:"distributions"`
	ClientToken                  string               `json:"clientToken"`
}

type distributionOutput struct {
	ClientToken                  string `json:"clientToken"`
	DistributionConfigurationARN string `json:"distributionConfigurationArn"`
}

// checkDistributions validates the regions' settings against the world:
// every region enabled and named once, AMI names, accounts, parameters and
// Fast Launch settings of the shapes AWS accepts.
func checkDistributions(w *world.World, account, description string, ds []world.Distribution) error {
	if len(ds) == 0 {
		return missingParam("distributions")
	}
	if len(description) > 1024 {
		return invalidParam("description", "'description' must be at most 1024 characters.")
	}
	seen := map[string]bool{}
	for _, d := range ds {
		switch {
		case d.Region == "":
			return invalidParam("distributions", "Every distribution needs a 'region'.")
		case w.Region(d.Region) == nil:
			return invalidParam("distributions", "The region '%s' is not enabled for account %s.", d.Region, account)
		case seen[d.Region]:
			return invalidParam("distributions", "The region '%s' appears in more than one distribution.", d.Region)
		}
		seen[d.Region] = true
		if err := checkAMIDistribution(d.AMIDistributionConfiguration); err != nil {
			return err
		}
		var targets []string
		if c := d.AMIDistributionConfiguration; c != nil {
			targets = c.TargetAccountIDs
		}
		for _, p := range d.SSMParameterConfigurations {
			if err := checkSSMConfiguration(p, account, targets); err != nil {
				return err
			}
		}
		for _, f := range d.FastLaunchConfigurations {
			if err := checkFastLaunch(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkAMIDistribution(c *world.AMIDistributionConfiguration) error {
	if c == nil {
		return nil
	}
	if c.Name != "" && (len(c.Name) > 127 || !amiNameRE().MatchString(c.Name)) {
		return invalidParam("name", "The AMI name '%s' must be 1 to 127 characters of letters, digits, spaces and -_:{}. "+
			"It may use {{ imagebuilder:buildDate }} and {{ imagebuilder:buildVersion }}.", c.Name)
	}
	if len(c.Description) > 1024 {
		return invalidParam("description", "The AMI description must be at most 1024 characters.")
	}
	for _, id := range c.TargetAccountIDs {
		if !accountRE().MatchString(id) {
			return invalidParam("targetAccountIds", "'%s' is not a 12-digit account ID.", id)
		}
	}
	if lp := c.LaunchPermission; lp != nil {
		for _, id := range lp.UserIDs {
			if !accountRE().MatchString(id) {
				return invalidParam("userIds", "'%s' is not a 12-digit account ID.", id)
			}
		}
		for _, g := range lp.UserGroups {
			if g != "all" {
				return invalidParam("userGroups", "The only user group is 'all'; got '%s'.", g)
			}
		}
	}
	return checkTags("amiTags", c.AMITags)
}

func checkSSMConfiguration(p world.SSMParameterConfiguration, account string, targets []string) error {
	name := strings.TrimPrefix(p.ParameterName, "/")
	lower := strings.ToLower(name)
	switch {
	case p.ParameterName == "" || len(p.ParameterName) > 1011:
		return invalidParam("parameterName", "'parameterName' must be 1 to 1011 characters.")
	case strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm"):
		return invalidParam("parameterName", "The parameter name '%s' may not start with 'aws' or 'ssm'.", p.ParameterName)
	case strings.ContainsAny(p.ParameterName, " \t"):
		return invalidParam("parameterName", "The parameter name '%s' may not contain spaces.", p.ParameterName)
	}
	switch p.DataType {
	case "", "text", "aws:ec2:image":
	default:
		return invalidParam("dataType", "'dataType' must be text or aws:ec2:image; got '%s'.", p.DataType)
	}
	if id := p.AMIAccountID; id != "" && id != account && !slices.Contains(targets, id) {
		return invalidParam("amiAccountId", "The account '%s' must be a target account of the region's distribution.", id)
	}
	return nil
}

func checkFastLaunch(f world.FastLaunchConfiguration) error {
	if lt := f.LaunchTemplate; lt != nil {
		switch {
		case lt.LaunchTemplateID != "" && lt.LaunchTemplateName != "":
			return paramCombination("You can specify either 'launchTemplateId' or 'launchTemplateName', but not both.")
		case lt.LaunchTemplateID == "" && lt.LaunchTemplateName == "":
			return invalidParam("launchTemplate", "A Fast Launch launch template needs 'launchTemplateId' or 'launchTemplateName'.")
		}
	}
	if n := f.MaxParallelLaunches; n != nil && (*n < 1 || *n > 10000) {
		return invalidParam("maxParallelLaunches", "'maxParallelLaunches' must be between 1 and 10000; got %d.", *n)
	}
	if sc := f.SnapshotConfiguration; sc != nil && sc.TargetResourceCount != nil && *sc.TargetResourceCount < 1 {
		return invalidParam("targetResourceCount", "'targetResourceCount' must be at least 1; got %d.", *sc.TargetResourceCount)
	}
	if f.AccountID != "" && !accountRE().MatchString(f.AccountID) {
		return invalidParam("accountId", "'%s' is not a 12-digit account ID.", f.AccountID)
	}
	return nil
}

func (s *service) createDistributionConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *createDistributionInput) (any, error) {
		if err := checkName(in.Name); err != nil {
			return nil, err
		}
		if err := checkTags("tags", in.Tags); err != nil {
			return nil, err
		}
		check := func(sc *scope, _ time.Time) error {
			return checkDistributions(sc.w, sc.account(), in.Description, in.Distributions)
		}
		return s.mutate(req, in.ClientToken, in, check, func(sc *scope, now time.Time) (any, error) {
			arn, err := createNamed(sc, sc.ib.DistributionConfigurations, "distribution-configuration", "DistributionConfiguration", in.Name,
				func(arn string) (*world.DistributionConfiguration, error) {
					return &world.DistributionConfiguration{
						ARN: arn, Name: in.Name, Description: in.Description, Distributions: in.Distributions,
						TimeoutMinutes: defaultDistributionTimeout, DateCreated: now, Tags: in.Tags,
					}, nil
				})
			return distributionOutput{ClientToken: in.ClientToken, DistributionConfigurationARN: arn}, err
		})
	})
}

func (s *service) updateDistributionConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *updateDistributionInput) (any, error) {
		arn := in.DistributionConfigurationARN
		if err := checkKindARN("distributionConfigurationArn", arn, "distribution-configuration"); err != nil {
			return nil, err
		}
		check := func(sc *scope, _ time.Time) error {
			return checkDistributions(sc.w, sc.account(), in.Description, in.Distributions)
		}
		return s.mutate(req, in.ClientToken, in, check, func(sc *scope, now time.Time) (any, error) {
			c := sc.ib.DistributionConfigurations[arn]
			if c == nil {
				return nil, notFound(arn)
			}
			c.Description, c.Distributions, c.DateUpdated = in.Description, in.Distributions, &now
			return distributionOutput{ClientToken: in.ClientToken, DistributionConfigurationARN: arn}, nil
		})
	})
}

func distributionConfigurations(ib *world.ImageBuilder) map[string]*world.DistributionConfiguration {
	return ib.DistributionConfigurations
}

type getDistributionOutput struct {
	RequestID                 string            `json:"requestId"`
	DistributionConfiguration *wireDistribution `json:"distributionConfiguration"`
}

func (s *service) getDistributionConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	return getByARN(s, req, "distributionConfigurationArn", "distribution-configuration", false, distributionConfigurations,
		func(sc *scope, c *world.DistributionConfiguration) getDistributionOutput {
			return getDistributionOutput{RequestID: req.RequestID, DistributionConfiguration: toDistribution(c)}
		})
}

type listDistributionOutput struct {
	RequestID                            string                `json:"requestId"`
	DistributionConfigurationSummaryList []distributionSummary `json:"distributionConfigurationSummaryList"`
	NextToken                            string                `json:"nextToken,omitempty"`
}

func (s *service) listDistributionConfigurations(ctx context.Context, req *protocol.Request) (any, error) {
	filters := nameFilter(func(c *world.DistributionConfiguration) string { return c.Name })
	return handle(req, func(in *listInput) (any, error) {
		if err := filters.check(in.Filters); err != nil {
			return nil, err
		}
		var out listDistributionOutput
		err := s.view(req, func(sc *scope) error {
			all := collect(sc.ib.DistributionConfigurations,
				func(c *world.DistributionConfiguration) bool { return filters.match(in.Filters, c) },
				byARN(func(c *world.DistributionConfiguration) string { return c.ARN }))
			list, next, err := answerPage(all, *in, toDistributionSummary)
			out = listDistributionOutput{RequestID: req.RequestID, NextToken: next, DistributionConfigurationSummaryList: list}
			return err
		})
		return out, err
	})
}

type deleteDistributionOutput struct {
	RequestID                    string `json:"requestId"`
	DistributionConfigurationARN string `json:"distributionConfigurationArn"`
}

func (s *service) deleteDistributionConfiguration(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("distributionConfigurationArn")
	if err := checkKindARN("distributionConfigurationArn", arn, "distribution-configuration"); err != nil {
		return nil, err
	}
	err := remove(s, req, arn, distributionConfigurations, nil, func(sc *scope, _ *world.DistributionConfiguration) bool {
		return anyOf(sc.ib.ImagePipelines, func(p *world.ImagePipeline) bool { return p.DistributionConfigurationARN == arn })
	})
	if err != nil {
		return nil, err
	}
	return deleteDistributionOutput{RequestID: req.RequestID, DistributionConfigurationARN: arn}, nil
}
