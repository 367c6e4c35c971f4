package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
)

// WriteCacheRecord writes the plan's cache record to its SSM parameter,
// when it has one, in every region the AMIs go to; apply calls it before it
// changes the distribution that points the AMIs' tag at it. Writing the
// same record again changes nothing: its name is its content's hash.
func WriteCacheRecord(ctx context.Context, ssmFor func(region string) awsapi.SSMAPI, p *Plan, progress func(region string)) error {
	d := p.desired
	rec := d.CacheRecord
	if rec.Parameter == "" {
		return nil
	}
	for _, dist := range d.Distribution.Distributions {
		region := aws.ToString(dist.Region)
		cur, err := ssmFor(region).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(rec.Parameter)})
		if err == nil && cur.Parameter == nil {
			err = awsapi.Incomplete("SSM GetParameter", "the parameter")
		}
		var nf *ssmtypes.ParameterNotFound
		switch {
		case err == nil && aws.ToString(cur.Parameter.Value) == rec.ParameterValue:
			continue // written by an earlier apply
		case err != nil && !errors.As(err, &nf):
			return fmt.Errorf("reading the image cache record %s in %s: %w", rec.Parameter, region, err)
		}
		if progress != nil {
			progress(region)
		}
		_, err = ssmFor(region).PutParameter(ctx, &ssm.PutParameterInput{
			Name:        aws.String(rec.Parameter),
			Value:       aws.String(rec.ParameterValue),
			Type:        ssmtypes.ParameterTypeString,
			Tier:        ssmtypes.ParameterTier(rec.ParameterTier),
			Overwrite:   aws.Bool(true),
			Description: aws.String("winami " + d.Spec.Name + ": the container images its AMIs cache"),
		})
		if err != nil {
			return fmt.Errorf("writing the image cache record %s in %s: %w", rec.Parameter, region, err)
		}
	}
	return nil
}

// cachedImages lists the spec's cache images with their pinned digests, in
// spec order without duplicates.
func cachedImages(refs []string, pins map[string]string) []amimeta.CachedImage {
	var out []amimeta.CachedImage
	for _, r := range refs {
		if slices.ContainsFunc(out, func(c amimeta.CachedImage) bool { return c.Image == r }) {
			continue
		}
		digest := pins[r]
		if at := strings.LastIndex(r, "@"); at > 0 && digest == "" {
			digest = r[at+1:]
		}
		out = append(out, amimeta.CachedImage{Image: r, Digest: digest})
	}
	return out
}
