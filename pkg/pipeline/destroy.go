package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
)

// DestroyPlan lists what destroy removes, in the order it removes it: the
// reverse of apply, and only resources tagged as the spec's (Observe
// refuses to read anything else under the spec's names). AMIs stay; see ImagesPlan.
func DestroyPlan(o *Observed) []Change {
	var out []Change
	if o.Pipeline != nil {
		out = append(out, Change{Kind: KindPipeline, Name: aws.ToString(o.Pipeline.Name), Action: ActionDelete, ARN: aws.ToString(o.Pipeline.Arn)})
	}
	if o.Distribution != nil {
		out = append(out, Change{Kind: KindDistribution, Name: aws.ToString(o.Distribution.Name), Action: ActionDelete, ARN: aws.ToString(o.Distribution.Arn)})
	}
	if o.Infrastructure != nil {
		out = append(out, Change{Kind: KindInfrastructure, Name: aws.ToString(o.Infrastructure.Name), Action: ActionDelete, ARN: aws.ToString(o.Infrastructure.Arn)})
	}
	if o.Recipe != nil {
		for _, v := range sortedKeys(o.Recipe.Versions) {
			r := o.Recipe.Versions[v]
			out = append(out, Change{Kind: KindRecipe, Name: aws.ToString(r.Name), Action: ActionDelete, ARN: aws.ToString(r.Arn), Version: v})
		}
	}
	for _, name := range sortedKeys(o.Components) {
		c := o.Components[name]
		for _, v := range sortedKeys(c.VersionARNs) {
			out = append(out, Change{Kind: KindComponent, Name: name, Action: ActionDelete, ARN: c.VersionARNs[v], Version: v})
		}
	}
	return out
}

// ImagesPlan lists the spec's builds and the AMIs they distributed into
// the caller's account, to delete before everything else: AMIs (with their
// snapshots) first, then the Image Builder images. It finds them with
// SpecImages, so even after the pipeline is gone. AMIs copied into other
// accounts are theirs to deregister and are skipped.
func ImagesPlan(ctx context.Context, api awsapi.ImageBuilderAPI, spec string) ([]Change, error) {
	name := ResourceName(spec)
	builds, err := SpecImages(ctx, api, spec)
	if err != nil {
		return nil, err
	}
	var amis, images []Change
	for _, b := range builds {
		arn := aws.ToString(b.Arn)
		images = append(images, Change{Kind: KindImage, Name: name, Action: ActionDelete, ARN: arn, Version: BuildVersion(arn)})
		if b.OutputResources == nil {
			continue
		}
		for _, a := range b.OutputResources.Amis {
			if acct := aws.ToString(a.AccountId); acct != "" && acct != AccountOf(arn) {
				continue
			}
			amis = append(amis, Change{Kind: KindAMI, Name: aws.ToString(a.Name), Action: ActionDelete,
				ARN: aws.ToString(a.Image), Region: aws.ToString(a.Region), Version: BuildVersion(arn)})
		}
	}
	return append(amis, images...), nil
}

// SpecImages lists every build of the spec, with the AMIs it distributed:
// Image Builder names an image after its recipe, so the builds are found
// by the recipe's name, whichever pipeline made them and even after the
// pipeline is gone (destroy keeps the AMIs unless --delete-images).
func SpecImages(ctx context.Context, api awsapi.ImageBuilderAPI, spec string) ([]types.ImageSummary, error) {
	name := ResourceName(spec)
	var arns []*string
	versions := ib.NewListImagesPaginator(api, &ib.ListImagesInput{Owner: types.OwnershipSelf, Filters: nameFilter(name)})
	for versions.HasMorePages() {
		page, err := versions.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the spec's images: %w", err)
		}
		for _, v := range page.ImageVersionList {
			if aws.ToString(v.Name) == name {
				arns = append(arns, v.Arn)
			}
		}
	}
	// The builds of each version are listed at once, maxListsAtOnce at a
	// time; destroy needs every build, so the first failure cancels the
	// rest. Per-version slices keep the order of the listing.
	builds := make([][]types.ImageSummary, len(arns))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(maxListsAtOnce)
	for i, arn := range arns {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err // another list failed
			}
			p := ib.NewListImageBuildVersionsPaginator(api, &ib.ListImageBuildVersionsInput{ImageVersionArn: arn})
			for p.HasMorePages() {
				bp, err := p.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("listing the builds of %s: %w", aws.ToString(arn), err)
				}
				builds[i] = append(builds[i], bp.ImageSummaryList...)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(builds...), nil
}

// maxListsAtOnce bounds the Image Builder list calls in flight at once.
const maxListsAtOnce = 4

// BuildVersion is "1.0.0/1" from an image build version ARN
// (".../image/<name>/1.0.0/1"): the version and which build of it.
func BuildVersion(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) < 2 {
		return arn
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}

// AccountOf is the account ID of an ARN.
func AccountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// Destroy deletes the changes of ImagesPlan and DestroyPlan in order.
// Something already gone counts as deleted, so an interrupted destroy can
// simply run again. ec2For gives the EC2 client of a region, for AMIs.
func Destroy(ctx context.Context, api awsapi.ImageBuilderAPI, ec2For func(region string) awsapi.EC2API, changes []Change, progress Progress) error {
	if progress == nil {
		progress = func(Change) {}
	}
	for _, c := range changes {
		progress(c)
		var err error
		switch c.Kind {
		case KindAMI:
			_, err = ec2For(c.Region).DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(c.ARN), DeleteAssociatedSnapshots: aws.Bool(true)})
			if amiGone(err) {
				err = nil
			}
		case KindImage:
			_, err = api.DeleteImage(ctx, &ib.DeleteImageInput{ImageBuildVersionArn: aws.String(c.ARN)})
		case KindPipeline:
			_, err = api.DeleteImagePipeline(ctx, &ib.DeleteImagePipelineInput{ImagePipelineArn: aws.String(c.ARN)})
		case KindDistribution:
			_, err = api.DeleteDistributionConfiguration(ctx, &ib.DeleteDistributionConfigurationInput{DistributionConfigurationArn: aws.String(c.ARN)})
		case KindInfrastructure:
			_, err = api.DeleteInfrastructureConfiguration(ctx, &ib.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(c.ARN)})
		case KindRecipe:
			_, err = api.DeleteImageRecipe(ctx, &ib.DeleteImageRecipeInput{ImageRecipeArn: aws.String(c.ARN)})
		case KindComponent:
			err = deleteComponentVersion(ctx, api, c.ARN)
		}
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("deleting %s %s: %w", c.Kind, c.ARN, err)
		}
	}
	return nil
}

// deleteComponentVersion deletes every build of one component version.
func deleteComponentVersion(ctx context.Context, api awsapi.ImageBuilderAPI, versionARN string) error {
	p := ib.NewListComponentBuildVersionsPaginator(api, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String(versionARN)})
	var errs []error
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, b := range page.ComponentSummaryList {
			if _, err := api.DeleteComponent(ctx, &ib.DeleteComponentInput{ComponentBuildVersionArn: b.Arn}); err != nil && !isNotFound(err) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// amiGone reports an AMI that is already deregistered.
func amiGone(err error) bool {
	return awsapi.HasCode(err, "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
