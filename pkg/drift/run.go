package drift

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
)

// Sources are where a run reads from.
type Sources struct {
	Nodes NodeLister
	// ServerVersion is the API server's version (GET /version).
	ServerVersion func(ctx context.Context) (string, error)
	EC2           func(region string) awsapi.EC2API
	// SSM reads image cache records that did not fit a tag (optional).
	SSM func(region string) awsapi.SSMAPI
	// Finder answers the newest EKS releases (needed with Latest).
	Finder *catalog.Finder
	// EKS reads the cluster's node groups (optional; with Cluster).
	EKS awsapi.EKSAPI
	// Lookups, when set, shares the desired state's lookups with the other
	// clusters read with the same account (a fleet); nil makes each.
	Lookups *Lookups
}

// Options say what to compare the nodes with.
type Options struct {
	Cluster string
	// Region is where the instances are; empty: the nodes' zones say.
	Region string
	// One of DesiredAMI, Spec (the newest AMI that spec built) or Latest;
	// none means what most nodes run.
	DesiredAMI string
	Spec       string
	Latest     bool
	// Channel is a release channel (its name and SSM parameter): the AMI
	// it holds in the cluster's region is the desired one.
	Channel *Channel
	// PageLimit is the node list page size (0: 500).
	PageLimit int64
}

// Mode is the desired state the options name, the first of: "ami"
// (DesiredAMI), "spec", "channel", "latest", else "majority" (what most
// nodes run).
func (o Options) Mode() string {
	switch {
	case o.DesiredAMI != "":
		return "ami"
	case o.Spec != "":
		return "spec"
	case o.Channel != nil:
		return "channel"
	case o.Latest:
		return "latest"
	}
	return "majority"
}

