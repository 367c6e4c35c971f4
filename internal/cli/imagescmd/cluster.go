package imagescmd

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/workloads"
)

// clusterOptions are the flags that name a cluster whose pods are checked.
type clusterOptions struct {
	cluster, kubeconfig, context string
}

// given reports a cluster check: any of its flags (--context alone is
// refused by validateCluster).
func (c clusterOptions) given() bool { return c.cluster != "" || c.kubeconfig != "" || c.context != "" }

// validateCluster checks the flags of a cluster check before anything is called.
func (o *checkOptions) validateCluster(args []string) error {
	c := o.clusterOptions
	if err := cmdutil.CheckClusterFlag("--cluster", c.cluster); err != nil {
		return err
	}
	switch {
	case c.context != "" && c.kubeconfig == "":
		return cmdutil.Usagef("--context goes with --kubeconfig")
	case len(args) > 0:
		return cmdutil.Usagef("with --cluster or --kubeconfig the images are the pods'; name no image (%s)", args[0])
	}
	return nil
}

// runClusterCheck is `images check --cluster/--kubeconfig`: the images of
// the pods on the cluster's Windows nodes against the target build.
func runClusterCheck(ctx context.Context, app *cmdutil.App, o *checkOptions, args []string) error {
	if err := o.validateCluster(args); err != nil {
		return err
	}
	target, err := images.ParseHostBuild(cmp.Or(o.windows, o.build))
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	clients, err := app.Clients(ctx)
	if err != nil {
		return err
	}
	c := o.clusterOptions
	rep, err := app.ClusterCheck(clients, workloads.Target{Cluster: c.cluster, Kubeconfig: c.kubeconfig, Context: c.context})(ctx, target)
	if err != nil {
		return err
	}
	if err := printClusterReport(app, rep); err != nil {
		return err
	}
	return ClusterExit(rep)
}

// ClusterExit is the outcome of a cluster check: exit 2 when an image
// would not run; else an error (exit 1) when one could not be read.
func ClusterExit(rep images.ClusterReport) error {
	switch n := rep.Count(images.Unknown); {
	case rep.Count(images.Incompatible) > 0:
		return cmdutil.Differences()
	case n > 0:
		return fmt.Errorf("%d image(s) could not be read, so it is not known whether they run on %s; see the reasons above", n, rep.Target)
	}
	return nil
}

func printClusterReport(app *cmdutil.App, rep images.ClusterReport) error {
	rows := output.Rows{Header: []string{"image", "verdict", "os.version", "pods", "workloads", "reason"}}
	table := app.Format() == output.Table
	for _, i := range rep.Images {
		r := images.Result{Chosen: i.Chosen, Platforms: i.Platforms}
		rows.Add(i.Image, string(i.Verdict), osVersions(r), fmt.Sprint(i.Pods), workloadsCell(i.Workloads, table), output.Dash(i.Reason))
	}
	if !table {
		return app.Print(rep, rows)
	}
	if err := output.PrintTable(app.IO.Out, rows); err != nil {
		return err
	}
	var builds []string
	for _, n := range rep.Nodes {
		if n.WindowsBuild != "" && !slices.Contains(builds, n.WindowsBuild) {
			builds = append(builds, n.WindowsBuild)
		}
	}
	slices.Sort(builds)
	now := ""
	if len(builds) > 0 {
		now = " (now " + strings.Join(builds, ", ") + ")"
	}
	_, err := fmt.Fprintf(app.IO.Out, "\n%d images in %d pods on %d Windows nodes%s, against %s: %d run, %d will not run, %d unknown.\n",
		len(rep.Images), rep.Pods, len(rep.Nodes), now, rep.Target, rep.Count(images.Compatible), rep.Count(images.Incompatible), rep.Count(images.Unknown))
	return err
}

// tableWorkloads is how many workloads a table row names; a base image
// that many workloads share would otherwise make the row unreadable.
const tableWorkloads = 3

// workloadsCell names the workloads of an image: in a table at most
// tableWorkloads and how many more, elsewhere all.
func workloadsCell(ws []workloads.Workload, table bool) string {
	var names []string
	for i, w := range ws {
		if table && i == tableWorkloads {
			names = append(names, fmt.Sprintf("and %d more (-o json lists them)", len(ws)-i))
			break
		}
		names = append(names, w.String())
	}
	return strings.Join(names, ", ")
}
