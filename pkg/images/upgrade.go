package images

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/spec"
)

// ClusterCheck checks the images of a cluster's Windows pods against a
// target build (Checker.CheckCluster over a workloads.Reader).
type ClusterCheck func(ctx context.Context, target HostBuild) (ClusterReport, error)

// Upgrade is the check of a spec that changes the Windows Server version
// of its AMIs: will the cluster's workloads run on the new one?
type Upgrade struct {
	// From is the Windows Server version of the spec's last build
	// (winami:windows of its newest AMI), "" when it has built none.
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	// Report is the cluster's check; nil when the version does not change.
	Report *ClusterReport `json:"report,omitempty"`
}

// Changes reports whether the spec moves to another Windows version.
func (u Upgrade) Changes() bool { return u.From != "" && u.From != u.To }

// Problems are the images that would not run or could not be read, one
// line each with their workloads and reason.
func (u Upgrade) Problems() []string {
	if u.Report == nil {
		return nil
	}
	var out []string
	for _, i := range u.Report.Images {
		if i.Verdict == Compatible {
			continue
		}
		var ws []string
		for _, w := range i.Workloads {
			ws = append(ws, w.String())
		}
		out = append(out, fmt.Sprintf("%s %s (%s): %s", i.Verdict, i.Image, strings.Join(ws, ", "), i.Reason))
	}
	return out
}

// Summary is one line on the outcome.
func (u Upgrade) Summary() string {
	if !u.Changes() {
		if u.From == "" {
			return fmt.Sprintf("the spec has built no AMI yet: no Windows version to compare base.windows %s with, no upgrade to check", u.To)
		}
		return fmt.Sprintf("Windows Server %s, as the last build: no upgrade to check", u.To)
	}
	r := u.Report
	return fmt.Sprintf("Windows Server %s → %s: of %d images in %d pods on cluster %s's %d Windows nodes, %d run, %d will not run, %d unknown",
		u.From, u.To, len(r.Images), r.Pods, r.Cluster, len(r.Nodes), r.Count(Compatible), r.Count(Incompatible), r.Count(Unknown))
}

// CheckUpgrade compares the spec's base.windows with its last build's in
// the spec's region and, when it changes, checks the cluster's images
// against the spec's Windows build (base.osBuild, else base.windows).
func CheckUpgrade(ctx context.Context, ec2api awsapi.EC2API, s *spec.Spec, check ClusterCheck) (Upgrade, error) {
	u := Upgrade{To: s.Base.Windows}
	from, err := LastBuiltWindows(ctx, ec2api, s.Name)
	if err != nil {
		return u, err
	}
	u.From = from
	if !u.Changes() {
		return u, nil
	}
	target, err := ParseHostBuild(cmp.Or(s.Base.OSBuild, s.Base.Windows))
	if err != nil {
		return u, err
	}
	rep, err := check(ctx, target)
	if err != nil {
		return u, fmt.Errorf("checking the cluster's workloads for Windows Server %s: %w", u.To, err)
	}
	u.Report = &rep
	return u, nil
}

// LastBuiltWindows is the Windows Server version (winami:windows) of the
// newest available AMI the spec built, "" when it built none.
func LastBuiltWindows(ctx context.Context, ec2api awsapi.EC2API, specName string) (string, error) {
	newest, err := drift.NewestSpecImage(ctx, ec2api, specName)
	if newest == nil || err != nil {
		return "", err
	}
	for _, t := range newest.Tags {
		if aws.ToString(t.Key) == amimeta.TagWindows {
			return aws.ToString(t.Value), nil
		}
	}
	return "", nil
}
