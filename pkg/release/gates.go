package release

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/amimeta"
)

// GateResult is one gate in one region.
type GateResult struct {
	Gate   string `json:"gate"`
	Region string `json:"region"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	// Fix says what makes a failing gate hold.
	Fix string `json:"fix,omitempty"`
}

// Gate names, as status, promote and the JSON output show them.
const (
	GateAvailable  = "available"
	GateOSBuild    = "os-build"
	GateCache      = "cache-record"
	GateFastLaunch = "fast-launch"
	GateSoak       = "soak"
	GateCanary     = "canary"
)

// Check evaluates the gates of channel index `to` for a build's AMIs, in
// every region at once. Every channel checks that the AMI is available and
// neither disabled nor deprecated, and that it was built with the spec's OS
// build and cache record; the channel adds Fast Launch and soak time.
func (r *Runner) Check(ctx context.Context, to int, amis map[string]Image) ([]GateResult, error) {
	return r.check(ctx, to, amis, nil)
}

// check is Check with the previous channel's histories when the caller
// has read them already (nil: read them here if the soak gate needs them).
func (r *Runner) check(ctx context.Context, to int, amis map[string]Image, prev map[string][]Version) ([]GateResult, error) {
	ch := &r.Config.Channels[to]
	if ch.Gates.Soak > 0 && to > 0 && prev == nil {
		var err error
		if prev, err = r.Histories(ctx, &r.Config.Channels[to-1]); err != nil {
			return nil, err
		}
	}
	regions := r.regions()
	results := make([][]GateResult, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.limit())
	var mu sync.Mutex
	for i, region := range regions {
		g.Go(func() error {
			res, err := r.checkRegion(gctx, to, region, amis, prev)
			mu.Lock()
			results[i] = res
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []GateResult
	for _, res := range results {
		out = append(out, res...)
	}
	return out, nil
}

func (r *Runner) checkRegion(ctx context.Context, to int, region string, amis map[string]Image, prev map[string][]Version) ([]GateResult, error) {
	ch := &r.Config.Channels[to]
	now := r.Clock.Now()
	img, ok := amis[region]
	if !ok {
		return []GateResult{{Gate: GateAvailable, Region: region, Detail: "the build has no AMI here",
			Fix: "rebuild with every distribution region, or wait for the distribution to finish (winami status)"}}, nil
	}
	var out []GateResult
	avail := GateResult{Gate: GateAvailable, Region: region, OK: true, Detail: img.ID + " available"}
	switch {
	case img.State != "available":
		avail.OK, avail.Detail, avail.Fix = false, fmt.Sprintf("%s is %s", img.ID, img.State), "promote an AMI that is available"
	case img.Deprecation != nil && !img.Deprecation.After(now):
		avail.OK, avail.Detail = false, fmt.Sprintf("%s was deprecated on %s", img.ID, img.Deprecation.UTC().Format(time.RFC3339))
		avail.Fix = "promote a newer build, or cancel the deprecation (aws ec2 disable-image-deprecation)"
	}
	out = append(out, avail)
	if r.Config.OSBuild != "" {
		got := img.Tags[amimeta.TagOSBuild]
		gr := GateResult{Gate: GateOSBuild, Region: region, OK: got == r.Config.OSBuild, Detail: "Windows build " + orNone(got)}
		if !gr.OK {
			gr.Fix = fmt.Sprintf("the spec asks for %s: promote a build made from the spec as it is now", r.Config.OSBuild)
		}
		out = append(out, gr)
	}
	if c, ok := img.Tags[amimeta.TagCache]; ok {
		out = append(out, GateResult{Gate: GateCache, Region: region, OK: c != "", Detail: "cache record " + orNone(c)})
	}
	if ch.Gates.FastLaunch {
		gr, err := r.fastLaunchGate(ctx, region, img.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, gr)
	}
	if k := ch.Gates.Canary; k != nil && k.Region == region {
		gr, err := r.canaryGate(ctx, *k, img.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, gr)
	}
	if ch.Gates.Soak > 0 && to > 0 {
		prevName := r.Config.Channels[to-1].Name
		gr := GateResult{Gate: GateSoak, Region: region}
		since, in := enteredAt(prev[region], img.ID)
		switch soaked := now.Sub(since); {
		case !in:
			gr.Detail = fmt.Sprintf("%s is not in %s", img.ID, prevName)
			gr.Fix = fmt.Sprintf("promote it to %s first and let it soak %s", prevName, ch.Gates.Soak)
		case soaked < ch.Gates.Soak:
			gr.Detail = fmt.Sprintf("in %s for %s of %s", prevName, soaked.Round(time.Second), ch.Gates.Soak)
			gr.Fix = fmt.Sprintf("wait until %s", since.Add(ch.Gates.Soak).UTC().Format(time.RFC3339))
		default:
			gr.OK, gr.Detail = true, fmt.Sprintf("in %s for %s", prevName, soaked.Round(time.Second))
		}
		out = append(out, gr)
	}
	return out, nil
}

func (r *Runner) fastLaunchGate(ctx context.Context, region, ami string) (GateResult, error) {
	gr := GateResult{Gate: GateFastLaunch, Region: region}
	res, err := r.EC2(region).DescribeFastLaunchImages(ctx, &ec2.DescribeFastLaunchImagesInput{ImageIds: []string{ami}})
	if err != nil {
		return gr, fmt.Errorf("reading Fast Launch of %s in %s: %w", ami, region, err)
	}
	state := "not enabled"
	if len(res.FastLaunchImages) > 0 {
		state = string(res.FastLaunchImages[0].State)
		if reason := aws.ToString(res.FastLaunchImages[0].StateTransitionReason); reason != "" && state != "enabled" {
			state += " (" + reason + ")"
		}
	}
	gr.OK, gr.Detail = state == "enabled", "Fast Launch "+state
	if !gr.OK {
		gr.Fix = fmt.Sprintf("winami fast-launch wait %s --regions %s", ami, region)
	}
	return gr, nil
}

// canaryGate holds when at least one Windows node of the canary cluster
// runs the AMI and every node that does is Ready with no drift.
func (r *Runner) canaryGate(ctx context.Context, k Canary, ami string) (GateResult, error) {
	gr := GateResult{Gate: GateCanary, Region: k.Region}
	if r.Canary == nil {
		return gr, fmt.Errorf("channel gate canary (cluster %s): no way to read the cluster was given", k.Cluster)
	}
	res, err := r.Canary(ctx, k, ami)
	if err != nil {
		return gr, fmt.Errorf("reading canary cluster %s in %s: %w", k.Cluster, k.Region, err)
	}
	switch {
	case res.Nodes == 0:
		gr.Detail = fmt.Sprintf("no Windows node of cluster %s runs %s", k.Cluster, ami)
		gr.Fix = fmt.Sprintf("roll cluster %s's Windows nodes onto %s (the candidate channel), let them settle, then promote", k.Cluster, ami)
	case len(res.Problems) > 0:
		gr.Detail = fmt.Sprintf("%d of %d node(s) on %s in cluster %s: %s", len(res.Problems), res.Nodes, ami, k.Cluster, strings.Join(res.Problems, "; "))
		gr.Fix = fmt.Sprintf("see winami drift --cluster %s --region %s --desired-ami %s", k.Cluster, k.Region, ami)
	default:
		gr.OK, gr.Detail = true, fmt.Sprintf("%d node(s) of cluster %s on %s, Ready, no drift", res.Nodes, k.Cluster, ami)
	}
	return gr, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Failing are the gates that do not hold.
func Failing(results []GateResult) []GateResult {
	var out []GateResult
	for _, g := range results {
		if !g.OK {
			out = append(out, g)
		}
	}
	return out
}