// Run makes one report.
func Run(ctx context.Context, src Sources, opts Options) (*Report, error) {
	c := &calls{m: map[string]int{}}
	r := &Report{Cluster: opts.Cluster, Region: opts.Region, Nodes: []Node{}, Groups: []Group{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // a failure below stops the reads under way
	// The control plane's version and the node groups are read while the
	// nodes are: none needs the others, and each is a round trip (or a
	// chain of them) that a cluster's report would otherwise wait for in
	// turn.
	version := readServerVersion(ctx, src.ServerVersion)
	var groupsRead chan nodegroupsRead
	if src.EKS != nil && opts.Cluster != "" {
		groupsRead = make(chan nodegroupsRead, 1)
		go func() {
			groups, err := readNodegroups(ctx, src.EKS, opts.Cluster, c)
			groupsRead <- nodegroupsRead{groups, err}
		}()
	}
	limit := opts.PageLimit
	if limit <= 0 {
		limit = defaultNodeListPageLimit
	}
	// Instances are looked up while the nodes are still being listed; the
	// first node with a zone tells the region when --region does not.
	var fetch *instanceFetcher
	nodes, err := listWindowsNodes(ctx, src.Nodes, limit, c, func(n *Node) bool {
		if fetch == nil {
			if r.Region == "" {
				r.Region = regionOfZone(n.Zone)
			}
			if r.Region == "" {
				return false
			}
			fetch = newInstanceFetcher(ctx, src.EC2(r.Region), c)
		}
		fetch.add(n.InstanceID)
		return true
	})
	insts := map[string]instance{}
	var ferr error
	if fetch != nil {
		insts, ferr = fetch.wait()
	}
	if err != nil {
		// An API server that cannot be reached fails both reads: its
		// version's error is the one a report has always named.
		cancel()
		if _, verr := version(); verr != nil && !errors.Is(verr, context.Canceled) {
			return nil, verr
		}
		return nil, err
	}
	if r.ControlPlane, err = version(); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	if r.Region == "" && len(nodes) > 0 {
		return nil, errors.New("cannot tell the nodes' region from their providerIDs: pass --region")
	}
	api := src.EC2(r.Region)
	r.Nodes = nodes
	if err := r.attachInstances(ctx, api, insts, opts, src, c); err != nil {
		return nil, err
	}
	analyze(r)
	if groupsRead != nil {
		read := <-groupsRead
		if read.err != nil {
			return nil, read.err
		}
		r.judgeNodegroups(read.groups)
	}
	r.Calls = c.m
	return r, nil
}

// readServerVersion starts reading the API server's version (GET /version)
// and returns the wait for it; with no reader, the version is "".
func readServerVersion(ctx context.Context, read func(context.Context) (string, error)) func() (string, error) {
	if read == nil {
		return func() (string, error) { return "", nil }
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read(ctx)
		done <- result{v, err}
	}()
	return sync.OnceValues(func() (string, error) {
		res := <-done
		if res.err != nil {
			return "", fmt.Errorf("reading the control plane's version: %w", explainKube(res.err))
		}
		return res.v, nil
	})
}

// nodegroupsRead is what readNodegroups returned.
type nodegroupsRead struct {
	groups []Nodegroup
	err    error
}

// attachInstances fills each node's instance and AMI, and the desired state.
func (r *Report) attachInstances(ctx context.Context, api awsapi.EC2API, insts map[string]instance, opts Options, src Sources, c *calls) error {
	amis := []string{}
	for i := range r.Nodes {
		n := &r.Nodes[i]
		if inst, ok := insts[n.InstanceID]; ok {
			n.AMI, n.LaunchTime, n.LaunchTemplate = inst.ami, inst.launchTime, inst.launchTemplate
			amis = append(amis, inst.ami)
		}
	}
	r.Desired = Desired{Mode: opts.Mode()}
	switch r.Desired.Mode {
	case "ami":
		r.Desired.AMI = opts.DesiredAMI
	case "spec":
		found, err := src.Lookups.do(ctx, "spec\x00"+r.Region+"\x00"+opts.Spec, func(ctx context.Context) (LatestRelease, error) {
			ami, err := newestSpecAMI(ctx, api, opts.Spec, r.Region)
			return LatestRelease{AMI: ami}, err
		})
		if err != nil {
			return err
		}
		r.Desired.AMI = found.AMI
	case "channel":
		found, err := src.Lookups.do(ctx, "channel\x00"+r.Region+"\x00"+opts.Channel.Parameter, func(ctx context.Context) (LatestRelease, error) {
			ami, err := channelAMI(ctx, src.SSM, *opts.Channel, r.Region)
			return LatestRelease{AMI: ami}, err
		})
		if err != nil {
			return err
		}
		r.Desired.AMI, r.Desired.Channel = found.AMI, opts.Channel.Name
	case "latest":
		r.Desired.Latest = map[string]LatestRelease{}
	}
	if r.Desired.AMI != "" {
		amis = append(amis, r.Desired.AMI)
	}
	slices.Sort(amis)
	amis = slices.Compact(amis)
	images, err := describeImages(ctx, api, amis, c)
	if err != nil {
		return err
	}
	if a := r.Desired.AMI; a != "" && images[a].name == "" {
		return fmt.Errorf("the desired AMI %s is not in %s (or not visible to this account)", a, r.Region)
	}
	records := r.cacheRecords(ctx, src, images)
	for i := range r.Nodes {
		n := &r.Nodes[i]
		im, ok := images[n.AMI]
		if !ok {
			continue
		}
		n.AMIName, n.ReleaseVersion, n.WinamiSpec, n.CachedImages = im.name, im.release, im.spec, records[n.AMI]
		n.AMICreated = im.created
		if im.spec != "" {
			n.WinamiKubernetes, n.WinamiOSBuild = im.tags[amimeta.TagKubernetes], im.osBuild
		}
	}
	if r.Desired.Mode == "latest" {
		return r.resolveLatest(ctx, src.Finder, src.Lookups, images)
	}
	return nil
}

// cacheRecords reads the images each winami-built AMI caches, once per AMI.
func (r *Report) cacheRecords(ctx context.Context, src Sources, images map[string]image) map[string][]string {
	out := map[string][]string{}
	for id, im := range images {
		if _, ok := im.tags[amimeta.TagCache]; !ok {
			continue
		}
		var ssmAPI awsapi.SSMAPI
		if src.SSM != nil {
			ssmAPI = src.SSM(r.Region)
		}
		if ssmAPI == nil && strings.HasPrefix(im.tags[amimeta.TagCache], "ssm:") {
			continue
		}
		cached, err := amimeta.ReadCacheRecord(ctx, ssmAPI, im.tags)
		if err != nil {
			continue // the record is a nicety; the report stands without it
		}
		for _, c := range cached {
			out[id] = append(out[id], c.String())
		}
	}
	return out
}

// resolveLatest finds the newest EKS release of each node's (Windows,
// edition) at the cluster's Kubernetes version: one SSM call per key.
func (r *Report) resolveLatest(ctx context.Context, finder *catalog.Finder, lookups *Lookups, images map[string]image) error {
	if finder == nil {
		return errors.New("--latest needs the AMI catalog")
	}
	kubernetes := ""
	if m, ok := minorOf(r.ControlPlane); ok {
		kubernetes = fmt.Sprintf("1.%d", m)
	}
	keys := map[string]eksami.Key{}
	for i := range r.Nodes {
		n := &r.Nodes[i]
		key, ok := keyOf(images[n.AMI], kubernetes)
		if !ok {
			continue
		}
		n.latestKey = key.String()
		keys[key.String()] = key
	}
	// Every key is needed: the first failure cancels the other lookups.
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(maxLatestAtOnce)
	var mu sync.Mutex
	for name, key := range keys {
		g.Go(func() error {
			rel, err := lookups.do(ctx, "latest\x00"+r.Region+"\x00"+name, func(ctx context.Context) (LatestRelease, error) {
				rs, err := finder.Latest(ctx, key, []string{r.Region})
				if err != nil {
					return LatestRelease{}, err
				}
				return LatestRelease{AMI: rs[0].AMIID, ReleaseVersion: rs[0].ReleaseVersion, ReleaseDate: rs[0].ReleaseDate}, nil
			})
			if err != nil {
				return fmt.Errorf("the newest release of %s: %w", name, err)
			}
			mu.Lock()
			defer mu.Unlock()
			r.Desired.Latest[name] = rel
			return nil
		})
	}
	return g.Wait()
}

// maxLatestAtOnce bounds the release lookups in flight; a cluster has a
// handful of (Windows, edition) keys at most.
const maxLatestAtOnce = 4

// Channel names a release channel and its SSM parameter.
type Channel struct{ Name, Parameter string }

// channelAMI is the AMI a release channel holds in a region.
func channelAMI(ctx context.Context, ssmFor func(string) awsapi.SSMAPI, ch Channel, region string) (string, error) {
	if ssmFor == nil {
		return "", fmt.Errorf("release channel %s: no SSM client", ch.Name)
	}
	out, err := ssmFor(region).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(ch.Parameter)})
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return "", fmt.Errorf("release channel %s holds no AMI in %s (%s does not exist there): promote a build to it first, or compare with another channel", ch.Name, region, ch.Parameter)
	}
	if err != nil {
		return "", fmt.Errorf("reading release channel %s (%s) in %s: %w", ch.Name, ch.Parameter, region, err)
	}
	if out.Parameter == nil {
		return "", awsapi.Incomplete("SSM GetParameter", "Parameter")
	}
	return aws.ToString(out.Parameter.Value), nil
}

