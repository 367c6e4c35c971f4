package sandbox_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

const scaleNodes = 10_000

// listAllNodes lists a cluster's nodes in pages of limit and returns their
// provider IDs' instance IDs and the number of pages.
func listAllNodes(t testing.TB, cs *kubernetes.Clientset, limit int64) (instanceIDs []string, pages int) {
	t.Helper()
	opts := metav1.ListOptions{Limit: limit}
	for {
		list, err := cs.CoreV1().Nodes().List(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, n := range list.Items {
			instanceIDs = append(instanceIDs, n.Spec.ProviderID[strings.LastIndexByte(n.Spec.ProviderID, '/')+1:])
		}
		if list.Continue == "" {
			return instanceIDs, pages
		}
		opts.Continue = list.Continue
	}
}

// describeInBatches describes instances 1000 IDs a call and counts them.
func describeInBatches(t testing.TB, c *ec2.Client, ids []string) int {
	t.Helper()
	n := 0
	for batch := range slices.Chunk(ids, 1000) {
		out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: batch})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Reservations {
			n += len(r.Instances)
		}
	}
	return n
}

// TestScaleCluster seeds --nodes 10000 and reads it back as winami drift
// would: every node in pages of 500, every instance 1000 IDs a call. The
// timings are logged (go test -v -run TestScaleCluster ./sandbox/).
func TestScaleCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds ten thousand nodes")
	}
	began := time.Now()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, ScaleNodes: scaleNodes})
	t.Logf("sandbox with %d scale nodes started in %s", scaleNodes, time.Since(began))

	clusters, err := eks.NewFromConfig(cfg).ListClusters(t.Context(), &eks.ListClustersInput{})
	if err != nil || !slices.Equal(clusters.Clusters, []string{"demo", "scale"}) {
		t.Fatalf("clusters %+v, %v", clusters, err)
	}
	groups, err := eks.NewFromConfig(cfg).ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("scale")})
	if err != nil || len(groups.Nodegroups) != scaleNodes/1000 {
		t.Fatalf("scale node groups %+v, %v", groups, err)
	}

	cs := sandboxtest.Kubernetes(t, cfg, world.ScaleCluster)
	began = time.Now()
	ids, pages := listAllNodes(t, cs, 500)
	t.Logf("listed %d nodes in %d pages of 500 in %s", len(ids), pages, time.Since(began))
	if len(ids) != scaleNodes || pages != scaleNodes/500 {
		t.Fatalf("%d nodes in %d pages", len(ids), pages)
	}
	unique := slices.Clone(ids)
	slices.Sort(unique)
	if len(slices.Compact(unique)) != scaleNodes {
		t.Fatal("nodes share instances")
	}

	c := ec2.NewFromConfig(cfg)
	began = time.Now()
	if n := describeInBatches(t, c, ids); n != scaleNodes {
		t.Fatalf("described %d instances", n)
	}
	t.Logf("described %d instances in 10 calls of 1000 IDs in %s", scaleNodes, time.Since(began))

	// The AMIs spread over the four releases, most on the newest.
	perAMI := map[string]int{}
	for batch := range slices.Chunk(ids, 1000) {
		out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: batch})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Reservations {
			perAMI[aws.ToString(r.Instances[0].ImageId)]++
		}
	}
	if len(perAMI) != 4 {
		t.Errorf("AMIs %v, want the four 2022 Core 1.35 releases", perAMI)
	}
	latest, err := ssm.NewFromConfig(cfg).GetParameter(t.Context(), &ssm.GetParameterInput{
		Name: aws.String("/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35/image_id"),
	})
	if err != nil || perAMI[aws.ToString(latest.Parameter.Value)] != scaleNodes*7/10 {
		t.Errorf("on the newest AMI: %v (%v)", perAMI, err)
	}
	all, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000)})
	if err != nil || len(all.Reservations) != 1000 || all.NextToken == nil {
		t.Errorf("a page of all instances: %d, %v", len(all.Reservations), err)
	}
	_ = srv
}

// TestScaleClusterIsNotSaved: the scale cluster is seeded beside the world,
// so a state file neither holds it nor pays for it on every change.
func TestScaleClusterIsNotSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, StatePath: path, ScaleNodes: 2000})
	c := ssm.NewFromConfig(cfg)
	began := time.Now()
	if _, err := c.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String("/team/x"), Value: aws.String("1"), Type: "String"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("a change with 2000 scale nodes took %s", time.Since(began))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"name":"scale"`) || !strings.Contains(string(data), `"name":"demo"`) {
		t.Error("the state file holds the scale cluster, or not the demo cluster")
	}
	// A failed change rolls the world back from its snapshot; the scale
	// cluster must survive that.
	_, err = c.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String("/aws/x"), Value: aws.String("1"), Type: "String"})
	if err == nil {
		t.Fatal("PutParameter under /aws succeeded")
	}
	out, err := eks.NewFromConfig(cfg).DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("scale")})
	if err != nil || aws.ToString(out.Cluster.Name) != "scale" {
		t.Errorf("scale cluster after a rollback: %v", err)
	}
	// A sandbox reopened from the file seeds the scale cluster again.
	// (A state file is one sandbox's at a time: the first stops first.)
	if err := first.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, cfg2 := sandboxtest.Start(t, sandbox.Options{Seed: 1, StatePath: path, ScaleNodes: 2000})
	ids, _ := listAllNodes(t, sandboxtest.Kubernetes(t, cfg2, "scale"), 500)
	if len(ids) != 2000 {
		t.Errorf("reopened: %d scale nodes", len(ids))
	}
}

func BenchmarkScaleListNodes(b *testing.B) {
	_, cfg := sandboxtest.Start(b, sandbox.Options{Seed: 1, ScaleNodes: scaleNodes})
	cs := sandboxtest.Kubernetes(b, cfg, world.ScaleCluster)
	for b.Loop() {
		listAllNodes(b, cs, 500)
	}
}

func BenchmarkScaleDescribeInstances(b *testing.B) {
	_, cfg := sandboxtest.Start(b, sandbox.Options{Seed: 1, ScaleNodes: scaleNodes})
	ids, _ := listAllNodes(b, sandboxtest.Kubernetes(b, cfg, world.ScaleCluster), 500)
	c := ec2.NewFromConfig(cfg)
	for b.Loop() {
		describeInBatches(b, c, ids)
	}
}
