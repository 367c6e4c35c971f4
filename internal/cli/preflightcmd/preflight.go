// Package preflightcmd is `winami preflight`: the checklist of what a
// build of the spec needs, each failure with its fix, before a build finds
// out half an hour in.
package preflightcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/specrun"
	"github.com/winami/winami/pkg/workloads"
)

// NewCmd builds `winami preflight`.
func NewCmd(app *cmdutil.App) *cobra.Command {
	var file, cluster string
	cmd := &cobra.Command{
		Use:   "preflight -f winami.yaml",
		Short: "Check every permission and prerequisite of a build before it starts",
		Long: `Check what a build of the spec needs, each line pass, warn or fail, every failure with its
fix (the policy to attach or the command to run):

  - who you are, and that every region of the spec answers
  - the build instance profile: it exists, holds a role that trusts EC2 and carries Image
    Builder's and Systems Manager's permissions, and can pull the cache's ECR images
  - the service-linked roles of Image Builder and (with Fast Launch) EC2 Fast Launch exist,
    or you may create them
  - the subnet and security groups exist in one VPC, the instance types are offered there,
    the parent image resolves
  - with Fast Launch, what 'winami fast-launch enable' checks, in every distribution region:
    the launch template exists there, or without one the region has a default VPC, and the
    parallel launches stay within the region's quota
  - your own permissions for what apply and build call
  - with --cluster, when base.windows differs from the last build's: every image of the
    cluster's Windows pods runs on the new version (as 'winami images check --cluster')

Permissions are decided with IAM's policy simulator where you may call it, else from the
role's policies; the METHOD of each line says which.

Exit status: 0 nothing failed (warnings allowed), 1 a check failed.`,
		Example: `  winami preflight -f winami.yaml
  winami preflight -f winami.yaml -o json | jq '.checks[] | select(.status == "fail")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := cmdutil.CheckClusterFlag("--cluster", cluster); err != nil {
				return err
			}
			s, err := app.LoadSpec(file)
			if err != nil {
				return err
			}
			if err := specrun.CheckRegion(app.Globals.Region, s); err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			app.Globals.Region = s.Region
			clients, err := app.Clients(ctx)
			if err != nil {
				return err
			}
			deps := preflight.DepsFromClients(clients)
			if cluster != "" {
				deps.ClusterImages = app.ClusterCheck(clients, workloads.Target{Cluster: cluster, Region: s.Region})
			}
			rep := preflight.Run(ctx, deps, s)
			if err := printReport(app, rep); err != nil {
				return err
			}
			if rep.Failed() {
				// The report has said what failed; exit 1 without another line.
				return &cmdutil.ExitCodeError{Code: cmdutil.ExitError}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "winami.yaml", "the spec file")
	cmd.Flags().StringVar(&cluster, "cluster", "",
		"an EKS cluster (in the spec's region) whose Windows workloads must run on base.windows when it differs from the last build's")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	return cmd
}

func printReport(app *cmdutil.App, rep preflight.Report) error {
	switch app.Format() {
	case output.JSON, output.YAML:
		return app.Print(rep, output.Rows{})
	case output.Text:
		rows := output.Rows{}
		for _, c := range rep.Checks {
			rows.Add(string(c.Status), c.ID, c.Detail)
		}
		return app.Print(rep, rows)
	}
	preflight.WriteTable(app.IO.Out, rep)
	counts := map[preflight.Status]int{}
	for _, c := range rep.Checks {
		counts[c.Status]++
	}
	fmt.Fprintf(app.IO.ErrOut, "\nPreflight of %q in %s: %d passed, %d warnings, %d failed.\n",
		rep.Spec, rep.Region, counts[preflight.Pass], counts[preflight.Warn], counts[preflight.Fail])
	return nil
}
