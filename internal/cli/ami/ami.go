// Package ami is `winami ami`: finding EKS optimized Windows AMIs, latest,
// listed, pinned by release date, and the matrix SSM publishes.
package ami

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
)

// NewCmd builds `winami ami` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ami",
		Short: "Find EKS optimized Windows AMIs: latest, history, pinned by release date",
		Long: `Find the EKS optimized Windows AMIs that AWS publishes.

SSM publishes only the latest AMI of each Windows version, edition and Kubernetes
version; EC2 keeps about four monthly releases public. winami reads both, in many
regions at once, so you can pin a release by date instead of taking whatever is
newest.`,
		Example: `  winami ami latest --windows 2022 --edition core --kubernetes 1.35
  winami ami list --windows 2022 --kubernetes 1.35 --regions us-east-1,eu-west-1
  winami ami resolve --windows 2022 --edition core --kubernetes 1.35 --before 2026-10-31
  winami ami matrix --regions all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newLatestCmd(app), newListCmd(app), newResolveCmd(app), newMatrixCmd(app), newCopyCmd(app))
	return cmd
}

// keyFlags are --windows, --edition and --kubernetes.
type keyFlags struct {
	windows, edition, kubernetes string
}

func (k *keyFlags) register(cmd *cobra.Command, required bool) {
	f := cmd.Flags()
	f.StringVar(&k.windows, "windows", "", "Windows Server version: 2019, 2022 or 2025")
	f.StringVar(&k.edition, "edition", "", "edition: core or full")
	f.StringVar(&k.kubernetes, "kubernetes", "", "Kubernetes version, e.g. 1.35")
	_ = cmd.RegisterFlagCompletionFunc("windows", cobra.FixedCompletions(eksami.WindowsVersions(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("edition", cobra.FixedCompletions([]string{"core", "full"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("kubernetes", cobra.NoFileCompletions)
	if required {
		for _, name := range []string{"windows", "edition", "kubernetes"} {
			_ = cmd.MarkFlagRequired(name)
		}
	}
}

// key parses and checks the three flags as one AMI series.
func (k *keyFlags) key() (eksami.Key, error) {
	key, err := eksami.ParseKey(k.windows, k.edition, k.kubernetes)
	if err != nil {
		return eksami.Key{}, &cmdutil.UsageError{Err: err}
	}
	if err := key.Validate(); err != nil {
		return eksami.Key{}, &cmdutil.UsageError{Err: err}
	}
	return key, nil
}

// regionFlag is --regions: a comma-separated list, or "all".
type regionFlag struct{ regions string }

func (r *regionFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.regions, "regions", "", `comma-separated regions, or "all" for every region SSM lists (default: --region)`)
	_ = cmd.RegisterFlagCompletionFunc("regions", cobra.FixedCompletions([]string{"all"}, cobra.ShellCompDirectiveNoFileComp))
}

// multi reports whether the user asked for a list of regions (which makes
// the JSON output a list even when it holds one region).
func (r *regionFlag) multi() bool { return r.regions != "" }

// finder builds the AMI finder and the regions to work in: --regions, else
// --region (or the configured default). The flags are checked before any
// AWS client is built.
func (r *regionFlag) finder(ctx context.Context, app *cmdutil.App) (*catalog.Finder, []string, error) {
	_, f, regions, err := r.clients(ctx, app)
	return f, regions, err
}

// clients is finder that also returns the AWS clients the finder is built
// on, for a command that calls AWS itself (ami copy).
func (r *regionFlag) clients(ctx context.Context, app *cmdutil.App) (*awsapi.Clients, *catalog.Finder, []string, error) {
	listed, err := r.parse(app)
	if err != nil {
		return nil, nil, nil, err
	}
	clients, err := app.Clients(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	f := catalog.NewFinderFromClients(clients)
	switch {
	case listed != nil:
		return clients, f, listed, nil
	case strings.EqualFold(strings.TrimSpace(r.regions), "all"):
		regions, err := f.Regions(ctx, clients.Region())
		return clients, f, regions, err
	}
	return clients, f, []string{clients.Region()}, nil
}

// parse checks --regions and returns its regions, or nil for "" and "all".
func (r *regionFlag) parse(app *cmdutil.App) ([]string, error) {
	if r.regions != "" && app.Globals.Region != "" {
		return nil, cmdutil.Usagef("--region and --regions both given: use --regions for several regions, --region for one")
	}
	if v := strings.TrimSpace(r.regions); v == "" || strings.EqualFold(v, "all") {
		return nil, nil
	}
	var out []string
	for _, reg := range strings.Split(r.regions, ",") {
		reg = strings.TrimSpace(reg)
		if reg == "" || slices.Contains(out, reg) {
			continue
		}
		if err := cmdutil.CheckRegion("--regions", reg); err != nil {
			return nil, err
		}
		out = append(out, reg)
	}
	if len(out) == 0 {
		return nil, cmdutil.Usagef(`--regions is empty: give region codes separated by commas, or "all"`)
	}
	return out, nil
}

// finder builds the AMI finder over the command's AWS clients and returns
// the configured default region.
func finder(ctx context.Context, app *cmdutil.App) (*catalog.Finder, string, error) {
	clients, err := app.Clients(ctx)
	if err != nil {
		return nil, "", err
	}
	return catalog.NewFinderFromClients(clients), clients.Region(), nil
}

func dateOrDash(d eksami.Date) string {
	if d.IsZero() {
		return "-"
	}
	return d.String()
}
