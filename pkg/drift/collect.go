package drift

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodeLister lists nodes: client-go's CoreV1().Nodes() is one.
type NodeLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error)
}

// calls counts the API calls of one run, safely from many goroutines.
type calls struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *calls) add(kind string) {
	c.mu.Lock()
	c.m[kind]++
	c.mu.Unlock()
}

// listWindowsNodes pages through the Windows nodes, keeping only what the
// report needs of each, so memory holds one page of full objects at a time;
// each node with an instance is handed to instance as it arrives (which
// reports false when it cannot take it yet).
func listWindowsNodes(ctx context.Context, api NodeLister, pageLimit int64, c *calls, instance func(*Node) bool) ([]Node, error) {
	var out []Node
	var pending []int
	opts := metav1.ListOptions{LabelSelector: windowsSelector, Limit: pageLimit}
	for {
		page, err := api.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the Windows nodes: %w", explainKube(err))
		}
		c.add("nodeListPages")
		for i := range page.Items {
			n := nodeOf(&page.Items[i])
			out = append(out, n)
			if n.InstanceID != "" && !instance(&n) {
				pending = append(pending, len(out)-1)
			}
		}
		// Nodes seen before the region was known.
		for len(pending) > 0 && instance(&out[pending[0]]) {
			pending = pending[1:]
		}
		if page.Continue == "" {
			return out, nil
		}
		opts.Continue = page.Continue
	}
}

// nodeOf keeps what the report needs of a node.
func nodeOf(n *corev1.Node) Node {
	info := n.Status.NodeInfo
	out := Node{
		Name: n.Name, KubeletVersion: info.KubeletVersion, ContainerRuntime: info.ContainerRuntimeVersion,
		OSImage: info.OSImage, KernelVersion: info.KernelVersion, WindowsBuild: n.Labels[labelWindowsBuild],
		Created: n.CreationTimestamp.Time, Owner: Owner{Kind: ownerSelfManaged},
	}
	switch {
	case n.Labels[labelNodegroup] != "":
		out.Owner = Owner{Kind: ownerNodegroup, Name: n.Labels[labelNodegroup]}
	case n.Labels[labelNodepool] != "":
		out.Owner = Owner{Kind: ownerNodepool, Name: n.Labels[labelNodepool]}
	}
	out.Zone, out.InstanceID = ParseProviderID(n.Spec.ProviderID)
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Ready = c.Status == corev1.ConditionTrue
		}
	}
	return out
}

// ParseProviderID reads "aws:///<zone>/<instance-id>" (the AWS cloud
// provider's form); anything else gives empty strings.
func ParseProviderID(id string) (zone, instance string) {
	rest, ok := strings.CutPrefix(id, "aws:///")
	if !ok {
		return "", ""
	}
	zone, instance, ok = strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix(instance, "i-") {
		return "", ""
	}
	return zone, instance
}

// regionOfZone is a zone's region: us-east-1a is in us-east-1; Local and
// Wavelength zones (us-east-1-bos-1a) too.
func regionOfZone(zone string) string {
	parts := strings.Split(zone, "-")
	if len(parts) < 3 {
		return ""
	}
	third := parts[2]
	for i, r := range third {
		if r < '0' || r > '9' {
			return strings.Join(append(parts[:2:2], third[:i]), "-")
		}
	}
	return strings.Join(parts[:3], "-")
}

// instance is what drift needs of an EC2 instance.
type instance struct {
	ami            string
	launchTime     time.Time
	launchTemplate string
}

// maxBatchesAtOnce bounds the Describe calls in flight in one run.
const maxBatchesAtOnce = 4

// instanceFetcher looks instances up in batches of up to 1000 IDs while
// the node list is still being paged, at most maxBatchesAtOnce batches at
// once. The first failure cancels the batches in flight: the report needs
// every instance, so the run fails anyway.
type instanceFetcher struct {
	api  awsapi.EC2API
	c    *calls
	g    *errgroup.Group
	ctx  context.Context
	mu   sync.Mutex
	out  map[string]instance
	next []string
}

func newInstanceFetcher(ctx context.Context, api awsapi.EC2API, c *calls) *instanceFetcher {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(maxBatchesAtOnce)
	return &instanceFetcher{api: api, c: c, g: g, ctx: ctx, out: map[string]instance{}}
}

