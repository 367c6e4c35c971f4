package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
)

// listPageSize is ListClusters' maxResults: EKS's largest page.
const listPageSize = 100

// discover lists the clusters of every (profile, region), at most limit
// listings at once. A listing that fails is a row (no cluster name) with
// its reason; with names, a name found nowhere is a row too.
func (rn *Runner) discover(ctx context.Context, profiles, regions, names []string, limit int) ([]Target, []Row) {
	var (
		mu      sync.Mutex
		targets []Target
		failed  []Row
	)
	var g errgroup.Group
	g.SetLimit(limit)
	for _, p := range profiles {
		for _, region := range regions {
			g.Go(func() error {
				found, err := listClusters(ctx, rn.EKS(p, region))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed = append(failed, Row{Profile: p, Region: region, Status: StatusError,
						Reason: "listing the clusters: " + Reason(err)})
					return nil
				}
				for _, name := range found {
					if len(names) == 0 || slices.Contains(names, name) {
						targets = append(targets, Target{Profile: p, Region: region, Cluster: name})
					}
				}
				return nil
			})
		}
	}
	_ = g.Wait()
	for _, name := range names {
		if !slices.ContainsFunc(targets, func(t Target) bool { return t.Cluster == name }) {
			failed = append(failed, Row{Cluster: name, Status: StatusError,
				Reason: fmt.Sprintf("no cluster %s in %s%s", name, strings.Join(regions, ", "), profileWords(profiles))})
		}
	}
	return targets, failed
}

func profileWords(profiles []string) string {
	if len(profiles) == 1 && profiles[0] == "" {
		return ""
	}
	named := slices.Clone(profiles)
	for i, p := range named {
		if p == "" {
			named[i] = "(default)"
		}
	}
	return " (profiles " + strings.Join(named, ", ") + ")"
}

// listClusters is every cluster name of the region, page by page.
func listClusters(ctx context.Context, api awsapi.EKSAPI) ([]string, error) {
	var names []string
	pages := eks.NewListClustersPaginator(api, &eks.ListClustersInput{MaxResults: aws.Int32(listPageSize)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		names = append(names, page.Clusters...)
	}
	return names, nil
}

// apiError is err's AWS error code and message, and the service call that
// got it ("EKS DescribeCluster").
func apiError(err error) (code, msg, op string, ok bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", "", "", false
	}
	op = "AWS"
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.Service() + " " + oe.Operation()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), op, true
}
