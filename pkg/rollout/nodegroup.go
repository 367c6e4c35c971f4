package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/winami/winami/pkg/awsapi"
)

// NodegroupDriver moves EKS managed node groups onto an AMI: a new launch
// template version (amiType CUSTOM) or an EKS release version, applied by
// UpdateNodegroupVersion. EKS replaces the nodes itself (surge, cordon,
// drain), so the driver only starts, follows and reverts updates.
//
// What it needs to follow and put back a change lives in AWS: the launch
// template version it creates says where it came from in its description
// (versionDescription), and the node group's updates are listed by EKS, so
// a new process finds a change in flight (InFlight) and can still revert it.
type NodegroupDriver struct {
	eks     awsapi.EKSAPI
	ec2     awsapi.EC2API
	cluster string
}

// NewNodegroupDriver returns the driver of the cluster's managed node
// groups (MethodLaunchTemplate and MethodReleaseVersion).
func NewNodegroupDriver(eks awsapi.EKSAPI, ec2 awsapi.EC2API, cluster string) *NodegroupDriver {
	return &NodegroupDriver{eks: eks, ec2: ec2, cluster: cluster}
}

var _ Driver = (*NodegroupDriver)(nil)

// EKS update statuses and node group states the driver reads.
const (
	updateInProgress = string(ekstypes.UpdateStatusInProgress)
	updateSuccessful = string(ekstypes.UpdateStatusSuccessful)
	customAMIType    = string(ekstypes.AMITypesCustom)
)

// Prepare implements Driver: one DescribeNodegroup, and for a launch
// template group one DescribeLaunchTemplateVersions.
func (d *NodegroupDriver) Prepare(ctx context.Context, g *Group) error {
	out, err := d.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: &d.cluster, NodegroupName: &g.Name})
	if err != nil {
		return fmt.Errorf("reading node group %s of cluster %s: %w", g.Name, d.cluster, err)
	}
	ng := out.Nodegroup
	if ng == nil {
		return fmt.Errorf("reading node group %s of cluster %s: EKS returned no node group", g.Name, d.cluster)
	}
	// UPDATING is an update in flight: InFlight finds and follows it, so
	// the group is prepared as usual.
	switch st := ng.Status; st {
	case ekstypes.NodegroupStatusActive, ekstypes.NodegroupStatusUpdating:
	case ekstypes.NodegroupStatusDegraded:
		g.Skip = fmt.Sprintf("node group %s is DEGRADED: fix the health issues `aws eks describe-nodegroup` lists, then run the rollout again", g.Name)
		return nil
	default:
		g.Skip = fmt.Sprintf("node group %s is %s: run the rollout again when it is ACTIVE", g.Name, st)
		return nil
	}
	if string(ng.AmiType) == customAMIType {
		return d.prepareTemplate(ctx, g, ng)
	}
	return d.prepareRelease(g, ng)
}

// prepareTemplate reads the group's launch template version (its AMI).
func (d *NodegroupDriver) prepareTemplate(ctx context.Context, g *Group, ng *ekstypes.Nodegroup) error {
	g.Method = MethodLaunchTemplate
	lt := ng.LaunchTemplate
	if lt == nil || aws.ToString(lt.Id) == "" && aws.ToString(lt.Name) == "" {
		g.Skip = fmt.Sprintf("node group %s has amiType CUSTOM but EKS reports no launch template: recreate it with a launch template that names its AMI", g.Name)
		return nil
	}
	v, err := describeVersion(ctx, d.ec2, aws.ToString(lt.Id), aws.ToString(lt.Name), aws.ToString(lt.Version))
	if err != nil {
		return fmt.Errorf("reading node group %s's launch template: %w", g.Name, err)
	}
	g.State.LaunchTemplateID, g.State.LaunchTemplateName, g.State.FromVersion = v.id, v.name, v.version
	if v.imageID == "" {
		g.Skip = fmt.Sprintf("launch template %s version %s of node group %s names no ImageId: give it one (a node group with amiType CUSTOM needs its AMI in the template)", v.name, v.version, g.Name)
		return nil
	}
	if g.Expect.AMI == "" {
		g.Skip = fmt.Sprintf("node group %s runs a custom AMI (amiType CUSTOM): --latest cannot move it; give --ami or -f", g.Name)
		return nil
	}
	g.Change = fmt.Sprintf("launch template %s version %s → new version (ImageId %s → %s), then UpdateNodegroupVersion%s",
		v.name, v.version, v.imageID, g.Expect.AMI, maxUnavailableNote(g, ng))
	return nil
}