// add queues IDs and starts a batch whenever 1000 are queued; it waits
// while maxBatchesAtOnce batches are in flight.
func (f *instanceFetcher) add(ids ...string) {
	f.next = append(f.next, ids...)
	for len(f.next) >= awsapi.MaxInstanceIDs {
		f.start(f.next[:awsapi.MaxInstanceIDs])
		f.next = f.next[awsapi.MaxInstanceIDs:]
	}
}

func (f *instanceFetcher) start(batch []string) {
	batch = slices.Clone(batch)
	f.g.Go(func() error {
		if err := f.ctx.Err(); err != nil {
			return err // an earlier batch failed
		}
		found, err := describeInstanceBatch(f.ctx, f.api, batch, f.c)
		if err != nil {
			return err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		maps.Copy(f.out, found)
		return nil
	})
}

// wait starts the last batch and returns every instance found.
func (f *instanceFetcher) wait() (map[string]instance, error) {
	if len(f.next) > 0 {
		f.start(f.next)
		f.next = nil
	}
	if err := f.g.Wait(); err != nil {
		return nil, err
	}
	return f.out, nil
}

// describeInstanceBatch reads one batch by instance ID (EC2 takes 1000 IDs
// a call, but only 200 filter values); IDs EC2 no longer knows (a node of
// an instance terminated long ago) are simply not found.
func describeInstanceBatch(ctx context.Context, api awsapi.EC2API, ids []string, c *calls) (map[string]instance, error) {
	out := map[string]instance{}
	err := awsapi.InstancesByID(ctx, api, ids, func() { c.add("DescribeInstances") }, func(i ec2types.Instance) {
		out[aws.ToString(i.InstanceId)] = instanceOf(i)
	})
	if err != nil {
		return nil, fmt.Errorf("describing instances: %w", err)
	}
	return out, nil
}

func instanceOf(i ec2types.Instance) instance {
	inst := instance{ami: aws.ToString(i.ImageId), launchTime: aws.ToTime(i.LaunchTime)}
	var id, version string
	for _, t := range i.Tags {
		switch aws.ToString(t.Key) {
		case "aws:ec2launchtemplate:id":
			id = aws.ToString(t.Value)
		case "aws:ec2launchtemplate:version":
			version = aws.ToString(t.Value)
		}
	}
	if id != "" {
		inst.launchTemplate = id + ":" + version
	}
	return inst
}

// image is what drift needs of an AMI.
type image struct {
	name, release, spec, osBuild string
	tags                         map[string]string
	// created is the AMI's creation date (zero when EC2 gave none).
	created time.Time
}

// describeImages reads the AMIs in batches of as many IDs as one filter
// takes.
func describeImages(ctx context.Context, api awsapi.EC2API, ids []string, c *calls) (map[string]image, error) {
	out := map[string]image{}
	var mu sync.Mutex
	err := inBatches(ctx, ids, awsapi.MaxFilterValues, func(ctx context.Context, batch []string) error {
		// A filter rather than ImageIds: a deregistered AMI of an old node
		// must not fail the whole call with InvalidAMIID.NotFound.
		// Deprecated AMIs too: nodes keep running them, and a filter (not
		// ImageIds) would leave them out.
		page, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{
			Filters: []ec2types.Filter{{Name: aws.String("image-id"), Values: batch}}, IncludeDeprecated: aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("describing AMIs: %w", err)
		}
		c.add("DescribeImages")
		mu.Lock()
		defer mu.Unlock()
		for _, img := range page.Images {
			im := image{name: aws.ToString(img.Name), tags: map[string]string{}}
			for _, t := range img.Tags {
				im.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			im.spec, im.osBuild = im.tags[amimeta.TagSpec], im.tags[amimeta.TagOSBuild]
			im.release = releaseOf(im.name)
			im.created, _ = time.Parse(time.RFC3339, aws.ToString(img.CreationDate))
			out[aws.ToString(img.ImageId)] = im
		}
		return nil
	})
	return out, err
}

// inBatches runs fn over batches of ids, at most maxBatchesAtOnce at once,
// and returns the first error; it cancels the other batches, whose results
// are then of no use.
func inBatches(ctx context.Context, ids []string, size int, fn func(context.Context, []string) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(maxBatchesAtOnce)
	for start := 0; start < len(ids); start += size {
		batch := ids[start:min(start+size, len(ids))]
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err // an earlier batch failed
			}
			return fn(ctx, batch)
		})
	}
	return g.Wait()
}
