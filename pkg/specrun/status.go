package specrun

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
)

// Status is `winami status -o json`: the spec's pipeline, and its builds
// newest first with the AMIs each made.
type Status struct {
	Spec     string        `json:"spec"`
	Region   string        `json:"region"`
	Pipeline *PipelineInfo `json:"pipeline"`
	Images   []ImageInfo   `json:"images"`
	// Parent is the parent image plan would use now, with warnings about
	// its life (nil when it does not resolve: see ParentError).
	Parent *ParentStatus `json:"parent,omitempty"`
	// ParentError is why the parent does not resolve: the next build
	// would fail.
	ParentError string `json:"parentError,omitempty"`
}

type PipelineInfo struct {
	Name     string `json:"name"`
	ARN      string `json:"arn"`
	Status   string `json:"status"`
	Schedule string `json:"schedule,omitempty"`
	LastRun  string `json:"lastRun,omitempty"`
	NextRun  string `json:"nextRun,omitempty"`
}

// AMIInfo is an AMI with what winami recorded on it.
type AMIInfo struct {
	pipeline.AMI
	Windows    string `json:"windows,omitempty"`
	Edition    string `json:"edition,omitempty"`
	Kubernetes string `json:"kubernetes,omitempty"`
	Base       string `json:"base,omitempty"`
	OSBuild    string `json:"osBuild,omitempty"`
	// CachedImages are the container images baked in, with the digests
	// they were pinned to (winami:cache).
	CachedImages []amimeta.CachedImage `json:"cachedImages,omitempty"`
	// created is EC2's CreationDate of the AMI.
	created time.Time
}

type ImageInfo struct {
	// Version is the build version, "1.0.0/1".
	Version string `json:"version"`
	ARN     string `json:"arn"`
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Created string `json:"created"`
	// Duration is how long the build took (until its last AMI was
	// registered) or, while it runs, how long it has run: "12m3s".
	Duration string    `json:"duration,omitempty"`
	AMIs     []AMIInfo `json:"amis"`
}

// Status reads the spec's pipeline and its builds with their AMIs.
func (r *Runner) Status(ctx context.Context) (*Status, error) {
	c, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	res := &Status{Spec: r.Spec.Name, Region: r.Spec.Region, Images: []ImageInfo{}}
	pl, err := pipeline.FindPipeline(ctx, c.ImageBuilder, r.Spec.Name)
	if err != nil {
		return nil, err
	}
	if pl != nil {
		res.Pipeline = &PipelineInfo{
			Name: aws.ToString(pl.Name), ARN: aws.ToString(pl.Arn), Status: string(pl.Status),
			LastRun: aws.ToString(pl.DateLastRun), NextRun: aws.ToString(pl.DateNextRun),
		}
		if pl.Schedule != nil {
			res.Pipeline.Schedule = aws.ToString(pl.Schedule.ScheduleExpression)
			if res.Pipeline.NextRun == "" && pl.Status == types.PipelineStatusEnabled {
				res.Pipeline.NextRun = nextRun(pl.Schedule, r.Clock.Now())
			}
		}
	}
	// The spec's builds as destroy --delete-images finds them: also those
	// of a pipeline since destroyed, whose AMIs stay.
	builds, err := pipeline.SpecImages(ctx, c.ImageBuilder, r.Spec.Name)
	if err != nil {
		return nil, err
	}
	for _, img := range builds {
		res.Images = append(res.Images, newImageInfo(aws.ToString(img.Arn), aws.ToString(img.DateCreated), img.State, img.OutputResources))
	}
	if err := describeAMIs(ctx, c, res.Images, true); err != nil {
		return nil, err
	}
	for i := range res.Images {
		res.Images[i].Duration = buildDuration(res.Images[i], r.Clock.Now())
	}
	r.statusParent(ctx, c, res)
	slices.SortFunc(res.Images, func(a, b ImageInfo) int {
		if a.Created != b.Created {
			return -compareStrings(a.Created, b.Created)
		}
		return -compareStrings(a.ARN, b.ARN)
	})
	return res, nil
}

// nextRun is when an enabled pipeline's schedule next starts it, in UTC,
// computed from its cron expression in its time zone when Image Builder
// does not say (dateNextRun is often absent).
func nextRun(sc *types.Schedule, now time.Time) string {
	loc := time.UTC
	if tz := aws.ToString(sc.Timezone); tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	next, ok := spec.NextCronRun(aws.ToString(sc.ScheduleExpression), now, loc)
	if !ok {
		return ""
	}
	return next.UTC().Format(time.RFC3339)
}

