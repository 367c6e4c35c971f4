package eks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// clock is the test's hand-moved clock (sandboxtest.Clock).
type clock = sandboxtest.Clock

const pace = 10 * time.Second

// rollEnv is a sandbox with a movable clock and a rollout pace of 10s.
type rollEnv struct {
	srv   *sandbox.Server
	eks   *eks.Client
	ec2   *ec2.Client
	kube  *kubernetes.Clientset
	clock *clock
}

func startRollout(t *testing.T) *rollEnv {
	t.Helper()
	// Real time, so that the Kubernetes API accepts the presigned token.
	clk := sandboxtest.NewClock(time.Now().UTC().Truncate(time.Second))
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now, RolloutPace: pace})
	return &rollEnv{srv: srv, eks: eks.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg),
		kube: sandboxtest.Kubernetes(t, cfg, world.DemoCluster), clock: clk}
}

// groupNodes are the group's nodes through the Kubernetes API.
func (e *rollEnv) groupNodes(t *testing.T, group string) []corev1.Node {
	t.Helper()
	list, err := e.kube.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "eks.amazonaws.com/nodegroup=" + group})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func ready(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func cordoned(n corev1.Node) bool {
	return n.Spec.Unschedulable && slices.ContainsFunc(n.Spec.Taints, func(t corev1.Taint) bool {
		return t.Key == world.UnschedulableTaint && t.Effect == corev1.TaintEffectNoSchedule
	})
}

func (e *rollEnv) describeUpdate(t *testing.T, group, id string) *types.Update {
	t.Helper()
	out, err := e.eks.DescribeUpdate(t.Context(), &eks.DescribeUpdateInput{Name: aws.String(world.DemoCluster),
		UpdateId: aws.String(id), NodegroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Update
}

// follow moves the clock a third of a pace at a time until the update
// ends, checking at every step that no more than maxUnavailable of the
// group's nodes are out of service and that as many as the group's size
// are Ready and schedulable less that.
func (e *rollEnv) follow(t *testing.T, group, id string, size, maxUnavailable int) *types.Update {
	t.Helper()
	sawCordon := false
	for range 200 {
		u := e.describeUpdate(t, group, id)
		nodes := e.groupNodes(t, group)
		var serving, out int
		for _, n := range nodes {
			switch {
			case cordoned(n):
				out++
			case ready(n):
				serving++
			}
		}
		if out > maxUnavailable || serving < size-maxUnavailable {
			t.Fatalf("%d nodes cordoned, %d serving, with maxUnavailable %d of %d", out, serving, maxUnavailable, size)
		}
		sawCordon = sawCordon || out > 0
		if u.Status != types.UpdateStatusInProgress {
			if u.Status == types.UpdateStatusSuccessful && !sawCordon {
				t.Error("no node was ever seen cordoned")
			}
			return u
		}
		e.clock.Advance(pace / 3)
	}
	t.Fatal("the update never ended")
	return nil
}

func (e *rollEnv) nodegroup(t *testing.T, name string) *types.Nodegroup {
	t.Helper()
	out, err := e.eks.DescribeNodegroup(t.Context(), &eks.DescribeNodegroupInput{ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Nodegroup
}

func instanceIDs(nodes []corev1.Node) []string {
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.Spec.ProviderID[strings.LastIndexByte(n.Spec.ProviderID, '/')+1:])
	}
	slices.Sort(ids)
	return ids
}

// A release version update of windows-core-b re-rolls every node onto the
// release's AMI, one at a time, and fixes the node with the old kubelet.
func TestUpdateNodegroupReleaseVersion(t *testing.T) {
	e := startRollout(t)
	const group = "windows-core-b"
	before := e.groupNodes(t, group)
	oldIDs := instanceIDs(before)
	release := "1.35-2026.11.11"
	out, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(group), ReleaseVersion: aws.String(release),
		ClientRequestToken: aws.String("tok-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	u := out.Update
	if u.Status != types.UpdateStatusInProgress || u.Type != types.UpdateTypeVersionUpdate || len(u.Errors) != 0 {
		t.Fatalf("update %+v", u)
	}
	if !slices.ContainsFunc(u.Params, func(p types.UpdateParam) bool {
		return p.Type == types.UpdateParamTypeReleaseVersion && aws.ToString(p.Value) == release
	}) {
		t.Errorf("params %+v", u.Params)
	}
	if ng := e.nodegroup(t, group); ng.Status != types.NodegroupStatusUpdating {
		t.Errorf("node group %s during the update", ng.Status)
	}
	// The same token gets the same update; another update is refused.
	again, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(group), ReleaseVersion: aws.String(release),
		ClientRequestToken: aws.String("tok-1"),
	})
	if err != nil || aws.ToString(again.Update.Id) != aws.ToString(u.Id) {
		t.Errorf("retry with the token: %v, %v", again, err)
	}
	_, err = e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ResourceInUseException", "")

	done := e.follow(t, group, aws.ToString(u.Id), len(before), 1)
	if done.Status != types.UpdateStatusSuccessful {
		t.Fatalf("update ended %s: %+v", done.Status, done.Errors)
	}
	after := e.groupNodes(t, group)
	if len(after) != len(before) {
		t.Fatalf("%d nodes after, %d before", len(after), len(before))
	}
	var newest string
	_ = e.srv.Store().View(func(w *world.World) error {
		newest = w.Region("us-east-1").WindowsReleaseImage("WINDOWS_CORE_2022_x86_64", release).ImageID
		return nil
	})
	for _, n := range after {
		if !ready(n) || n.Spec.Unschedulable || n.Status.NodeInfo.KubeletVersion != world.KubeletV1352 ||
			n.Labels["eks.amazonaws.com/nodegroup-image"] != newest || len(n.Status.Images) == 0 {
			t.Errorf("node %s after the update: ready %v, kubelet %s, image %s, images %v", n.Name, ready(n),
				n.Status.NodeInfo.KubeletVersion, n.Labels["eks.amazonaws.com/nodegroup-image"], n.Status.Images)
		}
	}
	newIDs := instanceIDs(after)
	for _, id := range newIDs {
		if slices.Contains(oldIDs, id) {
			t.Errorf("instance %s was not replaced", id)
		}
	}
	// EC2 agrees: the old instances are terminated, the new run the AMI.
	insts, err := e.ec2.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: append(oldIDs, newIDs...)})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range insts.Reservations {
		for _, in := range res.Instances {
			id, state := aws.ToString(in.InstanceId), string(in.State.Name)
			if slices.Contains(oldIDs, id) && state != "terminated" || slices.Contains(newIDs, id) && (state != "running" || aws.ToString(in.ImageId) != newest) {
				t.Errorf("instance %s %s %s", id, state, aws.ToString(in.ImageId))
			}
		}
	}
	if ng := e.nodegroup(t, group); ng.Status != types.NodegroupStatusActive || aws.ToString(ng.ReleaseVersion) != release {
		t.Errorf("node group after: %s %s", ng.Status, aws.ToString(ng.ReleaseVersion))
	}
	list, err := e.eks.ListUpdates(t.Context(), &eks.ListUpdatesInput{Name: aws.String(world.DemoCluster), NodegroupName: aws.String(group)})
	if err != nil || !slices.Equal(list.UpdateIds, []string{aws.ToString(u.Id)}) {
		t.Errorf("ListUpdates: %v, %v", list, err)
	}
	// The cluster's own updates are not the node group's.
	cl, err := e.eks.ListUpdates(t.Context(), &eks.ListUpdatesInput{Name: aws.String(world.DemoCluster)})
	if err != nil || len(cl.UpdateIds) != 0 {
		t.Errorf("cluster updates: %v, %v", cl, err)
	}
}

