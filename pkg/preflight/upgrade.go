package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
)

// IDClusterWorkloads is the check, with --cluster, that the cluster's
// Windows workloads run on the spec's Windows version when it differs
// from the last build's.
const IDClusterWorkloads = "cluster-workloads"

// clusterWorkloads runs the upgrade check (images.CheckUpgrade) when the
// caller named a cluster; no line otherwise.
func (r *runner) clusterWorkloads(ctx context.Context) []Check {
	if r.deps.ClusterImages == nil {
		return nil
	}
	c := Check{ID: IDClusterWorkloads, Title: "the cluster's Windows workloads run on base.windows"}
	u, err := images.CheckUpgrade(ctx, r.deps.EC2(r.spec.Region), r.spec, r.deps.ClusterImages)
	if err != nil {
		c.Status, c.Detail = Fail, awsapi.Explain(err).Error()
		c.Fix = "check the cluster name and that you may list its nodes and pods (winami images check --cluster NAME --windows " + r.spec.Base.Windows + ")"
		if !u.Changes() {
			// The spec's last build could not be read: the cluster was not.
			c.Fix = "allow ec2:DescribeImages on the spec's AMIs (the last build's Windows version is read from its winami:windows tag)"
		}
		return []Check{c}
	}
	problems := u.Problems()
	if len(problems) == 0 {
		c.Status, c.Detail = Pass, u.Summary()
		return []Check{c}
	}
	c.Status = Fail
	c.Detail = fmt.Sprintf("%s: %s", u.Summary(), strings.Join(problems, "; "))
	c.Fix = fmt.Sprintf("rebuild those images for Windows Server %s (winami images check --cluster %s --windows %s lists them), or keep base.windows %s",
		u.To, u.Report.Cluster, u.To, u.From)
	return []Check{c}
}
