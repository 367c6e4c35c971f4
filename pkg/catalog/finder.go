package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/winami/winami/pkg/awsapi"
	"golang.org/x/sync/errgroup"
)

// maxGetParameters is the most names SSM GetParameters accepts in one call.
const maxGetParameters = 10

// Finder finds EKS optimized Windows AMIs in one or more regions. Regions are
// always queried concurrently; within a region at most Concurrency calls are
// in flight.
//
// It takes client factories rather than clients so one Finder serves every
// region. Point it at real SDK clients with NewFinderFromClients; to count the
// calls it makes (benchmarks), build those clients from an awsapi.Options
// with a Counter, which sees every call of every client.
type Finder struct {
	ssm         func(region string) awsapi.SSMAPI
	ec2         func(region string) awsapi.EC2API
	concurrency int
	kubeMin     int
	kubeMax     int
}

// Option configures a Finder.
type Option func(*Finder)

// WithConcurrency sets the calls in flight per region (default 10; n < 1 means 1).
func WithConcurrency(n int) Option {
	return func(f *Finder) { f.concurrency = max(n, 1) }
}

// WithKubernetesRange sets the Kubernetes minor versions probed by Matrix and
// by the not-published explanation (default 1.23..1.40).
func WithKubernetesRange(minMinor, maxMinor int) Option {
	return func(f *Finder) { f.kubeMin, f.kubeMax = minMinor, maxMinor }
}

// NewFinder returns a Finder that gets each region's clients from ssmFor and ec2For.
func NewFinder(ssmFor func(region string) awsapi.SSMAPI, ec2For func(region string) awsapi.EC2API, opts ...Option) *Finder {
	f := &Finder{
		ssm:         ssmFor,
		ec2:         ec2For,
		concurrency: 10,
		kubeMin:     DefaultMinKubernetesMinor,
		kubeMax:     DefaultMaxKubernetesMinor,
	}
	for _, o := range opts {
		o(f)
	}
	return f
}

// NewFinderFromClients returns a Finder over the SDK clients of c.
func NewFinderFromClients(c *awsapi.Clients, opts ...Option) *Finder {
	return NewFinder(c.SSM, c.EC2, opts...)
}

// maxRegionsAtOnce bounds the regions read at once: each region has its
// own calls in flight (Finder.concurrency), and an all-regions command
// would otherwise open that many connections to every region together.
const maxRegionsAtOnce = 16

// eachRegion runs fn for every region, maxRegionsAtOnce at a time. A
// region's failure does not stop the others: commands report the regions
// that answered and name those that did not. Each failure is wrapped so it
// names its region; failures are joined. Index i lets fn store results in
// region order without locking.
func eachRegion(ctx context.Context, regions []string, fn func(ctx context.Context, i int, region string) error) error {
	if len(regions) == 0 {
		return errors.New("no region given")
	}
	errs := make([]error, len(regions))
	var g errgroup.Group
	g.SetLimit(maxRegionsAtOnce)
	for i, region := range regions {
		if region == "" {
			errs[i] = errors.New("empty region name")
			continue
		}
		g.Go(func() error {
			if err := fn(ctx, i, region); err != nil {
				if NamesRegion(err, region) {
					errs[i] = err
				} else {
					errs[i] = &awsapi.RegionError{Region: region, Err: err}
				}
			}
			return nil // kept in errs: the other regions go on
		})
	}
	_ = g.Wait()
	return errors.Join(errs...)
}

// getParameters fetches names (distinct) from SSM in batches of at most 10,
// at most limit batches at once, and returns the value of each name that
// exists. Unknown names are simply absent: GetParameters lists them as
// invalid rather than failing.
func getParameters(ctx context.Context, client awsapi.SSMAPI, limit int, names []string) (map[string]string, error) {
	// The first failure cancels the other batches: they would most likely
	// fail the same way (permissions, endpoint) and only add noise.
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	var (
		mu    sync.Mutex
		found = make(map[string]string, len(names))
	)
	for start := 0; start < len(names); start += maxGetParameters {
		batch := names[start:min(start+maxGetParameters, len(names))]
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err // a batch failed while this one waited for a slot
			}
			out, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: batch})
			if err != nil {
				return fmt.Errorf("reading SSM parameters %s and %d more: %w", batch[0], len(batch)-1, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, p := range out.Parameters {
				found[aws.ToString(p.Name)] = aws.ToString(p.Value)
			}
			return nil
		})
	}
	err := g.Wait()
	return found, err
}
