// Package cachecmd is `winami cache`: the component that bakes container
// images into the AMI, rendered from a spec, and a check for any AWSTOE
// component document.
package cachecmd

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/component"
	"github.com/winami/winami/pkg/pipeline"
)

// NewCmd builds `winami cache` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Render and check the component that bakes container images into the AMI",
		Long: `Pods on a new Windows node wait for their images to be pulled and, above all, extracted:
often 8-18 minutes. The spec's cache section makes winami generate an Image Builder
component that pulls them into containerd's CRI namespace (k8s.io) during the build,
pins them so kubelet's image garbage collection keeps them, and checks they are there.`,
		Example: `  winami cache render -f winami.yaml > image-cache.yaml
  winami cache validate image-cache.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRenderCmd(app), newValidateCmd(app))
	return cmd
}

func newRenderCmd(app *cmdutil.App) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "render -f winami.yaml",
		Short: "Print the image cache component document the spec generates",
		Long: `Print the AWSTOE document of the image cache component that apply would create from the
spec's cache section. Nothing is called: the spec is read and the document rendered with the
images by tag. (apply's copy pulls each image by the digest its tag pointed to when the plan
read it, then tags it; the plan shows those digests.) The document is YAML, the form Image
Builder takes; -o yaml is accepted, other formats are not.`,
		Example: `  winami cache render -f winami.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := app.LoadSpec(file)
			if err != nil {
				return err
			}
			doc, ok, err := pipeline.CacheDocument(s, nil)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%s has no cache section: add cache.images to bake images into the AMI", file)
			}
			_, err = fmt.Fprint(app.IO.Out, doc)
			return err
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "winami.yaml", "the spec file")
	cmdutil.SupportsFormats(cmd, output.YAML)
	return cmd
}

// validation is `winami cache validate -o json`: the file and its
// problems (none when valid).
type validation struct {
	File     string    `json:"file"`
	Valid    bool      `json:"valid"`
	Problems []problem `json:"problems"`
}

// problem is one problem of a document; line and column are 0 when it has
// no single place.
type problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func newValidateCmd(app *cmdutil.App) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check an AWSTOE component document",
		Long: `Check an AWSTOE component document as Image Builder and AWSTOE would: schemaVersion,
phases, step names, known actions and their inputs, references to parameters. Every problem
is printed as file:line:col, and any problem makes the exit status 1.

-o json and -o yaml print {file, valid, problems: [{line, column, path, message}]} on
stdout; -o text prints one problem a line, file, line, column, path and message separated
by tabs. Either way the exit status is 1 when there is a problem.`,
		Example: `  winami cache validate image-cache.yaml
  winami cache render -f winami.yaml > c.yaml && winami cache validate c.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return validate(app, args[0]) },
	}
}

func validate(app *cmdutil.App, path string) error {
	err := component.ValidateFile(path)
	var fe *component.FileError
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		// "file: cause", as the problems are shown.
		return fmt.Errorf("%s: %w; give the path of an AWSTOE component document", path, pe.Err)
	case err != nil && !errors.As(err, &fe):
		return err
	}
	if app.Format() == output.Table {
		if err != nil {
			return err
		}
		fmt.Fprintf(app.IO.ErrOut, "%s: a valid AWSTOE component document\n", path)
		return nil
	}
	res := validation{File: path, Valid: fe == nil, Problems: []problem{}}
	rows := output.Rows{}
	if fe != nil {
		for _, p := range fe.Problems {
			res.Problems = append(res.Problems, problem{Line: p.Line, Column: p.Column, Path: p.Path, Message: p.Message})
			rows.Add(path, strconv.Itoa(p.Line), strconv.Itoa(p.Column), output.Dash(p.Path), p.Message)
		}
	}
	if err := app.Print(res, rows); err != nil {
		return err
	}
	if fe != nil {
		n := fmt.Sprintf("%d problems", len(fe.Problems))
		if len(fe.Problems) == 1 {
			n = "1 problem"
		}
		return fmt.Errorf("%s: not a valid AWSTOE component document: %s, listed on stdout", path, n)
	}
	return nil
}
