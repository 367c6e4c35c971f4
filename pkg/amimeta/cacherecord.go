package amimeta

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/pkg/awsapi"
)

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

// NewCacheRecord records images for the AMIs of spec specName.
func NewCacheRecord(specName string, images []CachedImage) (CacheRecord, error) {
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
