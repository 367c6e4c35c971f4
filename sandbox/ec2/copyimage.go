package ec2

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// DefaultCopyPace is how long a CopyImage copy stays pending before it is
// available, unless WithCopyPace says otherwise.
const DefaultCopyPace = 5 * time.Second

// WithCopyPace sets how long a CopyImage copy stays pending; 0 or less keeps
// DefaultCopyPace.
func WithCopyPace(d time.Duration) Option {
	return func(s *service) {
		if d > 0 {
			s.copyPace = d
		}
	}
}

// amiNamePattern is EC2's rule for AMI names: 3 to 128 characters of
// letters, digits, spaces and ( ) [ ] . / - ' @ _.
var amiNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9 ()\[\]./\-'@_]{3,128}$`) })

type copyImageResult struct {
	ImageID string `xml:"imageId"`
}

// copyRequest is a checked CopyImage request.
type copyRequest struct {
	name, description, sourceID, sourceRegion, token string
	encrypted, copyTags                              bool
	imageTags                                        map[string]string
}

// params is the request as one string, to tell a retry with the same
// client token from another request that reuses it.
func (c copyRequest) params() string {
	v := url.Values{}
	v.Set("Name", c.name)
	v.Set("Description", c.description)
	v.Set("SourceImageId", c.sourceID)
	v.Set("SourceRegion", c.sourceRegion)
	v.Set("Encrypted", fmt.Sprint(c.encrypted))
	v.Set("CopyImageTags", fmt.Sprint(c.copyTags))
	for k, val := range c.imageTags {
		v.Set("tag:"+k, val)
	}
	return v.Encode()
}