// newImageInfo is one build as status shows it, from a listed image or
// the one build follows.
func newImageInfo(arn, created string, state *types.ImageState, out *types.OutputResources) ImageInfo {
	info := ImageInfo{Version: pipeline.BuildVersion(arn), ARN: arn, Created: created, AMIs: []AMIInfo{}}
	if state != nil {
		info.State, info.Reason = string(state.Status), aws.ToString(state.Reason)
	}
	if out != nil {
		for _, a := range out.Amis {
			info.AMIs = append(info.AMIs, AMIInfo{AMI: pipeline.AMI{Region: aws.ToString(a.Region), ImageID: aws.ToString(a.Image), Name: aws.ToString(a.Name), Account: aws.ToString(a.AccountId)}})
		}
	}
	return info
}

// describeAMIs reads winami's tags from the AMIs: one DescribeImages call
// per region for up to 200 AMIs, and with cached the cache records the
// tags point at (an SSM parameter for a long list). AMIs that are gone
// (deregistered, or in an account the caller cannot see) are left as they
// are.
func describeAMIs(ctx context.Context, c *Clients, images []ImageInfo, cached bool) error {
	byRegion := map[string][]*AMIInfo{}
	for i := range images {
		for j := range images[i].AMIs {
			a := &images[i].AMIs[j]
			if a.Account == "" || a.Account == pipeline.AccountOf(images[i].ARN) {
				byRegion[a.Region] = append(byRegion[a.Region], a)
			}
		}
	}
	records := map[string][]amimeta.CachedImage{} // by region and tag value
	for region, amis := range byRegion {
		// A filter, not ImageIds, so that a deregistered AMI does not fail
		// the call; EC2 takes at most 200 filter values a call.
		for start := 0; start < len(amis); start += awsapi.MaxFilterValues {
			batch := amis[start:min(start+awsapi.MaxFilterValues, len(amis))]
			ids := make([]string, len(batch))
			for i, a := range batch {
				ids[i] = a.ImageID
			}
			out, err := c.EC2(region).DescribeImages(ctx, &ec2.DescribeImagesInput{
				Filters: []ec2types.Filter{{Name: aws.String("image-id"), Values: ids}},
			})
			if err != nil {
				return fmt.Errorf("reading the AMIs in %s: %w", region, err)
			}
			tags := map[string]map[string]string{}
			created := map[string]time.Time{}
			for _, img := range out.Images {
				created[aws.ToString(img.ImageId)], _ = time.Parse(time.RFC3339, aws.ToString(img.CreationDate))
				m := map[string]string{}
				for _, t := range img.Tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				tags[aws.ToString(img.ImageId)] = m
			}
			for _, a := range batch {
				t := tags[a.ImageID]
				a.Windows, a.Edition, a.Kubernetes = t[amimeta.TagWindows], t[amimeta.TagEdition], t[amimeta.TagKubernetes]
				a.Base, a.OSBuild = t[amimeta.TagBase], t[amimeta.TagOSBuild]
				a.created = created[a.ImageID]
				if !cached {
					continue
				}
				key := region + " " + t[amimeta.TagCache]
				cached, seen := records[key]
				if !seen {
					var err error
					cached, err = amimeta.ReadCacheRecord(ctx, c.SSM(region), t)
					if err != nil && !errors.Is(err, amimeta.ErrNoCacheRecord) {
						return fmt.Errorf("%s in %s: %w", a.ImageID, region, err)
					}
					records[key] = cached
				}
				a.CachedImages = cached
			}
		}
	}
	return nil
}

// buildDuration is how long a build took, the one definition that status
// and build both show, from the build's own timestamps: from the image's
// creation to its last AMI's registration when it is AVAILABLE, or until
// now while it runs.
func buildDuration(img ImageInfo, now time.Time) string {
	start, err := time.Parse(time.RFC3339, img.Created)
	if err != nil {
		return ""
	}
	switch img.State {
	case "AVAILABLE":
		var end time.Time
		for _, a := range img.AMIs {
			if a.created.After(end) {
				end = a.created
			}
		}
		if end.IsZero() || end.Before(start) {
			return ""
		}
		return end.Sub(start).Round(time.Second).String()
	case "PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING":
		return SinceCreated(start, now).String() + " so far"
	}
	return ""
}

// SinceCreated is how long a build has run by now: never negative, as the
// service's clock and this machine's may differ a little.
func SinceCreated(created, now time.Time) time.Duration {
	return max(now.Sub(created), 0).Round(time.Second)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
