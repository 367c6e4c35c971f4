package autoscaling_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asg "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func TestDescribeDemoGroup(t *testing.T) {
	f := newFixture(t)
	g := f.describeGroup(t)
	if aws.ToString(g.LaunchTemplate.LaunchTemplateName) != world.WindowsNodesLaunchTemplate ||
		aws.ToString(g.LaunchTemplate.Version) != "1" || aws.ToInt32(g.DesiredCapacity) != 2 ||
		aws.ToInt32(g.MinSize) != 1 || aws.ToInt32(g.MaxSize) != 4 || len(g.Instances) != 2 ||
		!strings.HasPrefix(aws.ToString(g.AutoScalingGroupARN), "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:") ||
		!strings.HasSuffix(aws.ToString(g.AutoScalingGroupARN), ":autoScalingGroupName/"+group) || g.CreatedTime == nil {
		t.Fatalf("group %+v", g)
	}
	for _, in := range g.Instances {
		if in.LifecycleState != types.LifecycleStateInService || aws.ToString(in.HealthStatus) != "Healthy" ||
			aws.ToString(in.LaunchTemplate.LaunchTemplateId) != f.ltID {
			t.Errorf("instance %+v", in)
		}
	}
	tagged := false
	for _, tag := range g.Tags {
		if aws.ToString(tag.Key) == "kubernetes.io/cluster/"+world.DemoCluster && aws.ToString(tag.Value) == "owned" &&
			aws.ToString(tag.ResourceType) == "auto-scaling-group" && aws.ToBool(tag.PropagateAtLaunch) {
			tagged = true
		}
	}
	if !tagged {
		t.Errorf("no cluster tag in %+v", g.Tags)
	}
	// Each instance has its Windows node in the demo cluster.
	if amis := nodesOf(t, f, g); len(amis) != 2 {
		t.Errorf("AMIs %v", amis)
	}
}

func TestDescribeGroupsFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// A second group, outside any cluster, to page over.
	err := f.srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		other := *r.AutoScalingGroups[group]
		other.Name, other.Instances, other.Cluster = "batch", nil, ""
		other.Tags = map[string]string{"team": "batch"}
		r.AutoScalingGroups[other.Name] = &other
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := func(in *asg.DescribeAutoScalingGroupsInput) (string, *string) {
		t.Helper()
		out, err := f.client.DescribeAutoScalingGroups(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, g := range out.AutoScalingGroups {
			ns = append(ns, aws.ToString(g.AutoScalingGroupName))
		}
		return strings.Join(ns, ","), out.NextToken
	}
	if got, _ := names(&asg.DescribeAutoScalingGroupsInput{}); got != "batch,"+group {
		t.Errorf("all groups: %s", got)
	}
	if got, _ := names(&asg.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group, "missing"}}); got != group {
		t.Errorf("by name: %s", got)
	}
	byTag := &asg.DescribeAutoScalingGroupsInput{Filters: []types.Filter{{Name: aws.String("tag:kubernetes.io/cluster/demo"), Values: []string{"owned"}}}}
	if got, _ := names(byTag); got != group {
		t.Errorf("by cluster tag: %s", got)
	}
	if got, _ := names(&asg.DescribeAutoScalingGroupsInput{Filters: []types.Filter{{Name: aws.String("tag-value"), Values: []string{"batch"}}}}); got != "batch" {
		t.Errorf("by tag value: %s", got)
	}
	first, next := names(&asg.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(1)})
	if first != "batch" || next == nil {
		t.Fatalf("first page %s, token %v", first, next)
	}
	if second, end := names(&asg.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(1), NextToken: next}); second != group || end != nil {
		t.Errorf("second page %s, token %v", second, end)
	}
	for _, n := range []int32{0, 101} {
		_, err := f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(n)})
		sandboxtest.WantAPIError(t, err, "ValidationError", "")
	}
	noInstances, err := f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{
		AutoScalingGroupNames: []string{group}, IncludeInstances: aws.Bool(false)})
	if err != nil || len(noInstances.AutoScalingGroups) != 1 || len(noInstances.AutoScalingGroups[0].Instances) != 0 {
		t.Errorf("IncludeInstances false: %+v, %v", noInstances, err)
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("group-%d", i)
	}
	_, err = f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: many})
	sandboxtest.WantAPIError(t, err, "ValidationError", "")
	if _, err := f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: many, MaxRecords: aws.Int32(100)}); err != nil {
		t.Errorf("51 names with MaxRecords 100: %v", err)
	}
	_, err = f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{NextToken: aws.String("%%")})
	sandboxtest.WantAPIError(t, err, "InvalidNextToken", "")
	_, err = f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{Filters: []types.Filter{{Name: aws.String("instance-state")}}})
	sandboxtest.WantAPIError(t, err, "ValidationError", "")
	// Other regions have no groups.
	out, err := f.client.DescribeAutoScalingGroups(ctx, &asg.DescribeAutoScalingGroupsInput{}, func(o *asg.Options) { o.Region = "eu-west-1" })
	if err != nil || len(out.AutoScalingGroups) != 0 {
		t.Errorf("eu-west-1: %+v, %v", out, err)
	}
}

// TestQueryWire checks what the SDK cannot send: a missing required
// parameter, refused as AWS's query services refuse it, in their XML.
func TestQueryWire(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"Action": {"StartInstanceRefresh"}, "Version": {"2011-01-01"}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL()+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/autoscaling/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<Code>ValidationError</Code>") ||
		!strings.Contains(string(body), "autoScalingGroupName") || !strings.Contains(string(body), `xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
