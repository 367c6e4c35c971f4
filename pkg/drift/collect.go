package drift

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodeLister lists nodes: client-go's CoreV1().Nodes() is one.
type NodeLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error)
}

// EC2API is the part of EC2 drift needs, with the SDK's signatures.
type EC2API interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
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
// report needs of each, so memory holds one page of full objects at a time.
func listWindowsNodes(ctx context.Context, api NodeLister, pageLimit int64, c *calls) ([]Node, error) {
	var out []Node
	opts := metav1.ListOptions{LabelSelector: windowsSelector, Limit: pageLimit}
	for {
		page, err := api.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the Windows nodes: %w", err)
		}
		c.add("nodeListPages")
		for i := range page.Items {
			out = append(out, nodeOf(&page.Items[i]))
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
	out.Zone, out.InstanceID = parseProviderID(n.Spec.ProviderID)
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Ready = c.Status == corev1.ConditionTrue
		}
	}
	return out
}

// parseProviderID reads "aws:///<zone>/<instance-id>" (the AWS cloud
// provider's form); anything else gives empty strings.
func parseProviderID(id string) (zone, instance string) {
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

// describeInstances reads the instances in batches of up to 1000 IDs, a
// few batches at once.
func describeInstances(ctx context.Context, api EC2API, ids []string, c *calls) (map[string]instance, error) {
	out := map[string]instance{}
	var mu sync.Mutex
	err := inBatches(ctx, ids, describeInstancesBatch, func(ctx context.Context, batch []string) error {
		in := &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: batch}}}
		for {
			page, err := api.DescribeInstances(ctx, in)
			if err != nil {
				return fmt.Errorf("describing instances: %w", err)
			}
			c.add("DescribeInstances")
			mu.Lock()
			for _, r := range page.Reservations {
				for _, i := range r.Instances {
					inst := instance{ami: aws.ToString(i.ImageId), launchTime: aws.ToTime(i.LaunchTime)}
					for _, t := range i.Tags {
						switch aws.ToString(t.Key) {
						case "aws:ec2launchtemplate:id":
							inst.launchTemplate = aws.ToString(t.Value) + inst.launchTemplate
						case "aws:ec2launchtemplate:version":
							inst.launchTemplate += ":" + aws.ToString(t.Value)
						}
					}
					out[aws.ToString(i.InstanceId)] = inst
				}
			}
			mu.Unlock()
			if aws.ToString(page.NextToken) == "" {
				return nil
			}
			in.NextToken = page.NextToken
		}
	})
	return out, err
}

// image is what drift needs of an AMI.
type image struct {
	name, release, spec, osBuild string
	tags                         map[string]string
}

// describeImages reads the AMIs in batches of 100 IDs.
func describeImages(ctx context.Context, api EC2API, ids []string, c *calls) (map[string]image, error) {
	out := map[string]image{}
	var mu sync.Mutex
	err := inBatches(ctx, ids, describeImagesBatch, func(ctx context.Context, batch []string) error {
		// A filter rather than ImageIds: a deregistered AMI of an old node
		// must not fail the whole call with InvalidAMIID.NotFound.
		page, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("image-id"), Values: batch}}})
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
			im.spec, im.osBuild = im.tags["winami:spec"], im.tags["winami:os-build"]
			im.release = releaseOf(im.name)
			out[aws.ToString(img.ImageId)] = im
		}
		return nil
	})
	return out, err
}

// inBatches runs fn over batches of ids, at most four at once, and
// returns the first error.
func inBatches(ctx context.Context, ids []string, size int, fn func(context.Context, []string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for start := 0; start < len(ids); start += size {
		batch := ids[start:min(start+size, len(ids))]
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, batch); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	return first
}
