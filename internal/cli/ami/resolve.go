package ami

import (
	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/catalog"
)

func newResolveCmd(app *cmdutil.App) *cobra.Command {
	var kf keyFlags
	var release, before string
	cmd := &cobra.Command{
		Use:   "resolve --windows VERSION --edition EDITION --kubernetes VERSION (--release YYYY.MM.DD | --before YYYY-MM-DD)",
		Short: "Pin an EKS optimized Windows AMI by release date",
		Long: `Pin an EKS optimized Windows AMI by its release date, so a new monthly AMI never
rolls into production unplanned: --release takes that exact release, --before the newest
release on or before the date. When nothing matches, the releases that exist are listed.

Prints the AMI ID alone (for scripts); -o json gives the whole release.`,
		Example: `  winami ami resolve --windows 2022 --edition core --kubernetes 1.35 --release 2026.10.14
  winami ami resolve --windows 2022 --edition core --kubernetes 1.35 --before 2026-10-31 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := kf.key()
			if err != nil {
				return err
			}
			var q catalog.ResolveQuery
			if q.Release, err = parseDateFlag("--release", release, seriesOf(kf)); err != nil {
				return err
			}
			if q.Before, err = parseDateFlag("--before", before, seriesOf(kf)); err != nil {
				return err
			}
			ctx := cmd.Context()
			f, region, err := finder(ctx, app)
			if err != nil {
				return err
			}
			r, err := f.Resolve(ctx, key, region, q)
			if err != nil {
				return err
			}
			rows := output.Rows{}
			rows.Add(r.AMIID)
			return app.Print(r, rows)
		},
	}
	kf.register(cmd, true)
	cmd.Flags().StringVar(&release, "release", "", "the exact release: its date as in the AMI name (YYYY.MM.DD; YYYY-MM-DD works too), its release version (1.35-YYYY.MM.DD) or its AMI name")
	cmd.Flags().StringVar(&before, "before", "", "the newest release on or before this date (YYYY-MM-DD or YYYY.MM.DD)")
	cmd.MarkFlagsOneRequired("release", "before")
	cmd.MarkFlagsMutuallyExclusive("release", "before")
	return cmd
}