// customGroup makes windows-core-a a custom AMI group (its launch
// template's version 1 names the AMI it runs), lets image change the AMI
// it picks, and adds version 2 naming that AMI through EC2, as a rollout
// would.
func customGroup(t *testing.T, e *rollEnv, image func(r *world.Region) *world.Image, maxUnavailable int32) (lt string) {
	t.Helper()
	var imageID string
	err := e.srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		ng := r.Clusters[world.DemoCluster].Nodegroups["windows-core-a"]
		tmpl := r.LaunchTemplates[ng.LaunchTemplate.ID]
		current := r.Images[tmpl.VersionData(1).ImageID] // the demo's group is CUSTOM already
		ng.AMIType, ng.ReleaseVersion = "CUSTOM", current.ImageID
		ng.UpdateConfig = &world.NodegroupUpdateConfig{MaxUnavailable: maxUnavailable}
		tmpl.Versions[0].ImageID = current.ImageID
		imageID, lt = image(r).ImageID, tmpl.LaunchTemplateID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.ec2.CreateLaunchTemplateVersion(t.Context(), &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(lt), SourceVersion: aws.String("1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(imageID)}})
	if err != nil || aws.ToInt64(out.LaunchTemplateVersion.VersionNumber) != 2 {
		t.Fatalf("new launch template version: %+v, %v", out, err)
	}
	return lt
}

// A launch template update of a custom AMI group surges two at a time and
// gives the new nodes the AMI's cached images.
func TestUpdateNodegroupLaunchTemplate(t *testing.T) {
	e := startRollout(t)
	const group = "windows-core-a"
	cache := "mcr.microsoft.com/windows/servercore:ltsc2022@sha256:0a1b mcr.microsoft.com/dotnet/framework/aspnet:4.8"
	var own string
	lt := customGroup(t, e, func(r *world.Region) *world.Image {
		img := r.ImageByName("winami-demo-2022-core-1.35-20261115")
		img.Tags["winami:cache"] = cache
		img.Tags["winami:kubernetes"] = "1.35"
		img.OSBuild = "10.0.20348.4400"
		own = img.ImageID
		return img
	}, 2)
	before := e.groupNodes(t, group)
	out, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(group),
		LaunchTemplate: &types.LaunchTemplateSpecification{Id: aws.String(lt), Version: aws.String("2")},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := e.follow(t, group, aws.ToString(out.Update.Id), len(before), 2)
	if done.Status != types.UpdateStatusSuccessful {
		t.Fatalf("update ended %s: %+v", done.Status, done.Errors)
	}
	for _, n := range e.groupNodes(t, group) {
		var names []string
		for _, img := range n.Status.Images {
			names = append(names, img.Names...)
		}
		for _, want := range []string{"mcr.microsoft.com/windows/servercore@sha256:0a1b", "mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/dotnet/framework/aspnet:4.8"} {
			if !slices.Contains(names, want) {
				t.Errorf("node %s images %v lack %s", n.Name, names, want)
			}
		}
		if n.Labels["eks.amazonaws.com/nodegroup-image"] != own || n.Labels["eks.amazonaws.com/sourceLaunchTemplateVersion"] != "2" ||
			n.Status.NodeInfo.KernelVersion != "10.0.20348.4400" {
			t.Errorf("node %s labels %v kernel %s", n.Name, n.Labels, n.Status.NodeInfo.KernelVersion)
		}
	}
	ng := e.nodegroup(t, group)
	if aws.ToString(ng.LaunchTemplate.Version) != "2" || aws.ToString(ng.ReleaseVersion) != own || aws.ToInt32(ng.UpdateConfig.MaxUnavailable) != 2 {
		t.Errorf("node group after: %+v %s", ng.LaunchTemplate, aws.ToString(ng.ReleaseVersion))
	}
}

// The broken AMI's nodes never become Ready: the update fails with
// NodeCreationFailure naming them, and the old nodes keep serving.
func TestUpdateNodegroupBadAMI(t *testing.T) {
	e := startRollout(t)
	const group = "windows-core-a"
	lt := customGroup(t, e, func(r *world.Region) *world.Image { return r.ImageByName(world.BadAMIName) }, 1)
	before := e.groupNodes(t, group)
	out, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(group),
		LaunchTemplate: &types.LaunchTemplateSpecification{Id: aws.String(lt), Version: aws.String("2")},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := e.follow(t, group, aws.ToString(out.Update.Id), len(before), 1)
	if done.Status != types.UpdateStatusFailed || len(done.Errors) != 1 || done.Errors[0].ErrorCode != types.ErrorCodeNodeCreationFailure ||
		len(done.Errors[0].ResourceIds) != 1 || aws.ToString(done.Errors[0].ErrorMessage) == "" {
		t.Fatalf("update %s %+v", done.Status, done.Errors)
	}
	after := e.groupNodes(t, group)
	if !slices.Equal(instanceIDs(after), instanceIDs(before)) {
		t.Errorf("nodes after %v, before %v", instanceIDs(after), instanceIDs(before))
	}
	for _, n := range after {
		if !ready(n) || n.Spec.Unschedulable {
			t.Errorf("old node %s not serving", n.Name)
		}
	}
	if ng := e.nodegroup(t, group); aws.ToString(ng.LaunchTemplate.Version) != "1" || ng.Status != types.NodegroupStatusActive {
		t.Errorf("node group after a failed update: %s, version %s", ng.Status, aws.ToString(ng.LaunchTemplate.Version))
	}
}

// A node whose pods cannot be evicted fails the update (PodEvictionFailure)
// unless it is forced.
func TestUpdateNodegroupPodEviction(t *testing.T) {
	for _, force := range []bool{false, true} {
		e := startRollout(t)
		const group = "windows-core-b"
		var blocked string
		_ = e.srv.Store().Update(func(w *world.World) error {
			for _, n := range w.Region("us-east-1").Clusters[world.DemoCluster].Nodes {
				if n.Labels["eks.amazonaws.com/nodegroup"] == group {
					n.Annotations = map[string]string{world.EvictionBlockedAnnotation: "pdb/web"}
					blocked = n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
					break
				}
			}
			return nil
		})
		out, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
			ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(group), Force: force})
		if err != nil {
			t.Fatal(err)
		}
		done := e.follow(t, group, aws.ToString(out.Update.Id), 3, 1)
		switch {
		case force && done.Status != types.UpdateStatusSuccessful:
			t.Errorf("forced: %s %+v", done.Status, done.Errors)
		case !force && (done.Status != types.UpdateStatusFailed || len(done.Errors) != 1 ||
			done.Errors[0].ErrorCode != types.ErrorCodePodEvictionFailure || !slices.Equal(done.Errors[0].ResourceIds, []string{blocked})):
			t.Errorf("not forced: %s %+v", done.Status, done.Errors)
		}
	}
}

