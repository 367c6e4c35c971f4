package ami

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/catalog"
)

func newListCmd(app *cmdutil.App) *cobra.Command {
	var kf keyFlags
	var rf regionFlag
	var since string
	cmd := &cobra.Command{
		Use:   "list [--windows VERSION] [--edition EDITION] [--kubernetes VERSION]",
		Short: "List every public EKS optimized Windows AMI release, newest first",
		Long: `List the public EKS optimized Windows AMIs (owner 801119661308) found with EC2
DescribeImages, newest first by the release date in the AMI name, and mark the one SSM
publishes as latest. Leave out --windows, --edition or --kubernetes to list them all.

EKS makes Windows AMIs private about four months after release, so the public history
is about four releases deep.`,
		Example: `  winami ami list --kubernetes 1.35
  winami ami list --windows 2022 --edition core --kubernetes 1.34 --since 2026-09-01
  winami ami list --windows 2019 --regions us-east-1,eu-west-1 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sinceDate, err := parseDateFlag("--since", since, seriesOf(kf))
			if err != nil {
				return err
			}
			q := catalog.ListQuery{Windows: kf.windows, Edition: kf.edition, Kubernetes: kf.kubernetes, Since: sinceDate}
			ctx := cmd.Context()
			f, regions, err := rf.finder(ctx, app)
			if err != nil {
				return err
			}
			releases, err := f.List(ctx, q, regions)
			if err != nil {
				return err
			}
			if len(releases) == 0 {
				fmt.Fprintln(app.IO.ErrOut, "no public EKS optimized Windows AMI matches; try fewer filters or an earlier --since")
			}
			return printReleases(app, releases, len(regions) > 1)
		},
	}
	kf.register(cmd, false)
	rf.register(cmd)
	cmd.Flags().StringVar(&since, "since", "", "only releases on or after this date (YYYY-MM-DD or YYYY.MM.DD)")
	return cmd
}

// printReleases shows releases as a table (with a region column when there
// are several regions), a JSON/YAML list, or tab-separated text.
func printReleases(app *cmdutil.App, releases []catalog.Release, withRegion bool) error {
	rows := output.Rows{Header: []string{"windows", "edition", "kubernetes", "release", "ami id", "latest", "name"}}
	if withRegion {
		rows.Header = append([]string{"region"}, rows.Header...)
	}
	for _, r := range releases {
		latest := ""
		switch {
		case app.Format() == output.Text:
			latest = fmt.Sprint(r.Latest) // scripts compare against true/false
		case r.Latest:
			latest = "*"
		}
		cells := []string{r.Windows, r.Edition, r.Kubernetes, dateOrDash(r.ReleaseDate), r.AMIID, latest, r.Name}
		if withRegion {
			cells = append([]string{r.Region}, cells...)
		}
		rows.Add(cells...)
	}
	if releases == nil {
		releases = []catalog.Release{}
	}
	return app.Print(releases, rows)
}
