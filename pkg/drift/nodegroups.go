package drift

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
)

// readNodegroups reads the cluster's managed node groups: a list, then
// one DescribeNodegroup each, maxBatchesAtOnce at a time (EKS has no batch
// read).
func readNodegroups(ctx context.Context, api awsapi.EKSAPI, cluster string, c *calls) ([]Nodegroup, error) {
	var names []string
	in := &eks.ListNodegroupsInput{ClusterName: aws.String(cluster)}
	for {
		page, err := api.ListNodegroups(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing the node groups of %s: %w", cluster, err)
		}
		c.add("ListNodegroups")
		names = append(names, page.Nodegroups...)
		if aws.ToString(page.NextToken) == "" {
			break
		}
		in.NextToken = page.NextToken
	}
	groups := make([]Nodegroup, len(names))
	// Every group is needed: the first failure cancels the other reads.
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(maxBatchesAtOnce)
	for i, name := range names {
		eg.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err // another group failed
			}
			out, err := api.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
			if err != nil {
				return fmt.Errorf("describing node group %s: %w", name, err)
			}
			c.add("DescribeNodegroup")
			ng := out.Nodegroup
			g := Nodegroup{Name: name, AMIType: string(ng.AmiType), ReleaseVersion: aws.ToString(ng.ReleaseVersion), Version: aws.ToString(ng.Version)}
			g.Windows = strings.HasPrefix(g.AMIType, "WINDOWS_")
			if lt := ng.LaunchTemplate; lt != nil {
				g.LaunchTemplate = aws.ToString(lt.Name)
				if g.LaunchTemplate == "" {
					g.LaunchTemplate = aws.ToString(lt.Id)
				}
				if v := aws.ToString(lt.Version); v != "" {
					g.LaunchTemplate += ":" + v
				}
			}
			groups[i] = g
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return groups, nil
}

// judgeNodegroups says which Windows groups are behind, and keeps them.
func (r *Report) judgeNodegroups(groups []Nodegroup) {
	drifted := map[string]int{}
	for _, n := range r.Nodes {
		if n.Owner.Kind == ownerNodegroup && n.Drifted() {
			drifted[n.Owner.Name]++
		}
	}
	for i := range groups {
		g := &groups[i]
		if !g.Windows {
			continue
		}
		var why []string
		if k := drifted[g.Name]; k > 0 {
			why = append(why, fmt.Sprintf("%d of its nodes drifted", k))
		}
		if want := r.latestFor(g.AMIType); want != "" && g.ReleaseVersion != "" && g.ReleaseVersion != want {
			why = append(why, fmt.Sprintf("release %s, newest %s", g.ReleaseVersion, want))
		}
		g.Behind = strings.Join(why, "; ")
	}
	slices.SortFunc(groups, func(a, b Nodegroup) int { return strings.Compare(a.Name, b.Name) })
	r.Nodegroups = groups
}

// latestFor is the newest release version for a node group's AMI type
// (WINDOWS_CORE_2022_x86_64) in --latest mode, or "".
func (r *Report) latestFor(amiType string) string {
	parts := strings.Split(amiType, "_") // WINDOWS CORE 2022 x86 64
	if r.Desired.Mode != "latest" || len(parts) < 3 {
		return ""
	}
	edition := strings.ToUpper(parts[1][:1]) + strings.ToLower(parts[1][1:])
	for name, rel := range r.Desired.Latest {
		if strings.HasPrefix(name, "Windows Server "+parts[2]+" "+edition+",") {
			return rel.ReleaseVersion
		}
	}
	return ""
}