// prepareRelease checks a group on an EKS AMI type against the release the
// planner chose.
func (d *NodegroupDriver) prepareRelease(g *Group, ng *ekstypes.Nodegroup) error {
	g.Method = MethodReleaseVersion
	before := aws.ToString(ng.ReleaseVersion)
	g.State.ReleaseBefore = before
	if g.ReleaseVersion == "" {
		g.Skip = fmt.Sprintf("node group %s runs EKS's AMI type %s: only --latest can move it; a custom AMI needs a node group with a launch template and amiType CUSTOM", g.Name, ng.AmiType)
		return nil
	}
	if g.ReleaseVersion < before {
		g.Skip = fmt.Sprintf("node group %s is on release %s, newer than %s: EKS does not move a node group to an older release; create a new node group on %s instead", g.Name, before, g.ReleaseVersion, g.ReleaseVersion)
		return nil
	}
	g.Change = fmt.Sprintf("UpdateNodegroupVersion release %s → %s%s", before, g.ReleaseVersion, maxUnavailableNote(g, ng))
	return nil
}

// maxUnavailableNote says how many nodes EKS replaces at once. EKS takes
// maxUnavailable only from the node group's updateConfig, which
// UpdateNodegroupConfig changes as an update of its own (one update at a
// time per group); UpdateNodegroupVersion has no such parameter. The
// driver does not make that second update, and says so.
func maxUnavailableNote(g *Group, ng *ekstypes.Nodegroup) string {
	own := "1"
	if uc := ng.UpdateConfig; uc != nil {
		switch {
		case uc.MaxUnavailable != nil:
			own = fmt.Sprint(*uc.MaxUnavailable)
		case uc.MaxUnavailablePercentage != nil:
			own = fmt.Sprintf("%d%%", *uc.MaxUnavailablePercentage)
		}
	}
	if g.MaxUnavailable > 0 && fmt.Sprint(g.MaxUnavailable) != own {
		return fmt.Sprintf(" (maxUnavailable %s, the group's own: EKS changes it only by UpdateNodegroupConfig, a separate update; run `aws eks update-nodegroup-config --update-config maxUnavailable=%d` first to use %d)",
			own, g.MaxUnavailable, g.MaxUnavailable)
	}
	return fmt.Sprintf(" (maxUnavailable %s)", own)
}

// Start implements Driver: CreateLaunchTemplateVersion (launch template
// groups) and UpdateNodegroupVersion. A Start retried after the version was
// made reuses it (State.ToVersion), and the update's clientRequestToken is
// derived from what it asks for, so a retry gets the same update.
func (d *NodegroupDriver) Start(ctx context.Context, g *Group) error {
	in := &eks.UpdateNodegroupVersionInput{ClusterName: &d.cluster, NodegroupName: &g.Name}
	switch g.Method {
	case MethodLaunchTemplate:
		if g.State.ToVersion == "" {
			v, err := createVersion(ctx, d.ec2, g.State.LaunchTemplateID, g.State.FromVersion, g.Expect.AMI, versionDescription(g.Expect.AMI, g.State.FromVersion))
			if err != nil {
				return fmt.Errorf("node group %s: %w", g.Name, err)
			}
			g.State.ToVersion = v
		}
		in.LaunchTemplate = &ekstypes.LaunchTemplateSpecification{Id: &g.State.LaunchTemplateID, Version: aws.String(g.State.ToVersion)}
		in.ClientRequestToken = token("update", d.cluster, g.Name, g.State.LaunchTemplateID, g.State.ToVersion)
	case MethodReleaseVersion:
		in.ReleaseVersion = aws.String(g.ReleaseVersion)
		in.ClientRequestToken = token("update", d.cluster, g.Name, g.State.ReleaseBefore, g.ReleaseVersion)
	default:
		return fmt.Errorf("node group %s: the node group driver cannot apply method %q", g.Name, g.Method)
	}
	out, err := d.eks.UpdateNodegroupVersion(ctx, in)
	if err != nil {
		return fmt.Errorf("starting the update of node group %s: %w", g.Name, err)
	}
	if out.Update == nil || aws.ToString(out.Update.Id) == "" {
		return fmt.Errorf("starting the update of node group %s: EKS returned no update ID", g.Name)
	}
	g.State.UpdateID = aws.ToString(out.Update.Id)
	return nil
}