// ListUpdates pages, oldest first.
func TestListUpdatesPages(t *testing.T) {
	e := startRollout(t)
	var ids []string
	for range 3 {
		out, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
			ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-b")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.Update.Id))
		e.clock.Advance(7 * pace) // three nodes, two paces each
		if u := e.describeUpdate(t, "windows-core-b", ids[len(ids)-1]); u.Status != types.UpdateStatusSuccessful {
			t.Fatalf("update %s", u.Status)
		}
	}
	var got []string
	pages := eks.NewListUpdatesPaginator(e.eks, &eks.ListUpdatesInput{Name: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-b"), MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.UpdateIds) > 2 {
			t.Fatalf("page of %d", len(page.UpdateIds))
		}
		got = append(got, page.UpdateIds...)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("paged %v, want %v", got, ids)
	}
}

// windows-core-a made a group of EKS's AMI type with a launch template that
// names no AMI (the demo's is CUSTOM): a version naming one is refused, one
// without is rolled out on the newest release.
func TestUpdateNodegroupTemplateOnAMIType(t *testing.T) {
	e := startRollout(t)
	ng := e.nodegroup(t, "windows-core-a")
	lt := aws.ToString(ng.LaunchTemplate.Id)
	own := ""
	_ = e.srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		own = r.ImageByName("winami-demo-2022-core-1.35-20261115").ImageID
		ng := r.Clusters[world.DemoCluster].Nodegroups["windows-core-a"]
		ng.AMIType, ng.ReleaseVersion = "WINDOWS_CORE_2022_x86_64", "1.35-2026.11.11"
		r.LaunchTemplates[lt].Versions[0].ImageID = ""
		return nil
	})
	for i, image := range []*string{aws.String(own), nil} {
		if _, err := e.ec2.CreateLaunchTemplateVersion(t.Context(), &ec2.CreateLaunchTemplateVersionInput{
			LaunchTemplateId: aws.String(lt), SourceVersion: aws.String("1"), VersionDescription: aws.String(fmt.Sprint(i)),
			LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: image}}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(version string) (*eks.UpdateNodegroupVersionOutput, error) {
		return e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
			ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-a"),
			LaunchTemplate: &types.LaunchTemplateSpecification{Name: aws.String(world.DemoLaunchTemplateName), Version: aws.String(version)}})
	}
	_, err := update("2")
	sandboxtest.WantAPIError(t, err, "InvalidParameterException", "You cannot specify an AMI ID in the launch template of a node group with amiType WINDOWS_CORE_2022_x86_64: only node groups created with a custom AMI (amiType CUSTOM) take one.")
	out, err := update("3")
	if err != nil {
		t.Fatal(err)
	}
	if done := e.follow(t, "windows-core-a", aws.ToString(out.Update.Id), 4, 1); done.Status != types.UpdateStatusSuccessful {
		t.Fatalf("update %s %+v", done.Status, done.Errors)
	}
	if ng := e.nodegroup(t, "windows-core-a"); aws.ToString(ng.LaunchTemplate.Version) != "3" || aws.ToString(ng.ReleaseVersion) != "1.35-2026.11.11" {
		t.Errorf("node group after: %+v %s", ng.LaunchTemplate, aws.ToString(ng.ReleaseVersion))
	}
}
