// Package amicopy copies an EKS optimized Windows AMI release into the
// caller's account (`winami ami copy`), so a spec pinned to that release
// keeps building after Amazon makes the public AMI private, four months
// after release.
//
// It is its own package, not part of pkg/catalog: the catalog only reads
// what Amazon publishes; this runner writes (CopyImage), waits and reuses,
// which is a workflow over the catalog, as pkg/specrun is over pkg/pipeline.
package amicopy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/eksami"
)

const (
	// DefaultPollInterval is how often a pending copy is looked at: a
	// Windows AMI copy takes minutes to tens of minutes.
	DefaultPollInterval = 15 * time.Second
	// DefaultTimeout bounds the wait for one region's copy. A copy that
	// is still pending then is not lost: running the command again finds
	// it and follows it.
	DefaultTimeout = 90 * time.Minute
	// DefaultMaxRegions bounds the regions copied at once.
	DefaultMaxRegions = 8
	// NamePrefix starts the name of every copy: "winami-copy-" plus the
	// public AMI's name, so the copy says what it is and never takes a
	// name Karpenter or eksctl would match as Amazon's.
	NamePrefix = "winami-copy-"
)

// Request is one release to copy into each region.
type Request struct {
	Key     eksami.Key
	Release eksami.Date
	Regions []string
}

// Result is one region's copy. Its JSON form is `winami ami copy -o json`.
type Result struct {
	Region         string `json:"region"`
	ReleaseVersion string `json:"releaseVersion"`
	// SourceAMI and SourceName are Amazon's public AMI ("" when the copy
	// was found without reading it).
	SourceAMI  string `json:"sourceAmiId,omitempty"`
	SourceName string `json:"sourceName"`
	// AMIID and Name are the account's copy.
	AMIID string `json:"amiId,omitempty"`
	Name  string `json:"name,omitempty"`
	State string `json:"state,omitempty"`
	// Reused: the copy existed already (made by an earlier run).
	Reused bool   `json:"reused"`
	Error  string `json:"error,omitempty"`
}

// Event is progress in one region: a copy started or found, and each look
// at it until it is available.
type Event struct {
	Region  string
	AMIID   string
	State   string
	Reused  bool
	Elapsed time.Duration
}

// Runner copies releases. EC2 gives each region's client; Finder reads
// Amazon's public AMIs.
type Runner struct {
	Finder   *catalog.Finder
	EC2      func(region string) awsapi.EC2API
	Clock    clock.Clock
	Progress func(Event) // may be nil; called from the regions' goroutines
	// PollInterval, Timeout and MaxRegions default to the constants above.
	PollInterval time.Duration
	Timeout      time.Duration
	MaxRegions   int
}

// Copy copies the release into every region at once (at most MaxRegions
// at a time) and waits until each copy is available. A region that fails
// does not stop the others: each copy is useful alone, and a run again
// resumes the failed ones while it reuses the rest. The results are in the
// order of the regions; the error joins the failed regions'.
func (r *Runner) Copy(ctx context.Context, req Request) ([]Result, error) {
	if err := req.Key.WellFormed(); err != nil {
		return nil, err
	}
	if len(req.Regions) == 0 {
		return nil, errors.New("no region given")
	}
	results := make([]Result, len(req.Regions))
	errs := make([]error, len(req.Regions))
	var g errgroup.Group
	g.SetLimit(orDefault(r.MaxRegions, DefaultMaxRegions))
	for i, region := range req.Regions {
		g.Go(func() error {
			res, err := r.copyIn(ctx, req, region)
			if err != nil {
				// The catalog's errors name their region already.
				var named *awsapi.RegionError
				if !errors.As(err, &named) && !catalog.NamesRegion(err, region) {
					err = &awsapi.RegionError{Region: region, Err: err}
				}
				res.Error, errs[i] = err.Error(), err
			}
			results[i] = res
			return nil // kept in errs: the other regions go on
		})
	}
	_ = g.Wait()
	return results, errors.Join(errs...)
}

