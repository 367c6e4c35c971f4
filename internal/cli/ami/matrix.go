package ami

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
)

// matrixEntry is one published combination and where it is published; the
// JSON form of `ami matrix`.
type matrixEntry struct {
	eksami.Key
	Regions []string `json:"regions"`
}

func newMatrixCmd(app *cmdutil.App) *cobra.Command {
	var rf regionFlag
	cmd := &cobra.Command{
		Use:   "matrix",
		Short: "Show which Windows, edition and Kubernetes combinations SSM publishes",
		Long: `Show which (Windows Server version, edition, Kubernetes version) combinations have an
EKS optimized AMI, by probing SSM for every candidate name (Kubernetes 1.23 to 1.40) in
batches of ten, every region at once. Nothing about the matrix is built into winami:
what you see is what SSM answers today.

In the table a cell is "yes" when the combination is published in every region probed,
"N/M" when in N of M regions, and "-" when in none.`,
		Example: `  winami ami matrix
  winami ami matrix --regions all
  winami ami matrix --regions us-east-1,eu-west-1 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, regions, err := rf.finder(ctx, app)
			if err != nil {
				return err
			}
			m, err := f.Matrix(ctx, regions)
			if err != nil {
				return err
			}
			return printMatrix(app, m, regions)
		},
	}
	rf.register(cmd)
	return cmd
}

func printMatrix(app *cmdutil.App, m catalog.Matrix, regions []string) error {
	entries := []matrixEntry{}
	for _, k := range m.Keys() {
		entries = append(entries, matrixEntry{Key: k, Regions: m.RegionsWith(k)})
	}
	if app.Format() == output.Text {
		rows := output.Rows{}
		for _, e := range entries {
			rows.Add(e.Windows, e.Edition, e.Kubernetes, strings.Join(e.Regions, ","))
		}
		return app.Print(entries, rows)
	}
	return app.Print(entries, matrixGrid(m, len(regions)))
}

// matrixGrid lays the matrix out as Windows/edition rows and a column per
// Kubernetes version published anywhere.
func matrixGrid(m catalog.Matrix, regionCount int) output.Rows {
	var versions []string
	for _, k := range m.Keys() {
		if !slices.Contains(versions, k.Kubernetes) {
			versions = append(versions, k.Kubernetes)
		}
	}
	slices.SortFunc(versions, func(a, b string) int {
		return eksami.Key{Kubernetes: a}.Compare(eksami.Key{Kubernetes: b})
	})
	rows := output.Rows{Header: append([]string{"windows", "edition"}, versions...)}
	for _, row := range m.Rows() {
		cells := []string{row.Windows, row.Edition}
		for _, v := range versions {
			n := len(m.RegionsWith(eksami.Key{Windows: row.Windows, Edition: row.Edition, Kubernetes: v}))
			switch n {
			case 0:
				cells = append(cells, "-")
			case regionCount:
				cells = append(cells, "yes")
			default:
				cells = append(cells, fmt.Sprintf("%d/%d", n, regionCount))
			}
		}
		rows.Add(cells...)
	}
	return rows
}