// newestSpecAMI is the ID of NewestSpecImage, an error when there is none.
func newestSpecAMI(ctx context.Context, api awsapi.EC2API, spec, region string) (string, error) {
	img, err := NewestSpecImage(ctx, api, spec)
	if err != nil {
		return "", err
	}
	if img == nil {
		return "", fmt.Errorf("spec %s has built no AMI in %s: winami build -f <spec> --wait", spec, region)
	}
	return aws.ToString(img.ImageId), nil
}

// NewestSpecImage is the newest available AMI a winami spec built in api's
// region (winami tags its AMIs winami:spec), nil when it built none: the
// desired AMI of drift --spec, and the last build an upgrade check compares
// base.windows with.
func NewestSpecImage(ctx context.Context, api awsapi.EC2API, spec string) (*ec2types.Image, error) {
	out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners: []string{"self"},
		Filters: []ec2types.Filter{
			{Name: aws.String("tag:" + amimeta.TagSpec), Values: []string{spec}},
			{Name: aws.String("state"), Values: []string{"available"}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("finding the AMIs of spec %s: %w", spec, err)
	}
	var newest *ec2types.Image
	for i, img := range out.Images {
		if newest == nil || aws.ToString(img.CreationDate) > aws.ToString(newest.CreationDate) {
			newest = &out.Images[i]
		}
	}
	return newest, nil
}