// token is a clientRequestToken: the same request gets the same token.
func token(parts ...string) *string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return aws.String("winami-" + hex.EncodeToString(sum[:16]))
}

// inFlightLookups bounds the DescribeUpdate calls of InFlight: EKS runs
// one update at a time per group, so an update in progress is among the
// newest.
const inFlightLookups = 5

// InFlight implements Driver: ListUpdates of the group, then DescribeUpdate
// newest first until an update in progress.
func (d *NodegroupDriver) InFlight(ctx context.Context, g *Group) (bool, error) {
	var ids []string
	in := &eks.ListUpdatesInput{Name: &d.cluster, NodegroupName: &g.Name}
	for {
		out, err := d.eks.ListUpdates(ctx, in)
		if err != nil {
			return false, fmt.Errorf("listing the updates of node group %s: %w", g.Name, err)
		}
		ids = append(ids, out.UpdateIds...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	// EKS lists updates oldest first.
	slices.Reverse(ids)
	for _, id := range ids[:min(len(ids), inFlightLookups)] {
		u, err := d.describeUpdate(ctx, g.Name, id)
		if err != nil {
			return false, err
		}
		if string(u.Status) != updateInProgress {
			continue
		}
		g.State.UpdateID, g.State.Resumed = id, true
		return true, d.adoptUpdate(ctx, g, u)
	}
	return false, nil
}

// adoptUpdate records what an update in flight asks for: its launch
// template version (and, from the version's description, the version it
// replaced) or its release version.
func (d *NodegroupDriver) adoptUpdate(ctx context.Context, g *Group, u *ekstypes.Update) error {
	for _, p := range u.Params {
		switch p.Type {
		case ekstypes.UpdateParamTypeLaunchTemplateVersion:
			g.State.ToVersion = aws.ToString(p.Value)
		case ekstypes.UpdateParamTypeReleaseVersion:
			if g.Method == MethodReleaseVersion {
				g.ReleaseVersion = aws.ToString(p.Value)
			}
		}
	}
	if g.Method != MethodLaunchTemplate || g.State.ToVersion == "" || g.State.LaunchTemplateID == "" {
		return nil
	}
	v, err := describeVersion(ctx, d.ec2, g.State.LaunchTemplateID, "", g.State.ToVersion)
	if err != nil {
		return fmt.Errorf("reading the launch template version of node group %s's update %s: %w", g.Name, g.State.UpdateID, err)
	}
	if _, from, ok := parseDescription(v.description); ok {
		g.State.FromVersion = from
	}
	return nil
}

func (d *NodegroupDriver) describeUpdate(ctx context.Context, group, id string) (*ekstypes.Update, error) {
	out, err := d.eks.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: &d.cluster, NodegroupName: &group, UpdateId: &id})
	if err != nil {
		return nil, fmt.Errorf("reading update %s of node group %s: %w", id, group, err)
	}
	if out.Update == nil {
		return nil, fmt.Errorf("reading update %s of node group %s: EKS returned no update", id, group)
	}
	return out.Update, nil
}

// Poll implements Driver: one DescribeUpdate.
func (d *NodegroupDriver) Poll(ctx context.Context, g *Group) (Progress, error) {
	if g.State.UpdateID == "" {
		return Progress{}, fmt.Errorf("node group %s: no update to follow", g.Name)
	}
	u, err := d.describeUpdate(ctx, g.Name, g.State.UpdateID)
	if err != nil {
		return Progress{}, err
	}
	return updateProgress(u), nil
}

func updateProgress(u *ekstypes.Update) Progress {
	p := Progress{Phase: string(u.Status), Percent: -1}
	switch u.Status {
	case ekstypes.UpdateStatusSuccessful:
		p.Done = true
	case ekstypes.UpdateStatusFailed, ekstypes.UpdateStatusCancelled:
		p.Failed = updateErrors(u)
	}
	return p
}

