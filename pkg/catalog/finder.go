package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/winami/winami/pkg/awsapi"
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

// limiter bounds the calls in flight in one region.
type limiter chan struct{}

func (f *Finder) newLimiter() limiter { return make(limiter, f.concurrency) }

// do runs fn once a slot is free, or returns the context's error.
func (l limiter) do(ctx context.Context, fn func() error) error {
	select {
	case l <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l }()
	return fn()
}

// eachRegion runs fn for every region concurrently. Each failure is wrapped
// so it names its region; failures are joined. Index i lets fn store results
// in region order without locking.
func eachRegion(ctx context.Context, regions []string, fn func(ctx context.Context, i int, region string) error) error {
	if len(regions) == 0 {
		return errors.New("no region given")
	}
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		if region == "" {
			errs[i] = errors.New("empty region name")
			continue
		}
		wg.Go(func() {
			if err := fn(ctx, i, region); err != nil {
				var named regional
				if errors.As(err, &named) && named.regionName() == region {
					errs[i] = err
				} else {
					errs[i] = &awsapi.RegionError{Region: region, Err: err}
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// getParameters fetches names (distinct) from SSM in batches of at most 10,
// concurrently within lim, and returns the value of each name that exists.
// Unknown names are simply absent: GetParameters lists them as invalid
// rather than failing.
func getParameters(ctx context.Context, client awsapi.SSMAPI, lim limiter, names []string) (map[string]string, error) {
	// The first failure cancels the other batches: they would most likely
	// fail the same way (permissions, endpoint) and only add noise.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		found    = make(map[string]string, len(names))
		firstErr error
		wg       sync.WaitGroup
	)
	for start := 0; start < len(names); start += maxGetParameters {
		batch := names[start:min(start+maxGetParameters, len(names))]
		wg.Go(func() {
			err := lim.do(ctx, func() error {
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
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return found, firstErr
}