// copyIn makes (or finds) the copy in one region and follows it.
func (r *Runner) copyIn(ctx context.Context, req Request, region string) (Result, error) {
	api := r.EC2(region)
	srcName := req.Key.AMIName(req.Release)
	res := Result{Region: region, ReleaseVersion: req.Key.ReleaseVersion(req.Release), SourceName: srcName}
	start := r.Clock.Now()

	// An earlier run's copy first: found by the public AMI's name, so it
	// is found even after Amazon has made the public AMI private.
	existing, err := r.findCopy(ctx, req, region)
	if err != nil {
		return res, err
	}
	if existing != nil {
		res.AMIID, res.Name, res.State, res.Reused = aws.ToString(existing.ImageId), aws.ToString(existing.Name), string(existing.State), true
		res.SourceAMI = tagValue(existing.Tags, amimeta.TagCopySource)
		r.emit(Event{Region: region, AMIID: res.AMIID, State: res.State, Reused: true})
	} else {
		src, err := r.Finder.Resolve(ctx, req.Key, region, catalog.ResolveQuery{Release: &req.Release})
		if err != nil {
			return res, err
		}
		res.SourceAMI = src.AMIID
		res.Name = NamePrefix + srcName
		out, err := api.CopyImage(ctx, &ec2.CopyImageInput{
			Name:          aws.String(res.Name),
			SourceImageId: aws.String(src.AMIID),
			SourceRegion:  aws.String(region),
			Description:   aws.String(fmt.Sprintf("winami copy of %s (%s), kept past Amazon's public retention", srcName, src.AMIID)),
			// The same token for the same source: a retry after a lost
			// answer gets the first copy back instead of a second one.
			ClientToken: aws.String(ClientToken(src.AMIID)),
			TagSpecifications: []types.TagSpecification{{
				ResourceType: types.ResourceTypeImage,
				Tags:         Tags(req.Key, req.Release, src.AMIID),
			}},
		})
		if err != nil {
			return res, fmt.Errorf("copying %s (%s): %w", srcName, src.AMIID, err)
		}
		res.AMIID, res.State = aws.ToString(out.ImageId), string(types.ImageStatePending)
		r.emit(Event{Region: region, AMIID: res.AMIID, State: res.State})
	}
	state, err := r.wait(ctx, api, region, res.AMIID, res.Reused, types.ImageState(res.State), start)
	res.State = string(state)
	return res, err
}

// wait follows the copy until it is available, failing on a state it
// cannot leave or at the timeout.
func (r *Runner) wait(ctx context.Context, api awsapi.EC2API, region, id string, reused bool, state types.ImageState, start time.Time) (types.ImageState, error) {
	timeout := durationOr(r.Timeout, DefaultTimeout)
	interval := durationOr(r.PollInterval, DefaultPollInterval)
	for {
		switch state {
		case types.ImageStateAvailable:
			return state, nil
		case types.ImageStateFailed, types.ImageStateError, types.ImageStateInvalid, types.ImageStateDeregistered, types.ImageStateDisabled:
			return state, fmt.Errorf("the copy %s is %s: deregister it (aws ec2 deregister-image --image-id %s --region %s) and run winami ami copy again", id, state, id, region)
		}
		if elapsed := r.Clock.Now().Sub(start); elapsed >= timeout {
			return state, fmt.Errorf("the copy %s is still %s after %s: run winami ami copy again to follow it (it is reused, not copied twice)", id, state, elapsed.Round(time.Second))
		}
		if err := r.Clock.Sleep(ctx, interval); err != nil {
			return state, err
		}
		out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}, IncludeDeprecated: aws.Bool(true)})
		switch {
		case awsapi.HasCode(err, "InvalidAMIID.NotFound"):
			// A new image may not be visible at once (EC2 is eventually
			// consistent): still pending.
		case err != nil:
			return state, fmt.Errorf("reading the copy %s: %w", id, err)
		case len(out.Images) == 0:
		default:
			state = out.Images[0].State
		}
		r.emit(Event{Region: region, AMIID: id, State: string(state), Reused: reused, Elapsed: r.Clock.Now().Sub(start)})
	}
}

func (r *Runner) emit(e Event) {
	if r.Progress != nil {
		r.Progress(e)
	}
}

// findCopy returns the account's copy of the release in region that is
// usable or on its way (available or pending), the newest when there are
// several; nil when there is none.
func (r *Runner) findCopy(ctx context.Context, req Request, region string) (*types.Image, error) {
	imgs, err := r.Finder.CopyImages(ctx, req.Key, region, req.Release)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(imgs, func(img types.Image) bool {
		return img.State == types.ImageStateAvailable || img.State == types.ImageStatePending
	})
	if i < 0 {
		return nil, nil
	}
	return &imgs[i], nil
}

// ClientToken is CopyImage's idempotency token for a source AMI (at most
// 64 ASCII characters; an AMI ID is at most 21).
func ClientToken(sourceAMI string) string { return "winami-copy-" + sourceAMI }

// Tags are what a copy carries: managed by winami, what it is a copy of
// (the public AMI's name and ID) and its release.
func Tags(k eksami.Key, d eksami.Date, sourceAMI string) []types.Tag {
	kv := [][2]string{
		{amimeta.TagManaged, "true"},
		{amimeta.TagCopyOf, k.AMIName(d)},
		{amimeta.TagCopySource, sourceAMI},
		{amimeta.TagRelease, k.ReleaseVersion(d)},
		{amimeta.TagWindows, k.Windows},
		{amimeta.TagEdition, k.Edition},
		{amimeta.TagKubernetes, k.Kubernetes},
	}
	tags := make([]types.Tag, len(kv))
	for i, t := range kv {
		tags[i] = types.Tag{Key: aws.String(t[0]), Value: aws.String(t[1])}
	}
	return tags
}

func tagValue(tags []types.Tag, key string) string {
	i := slices.IndexFunc(tags, func(t types.Tag) bool { return aws.ToString(t.Key) == key })
	if i < 0 {
		return ""
	}
	return aws.ToString(tags[i].Value)
}

func orDefault(n, def int) int {
	if n < 1 {
		return def
	}
	return n
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
