package ami

import (
	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/catalog"
)

func newLatestCmd(app *cmdutil.App) *cobra.Command {
	var kf keyFlags
	var rf regionFlag
	cmd := &cobra.Command{
		Use:   "latest --windows VERSION --edition EDITION --kubernetes VERSION",
		Short: "Print the latest EKS optimized Windows AMI ID, as SSM publishes it",
		Long: `Print the AMI ID that SSM publishes as the latest EKS optimized Windows AMI for a
Windows Server version, edition and Kubernetes version: one SSM call per region.

With one region the ID is printed alone, ready for a script; with --regions, one line
per region. -o json adds the name, release version and release date.`,
		Example: `  winami ami latest --windows 2022 --edition core --kubernetes 1.35
  AMI=$(winami ami latest --windows 2019 --edition full --kubernetes 1.33 --region eu-west-1)
  winami ami latest --windows 2025 --edition core --kubernetes 1.35 --regions all -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := kf.key()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			f, regions, err := rf.finder(ctx, app)
			if err != nil {
				return err
			}
			releases, err := f.Latest(ctx, key, regions)
			if err != nil {
				return err
			}
			return printLatest(app, releases, rf.multi())
		},
	}
	kf.register(cmd, true)
	rf.register(cmd)
	return cmd
}

// printLatest prints the AMI ID alone for one region, one line per region
// for several; JSON is an object for --region and a list for --regions.
func printLatest(app *cmdutil.App, releases []catalog.Release, multi bool) error {
	rows := output.Rows{}
	if multi {
		rows.Header = []string{"region", "ami id", "name", "release"}
		for _, r := range releases {
			rows.Add(r.Region, r.AMIID, r.Name, dateOrDash(r.ReleaseDate))
		}
	} else {
		for _, r := range releases {
			rows.Add(r.AMIID)
		}
	}
	if app.Format() == output.Text && multi {
		rows.Rows = nil
		for _, r := range releases {
			rows.Add(r.Region, r.AMIID)
		}
	}
	var data any = releases
	if !multi && len(releases) == 1 {
		data = releases[0]
	}
	return app.Print(data, rows)
}
