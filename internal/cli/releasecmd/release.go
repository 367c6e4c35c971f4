// Package releasecmd is `winami release`: a spec's release channels, their
// gates, promotion, history and rollback.
package releasecmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/release"
	"github.com/winami/winami/pkg/specrun"
)

// NewCmd builds `winami release` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Promote AMIs through a spec's release channels, with gates, history and rollback",
		Long: `A spec's release section lists channels in order, for example candidate then stable. Each
channel is one SSM parameter, the same name in every distribution region, holding the AMI ID that
node groups, launch templates (resolve:ssm:) or Karpenter's ssmParameter selector follow.

Builds publish to the first channel only. An AMI enters a later channel with 'release promote',
once that channel's gates hold in every region; 'release rollback' moves a channel back to an
earlier build. Both change every region or none: if one region's write fails, the regions
already written are put back before winami exits 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newStatusCmd(app), newPromoteCmd(app), newHistoryCmd(app), newRollbackCmd(app))
	return cmd
}

// specFlag is -f/--file.
type specFlag struct{ path string }

func (f *specFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.path, "file", "f", "winami.yaml", "the spec file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
}

// runner loads the spec and builds the release runner over the command's
// clients; the spec decides the region.
func (f *specFlag) runner(ctx context.Context, app *cmdutil.App) (*release.Runner, error) {
	s, err := app.LoadSpec(f.path)
	if err != nil {
		return nil, err
	}
	cfg, err := release.ConfigFrom(s)
	if err != nil {
		return nil, err
	}
	if err := specrun.CheckRegion(app.Globals.Region, s); err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	app.Globals.Region = s.Region
	clients, err := app.Clients(ctx)
	if err != nil {
		return nil, err
	}
	return &release.Runner{Config: cfg, SSM: clients.SSM, EC2: clients.EC2, Clock: clock.Real{}, Out: app.IO.ErrOut,
		Canary: canary(app, clients)}, nil
}

// canary reads a canary cluster's Windows nodes with the drift report,
// against the AMI: how many run it, and which of those drift (not Ready,
// kubelet, Windows build…).
func canary(app *cmdutil.App, clients *awsapi.Clients) func(ctx context.Context, k release.Canary, ami string) (release.CanaryResult, error) {
	return func(ctx context.Context, k release.Canary, ami string) (release.CanaryResult, error) {
		cfg, err := drift.ClusterConfig(ctx, clients.EKS(k.Region), clients.STSClient(k.Region), k.Cluster)
		if err != nil {
			return release.CanaryResult{}, err
		}
		drift.Bound(cfg, app.HTTPLimits())
		src, err := drift.NewSources(clients, cfg, k.Region)
		if err != nil {
			return release.CanaryResult{}, err
		}
		rep, err := drift.Run(ctx, src, drift.Options{Cluster: k.Cluster, Region: k.Region, DesiredAMI: ami})
		if err != nil {
			return release.CanaryResult{}, err
		}
		var res release.CanaryResult
		for _, n := range rep.Nodes {
			if n.AMI != ami {
				continue
			}
			res.Nodes++
			// The report's reasons include not-ready.
			var why []string
			for _, r := range n.Reasons {
				if !slices.Contains(why, r.Kind) {
					why = append(why, r.Kind)
				}
			}
			if len(why) > 0 {
				res.Problems = append(res.Problems, n.Name+": "+strings.Join(why, ", "))
			}
		}
		return res, nil
	}
}

// printGates lists gates, failing ones with their fix.
func printGates(app *cmdutil.App, gates []release.GateResult) {
	for _, g := range gates {
		mark := "ok  "
		if !g.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(app.IO.ErrOut, "  %s %-12s %-15s %s\n", mark, g.Gate, g.Region, g.Detail)
		if !g.OK && g.Fix != "" {
			fmt.Fprintf(app.IO.ErrOut, "       fix: %s\n", g.Fix)
		}
	}
}

// printChanges lists what a plan writes.
func printChanges(app *cmdutil.App, plan *release.Plan) {
	for _, c := range plan.Changes {
		from := c.From
		if from == "" {
			from = "(nothing yet)"
		}
		fmt.Fprintf(app.IO.ErrOut, "  %-15s %s -> %s\n", c.Region, from, c.To)
	}
}

// nothingToDo reports a plan that changes no region.
func nothingToDo(app *cmdutil.App, plan *release.Plan, label string) error {
	fmt.Fprintf(app.IO.ErrOut, "%s already holds build %s in every region: nothing to do.\n", plan.Channel, label)
	return app.Print(plan, changeRows(nil))
}

// carryOut ends promote and rollback alike, once the changes are shown:
// --dry-run stops there; otherwise confirm (question), write every region
// or none (apply), and report the regions written (done).
func carryOut(ctx context.Context, app *cmdutil.App, plan *release.Plan, dryRun, autoApprove bool,
	apply func(context.Context, *release.Plan) ([]release.Change, error), question string, done func(regions int) string) error {
	if dryRun {
		fmt.Fprintln(app.IO.ErrOut, "\n--dry-run: nothing was written.")
		return app.Print(plan, changeRows(plan.Changes))
	}
	if err := app.Confirm(autoApprove, question); err != nil {
		return err
	}
	written, err := apply(ctx, plan)
	if err != nil {
		return err
	}
	plan.Changes = written
	fmt.Fprintf(app.IO.ErrOut, "\n%s\n", done(len(written)))
	return app.Print(plan, changeRows(written))
}

func changeRows(changes []release.Change) output.Rows {
	rows := output.Rows{Header: []string{"region", "from", "to", "version"}}
	for _, c := range changes {
		rows.Add(c.Region, output.Dash(c.From), c.To, fmt.Sprint(c.Version))
	}
	return rows
}

// since is a time for tables.
func since(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// user shortens an ARN to its last part ("user/dev"), for tables.
func user(arn string) string {
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		return arn[i+1:]
	}
	return output.Dash(arn)
}