// copyImage starts a copy of an AMI the caller may launch, from any region
// of the world into the request's region: a new AMI the caller owns, with
// new snapshots, pending until the copy pace has passed.
func (s *service) copyImage(ctx context.Context, req *protocol.Request) (any, error) {
	c, err := parseCopy(req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out copyImageResult
	err = s.update(ctx, func(w *world.World) error {
		dst, err := regionOf(w, req)
		if err != nil {
			return err
		}
		account := w.CallerAccount(req.AccessKey)
		// A retry with the same token gets the first answer, whatever
		// happened to the source since.
		if c.token != "" {
			if prev := copyByToken(dst, account, c.token); prev != nil {
				if prev.Copy.Params != c.params() {
					return protocol.Errorf("IdempotentParameterMismatch",
						"Client token '%s' was already used with different parameters.", c.token)
				}
				out.ImageID = prev.ImageID
				return nil
			}
		}
		src := w.Region(c.sourceRegion)
		if src == nil {
			return protocol.Errorf("InvalidParameterValue", "Invalid value '%s' for SourceRegion: the region does not exist or is not enabled for the account.", c.sourceRegion)
		}
		source := src.Images[c.sourceID]
		if source != nil && source.State == "deregistered" {
			return protocol.Errorf("InvalidAMIID.Unavailable", "The image id '[%s]' is no longer available", c.sourceID)
		}
		if source == nil || !visible(source, account) {
			return protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", c.sourceID)
		}
		// A disabled AMI cannot be used (only its owner still sees it) and
		// a pending one is not copyable yet: EC2 answers both as unavailable.
		if source.StateAt(now) != "available" {
			return unavailable(source, now)
		}
		if other := dst.ImageNamed(account, c.name); other != nil {
			return protocol.Errorf("InvalidAMIName.Duplicate", "AMI name %s is already in use by AMI %s", c.name, other.ImageID)
		}
		img := copyOf(w, source, c, account, now.Add(s.copyPace), now)
		img.ImageID = w.NewImageID(dst.Name + "/" + account + "/" + c.name + "/" + c.sourceID + "/" + now.String())
		for i := range img.BlockDevices {
			img.BlockDevices[i].SnapshotID = w.NewSnapshotID(img.ImageID + "/" + img.BlockDevices[i].DeviceName)
		}
		dst.Images[img.ImageID] = img
		out.ImageID = img.ImageID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// parseCopy checks a CopyImage request's parameters in the order EC2 does:
// the required ones, their shapes, then the options.
func parseCopy(req *protocol.Request) (copyRequest, error) {
	p := req.Params
	c := copyRequest{
		name: p.Get("Name"), description: p.Get("Description"), sourceID: p.Get("SourceImageId"),
		sourceRegion: p.Get("SourceRegion"), token: p.Get("ClientToken"),
	}
	for _, r := range []struct{ name, value string }{{"SourceImageId", c.sourceID}, {"SourceRegion", c.sourceRegion}, {"Name", c.name}} {
		if r.value == "" {
			return c, protocol.Errorf("MissingParameter", "The request must contain the parameter %s", r.name)
		}
	}
	if err := amiIDShape()(c.sourceID); err != nil {
		return c, err
	}
	if !amiNamePattern().MatchString(c.name) {
		return c, protocol.Errorf("InvalidAMIName.Malformed",
			"AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/', '_', '[', ']', ' ', '@' and '''")
	}
	if len(c.description) > 255 {
		return c, protocol.Errorf("InvalidParameterValue", "Description must be at most 255 characters long")
	}
	if len(c.token) > 64 {
		return c, protocol.Errorf("InvalidParameterValue", "ClientToken must be at most 64 characters long")
	}
	var err error
	if c.encrypted, err = boolParam(req, "Encrypted"); err != nil {
		return c, err
	}
	if c.copyTags, err = boolParam(req, "CopyImageTags"); err != nil {
		return c, err
	}
	// The sandbox has no KMS: a key is accepted only with Encrypted, as EC2
	// requires, and otherwise ignored (the copy is encrypted either way).
	if p.Get("KmsKeyId") != "" && !c.encrypted {
		return c, protocol.Errorf("InvalidParameterCombination", "KmsKeyId requires Encrypted to be set to true")
	}
	for _, name := range []string{"DestinationOutpostArn", "DestinationAvailabilityZone", "DestinationAvailabilityZoneId"} {
		if p.Get(name) != "" {
			return c, protocol.Errorf("InvalidParameterValue", "The sandbox copies AMIs between Regions only; %s is not supported", name)
		}
	}
	c.imageTags, err = imageTagSpecs(req)
	return c, err
}

// imageTagSpecs reads TagSpecification.N: the tags for ResourceType image.
// Those for snapshot are accepted; the sandbox keeps no snapshot tags.
func imageTagSpecs(req *protocol.Request) (map[string]string, error) {
	tags := map[string]string{}
	for n := 1; ; n++ {
		prefix := fmt.Sprintf("TagSpecification.%d.", n)
		rt := req.Params.Get(prefix + "ResourceType")
		if rt == "" {
			if req.Params.Has(prefix + "Tag.1.Key") {
				return nil, protocol.Errorf("InvalidParameterValue", "Tag specification resource type must have a value")
			}
			return tags, nil
		}
		if rt != "image" && rt != "snapshot" {
			return nil, protocol.Errorf("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", rt)
		}
		for m := 1; ; m++ {
			key := req.Params.Get(fmt.Sprintf("%sTag.%d.Key", prefix, m))
			if key == "" {
				break
			}
			if strings.HasPrefix(strings.ToLower(key), "aws:") {
				return nil, protocol.Errorf("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
			}
			if rt == "image" {
				tags[key] = req.Params.Get(fmt.Sprintf("%sTag.%d.Value", prefix, m))
			}
		}
	}
}

// copyByToken is the caller's copy in the region made with the client
// token, or nil.
func copyByToken(r *world.Region, account, token string) *world.Image {
	for _, id := range sortedImageIDs(r) {
		if img := r.Images[id]; img.OwnerID == account && img.Copy != nil && img.Copy.ClientToken == token {
			return img
		}
	}
	return nil
}

// copyOf is the new AMI for a copy of source: its attributes, the
// caller's ownership, private, not deprecated, with the source's own tags
// when CopyImageTags asks for them and the caller owns the source (EC2
// does not copy tags other accounts attached), then the request's tags.
func copyOf(w *world.World, source *world.Image, c copyRequest, account string, availableAt, now time.Time) *world.Image {
	img := *source
	img.Name, img.Description = c.name, c.description
	img.OwnerID, img.OwnerAlias, img.Public = account, "", false
	img.CreationDate, img.DeprecationTime = now, nil
	img.State, img.AvailableAt = "pending", &availableAt
	img.LaunchPermissions, img.LaunchPermissionOrganizations, img.LaunchPermissionOUs = nil, nil, nil
	img.FastLaunch = nil
	img.SourceImageID, img.SourceRegion = source.ImageID, regionOfImage(w, source)
	img.Copy = nil
	if c.token != "" {
		img.Copy = &world.CopyRequest{ClientToken: c.token, Params: c.params()}
	}
	img.Tags = map[string]string{}
	if c.copyTags && source.OwnerID == account {
		for k, v := range source.Tags {
			if !strings.HasPrefix(k, "aws:") {
				img.Tags[k] = v
			}
		}
	}
	maps.Copy(img.Tags, c.imageTags)
	if len(img.Tags) == 0 {
		img.Tags = nil
	}
	img.BlockDevices = slices.Clone(source.BlockDevices)
	for i := range img.BlockDevices {
		// An encrypted snapshot's copy stays encrypted.
		img.BlockDevices[i].Encrypted = img.BlockDevices[i].Encrypted || c.encrypted
	}
	return &img
}

// regionOfImage is the region that holds the image.
func regionOfImage(w *world.World, img *world.Image) string {
	for name, r := range w.Regions {
		if r.Images[img.ImageID] == img {
			return name
		}
	}
	return ""
}