// updateErrors is an update's errors on one line.
func updateErrors(u *ekstypes.Update) string {
	var parts []string
	for _, e := range u.Errors {
		s := string(e.ErrorCode)
		if m := aws.ToString(e.ErrorMessage); m != "" {
			s += ": " + m
		}
		if len(e.ResourceIds) > 0 {
			s += " (" + strings.Join(e.ResourceIds, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("update %s %s without errors listed", aws.ToString(u.Id), u.Status)
	}
	return fmt.Sprintf("update %s %s: %s", aws.ToString(u.Id), u.Status, strings.ReplaceAll(strings.Join(parts, "; "), "\n", " "))
}

// Continue implements Driver: EKS updates have no checkpoints.
func (d *NodegroupDriver) Continue(context.Context, *Group) error { return nil }

// Rollback implements Driver, one step a call: wait for the rollout's
// update to end; put the launch template version back with an update of
// its own and follow that to its end. EKS refuses to move a node group to
// an older release, so a release update cannot be put back.
func (d *NodegroupDriver) Rollback(ctx context.Context, g *Group) (bool, string, error) {
	if g.State.UpdateID == "" {
		return true, fmt.Sprintf("node group %s: nothing was started", g.Name), nil
	}
	u, err := d.describeUpdate(ctx, g.Name, g.State.UpdateID)
	if err != nil {
		return false, "", err
	}
	if string(u.Status) == updateInProgress {
		return false, fmt.Sprintf("waiting for update %s of node group %s to end", g.State.UpdateID, g.Name), nil
	}
	if g.Method == MethodReleaseVersion {
		if string(u.Status) != updateSuccessful {
			return true, fmt.Sprintf("node group %s stays on release %s: update %s %s", g.Name, g.State.ReleaseBefore, g.State.UpdateID, u.Status), nil
		}
		return true, fmt.Sprintf("node group %s stays on release %s: EKS cannot move a node group back to an older release (%s); create a node group on it to go back",
			g.Name, g.ReleaseVersion, g.State.ReleaseBefore), nil
	}
	if updateVersion(u) != g.State.FromVersion {
		if string(u.Status) != updateSuccessful {
			// A failed update may have left the group on its version:
			// then re-rolling every node onto it would put nothing back.
			out, err := d.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: &d.cluster, NodegroupName: &g.Name})
			if err != nil {
				return false, "", fmt.Errorf("reading node group %s: %w", g.Name, err)
			}
			if ng := out.Nodegroup; ng != nil && ng.LaunchTemplate != nil && aws.ToString(ng.LaunchTemplate.Version) == g.State.FromVersion {
				return true, fmt.Sprintf("node group %s stays on launch template %s version %s: update %s %s before moving it",
					g.Name, g.State.LaunchTemplateName, g.State.FromVersion, g.State.UpdateID, u.Status), nil
			}
		}
		return d.startRevert(ctx, g, u)
	}
	// The update followed is the revert.
	switch string(u.Status) {
	case updateSuccessful:
		return true, fmt.Sprintf("node group %s back on launch template %s version %s (update %s)", g.Name, g.State.LaunchTemplateName, g.State.FromVersion, g.State.UpdateID), nil
	default:
		return false, "", fmt.Errorf("putting node group %s back on launch template version %s: %s", g.Name, g.State.FromVersion, updateErrors(u))
	}
}

// startRevert starts the update back to the version the rollout replaced,
// unless the rollout's own update failed before replacing any node.
func (d *NodegroupDriver) startRevert(ctx context.Context, g *Group, u *ekstypes.Update) (bool, string, error) {
	if g.State.FromVersion == "" {
		return true, "", fmt.Errorf("node group %s: the launch template version to put back is unknown; update the node group to its previous version by hand", g.Name)
	}
	out, err := d.eks.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{
		ClusterName: &d.cluster, NodegroupName: &g.Name,
		LaunchTemplate:     &ekstypes.LaunchTemplateSpecification{Id: &g.State.LaunchTemplateID, Version: aws.String(g.State.FromVersion)},
		ClientRequestToken: token("revert", d.cluster, g.Name, g.State.LaunchTemplateID, g.State.ToVersion, g.State.FromVersion),
	})
	if err != nil {
		var inUse *ekstypes.ResourceInUseException
		if errors.As(err, &inUse) {
			return false, fmt.Sprintf("waiting for node group %s to take another update", g.Name), nil
		}
		return false, "", fmt.Errorf("putting node group %s back on launch template version %s: %w", g.Name, g.State.FromVersion, err)
	}
	g.State.UpdateID = aws.ToString(out.Update.Id)
	return false, fmt.Sprintf("node group %s: update %s back to launch template %s version %s started (was %s, %s)",
		g.Name, g.State.UpdateID, g.State.LaunchTemplateName, g.State.FromVersion, u.Status, g.State.ToVersion), nil
}

// updateVersion is the launch template version an update asks for.
func updateVersion(u *ekstypes.Update) string {
	for _, p := range u.Params {
		if p.Type == ekstypes.UpdateParamTypeLaunchTemplateVersion {
			return aws.ToString(p.Value)
		}
	}
	return ""
}
