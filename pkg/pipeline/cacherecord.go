package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/pkg/awsapi"
)

// TagCache is the AMI tag that records the images an AMI caches: the list
// itself when it fits a tag value, else "ssm:<parameter name>" naming an
// SSM parameter (in the AMI's region) that holds it as JSON.
const TagCache = "winami:cache"

// Limits of where the record is kept: an EC2 tag value holds 256
// characters, a Standard SSM parameter 4 KB and an Advanced one 8 KB.
const (
	maxTagValue          = 256
	maxStandardParameter = 4096
	maxAdvancedParameter = 8192
)

// CachedImage is one image an AMI caches: the spec's reference and the
// digest it was pinned to when the plan was made (empty when the registry
// could not be read and the image is pulled by tag).
type CachedImage struct {
	Image  string `json:"image"`
	Digest string `json:"digest,omitempty"`
}

// String is the reference with its digest, the form the tag keeps.
func (c CachedImage) String() string {
	if c.Digest == "" || strings.HasSuffix(c.Image, "@"+c.Digest) {
		return c.Image
	}
	return c.Image + "@" + c.Digest
}

// CacheRecord is how the AMIs of a spec record what they cache.
type CacheRecord struct {
	Images []CachedImage `json:"images"`
	// Tag is the value of the winami:cache tag.
	Tag string `json:"tag"`
	// Parameter, when the list is too long for a tag, is the SSM parameter
	// apply writes in every distribution region; its name is derived from
	// its content, so each record is written once and never changes.
	Parameter      string `json:"parameter,omitempty"`
	ParameterValue string `json:"-"`
	ParameterTier  string `json:"-"`
}

// cacheParameterValue is the JSON an SSM cache record holds.
type cacheParameterValue struct {
	Images []CachedImage `json:"images"`
}

// newCacheRecord records images for the AMIs of spec specName.
func newCacheRecord(specName string, images []CachedImage) (CacheRecord, error) {
	rec := CacheRecord{Images: images}
	parts := make([]string, len(images))
	for i, img := range images {
		parts[i] = img.String()
	}
	if tag := strings.Join(parts, " "); len(tag) <= maxTagValue {
		rec.Tag = tag
		return rec, nil
	}
	value, err := json.Marshal(cacheParameterValue{Images: images})
	if err != nil {
		return CacheRecord{}, err
	}
	sum := sha256.Sum256(value)
	rec.Parameter = "/winami/" + specName + "/image-cache/" + hex.EncodeToString(sum[:8])
	rec.ParameterValue = string(value)
	rec.Tag = "ssm:" + rec.Parameter
	switch {
	case len(value) <= maxStandardParameter:
		rec.ParameterTier = string(ssmtypes.ParameterTierStandard)
	case len(value) <= maxAdvancedParameter:
		rec.ParameterTier = string(ssmtypes.ParameterTierAdvanced)
	default:
		return CacheRecord{}, fmt.Errorf("the list of %d cached images takes %d bytes, more than an SSM parameter holds (%d): cache fewer images", len(images), len(value), maxAdvancedParameter)
	}
	return rec, nil
}

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

// ErrNoCacheRecord is returned for an AMI without a winami:cache tag.
var ErrNoCacheRecord = errors.New("the AMI records no cached images")

// ReadCacheRecord reads the images an AMI caches from its tags, following
// the tag to its SSM parameter (read with ssmAPI, in the AMI's region) when
// the list did not fit.
func ReadCacheRecord(ctx context.Context, ssmAPI awsapi.SSMAPI, tags map[string]string) ([]CachedImage, error) {
	value, ok := tags[TagCache]
	if !ok {
		return nil, ErrNoCacheRecord
	}
	if name, ok := strings.CutPrefix(value, "ssm:"); ok {
		out, err := ssmAPI.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err == nil && out.Parameter == nil {
			err = awsapi.Incomplete("SSM GetParameter", "the parameter")
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image cache record %s: %w", name, err)
		}
		var v cacheParameterValue
		if err := json.Unmarshal([]byte(aws.ToString(out.Parameter.Value)), &v); err != nil {
			return nil, fmt.Errorf("the image cache record %s is not winami's JSON: %w", name, err)
		}
		return v.Images, nil
	}
	var images []CachedImage
	for _, entry := range strings.Fields(value) {
		img := CachedImage{Image: entry}
		if at := strings.LastIndex(entry, "@"); at > 0 {
			img.Digest = entry[at+1:]
			if name := entry[:at]; strings.Contains(name[strings.LastIndex(name, "/")+1:], ":") {
				img.Image = name // a tag pinned to a digest
			}
		}
		images = append(images, img)
	}
	return images, nil
}

// cachedImages lists the spec's cache images with their pinned digests, in
// spec order without duplicates.
func cachedImages(refs []string, pins map[string]string) []CachedImage {
	var out []CachedImage
	for _, r := range refs {
		if slices.ContainsFunc(out, func(c CachedImage) bool { return c.Image == r }) {
			continue
		}
		digest := pins[r]
		if at := strings.LastIndex(r, "@"); at > 0 && digest == "" {
			digest = r[at+1:]
		}
		out = append(out, CachedImage{Image: r, Digest: digest})
	}
	return out
}
