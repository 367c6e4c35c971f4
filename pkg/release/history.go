package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"golang.org/x/sync/errgroup"
)

// Version is one version of a channel's parameter in one region.
type Version struct {
	Region  string    `json:"region"`
	Version int64     `json:"version"`
	AMI     string    `json:"ami"`
	Date    time.Time `json:"date"`
	User    string    `json:"user,omitempty"`
	Labels  []string  `json:"labels,omitempty"`
}

// History is a channel's versions in one region, oldest first; empty when
// the parameter does not exist there yet.
func (r *Runner) History(ctx context.Context, ch *Channel, region string) ([]Version, error) {
	var out []Version
	p := ssm.NewGetParameterHistoryPaginator(r.SSM(region), &ssm.GetParameterHistoryInput{
		Name: aws.String(ch.Parameter), MaxResults: aws.Int32(50),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var nf *types.ParameterNotFound
		if errors.As(err, &nf) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the history of %s in %s: %w", ch.Parameter, region, err)
		}
		for _, h := range page.Parameters {
			out = append(out, Version{
				Region: region, Version: h.Version, AMI: aws.ToString(h.Value),
				Date: aws.ToTime(h.LastModifiedDate), User: aws.ToString(h.LastModifiedUser), Labels: h.Labels,
			})
		}
	}
	slices.SortFunc(out, func(a, b Version) int { return int(a.Version - b.Version) })
	return out, nil
}

// Histories reads a channel's history in every region at once.
func (r *Runner) Histories(ctx context.Context, ch *Channel) (map[string][]Version, error) {
	out := map[string][]Version{}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.limit())
	for _, region := range r.regions() {
		g.Go(func() error {
			h, err := r.History(ctx, ch, region)
			mu.Lock()
			out[region] = h
			mu.Unlock()
			return err
		})
	}
	return out, g.Wait()
}

// current is a history's newest version, or false when it is empty.
func current(h []Version) (Version, bool) {
	if len(h) == 0 {
		return Version{}, false
	}
	return h[len(h)-1], true
}

// enteredAt is when the AMI last entered the channel: the date of the
// oldest version of the newest unbroken run of versions holding it.
func enteredAt(h []Version, ami string) (time.Time, bool) {
	var since time.Time
	found := false
	for i := len(h) - 1; i >= 0 && h[i].AMI == ami; i-- {
		since, found = h[i].Date, true
	}
	return since, found
}
